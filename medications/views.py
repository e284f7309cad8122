"""Medication list, opioid safety and taper pages, under patients/<uuid>/plan/ (namespace "medications"), plus the
chart section and the clinic's opioid policy page.

Every view finds the patient through ``get_patient_for_user`` first (404 for outsiders), then checks what the
person may do (a clear refusal page, 403, for the rest), and writes an audit event for every page shown; the
services write the audit event of every change. Every page runs a constant number of queries whatever the
length of the history (lists are bounded).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.refusals import record_refusal
from audit.services import record_access
from careplans.models import Goal
from clinic.access import get_patient_for_user
from measures.templatetags.measures_banner import banner_for
from measures.trends import trends_for
from medications import services
from medications.forms import (
    POLICY_SECTIONS,
    AcknowledgeFlagForm,
    AgreementForm,
    AnnotateForm,
    DrugScreenForm,
    EventForm,
    MedicationForm,
    MonitoringPlanForm,
    NaloxoneForm,
    PdmpForm,
    PolicyForm,
    StopForm,
    TaperActualForm,
    TaperForm,
    TaperStatusForm,
    TrialReviewForm,
    TrialStartForm,
)
from medications.models import (
    AgreementPolicy,
    DrugScreen,
    Medication,
    MedicationChange,
    MedicationEvent,
    MonitoringPlan,
    NaloxoneRecord,
    OpioidTrial,
    PdmpCheck,
    TaperPlan,
    TreatmentAgreement,
)
from medications.rules import safety, tapering
from patients.models import Patient

#: Bounds that keep every page's work constant however long the history.
CURRENT_SHOWN = services.MAX_CURRENT_LINES
PAST_SHOWN = 100
HISTORY_SHOWN = 100
ON_CHART = 12
RECORDS_SHOWN = 10
NALOXONE_SHOWN = 5
ACTUALS_SHOWN = 200
TAPER_TRENDS = ["peg", "phq9"]


# --------------------------------------------------------------------------- helpers


def refusals(view):
    """Turn a Refused (the person may not do this) into a clear page that says who may (403)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except services.Refused as refused:
            record_refusal(request=request, exception=refused)  # the service's own audit row was rolled back
            context = {"reason": str(refused), "public_id": kwargs.get("public_id")}
            return TemplateResponse(request, "medications/refused.html", context, status=403)

    return wrapper


def page(request: HttpRequest, template: str, patient: Patient, context: dict, *, status: int = 200):
    context = {"patient": patient, "banner": banner_for(patient, request.user), **context}
    return TemplateResponse(request, template, context, status=status)


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


def with_last_change(queryset):
    """Each line with the id of its latest history entry (read with ``last_changes``: one more query)."""
    latest = MedicationChange.objects.filter(medication=OuterRef("pk")).order_by("-at", "-id").values("id")[:1]
    return queryset.annotate(last_change_id=Subquery(latest))


def attach_last_changes(lines: list[Medication]) -> None:
    ids = [line.last_change_id for line in lines if line.last_change_id]
    changes = {c.id: c for c in MedicationChange.objects.filter(id__in=ids).select_related("by")} if ids else {}
    for line in lines:
        line.last_change = changes.get(line.last_change_id)


# --------------------------------------------------------------------------- chart section


@dataclass
class ChartSection:
    summary: services.OpioidSummary
    lines: list[services.LineMme]
    more: bool
    trial: OpioidTrial | None
    trial_state: str
    due: list[safety.Due] = field(default_factory=list)
    taper: TaperPlan | None = None
    today: datetime.date | None = None

    @property
    def trial_without_benefit(self) -> bool:
        return safety.continuing_without_benefit(self.trial_state)

    @property
    def due_now(self) -> list[safety.Due]:
        return [due for due in self.due if due.is_due(self.today)]


def chart_section(patient: Patient, user) -> ChartSection:
    """The chart's medications section: one query without a current opioid; on an opioid at most six (current
    lines, acknowledgements when a flag applies, the latest trial, the monitoring facts, the policy, the taper)."""
    today = timezone.localdate()
    summary = services.opioid_summary(patient, today=today)
    trial, state, due, taper = None, "", [], None
    if summary.has_opioid:  # trials, monitoring and tapers are about a current opioid
        trial = OpioidTrial.objects.filter(patient=patient).order_by("-started_on", "-id").first()
        state = services.trial_state(trial, opioid_current=True, today=today) if trial else ""
        facts = services.monitoring_facts(Patient.objects.filter(pk=patient.pk), today=today).only("id").first()
        due = services.due_for(facts, services.policy_or_defaults())
        taper = (
            TaperPlan.objects.filter(patient=patient, status__in=["active", "paused"]).order_by("-created_at").first()
        )
    return ChartSection(
        summary=summary,
        lines=summary.lines[:ON_CHART],
        more=len(summary.lines) > ON_CHART,
        trial=trial,
        trial_state=state,
        due=due,
        taper=taper,
        today=today,
    )


# --------------------------------------------------------------------------- medication list


@login_required
@require_GET
def medication_list(request: HttpRequest, public_id) -> HttpResponse:
    """Current and past lines with their MME, the safety flags with the guideline's words, and naloxone."""
    patient = get_patient_for_user(request.user, public_id)
    today = timezone.localdate()
    lines = Medication.objects.filter(patient=patient)
    current = services.current_lines(with_last_change(lines))
    past = list(
        with_last_change(lines.past().select_related("prescriber")).order_by("-stopped_on", "-id")[: PAST_SHOWN + 1]
    )
    attach_last_changes(current[:CURRENT_SHOWN] + past[:PAST_SHOWN])
    summary = services.summarise_with_acknowledgements(patient, current, today=today)
    naloxone = list(
        NaloxoneRecord.objects.filter(patient=patient).select_related("by").order_by("-on", "-id")[:NALOXONE_SHOWN]
    )
    seen(request, patient, "medication list")
    context = {
        "summary": summary,
        "lines": summary.lines[:CURRENT_SHOWN],
        "more_current": len(current) > CURRENT_SHOWN,
        "past": past[:PAST_SHOWN],
        "more_past": len(past) > PAST_SHOWN,
        "naloxone": naloxone,
        "may": services.permissions_for(request.user, patient),
    }
    return page(request, "medications/list.html", patient, context)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def medication_add(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    may = services.permissions_for(request.user, patient)
    services.refuse_unless(may.change_lines, services.CLINICIANS_ONLY)
    # A prescriber adding a line is its prescriber unless they choose otherwise.
    form = MedicationForm(request.POST or None, initial={"prescriber": request.user.pk if may.prescribe else None})
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            if services.may_change_class(request.user, patient, form.drug_class):
                medication = services.add_medication(
                    patient=patient,
                    by=request.user,
                    request=request,
                    values=form.values(),
                    why=form.cleaned_data["why"],
                )
                messages.success(request, f"{medication.drug_name} added to the medication list.")
                if medication.drug_class == "opioid" and may.prescribe:
                    messages.info(
                        request,
                        "Starting an opioid for chronic pain? Record the trial: functional goals and a review in "
                        "1 to 4 weeks.",
                    )
                return redirect(medications_url(patient))
            form.add_error("drug_code", services.PRESCRIBERS_ONLY)
            status = 403
    seen(request, patient, "medication list: add a line")
    return page(request, "medications/form.html", patient, {"form": form, "may": may}, status=status)


@login_required
@require_GET
def medication_detail(request: HttpRequest, public_id, medication_id) -> HttpResponse:
    """One line with its whole history (who, when, why, what changed) and the annotation form."""
    patient = get_patient_for_user(request.user, public_id)
    medication = line_for(patient, medication_id)
    history = list(medication.changes.select_related("by").order_by("-at", "-id")[: HISTORY_SHOWN + 1])
    describe_changes(history)
    may = services.permissions_for(request.user, patient)
    seen(request, patient, "medication line and history")
    context = {
        "medication": medication,
        "history": history[:HISTORY_SHOWN],
        "more": len(history) > HISTORY_SHOWN,
        "may": may,
        "may_change": services.may_change_class(request.user, patient, medication.drug_class),
        "annotate_form": AnnotateForm() if may.annotate else None,
    }
    return page(request, "medications/detail.html", patient, context)


FIELD_LABELS = {
    "drug_code": "Drug",
    "strength": "Strength",
    "form": "Form",
    "units_per_dose": "Units per dose",
    "doses_per_day": "Doses a day",
    "is_prn": "As needed",
    "prn_max_doses_per_day": "Most doses a day (PRN)",
    "prescriber": "Prescriber",
    "outside_prescriber": "Outside prescriber",
    "started_on": "Started on",
    "stopped_on": "Stopped on",
    "stop_reason": "Why stopped",
    "reason": "Reason for use",
    "pain_type_targeted": "Pain type targeted",
    "benefit": "Benefit noted",
    "side_effects": "Side effects",
}


def describe_changes(history: list[MedicationChange]) -> None:
    """Give each change its rows (field, before, after) in words; prescribers by name (one query)."""
    from clinic.models import User

    ids = {
        value
        for change in history
        for side in (change.before, change.after)
        for name, value in side.items()
        if name == "prescriber" and value
    }
    names = {u.id: u.display_name for u in User.objects.filter(id__in=ids)} if ids else {}

    def words(name, value):
        if value in (None, ""):
            return "(empty)"
        if name == "prescriber":
            return names.get(value, "a former member of staff")
        if name == "is_prn":
            return "yes" if value else "no"
        return str(value)

    for change in history:
        change.rows = [
            (FIELD_LABELS.get(name, name), words(name, change.before.get(name)), words(name, change.after.get(name)))
            for name in change.after
        ]


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def medication_edit(request: HttpRequest, public_id, medication_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    medication = line_for(patient, medication_id)
    services.refuse_unless(
        services.may_change_class(request.user, patient, medication.drug_class),
        services._refusal(request.user, patient, medication.drug_class),
    )
    conflict, status = None, 200
    if request.method == "POST":
        form = MedicationForm(request.POST, editing=True)
        status = 400
        if form.is_valid():
            if services.may_change_class(request.user, patient, form.drug_class):
                try:
                    medication = services.change_medication(
                        medication=medication,
                        by=request.user,
                        request=request,
                        values=form.values(),
                        why=form.cleaned_data["why"],
                        expected_version=form.cleaned_data["version"],
                    )
                except services.StaleEdit as stale:
                    conflict, status = stale.current, 409
                    data = request.POST.copy()
                    data["version"] = str(conflict.version)
                    form = MedicationForm(data, editing=True)
                    form.is_valid()
                else:
                    messages.success(request, f"{medication.drug_name} saved.")
                    return redirect(medications_url(patient))
            else:
                form.add_error("drug_code", services.PRESCRIBERS_ONLY)
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
    services.refuse_unless(
        services.may_change_class(request.user, patient, medication.drug_class),
        services._refusal(request.user, patient, medication.drug_class),
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
                services.stop_medication(
                    medication=medication,
                    by=request.user,
                    request=request,
                    on=form.cleaned_data["stopped_on"],
                    why=form.cleaned_data["why"],
                    expected_version=form.cleaned_data["version"],
                )
            except services.StaleEdit as stale:
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
    services.refuse_unless(services.may_annotate(request.user, patient), services.ANNOTATORS_ONLY)
    form = AnnotateForm(request.POST)
    detail = reverse("medications:medication_detail", args=[patient.public_id, medication.public_id])
    if form.is_valid():
        services.annotate_medication(
            medication=medication, by=request.user, request=request, note=form.cleaned_data["note"]
        )
        messages.success(request, "Note added to the history.")
    else:
        messages.error(request, "Write the note before saving it (at most 2000 characters).")
    return redirect(detail)


# --------------------------------------------------------------------------- flags and naloxone


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def flag_acknowledge(request: HttpRequest, public_id, flag: str) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    if flag not in safety.SAFETY_FLAG_ORDER:
        raise Http404("No such flag.")
    services.refuse_unless(services.may_prescribe(request.user, patient), services.PRESCRIBER_DECISION)
    summary = services.opioid_summary(patient)
    if flag not in summary.flags:
        messages.info(request, "This flag no longer applies to the current medication list.")
        return redirect(medications_url(patient))
    form = AcknowledgeFlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.acknowledge_flag(patient=patient, by=request.user, request=request, flag=flag, **form.cleaned_data)
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
    may = services.permissions_for(request.user, patient)
    services.refuse_unless(may.record, services.CLINICIANS_ONLY)
    form = NaloxoneForm(request.POST or None)
    if not may.prescribe:
        form.fields["status"].choices = [
            c for c in NaloxoneRecord.Status.choices if c[0] != NaloxoneRecord.Status.PRESCRIBED
        ]
    if request.method == "POST" and form.is_valid():
        record = services.record_naloxone(patient=patient, by=request.user, request=request, **form.cleaned_data)
        messages.success(request, f"Naloxone {record.get_status_display().lower()}: recorded.")
        return redirect(medications_url(patient))
    seen(request, patient, "naloxone: record")
    context = {"form": form, "page_title": "Record naloxone", "cancel_url": medications_url(patient)}
    return page(request, "medications/opioids/naloxone.html", patient, context, status=400 if form.errors else 200)


# --------------------------------------------------------------------------- opioid safety page


@login_required
@require_GET
def opioid_safety(request: HttpRequest, public_id) -> HttpResponse:
    """Trials, the agreement, drug screens, PDMP checks, events, the monitoring plan and what is due."""
    patient = get_patient_for_user(request.user, public_id)
    today = timezone.localdate()
    summary = services.opioid_summary(patient, today=today)
    trials = list(
        OpioidTrial.objects.filter(patient=patient)
        .select_related("medication", "started_by", "reviewed_by")
        .prefetch_related(Prefetch("goals", queryset=Goal.objects.only("id", "words", "plan_id")))
        .order_by("-started_on", "-id")[:RECORDS_SHOWN]
    )
    for trial in trials:
        trial.state = services.trial_state(trial, opioid_current=summary.has_opioid, today=today)
        trial.without_benefit = safety.continuing_without_benefit(trial.state)
    facts = services.monitoring_facts(Patient.objects.filter(pk=patient.pk), today=today).only("id").first()
    policy = services.current_policy()
    due = services.due_for(facts, policy or services.policy_or_defaults()) if summary.has_opioid else []
    plan = MonitoringPlan.objects.filter(patient=patient).select_related("decided_by").first()
    seen(request, patient, "opioid safety")
    context = {
        "summary": summary,
        "trials": trials,
        "agreements": list(
            TreatmentAgreement.objects.filter(patient=patient)
            .select_related("policy", "recorded_by")
            .order_by("-signed_on", "-id")[:RECORDS_SHOWN]
        ),
        "screens": list(
            DrugScreen.objects.filter(patient=patient)
            .select_related("recorded_by")
            .order_by("-collected_on", "-id")[:RECORDS_SHOWN]
        ),
        "pdmp_checks": list(
            PdmpCheck.objects.filter(patient=patient)
            .select_related("recorded_by")
            .order_by("-checked_on", "-id")[:RECORDS_SHOWN]
        ),
        "events": list(
            MedicationEvent.objects.filter(patient=patient)
            .select_related("recorded_by")
            .order_by("-on", "-id")[:RECORDS_SHOWN]
        ),
        "plan": plan,
        "events_since_plan": facts.events_since_plan,
        "suggest_closer": safety.suggests_closer_monitoring(facts.events_since_plan),
        "due": due,
        "today": today,
        "policy": policy,
        "tapers": list(TaperPlan.objects.filter(patient=patient).order_by("-created_at")[:RECORDS_SHOWN]),
        "may": services.permissions_for(request.user, patient),
    }
    return page(request, "medications/opioids/safety.html", patient, context)


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def trial_start(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    services.refuse_unless(services.may_prescribe(request.user, patient), services.PRESCRIBER_DECISION)
    goals = Goal.objects.filter(plan__patient=patient, plan__status="active", status=Goal.Status.ACTIVE).order_by(
        "position", "id"
    )
    medications = Medication.objects.filter(patient=patient).current().opioids().order_by("drug_code", "id")
    form = TrialStartForm(request.POST or None, medications=medications, goals=goals)
    if request.method == "GET":
        # Two weeks out: the middle of the 1-4 week window.
        form.initial["review_on"] = timezone.localdate() + datetime.timedelta(days=14)
    if request.method == "POST" and form.is_valid():
        services.start_trial(patient=patient, by=request.user, request=request, **form.cleaned_data)
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
    services.refuse_unless(services.may_prescribe(request.user, patient), services.PRESCRIBER_DECISION)
    if trial.reviewed_at:
        messages.info(request, "This trial was already reviewed.")
        return redirect(safety_url(patient, "trials"))
    form = TrialReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.review_trial(trial=trial, by=request.user, request=request, **form.cleaned_data):
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


# --------------------------------------------------------------------------- agreement and its policy


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def agreement_new(request: HttpRequest, public_id) -> HttpResponse:
    """Record a signed agreement under the current policy, shown on the page in the words the patient sees."""
    patient = get_patient_for_user(request.user, public_id)
    services.refuse_unless(services.may_record_monitoring(request.user, patient), services.CLINICIANS_ONLY)
    policy = services.current_policy()
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
                services.record_agreement(
                    patient=patient,
                    by=request.user,
                    request=request,
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


# --------------------------------------------------------------------------- screens, PDMP, events, plan


def record_page(request, public_id, *, form_class, service, template, target, done, anchor, title):
    patient = get_patient_for_user(request.user, public_id)
    services.refuse_unless(services.may_record_monitoring(request.user, patient), services.CLINICIANS_ONLY)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service(patient=patient, by=request.user, request=request, **form.cleaned_data)
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
        service=services.record_drug_screen,
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
        service=services.record_pdmp_check,
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
        service=services.record_event,
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
    services.refuse_unless(services.may_prescribe(request.user, patient), services.PRESCRIBER_DECISION)
    current = MonitoringPlan.objects.filter(patient=patient).first()
    initial = {}
    if current:
        initial = {
            n: getattr(current, n) for n in ("supply_days", "drug_screen_every_days", "pdmp_every_days", "reason")
        }
    form = MonitoringPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.decide_monitoring_plan(patient=patient, by=request.user, request=request, **form.cleaned_data)
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


# --------------------------------------------------------------------------- tapers


def taper_for(patient: Patient, taper_id) -> TaperPlan:
    taper = get_object_or_404(TaperPlan.objects.select_related("created_by"), patient=patient, public_id=taper_id)
    taper.patient = patient
    return taper


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def taper_new(request: HttpRequest, public_id) -> HttpResponse:
    """The planner: preview a dated schedule from the current regimen, then save it."""
    patient = get_patient_for_user(request.user, public_id)
    services.refuse_unless(services.may_prescribe(request.user, patient), services.PRESCRIBER_DECISION)
    summary = services.opioid_summary(patient)
    active = TaperPlan.objects.filter(patient=patient, status__in=["active", "paused"]).first()
    # An incomplete total is not the dose to taper from: the planner waits until every line can be counted.
    known = not summary.error and not summary.incomplete
    form = TaperForm(request.POST or None, original_mme=summary.total if known else None)
    concerns, status = None, 200
    policy = services.policy_or_defaults()
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = 200
            concerns = services.taper_concerns(
                form.schedule, single_step=form.cleaned_data["single_step"], policy=policy
            )
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
                    taper = services.start_taper(
                        patient=patient,
                        by=request.user,
                        request=request,
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
        "policy": policy,
        "exception": tapering.LIFE_THREATENING_EXCEPTION,
        "exception_source": tapering.LIFE_THREATENING_SOURCE,
        "svg": tapering.taper_svg(form.schedule, id_prefix="taper-preview") if form.schedule else "",
    }
    return page(request, "medications/taper/new.html", patient, context, status=status)


def taper_context(taper: TaperPlan) -> dict:
    schedule = services.taper_schedule(taper)
    actuals = list(taper.actuals.select_related("recorded_by").order_by("on", "id")[:ACTUALS_SHOWN])
    for actual in actuals:
        actual.planned = tapering.planned_mme_on(schedule, actual.on)
        actual.faster = actual.mme < actual.planned
    return {"taper": taper, "schedule": schedule, "actuals": actuals}


@login_required
@require_GET
def taper_detail(request: HttpRequest, public_id, taper_id) -> HttpResponse:
    """The schedule, MME over time (planned and actual), and PEG and PHQ-9 beside it."""
    patient = get_patient_for_user(request.user, public_id)
    taper = taper_for(patient, taper_id)
    context = taper_context(taper)
    schedule = context["schedule"]
    context["svg"] = tapering.taper_svg(
        schedule, [(a.on, a.mme) for a in context["actuals"]], id_prefix=f"taper-{taper.public_id}"
    )
    context["trends"] = trends_for(patient, codes=TAPER_TRENDS, latest=24)
    context["may"] = services.permissions_for(request.user, patient)
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
    services.refuse_unless(services.may_prescribe(request.user, patient), services.PRESCRIBER_DECISION)
    form = TaperActualForm(request.POST)
    detail = reverse("medications:taper_detail", args=[patient.public_id, taper.public_id])
    if form.is_valid():
        try:
            services.record_taper_actual(taper=taper, by=request.user, request=request, **form.cleaned_data)
        except services.ReasonRequired:
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
    services.refuse_unless(services.may_prescribe(request.user, patient), services.PRESCRIBER_DECISION)
    form = TaperStatusForm(request.POST)
    detail = reverse("medications:taper_detail", args=[patient.public_id, taper.public_id])
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect(detail)
    try:
        taper = services.set_taper_status(
            taper=taper,
            by=request.user,
            request=request,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleEdit:
        messages.error(request, "Someone changed this taper while the page was open: check its status and try again.")
    else:
        messages.success(request, f"Taper {taper.get_status_display().lower()}.")
    return redirect(detail)


@login_required
@require_GET
def taper_print(request: HttpRequest, public_id, taper_id) -> HttpResponse:
    """The patient's copy of the schedule, in plain and kind words (print stylesheet)."""
    patient = get_patient_for_user(request.user, public_id)
    taper = taper_for(patient, taper_id)
    schedule = services.taper_schedule(taper)
    seen(request, patient, "taper schedule printed for the patient", Action.PRINT)
    context = {"patient": patient, "taper": taper, "schedule": schedule, "today": timezone.localdate()}
    return TemplateResponse(request, "medications/taper/print.html", context)


# --------------------------------------------------------------------------- the clinic's policy (clinic admins)

POLICY_VERSIONS_SHOWN = 50


@login_required
@require_http_methods(["GET", "POST"])
@refusals
def policy_edit(request: HttpRequest) -> HttpResponse:
    """The clinic's written opioid policy: the current version, earlier versions, and a new version (admins)."""
    services.refuse_unless(request.user.is_clinic_admin, "Clinic admins edit the clinic's opioid policy.")
    current = services.current_policy()
    form = PolicyForm(request.POST or None, initial=PolicyForm.initial_for(current or services.policy_or_defaults()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        policy = services.publish_policy(
            by=request.user,
            sections=form.sections(),
            drug_screen_every_days=data["drug_screen_every_days"],
            pdmp_every_days=data["pdmp_every_days"],
            agreement_review_every_days=data["agreement_review_every_days"],
            taper_reason_above_mme=data["taper_reason_above_mme"],
        )
        messages.success(request, f"Policy version {policy.version} published. Earlier agreements keep their version.")
        return redirect("medications:opioid_policy")
    versions = list(AgreementPolicy.objects.select_related("created_by").order_by("-version")[:POLICY_VERSIONS_SHOWN])
    context = {"form": form, "current": current, "versions": versions, "sections": POLICY_SECTIONS}
    return TemplateResponse(
        request, "medications/opioids/policy_edit.html", context, status=400 if form.errors else 200
    )
