"""The patient's "My numbers" page, /p/numbers/: their numbers over time (portal/numbers.py).

Any usable link session of the patient opens it (portal.plan_views.with_link); without one, the one calm page.
Opening it changes nothing; the view is audited as the patient.
"""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from audit.models import Action
from audit.services import record_access
from portal import numbers
from portal.models import PatientLink
from portal.plan_views import with_link
from portal.views import portal_page


@portal_page
@require_GET
@with_link
def my_numbers(request: HttpRequest, link: PatientLink) -> HttpResponse:
    patient = link.patient
    record_access(request=request, patient=patient, action=Action.VIEW, target="portal: my numbers", by_patient=True)
    context = {"patient": patient, "numbers": numbers.numbers_for(patient)}
    return TemplateResponse(request, "portal/numbers.html", context)
