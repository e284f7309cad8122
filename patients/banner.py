"""The patient banner: every page about a patient shows the patient's open alerts and unacknowledged red flags,
the care plan's tier, lead and sprint, the opioid regimen's MME and flags, and the active allergies.

The view builds it (``banner_for``, or ``patient_page`` for a page with nothing else to say about it) and passes
it as ``banner``; the template tag that places it (patients/templatetags/patient_banner.py) never queries."""

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.template.response import TemplateResponse

from careplans.models import CarePlan
from clinic.access.alerts import may_acknowledge_alerts
from measures.models import Alert
from medications.selectors.regimen import banner_opioids
from patients.models import PatientAllergy, RedFlag

#: The banner shows at most this many red flags, most pressing first.
BANNER_RED_FLAGS = 10


@dataclass(frozen=True)
class BannerAlerts:
    patient_id: int
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
    #: Active allergies and intolerances (patients.PatientAllergy), most severe first; empty: "No allergies recorded".
    allergies: list = field(default_factory=list)

    @property
    def urgent(self) -> list:
        """Urgent alerts and emergency red flags: the banner turns red for them."""
        return [alert for alert in self.alerts if alert.is_urgent] + [f for f in self.red_flags if f.is_emergency]

    @property
    def review(self) -> list[Alert]:
        return [alert for alert in self.alerts if not alert.is_urgent]


def banner_for(patient, user) -> BannerAlerts:
    alerts = list(Alert.objects.for_banner(patient))
    flags = RedFlag.objects.unacknowledged().filter(patient=patient).with_people().most_pressing_first()
    red_flags = list(flags[: BANNER_RED_FLAGS + 1])
    more_red_flags = len(red_flags) > BANNER_RED_FLAGS
    red_flags = red_flags[:BANNER_RED_FLAGS]
    may_acknowledge = (alerts or red_flags) and may_acknowledge_alerts(user, patient)
    return BannerAlerts(
        patient_id=patient.pk,
        alerts=alerts,
        can_acknowledge=bool(alerts and may_acknowledge),
        red_flags=red_flags,
        # The rule of clinic.access.alerts.may_acknowledge_alerts (red flags as alerts).
        can_acknowledge_red_flags=bool(red_flags and may_acknowledge),
        more_red_flags=more_red_flags,
        care_plan=CarePlan.objects.for_banner().filter(patient=patient).first(),
        opioids=banner_opioids(patient),
        allergies=banner_allergies(patient),
    )


#: The banner's order: the most severe first (unknown severity after severe: it may be severe).
SEVERITY_ORDER = ["severe", "unknown", "moderate", "mild"]


def banner_allergies(patient) -> list:
    """Active allergies and intolerances, most severe first (one query)."""
    rows = PatientAllergy.objects.active().filter(patient=patient).only("public_id", "substance", "kind", "severity")
    return sorted(rows, key=lambda row: (SEVERITY_ORDER.index(row.severity), row.substance.casefold()))


def patient_page(request: HttpRequest, template: str, context: dict, *, status: int = 200) -> TemplateResponse:
    """A page that may be about a patient (``context["patient"]``): with that patient's banner, built here unless
    the view passed it (a task about no patient has none)."""
    patient = context.get("patient")
    if patient is not None and "banner" not in context:
        context = {**context, "banner": banner_for(patient, request.user)}
    return TemplateResponse(request, template, context, status=status)
