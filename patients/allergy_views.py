"""Allergies and intolerances: the chart section, the page to record one and the page to end one.

Every view finds the patient through ``get_patient_for_user`` first (404 for outsiders), then checks who may
change the list (403 for coordinators and admins), and audits the page shown; the services audit each change.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from audit.models import Action
from audit.services import record_access
from clinic.access import get_patient_for_user, may_chart, refuse_unless
from patients.allergy_forms import AllergyForm, EndAllergyForm
from patients.allergy_services import CHARTING_ONLY, AlreadyEnded, end_allergy, record_allergy
from patients.banner import patient_page
from patients.models import Patient, PatientAllergy

#: Bound that keeps the chart's work constant however long the history.
ALLERGIES_ON_CHART = 100


@dataclass
class AllergySection:
    active: list[PatientAllergy]
    ended: list[PatientAllergy]
    more: bool
    may_chart: bool


def allergy_section(patient: Patient, *, may_chart: bool) -> AllergySection:
    """The chart's allergy section (one query): active entries, then ended ones kept as history."""
    rows = list(PatientAllergy.objects.filter(patient=patient).for_chart()[: ALLERGIES_ON_CHART + 1])
    shown = rows[:ALLERGIES_ON_CHART]
    return AllergySection(
        active=[row for row in shown if row.is_active],
        ended=[row for row in shown if not row.is_active],
        more=len(rows) > ALLERGIES_ON_CHART,
        may_chart=may_chart,
    )


@login_required
@require_http_methods(["GET", "POST"])
def allergy_add(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_chart(request.user, patient), CHARTING_ONLY)
    form = AllergyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        record_allergy(patient=patient, by=request.user, audit=request.audit, values=form.cleaned_data)
        messages.success(request, "Allergy list updated.")
        return redirect(f"{reverse('patients:chart', args=[patient.public_id])}#allergies")
    record_access(request=request, patient=patient, action=Action.VIEW, target="allergy list: record an entry")
    context = {"patient": patient, "form": form}
    return patient_page(request, "patients/allergies/form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def allergy_end(request: HttpRequest, public_id, allergy_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    allergy = get_object_or_404(PatientAllergy, patient=patient, public_id=allergy_id)
    allergy.patient = patient
    refuse_unless(may_chart(request.user, patient), CHARTING_ONLY)
    chart = f"{reverse('patients:chart', args=[patient.public_id])}#allergies"
    if not allergy.is_active:
        messages.info(request, "This entry was already ended.")
        return redirect(chart)
    form = EndAllergyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            end_allergy(allergy=allergy, by=request.user, reason=form.cleaned_data["reason"], audit=request.audit)
        except AlreadyEnded:
            messages.info(request, "This entry was already ended by someone else.")
        else:
            messages.success(request, "Entry ended. It stays in the history.")
        return redirect(chart)
    record_access(request=request, patient=patient, action=Action.VIEW, target="allergy list: end an entry")
    context = {"patient": patient, "allergy": allergy, "form": form}
    return patient_page(request, "patients/allergies/end.html", context, status=400 if form.errors else 200)
