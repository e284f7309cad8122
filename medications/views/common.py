"""What the medication views share: the refusal page, the page with the patient's banner, the audit of a page
shown, the pages' addresses and a line looked up within the patient.
"""

from __future__ import annotations

from functools import wraps

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse

from audit.models import Action
from audit.refusals import record_refusal
from audit.services import record_access
from clinic.access.refusals import Refused
from medications.models import Medication
from patients.banner import patient_page
from patients.models import Patient


def refusals(view):
    """Turn a Refused (the person may not do this) into a clear page that says who may (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as refused:
            record_refusal(request=request, exception=refused)  # the service's own audit row was rolled back
            context = {"reason": str(refused), "public_id": kwargs.get("public_id")}
            return TemplateResponse(request, "medications/refused.html", context, status=403)

    return wrapper


def page(request: HttpRequest, template: str, patient: Patient, context: dict, *, status: int = 200):
    return patient_page(request, template, {"patient": patient, **context}, status=status)


def seen(request: HttpRequest, patient: Patient, target: str, action=Action.VIEW) -> None:
    record_access(request=request, patient=patient, action=action, target=target)


def medications_url(patient: Patient) -> str:
    return reverse("medications:medications", args=[patient.public_id])


def safety_url(patient: Patient, anchor: str = "") -> str:
    url = reverse("medications:opioid_safety", args=[patient.public_id])
    return f"{url}#{anchor}" if anchor else url


def line_for(patient: Patient, medication_id) -> Medication:
    medication = get_object_or_404(
        Medication.objects.select_related("prescriber"), patient=patient, public_id=medication_id
    )
    medication.patient = patient
    return medication
