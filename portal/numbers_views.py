"""The patient's "My numbers" page, /p/numbers/: their numbers over time (portal/numbers.py).

A live patient session opens it (portal.plan_views.with_session); without one, the one calm page.
Opening it changes nothing; the view is audited as the patient.
"""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from audit.models import Action
from portal import numbers
from portal.models import PatientSession
from portal.plan_views import audit, with_session
from portal.views import portal_page


@portal_page
@require_GET
@with_session
def my_numbers(request: HttpRequest, visit: PatientSession) -> HttpResponse:
    patient = visit.patient
    audit(request, visit, Action.VIEW, "my numbers")
    context = {"patient": patient, "numbers": numbers.numbers_for(patient)}
    return TemplateResponse(request, "portal/numbers.html", context)
