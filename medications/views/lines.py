"""The medication list and its lines: add, see with its history, change, stop and annotate."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinic.access import get_patient_for_user
from clinic.access.medication_lines import (
    ANNOTATORS_ONLY,
    CLINICIANS_ONLY,
    PRESCRIBERS_ONLY,
    may_annotate,
    may_change_class,
    permissions_for,
    refusal_for,
)
from clinic.access.refusals import refuse_unless
from medications.forms import AnnotateForm, MedicationForm, StopForm
from medications.selectors.pages import line_history, medication_list_page
from medications.services import StaleEdit
from medications.services.lines import (
    AllergyNotChecked,
    add_medication,
    annotate_medication,
    change_medication,
    stop_medication,
)
from medications.views.common import line_for, medications_url, page, refusals, seen


@login_required
@require_GET
def medication_list(request: HttpRequest, public_id) -> HttpResponse:
    """Current and past lines with their MME, the safety flags with the guideline's words, and naloxone."""
    patient = get_patient_for_user(request.user, public_id)
    context = medication_list_page(patient, today=timezone.localdate())
    seen(request, patient, "medication list")
    context["may"] = permissions_for(request.user, patient)
    return page(request, "medications/list.html", patient, context)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def medication_add(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    may = permissions_for(request.user, patient)
    refuse_unless(may.change_lines, CLINICIANS_ONLY)
    # A prescriber adding a line is its prescriber unless they choose otherwise.
    form = MedicationForm(request.POST or None, initial={"prescriber": request.user.pk if may.prescribe else None})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if may_change_class(request.user, patient, form.drug_class):
                try:
                    medication = add_medication(
                        patient=patient,
                        by=request.user,
                        audit=request.audit,
                        values=form.values(),
                        why=form.cleaned_data["why"],
                        allergy_checked=form.cleaned_data["allergy_checked"],
                    )
                except AllergyNotChecked as warning:
                    return allergy_warning(request, patient, warning, {"form": form, "may": may})
                messages.success(request, f"{medication.drug_name} added to the medication list.")
                if medication.drug_class == "opioid" and may.prescribe:
                    messages.info(
                        request,
                        "Starting an opioid for chronic pain? Record the trial: functional goals and a review in "
                        "1 to 4 weeks.",
                    )
                return redirect(medications_url(patient))
            form.add_error("drug_code", PRESCRIBERS_ONLY)
            status = 403
    seen(request, patient, "medication list: add a line")
    return page(request, "medications/form.html", patient, {"form": form, "may": may}, status=status)


def allergy_warning(request: HttpRequest, patient, warning: AllergyNotChecked, context: dict) -> HttpResponse:
    """The form again, as typed, with the warning naming each matching allergy and the "I have checked the allergy"
    box (adding a line or changing its drug); nothing was saved. Showing it is audited."""
    seen(request, patient, "medication list: allergy warning shown")
    context = {**context, "allergy_warnings": warning.allergies}
    return page(request, "medications/form.html", patient, context, status=400)


@login_required
@require_GET
def medication_detail(request: HttpRequest, public_id, medication_id) -> HttpResponse:
    """One line with its whole history (who, when, why, what changed) and the annotation form."""
    patient = get_patient_for_user(request.user, public_id)
    medication = line_for(patient, medication_id)
    history, more = line_history(medication)
    may = permissions_for(request.user, patient)
    seen(request, patient, "medication line and history")
    context = {
        "medication": medication,
        "history": history,
        "more": more,
        "may": may,
        "may_change": may_change_class(request.user, patient, medication.drug_class),
        "annotate_form": AnnotateForm() if may.annotate else None,
    }
    return page(request, "medications/detail.html", patient, context)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def medication_edit(request: HttpRequest, public_id, medication_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    medication = line_for(patient, medication_id)
    refuse_unless(
        may_change_class(request.user, patient, medication.drug_class),
        refusal_for(request.user, patient, medication.drug_class),
    )
    conflict, status = None, 200
    if request.method == "POST":
        form = MedicationForm(request.POST, editing=True)
        status = 400
        if form.is_valid():
            if may_change_class(request.user, patient, form.drug_class):
                try:
                    medication = change_medication(
                        medication=medication,
                        by=request.user,
                        audit=request.audit,
                        values=form.values(),
                        why=form.cleaned_data["why"],
                        expected_version=form.cleaned_data["version"],
                        allergy_checked=form.cleaned_data["allergy_checked"],
                    )
                except AllergyNotChecked as warning:
                    return allergy_warning(request, patient, warning, {"form": form, "medication": medication})
                except StaleEdit as stale:
                    conflict, status = stale.current, 409
                    data = request.POST.copy()
                    data["version"] = str(conflict.version)
                    form = MedicationForm(data, editing=True)
                    form.is_valid()
                else:
                    messages.success(request, f"{medication.drug_name} saved.")
                    return redirect(medications_url(patient))
            else:
                form.add_error("drug_code", PRESCRIBERS_ONLY)
                status = 403
    else:
        form = MedicationForm(initial=MedicationForm.initial_for(medication), editing=True)
    seen(request, patient, "medication list: change a line")
    context = {"form": form, "medication": medication, "conflict": conflict}
    return page(request, "medications/form.html", patient, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def medication_stop(request: HttpRequest, public_id, medication_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    medication = line_for(patient, medication_id)
    refuse_unless(
        may_change_class(request.user, patient, medication.drug_class),
        refusal_for(request.user, patient, medication.drug_class),
    )
    if not medication.is_current:
        messages.info(request, f"{medication.drug_name} was already stopped.")
        return redirect(medications_url(patient))
    form = StopForm(request.POST or None, medication=medication, initial={"version": medication.version})
    conflict, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                stop_medication(
                    medication=medication,
                    by=request.user,
                    audit=request.audit,
                    on=form.cleaned_data["stopped_on"],
                    why=form.cleaned_data["why"],
                    expected_version=form.cleaned_data["version"],
                )
            except StaleEdit as stale:
                conflict, status = stale.current, 409
            else:
                messages.success(request, f"{medication.drug_name} stopped.")
                return redirect(medications_url(patient))
    seen(request, patient, "medication list: stop a line")
    context = {"form": form, "medication": medication, "conflict": conflict}
    return page(request, "medications/stop.html", patient, context, status=status)


@login_required
@require_POST
@refusals
def medication_annotate(request: HttpRequest, public_id, medication_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    medication = line_for(patient, medication_id)
    refuse_unless(may_annotate(request.user, patient), ANNOTATORS_ONLY)
    form = AnnotateForm(request.POST)
    detail = reverse("medications:medication_detail", args=[patient.public_id, medication.public_id])
    if form.is_valid():
        annotate_medication(medication=medication, by=request.user, audit=request.audit, note=form.cleaned_data["note"])
        messages.success(request, "Note added to the history.")
    else:
        messages.error(request, "Write the note before saving it (at most 2000 characters).")
    return redirect(detail)
