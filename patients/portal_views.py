"""The patient's portal on the chart: "End the patient's portal sessions" (a lost phone, a shared device)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic.access import get_patient_for_user
from portal.sessions import end_patient_sessions


@never_cache
@login_required
@require_POST
def end_portal_sessions(request: HttpRequest, public_id) -> HttpResponse:
    """Sign the patient out of the portal on every device. Outsiders get a 404 (audited, as every refusal)."""
    patient = get_patient_for_user(request.user, public_id)
    ended = end_patient_sessions(patient=patient, by=request.user, context=request.audit)
    if ended:
        messages.success(request, f"{patient.called} is signed out of the patient portal on every device.")
    else:
        messages.info(request, f"{patient.called} was not signed in to the patient portal anywhere.")
    return redirect("patients:chart", public_id=patient.public_id)
