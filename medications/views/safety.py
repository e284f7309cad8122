"""The opioid-safety page and its records: flags acknowledged, naloxone, opioid trials, treatment agreements
(with the patient's copy of the policy), drug screens, PDMP checks, events and the closer monitoring plan.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import Action
from careplans.models import Goal
from clinic.access import get_patient_for_user
from clinic.access.medication_lines import (
    CLINICIANS_ONLY,
    PRESCRIBER_DECISION,
    may_prescribe,
    may_record_monitoring,
    permissions_for,
)
from clinic.access.refusals import refuse_unless
from medications.forms import (
    AcknowledgeFlagForm,
    AgreementForm,
    DrugScreenForm,
    EventForm,
    MonitoringPlanForm,
    NaloxoneForm,
    PdmpForm,
    TrialReviewForm,
    TrialStartForm,
)
from medications.models import AgreementPolicy, Medication, MonitoringPlan, NaloxoneRecord, OpioidTrial
from medications.rules import safety
from medications.selectors.monitoring import current_policy
from medications.selectors.pages import opioid_safety_page
from medications.selectors.regimen import opioid_summary
from medications.services.opioid_safety import (
    acknowledge_flag,
    decide_monitoring_plan,
    record_agreement,
    record_drug_screen,
    record_event,
    record_naloxone,
    record_pdmp_check,
    review_trial,
    start_trial,
)
from medications.views.common import medications_url, page, refusals, safety_url, seen

# --------------------------------------------------------------------------- flags and naloxone


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def flag_acknowledge(request: HttpRequest, public_id, flag: str) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    if flag not in safety.SAFETY_FLAG_ORDER:
        raise Http404("No such flag.")
    refuse_unless(may_prescribe(request.user, patient), PRESCRIBER_DECISION)
    summary = opioid_summary(patient)
    if flag not in summary.flags:
        messages.info(request, "This flag no longer applies to the current medication list.")
        return redirect(medications_url(patient))
    form = AcknowledgeFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        acknowledge_flag(patient=patient, by=request.user, audit=request.audit, flag=flag, **form.cleaned_data)
        messages.success(
            request,
            f"Flag acknowledged until {form.cleaned_data['review_on']:%b} {form.cleaned_data['review_on'].day}.",
        )
        return redirect(medications_url(patient))
    seen(request, patient, f"opioid flag: {flag}")
    context = {
        "form": form,
        "flag": safety.FLAGS[flag],
        "summary": summary,
        "page_title": "Acknowledge an opioid safety flag",
        "submit_label": "Acknowledge the flag",
        "cancel_url": medications_url(patient),
    }
    return page(request, "medications/opioids/acknowledge.html", patient, context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def naloxone(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    may = permissions_for(request.user, patient)
    refuse_unless(may.record, CLINICIANS_ONLY)
    form = NaloxoneForm(request.POST or None)
    if not may.prescribe:
        form.fields["status"].choices = [
            c for c in NaloxoneRecord.Status.choices if c[0] != NaloxoneRecord.Status.PRESCRIBED
        ]
    if request.method == "POST" and form.is_valid():
        record = record_naloxone(patient=patient, by=request.user, audit=request.audit, **form.cleaned_data)
        messages.success(request, f"Naloxone {record.get_status_display().lower()}: recorded.")
        return redirect(medications_url(patient))
    seen(request, patient, "naloxone: record")
    context = {"form": form, "page_title": "Record naloxone", "cancel_url": medications_url(patient)}
    return page(request, "medications/opioids/naloxone.html", patient, context, status=400 if form.errors else 200)


# --------------------------------------------------------------------------- the opioid safety page and trials


@login_required
@require_GET
def opioid_safety(request: HttpRequest, public_id) -> HttpResponse:
    """Trials, the agreement, drug screens, PDMP checks, events, the monitoring plan and what is due."""
    patient = get_patient_for_user(request.user, public_id)
    context = opioid_safety_page(patient, today=timezone.localdate())
    seen(request, patient, "opioid safety")
    context["may"] = permissions_for(request.user, patient)
    return page(request, "medications/opioids/safety.html", patient, context)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def trial_start(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_prescribe(request.user, patient), PRESCRIBER_DECISION)
    goals = Goal.objects.filter(plan__patient=patient, plan__status="active", status=Goal.Status.ACTIVE).order_by(
        "position", "id"
    )
    medications = Medication.objects.filter(patient=patient).current().opioids().order_by("drug_code", "id")
    form = TrialStartForm(request.POST or None, medications=medications, goals=goals)
    if request.method == "GET":
        # Two weeks out: the middle of the 1-4 week window.
        form.initial["review_on"] = timezone.localdate() + datetime.timedelta(days=14)
    if request.method == "POST" and form.is_valid():
        start_trial(patient=patient, by=request.user, audit=request.audit, **form.cleaned_data)
        messages.success(request, "Opioid trial recorded.")
        return redirect(safety_url(patient, "trials"))
    seen(request, patient, "opioid trial: start")
    context = {
        "form": form,
        "has_goals": goals.exists(),
        "page_title": "Start an opioid trial",
        "submit_label": "Record the trial",
    }
    return page(request, "medications/opioids/trial_start.html", patient, context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def trial_review(request: HttpRequest, public_id, trial_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    trial = get_object_or_404(
        OpioidTrial.objects.select_related("medication").prefetch_related("goals"), patient=patient, public_id=trial_id
    )
    trial.patient = patient
    refuse_unless(may_prescribe(request.user, patient), PRESCRIBER_DECISION)
    if trial.reviewed_at:
        messages.info(request, "This trial was already reviewed.")
        return redirect(safety_url(patient, "trials"))
    form = TrialReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if review_trial(trial=trial, by=request.user, audit=request.audit, **form.cleaned_data):
            messages.success(request, "Trial review recorded.")
        else:
            messages.info(request, "This trial was already reviewed.")
        return redirect(safety_url(patient, "trials"))
    seen(request, patient, "opioid trial: review")
    context = {
        "form": form,
        "trial": trial,
        "page_title": "Review the opioid trial",
        "submit_label": "Record the review",
    }
    return page(request, "medications/opioids/trial_review.html", patient, context, status=400 if form.errors else 200)


# --------------------------------------------------------------------------- agreements and the policy's patient copy


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def agreement_new(request: HttpRequest, public_id) -> HttpResponse:
    """Record a signed agreement under the current policy, shown on the page in the words the patient sees."""
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_record_monitoring(request.user, patient), CLINICIANS_ONLY)
    policy = current_policy()
    if policy is None:
        messages.error(request, "The clinic has no written opioid policy yet: a clinic admin publishes one first.")
        return redirect(safety_url(patient, "agreement"))
    signed = timezone.localdate()
    initial = {
        "policy_version": policy.version,
        "signed_on": signed,
        "review_on": signed + datetime.timedelta(days=policy.agreement_review_every_days),
    }
    form = AgreementForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if form.cleaned_data["policy_version"] != policy.version:
                data = request.POST.copy()
                data["policy_version"] = str(policy.version)
                form = AgreementForm(data, initial=initial)
                form.is_valid()
                form.add_error(
                    None,
                    f"The clinic published policy version {policy.version} while this page was open. Show the "
                    "patient the new version, then record the agreement.",
                )
                status = 409
            else:
                record_agreement(
                    patient=patient,
                    by=request.user,
                    audit=request.audit,
                    policy=policy,
                    signed_on=form.cleaned_data["signed_on"],
                    review_on=form.cleaned_data["review_on"],
                )
                messages.success(request, f"Treatment agreement recorded (policy version {policy.version}).")
                return redirect(safety_url(patient, "agreement"))
    seen(request, patient, "treatment agreement: record")
    context = {
        "form": form,
        "policy": policy,
        "page_title": "Record a treatment agreement",
        "submit_label": "Record the agreement",
    }
    return page(request, "medications/opioids/agreement_form.html", patient, context, status=status)


@login_required
@require_GET
def policy_print(request: HttpRequest, public_id, version: int) -> HttpResponse:
    """The clinic's policy in plain words, to give the patient at signing (printable)."""
    patient = get_patient_for_user(request.user, public_id)
    policy = get_object_or_404(AgreementPolicy, version=version)
    seen(request, patient, f"opioid policy v{version} printed for the patient", Action.PRINT)
    return TemplateResponse(request, "medications/opioids/policy_print.html", {"patient": patient, "policy": policy})


# --------------------------------------------------------------------------- screens, PDMP, events, the plan


def record_page(request, public_id, *, form_class, service, template, target, done, anchor, title):
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_record_monitoring(request.user, patient), CLINICIANS_ONLY)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service(patient=patient, by=request.user, audit=request.audit, **form.cleaned_data)
        messages.success(request, done)
        return redirect(safety_url(patient, anchor))
    seen(request, patient, target)
    context = {"form": form, "page_title": title}
    return page(request, template, patient, context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def drug_screen_add(request: HttpRequest, public_id) -> HttpResponse:
    return record_page(
        request,
        public_id,
        form_class=DrugScreenForm,
        service=record_drug_screen,
        template="medications/opioids/drug_screen_form.html",
        target="urine drug screen: record",
        done="Drug screen recorded.",
        anchor="screens",
        title="Record a urine drug screen",
    )


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def pdmp_add(request: HttpRequest, public_id) -> HttpResponse:
    return record_page(
        request,
        public_id,
        form_class=PdmpForm,
        service=record_pdmp_check,
        template="medications/opioids/pdmp_form.html",
        target="PDMP check: record",
        done="PDMP check recorded.",
        anchor="pdmp",
        title="Record a PDMP check",
    )


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def event_add(request: HttpRequest, public_id) -> HttpResponse:
    return record_page(
        request,
        public_id,
        form_class=EventForm,
        service=record_event,
        template="medications/opioids/event_form.html",
        target="medication event: record",
        done="Event recorded.",
        anchor="events",
        title="Record an event",
    )


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def monitoring_plan(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_prescribe(request.user, patient), PRESCRIBER_DECISION)
    current = MonitoringPlan.objects.filter(patient=patient).first()
    initial = {}
    if current:
        initial = {
            n: getattr(current, n) for n in ("supply_days", "drug_screen_every_days", "pdmp_every_days", "reason")
        }
    form = MonitoringPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        decide_monitoring_plan(patient=patient, by=request.user, audit=request.audit, **form.cleaned_data)
        messages.success(request, "Monitoring plan recorded.")
        return redirect(safety_url(patient, "monitoring"))
    seen(request, patient, "monitoring plan: decide")
    context = {
        "form": form,
        "current": current,
        "page_title": "Closer monitoring plan",
        "submit_label": "Record the plan",
    }
    return page(
        request, "medications/opioids/monitoring_plan.html", patient, context, status=400 if form.errors else 200
    )
