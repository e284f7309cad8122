"""The problem list, pain classification, complexity and red flags: their chart sections and pages.

Every view finds the patient through ``get_patient_for_user`` first (404 for outsiders), then checks
what the person may do (403 for coordinators and admins on the forms that change things), and writes an
audit event for every page shown and every change (the services write the change's event).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import uuid4

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import Action
from audit.services import record_access
from clinic.access import get_patient_for_user, may_chart, refuse_unless
from clinic.access.alerts import may_acknowledge_alerts
from clinic.models import TeamTask
from measures.views import safe_next
from patients.banner import patient_page
from patients.form_draft_pages import draft_context, with_draft
from patients.form_draft_services import forget_form_draft
from patients.models import ComplexityRating, FormDraft, PainClassification, Patient, Problem, RedFlag
from patients.problem_forms import (
    OUT_OF_DATE,
    ComplexityForm,
    ExamRedFlagForm,
    PainClassificationForm,
    ProblemForm,
    RedFlagAcknowledgeForm,
)
from patients.problem_services import (
    ACKNOWLEDGING_ONLY,
    CHARTING_ONLY,
    RECORDING_ONLY,
    StaleEdit,
    SubmissionReused,
    acknowledge_red_flag,
    add_problem,
    change_problem,
    classify_pain,
    rate_complexity,
    record_exam_red_flag,
    red_flag_task_key,
)
from patients.selectors import ProblemGroup, group_by_domain

#: Bounds that keep every page's work constant however long the history.
PROBLEMS_SHOWN = 200
RED_FLAGS_ON_CHART = 20
RED_FLAGS_SHOWN = 500
HISTORY_ON_CHART = 3
HISTORY_SHOWN = 100


# --------------------------------------------------------------------------- chart sections


@dataclass
class ProblemSection:
    groups: list[ProblemGroup]
    more_problems: bool
    classifications: list[PainClassification]
    complexity_ratings: list[ComplexityRating]
    may_chart: bool


@dataclass
class RedFlagSection:
    red_flags: list[RedFlag]
    more: bool
    may_record: bool
    may_acknowledge: bool
    unacknowledged: list[RedFlag] = field(init=False)

    def __post_init__(self):
        self.unacknowledged = [flag for flag in self.red_flags if not flag.is_acknowledged]


def chart_sections(patient: Patient, user) -> dict:
    """The chart's context for the red-flag section and the problem section (four queries)."""
    may = may_chart(user, patient)
    return {
        "red_flag_section": red_flag_section(patient, user, limit=RED_FLAGS_ON_CHART, may_record=may),
        "problem_section": problem_section(patient, may_chart=may),
    }


def problem_section(patient: Patient, *, may_chart: bool) -> ProblemSection:
    problems = list(Problem.objects.filter(patient=patient).for_chart()[: PROBLEMS_SHOWN + 1])
    return ProblemSection(
        groups=group_by_domain(problems[:PROBLEMS_SHOWN]),
        more_problems=len(problems) > PROBLEMS_SHOWN,
        classifications=list(PainClassification.objects.filter(patient=patient).newest_first()[:HISTORY_ON_CHART]),
        complexity_ratings=list(ComplexityRating.objects.filter(patient=patient).newest_first()[:HISTORY_ON_CHART]),
        may_chart=may_chart,
    )


def red_flag_section(patient: Patient, user, *, limit: int, may_record: bool) -> RedFlagSection:
    flags = list(RedFlag.objects.filter(patient=patient).with_people().most_pressing_first()[: limit + 1])
    return RedFlagSection(
        red_flags=flags[:limit],
        more=len(flags) > limit,
        may_record=may_record,
        may_acknowledge=bool(flags) and may_acknowledge_alerts(user, patient),
    )


def chart_at(patient: Patient, anchor: str) -> str:
    return f"{reverse('patients:chart', args=[patient.public_id])}#{anchor}"


# --------------------------------------------------------------------------- problems


@login_required
@require_http_methods(["GET", "POST"])
def problem_add(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_chart(request.user, patient), CHARTING_ONLY)
    drafts = problem_drafts(request, patient)
    form = ProblemForm(request.POST or None, initial=with_draft({}, drafts))
    if request.method == "POST" and form.is_valid():
        add_problem(patient=patient, by=request.user, audit=request.audit, **form.fields_to_save())
        forget_form_draft(by=request.user, patient=patient, form=FormDraft.Form.PROBLEM)  # added now
        messages.success(request, "Problem added to the list.")
        return redirect(chart_at(patient, "problems"))
    record_access(request=request, patient=patient, action=Action.VIEW, target="problem list: add a problem")
    context = {"patient": patient, "form": form, **drafts}
    return patient_page(request, "patients/problems/form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def problem_edit(request: HttpRequest, public_id, problem_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    problem = get_object_or_404(Problem.objects.for_chart(), patient=patient, public_id=problem_id)
    problem.patient = patient
    refuse_unless(may_chart(request.user, patient), CHARTING_ONLY)
    drafts = problem_drafts(request, patient, problem)
    conflict, status = None, 200
    if request.method == "POST":
        form = ProblemForm(request.POST, editing=True)
        if form.is_valid():
            try:
                change_problem(
                    problem=problem,
                    by=request.user,
                    seen_updated_at=form.cleaned_data["updated_at"],
                    audit=request.audit,
                    **form.fields_to_save(),
                )
            except StaleEdit as stale:
                # Keep what they typed; the next save knowingly replaces the version shown.
                conflict, status = stale.current, 409
                data = request.POST.copy()
                data["updated_at"] = conflict.updated_at.isoformat()
                form = ProblemForm(data, editing=True)
                form.is_valid()
            else:
                forget_form_draft(
                    by=request.user, patient=patient, form=FormDraft.Form.PROBLEM, object_id=problem.public_id
                )
                messages.success(request, "Problem saved.")
                return redirect(chart_at(patient, "problems"))
        else:
            status = 400
    else:
        form = ProblemForm(initial=with_draft(ProblemForm.initial_for(problem), drafts), editing=True)
    record_access(request=request, patient=patient, action=Action.VIEW, target="problem list: edit a problem")
    context = {
        "patient": patient,
        "problem": problem,
        "form": form,
        "conflict": conflict,
        **drafts,
    }
    return patient_page(request, "patients/problems/form.html", context, status=status)


def problem_drafts(request: HttpRequest, patient: Patient, problem: Problem | None = None) -> dict:
    """The person's autosaved draft of this problem form (patients/form_draft_views.py)."""
    if problem is None:
        url = reverse("patients:autosave_new_problem", args=[patient.public_id])
    else:
        url = reverse("patients:autosave_problem", args=[patient.public_id, problem.public_id])
    object_id = problem.public_id if problem else None
    return draft_context(request, patient=patient, form=FormDraft.Form.PROBLEM, object_id=object_id, autosave_url=url)


# --------------------------------------------------------------------------- classification and complexity


@dataclass(frozen=True)
class HistoryRecord:
    """A judgement kept as history (pain classification, complexity): how its page records and shows it."""

    form_class: type
    record: Callable
    history_model: type
    saved: str
    section: str
    target: str
    template: str


CLASSIFICATION = HistoryRecord(
    PainClassificationForm,
    classify_pain,
    PainClassification,
    "Pain classification recorded.",
    "classification",
    "pain classification",
    "patients/problems/classification.html",
)
COMPLEXITY = HistoryRecord(
    ComplexityForm,
    rate_complexity,
    ComplexityRating,
    "Complexity recorded.",
    "complexity",
    "complexity",
    "patients/problems/complexity.html",
)


@login_required
@require_http_methods(["GET", "POST"])
def classification(request: HttpRequest, public_id) -> HttpResponse:
    """The pain classification: its history for everyone with access, the form for clinicians who chart."""
    patient = get_patient_for_user(request.user, public_id)
    return history_record_page(request, patient, CLASSIFICATION, initial=PainClassificationForm.initial_for(patient))


@login_required
@require_http_methods(["GET", "POST"])
def complexity(request: HttpRequest, public_id) -> HttpResponse:
    """The complexity rating: its history for everyone with access, the form for clinicians who chart."""
    patient = get_patient_for_user(request.user, public_id)
    return history_record_page(request, patient, COMPLEXITY, initial={"level": patient.complexity or None})


def history_record_page(request: HttpRequest, patient, kind: HistoryRecord, *, initial: dict) -> HttpResponse:
    may = may_chart(request.user, patient)
    if request.method == "POST":
        refuse_unless(may, CHARTING_ONLY)
        form = kind.form_class(request.POST)
        if form.is_valid():
            kind.record(patient=patient, by=request.user, audit=request.audit, **form.cleaned_data)
            messages.success(request, kind.saved)
            return redirect(chart_at(patient, kind.section))
    else:
        form = kind.form_class(initial=initial)
    record_access(request=request, patient=patient, action=Action.VIEW, target=kind.target)
    history = list(kind.history_model.objects.filter(patient=patient).newest_first()[:HISTORY_SHOWN])
    context = {
        "patient": patient,
        "form": form if may else None,
        "history": history,
    }
    return patient_page(request, kind.template, context, status=400 if form.errors else 200)


# --------------------------------------------------------------------------- red flags


@login_required
@require_GET
def red_flags(request: HttpRequest, public_id) -> HttpResponse:
    """Every red flag of the patient, most pressing first."""
    patient = get_patient_for_user(request.user, public_id)
    section = red_flag_section(
        patient, request.user, limit=RED_FLAGS_SHOWN, may_record=may_chart(request.user, patient)
    )
    record_access(request=request, patient=patient, action=Action.VIEW, target="red flags")
    context = {"patient": patient, "red_flag_section": section}
    return patient_page(request, "patients/red_flags/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def red_flag_add(request: HttpRequest, public_id) -> HttpResponse:
    """Record a red flag found at examination (or from the history); an emergency one tasks the lead."""
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_chart(request.user, patient), RECORDING_ONLY)
    form = ExamRedFlagForm(request.POST or None, initial={"submission": uuid4()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            flag = record_exam_red_flag(
                patient=patient,
                by=request.user,
                code=data["code"],
                note=data["note"],
                key=data["submission"],
                audit=request.audit,
            )
        except SubmissionReused:
            form.add_error(None, OUT_OF_DATE)
        else:
            messages.success(request, recorded_message(flag))
            return redirect(chart_at(patient, "red-flags"))
    record_access(request=request, patient=patient, action=Action.VIEW, target="red flags: record a red flag")
    context = {"patient": patient, "form": form}
    return patient_page(request, "patients/red_flags/new.html", context, status=400 if form.errors else 200)


def recorded_message(flag: RedFlag) -> str:
    said = f"Red flag recorded: {flag.text_in_sentence}."
    task = TeamTask.objects.filter(source_key=red_flag_task_key(flag)).select_related("assignee").first()
    if task is None:
        return said
    to = task.assignee.display_name if task.assignee else "the clinicians"
    return f"{said} An urgent task went to {to}."


@login_required
@require_http_methods(["GET", "POST"])
def red_flag_acknowledge(request: HttpRequest, public_id, flag_id) -> HttpResponse:
    """Acknowledge a red flag with a note of what was done (clinicians with access)."""
    patient = get_patient_for_user(request.user, public_id)
    flag = get_object_or_404(RedFlag.objects.with_people(), patient=patient, public_id=flag_id)
    flag.patient = patient
    refuse_unless(may_acknowledge_alerts(request.user, patient), ACKNOWLEDGING_ONLY)
    back = safe_next(request, default=chart_at(patient, "red-flags"))
    if flag.is_acknowledged:
        messages.info(request, f"This red flag was already acknowledged by {flag.acknowledged_by}.")
        return redirect(back)
    form = RedFlagAcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if acknowledge_red_flag(
            red_flag=flag, by=request.user, note=data["note"], action=data["action"], audit=request.audit
        ):
            messages.success(request, f"Red flag acknowledged: {flag.text_in_sentence}.")
        else:
            messages.info(request, "Someone acknowledged this red flag a moment ago; their note is kept.")
        return redirect(back)
    record_access(request=request, patient=patient, action=Action.VIEW, target="red flag to acknowledge")
    context = {"patient": patient, "flag": flag, "form": form, "next": back}
    return patient_page(request, "patients/red_flags/acknowledge.html", context, status=400 if form.errors else 200)
