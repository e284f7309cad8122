"""The patient banner's alerts: every chart page shows the patient's open alerts and unacknowledged red
flags (two queries), and the care plan's tier (one query)."""

from dataclasses import dataclass, field
from typing import Any

from django import template

from careplans.models import CarePlan
from measures.models import Alert
from measures.permissions import may_acknowledge_alerts
from medications.selectors.regimen import banner_opioids
from patients.models import RedFlag

register = template.Library()

#: The banner shows at most this many red flags, most pressing first.
BANNER_RED_FLAGS = 10


@dataclass(frozen=True)
class BannerAlerts:
    alerts: list[Alert]
    can_acknowledge: bool
    #: Unacknowledged red flags (patients.RedFlag), emergency ones first.
    red_flags: list = field(default_factory=list)
    can_acknowledge_red_flags: bool = False
    #: More unacknowledged red flags than the banner shows (the chart's red-flag section lists them).
    more_red_flags: bool = False
    #: The active care plan with its tier, lead and open sprint (careplans CarePlanQuerySet.for_banner), or None.
    care_plan: Any = None
    #: The current opioid regimen's MME/day and unacknowledged safety flags (medications.selectors.regimen).
    opioids: Any = None

    @property
    def urgent(self) -> list:
        """Urgent alerts and emergency red flags: the banner turns red for them."""
        return [alert for alert in self.alerts if alert.is_urgent] + [f for f in self.red_flags if f.is_emergency]

    @property
    def review(self) -> list[Alert]:
        return [alert for alert in self.alerts if not alert.is_urgent]


@register.simple_tag(takes_context=True)
def banner_alerts(context, patient) -> BannerAlerts:
    """The open alerts for the banner; a view that already has them passes ``banner`` in its context."""
    found = context.get("banner")
    if isinstance(found, BannerAlerts):
        return found
    return banner_for(patient, context["request"].user)


def banner_for(patient, user) -> BannerAlerts:
    alerts = list(Alert.objects.for_banner(patient))
    flags = RedFlag.objects.unacknowledged().filter(patient=patient).with_people().most_pressing_first()
    red_flags = list(flags[: BANNER_RED_FLAGS + 1])
    more_red_flags = len(red_flags) > BANNER_RED_FLAGS
    red_flags = red_flags[:BANNER_RED_FLAGS]
    may_acknowledge = (alerts or red_flags) and may_acknowledge_alerts(user, patient)
    return BannerAlerts(
        alerts=alerts,
        can_acknowledge=bool(alerts and may_acknowledge),
        red_flags=red_flags,
        # The rule of patients.problem_services.may_acknowledge_red_flags (the same as for alerts).
        can_acknowledge_red_flags=bool(red_flags and may_acknowledge),
        more_red_flags=more_red_flags,
        care_plan=CarePlan.objects.for_banner().filter(patient=patient).first(),
        opioids=banner_opioids(patient),
    )
