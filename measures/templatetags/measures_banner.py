"""The patient banner's alerts: every chart page shows the patient's open alerts (one query)."""

from dataclasses import dataclass

from django import template

from measures.models import Alert
from measures.permissions import may_acknowledge_alerts

register = template.Library()


@dataclass(frozen=True)
class BannerAlerts:
    alerts: list[Alert]
    can_acknowledge: bool

    @property
    def urgent(self) -> list[Alert]:
        return [alert for alert in self.alerts if alert.is_urgent]

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
    return BannerAlerts(alerts=alerts, can_acknowledge=bool(alerts) and may_acknowledge_alerts(user, patient))
