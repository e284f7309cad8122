"""Tapers: the planner (preview, then save), the taper's page with MME over time beside PEG and PHQ-9, recording
a dose, its status, and the patient's printable schedule. Prescribers change; everyone with access reads.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from clinic.access import get_patient_for_user
from clinic.access.medication_lines import PRESCRIBER_DECISION, may_prescribe, permissions_for
from clinic.access.refusals import refuse_unless
from clinic.dates import today
from measures.trends import trends_for
from medications.forms import TaperActualForm, TaperForm, TaperStatusForm
from medications.models import TaperPlan
from medications.rules import safety, tapering
from medications.selectors.monitoring import policy_or_defaults
from medications.selectors.pages import taper_context
from medications.selectors.regimen import opioid_summary
from medications.selectors.tapers import opioid_use, patient_copy, taper_concerns
from medications.services import ReasonRequired, StaleEdit
from medications.services.tapers import record_taper_actual, set_taper_status, start_taper
from medications.taper_chart import taper_svg
from medications.views.common import page, refusals, seen
from patients.models import Patient

TAPER_TRENDS = ["peg", "phq9"]


def taper_for(patient: Patient, taper_id) -> TaperPlan:
    taper = get_object_or_404(
        TaperPlan.objects.select_related("created_by", "doses_confirmed_by"), patient=patient, public_id=taper_id
    )
    taper.patient = patient
    return taper


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def taper_new(request: HttpRequest, public_id) -> HttpResponse:
    """The planner: preview a dated schedule from the current regimen, then save it."""
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_prescribe(request.user, patient), PRESCRIBER_DECISION)
    summary = opioid_summary(patient)
    active = TaperPlan.objects.filter(patient=patient, status__in=["active", "paused"]).first()
    # An incomplete total is not the dose to taper from: the planner waits until every line can be counted.
    known = not summary.error and not summary.incomplete
    form = TaperForm(request.POST or None, original_mme=summary.total if known else None)
    concerns, status = None, 200
    policy = policy_or_defaults()
    use = opioid_use(patient, today())
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = 200
            single_step = form.cleaned_data["single_step"]
            concerns = taper_concerns(form.schedule, single_step=single_step, policy=policy, use=use)
            if request.POST.get("action") == "save":
                if active:
                    form.add_error(None, "This patient already has a taper in progress: complete or stop it first.")
                    status = 409
                elif concerns.need_reason and not form.cleaned_data["reason"].strip():
                    form.add_error(
                        "reason",
                        "Record the reason: this taper is faster than the guideline's rate or stops from a "
                        "higher dose.",
                    )
                    status = 400
                else:
                    taper = start_taper(
                        patient=patient,
                        by=request.user,
                        audit=request.audit,
                        schedule=form.schedule,
                        single_step=form.cleaned_data["single_step"],
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(request, "Taper plan saved. A follow-up task comes up at least monthly.")
                    return redirect("medications:taper_detail", public_id=patient.public_id, taper_id=taper.public_id)
    seen(request, patient, "taper planner")
    context = {
        "form": form,
        "summary": summary,
        "active": active,
        "schedule": form.schedule,
        "concerns": concerns,
        "use": use,
        "policy": policy,
        "exception": tapering.LIFE_THREATENING_EXCEPTION,
        "exception_source": tapering.LIFE_THREATENING_SOURCE,
        "svg": taper_svg(form.schedule, id_prefix="taper-preview") if form.schedule else "",
    }
    return page(request, "medications/taper/new.html", patient, context, status=status)


@login_required
@require_GET
def taper_detail(request: HttpRequest, public_id, taper_id) -> HttpResponse:
    """The schedule, MME over time (planned and actual), and PEG and PHQ-9 beside it."""
    patient = get_patient_for_user(request.user, public_id)
    taper = taper_for(patient, taper_id)
    context = taper_context(taper)
    schedule = context["schedule"]
    context["svg"] = taper_svg(
        schedule, [(a.on, a.mme) for a in context["actuals"]], id_prefix=f"taper-{taper.public_id}"
    )
    context["trends"] = trends_for(patient, codes=TAPER_TRENDS, latest=24)
    context["may"] = permissions_for(request.user, patient)
    context["actual_form"] = TaperActualForm(initial={"mme": tapering.planned_mme_on(schedule, timezone.localdate())})
    context["status_form"] = TaperStatusForm(initial={"status": taper.status, "version": taper.version})
    context["today"] = timezone.localdate()
    context["follow_up_due"] = safety.taper_follow_up_due(
        starts_on=taper.starts_on, last_follow_up=context["actuals"][-1].on if context["actuals"] else None
    )
    context["exception"] = tapering.LIFE_THREATENING_EXCEPTION
    context["exception_source"] = tapering.LIFE_THREATENING_SOURCE
    seen(request, patient, "taper plan")
    return page(request, "medications/taper/detail.html", patient, context)


@login_required
@require_POST
@refusals
def taper_actual(request: HttpRequest, public_id, taper_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    taper = taper_for(patient, taper_id)
    refuse_unless(may_prescribe(request.user, patient), PRESCRIBER_DECISION)
    form = TaperActualForm(request.POST)
    detail = reverse("medications:taper_detail", args=[patient.public_id, taper.public_id])
    if form.is_valid():
        try:
            record_taper_actual(taper=taper, by=request.user, audit=request.audit, **form.cleaned_data)
        except ReasonRequired:
            form.add_error("note", "This is faster than the plan, or a stop from a higher dose: record the reason.")
        else:
            messages.success(request, "Dose recorded.")
            return redirect(detail)
    context = taper_context(taper)
    context.update(
        actual_form=form,
        exception=tapering.LIFE_THREATENING_EXCEPTION,
        exception_source=tapering.LIFE_THREATENING_SOURCE,
    )
    seen(request, patient, "taper plan: record a dose")
    return page(request, "medications/taper/actual.html", patient, context, status=400)


@login_required
@require_POST
@refusals
def taper_status(request: HttpRequest, public_id, taper_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    taper = taper_for(patient, taper_id)
    refuse_unless(may_prescribe(request.user, patient), PRESCRIBER_DECISION)
    form = TaperStatusForm(request.POST)
    detail = reverse("medications:taper_detail", args=[patient.public_id, taper.public_id])
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect(detail)
    try:
        taper = set_taper_status(
            taper=taper,
            by=request.user,
            audit=request.audit,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
    except StaleEdit:
        messages.error(request, "Someone changed this taper while the page was open: check its status and try again.")
    else:
        messages.success(request, f"Taper {taper.get_status_display().lower()}.")
    return redirect(detail)


@login_required
@require_GET
def taper_print(request: HttpRequest, public_id, taper_id) -> HttpResponse:
    """The patient's copy of the schedule, in plain and kind words (print stylesheet): the confirmed doses step by
    step, or that the schedule is being prepared; withdrawal, the lost-tolerance warning and the clinic's phone."""
    patient = get_patient_for_user(request.user, public_id)
    taper = taper_for(patient, taper_id)
    seen(request, patient, "taper schedule printed for the patient", Action.PRINT)
    context = {"patient": patient, "taper": taper, "copy": patient_copy(taper), "today": timezone.localdate()}
    return TemplateResponse(request, "medications/taper/print.html", context)
