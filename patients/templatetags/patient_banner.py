"""Places the patient banner the view built (patients/banner.py). It never queries: a page that shows a patient's
banner must pass it, so a view that forgets fails loudly in every test that opens it, instead of querying from
the template or showing a page without the patient's alerts."""

from django import template

from patients.banner import BannerAlerts

register = template.Library()


class MissingBanner(LookupError):
    """A page about a patient was rendered without that patient's banner."""


@register.simple_tag(takes_context=True)
def banner_alerts(context, patient) -> BannerAlerts:
    banner = context.get("banner")
    if not isinstance(banner, BannerAlerts) or banner.patient_id != patient.pk:
        raise MissingBanner("This page shows a patient: its view must pass that patient's banner (patients.banner).")
    return banner
