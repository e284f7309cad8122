"""The patient's taper schedule in the portal: the same confirmed steps as the printed copy (dates, tablets,
patches or millilitres, times a day), what to do if a step feels hard, the lost-tolerance warning and the clinic's
phone. Until a prescriber confirms the rounded doses it says the schedule is being prepared, never a dose.

Reached from "my plan" when a confirmed active taper exists; the patient is found as on the other plan pages
(portal.plan_views.with_session: the live patient session). No staff actor: opening it is audited as the patient.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from audit.models import Action
from medications.selectors.tapers import patient_copy, taper_in_progress_of
from portal.models import PatientSession
from portal.plan_views import audit, with_session
from portal.views import portal_page


@portal_page
@require_GET
@with_session
def my_taper(request: HttpRequest, visit: PatientSession) -> HttpResponse:
    patient = visit.patient
    taper = taper_in_progress_of(patient)
    if taper is None:
        return redirect("portal:plan")
    audit(request, visit, Action.VIEW, "taper schedule")
    return TemplateResponse(request, "portal/plan/taper.html", {"patient": patient, "copy": patient_copy(taper)})
