"""The care plan's pages: the plan, starting it, its tier and details, goals and progress, the treatment
portfolio, and the printable patient version (sprints and their review: careplans/sprint_views.py).

Every view reaches the patient through ``get_patient_for_user`` first (404 to outsiders) and writes an
audit event. Everyone with access reads; only clinicians who may chart change anything (403 otherwise,
before any form is read). Edits carry the version the editor opened: a stale save is refused with the
other person's values shown next to the editor's, and the form keeps what the editor typed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import Action
from audit.services import record_access
from careplans import plan_services as services
from careplans import selectors
from careplans.logs.selectors import log_section_for, patient_plan_parts
from careplans.models import CarePlan, Goal, Intervention, Tier
from careplans.plan_forms import (
    GoalForm,
    InterventionForm,
    PlanDetailsForm,
    ProgressForm,
    StartPlanForm,
    TierForm,
    choice_words,
    differences,
)
from clinic.access import get_patient_for_user
from clinic.access.plans import EDITORS_ONLY, may_edit_plan
from clinic.access.refusals import refuse_unless
from clinic.roles import Discipline
from patients.banner import banner_for, patient_page
from patients.story import goal_suggestions, latest_intake_for

FLARE_PRINT = "careplans/flare/_print.html"
PACING_PRINT = "careplans/pacing/_print.html"
LOG_SECTION = "careplans/logs/_plan_section.html"


# --------------------------------------------------------------------------- helpers


def plan_url(patient, anchor: str = "") -> str:
    url = reverse("careplans:plan", args=[patient.public_id])
    return f"{url}#{anchor}" if anchor else url


def with_plan(request: HttpRequest, public_id, *, edit: bool):
    """The patient (404 to outsiders), the banner and the active plan (404 when there is none).

    With ``edit``, refuse (403) anyone who may not change the plan before any form is read.
    """
    patient = get_patient_for_user(request.user, public_id)
    may_edit = may_edit_plan(request.user, patient)
    if edit:
        refuse_unless(may_edit, EDITORS_ONLY)
    banner = banner_for(patient, request.user)
    plan = banner.care_plan
    if plan is None:
        raise Http404("This patient has no care plan yet.")
    plan.patient = patient
    return patient, plan, banner, may_edit


def with_version(data, name: str, version: int):
    data = data.copy()
    data[name] = str(version)
    return data


@dataclass
class Attempt:
    """What a save through the plan's optimistic locking came to, and the form to show when it did not save."""

    saved: bool
    form: Any
    result: Any = None
    conflict: dict | None = None
    status: int = 200


def try_save(save: Callable[[], Any], form, *, refill, labels: dict, display: dict | None = None) -> Attempt:
    """Run ``save()``. A stale edit (someone saved since the page was opened) saves nothing: the page shows their
    values beside the user's own, in a form refilled with what the user typed at the version saved now
    (``refill(data, current)``; 409). A refusal shows its reason on the form (400)."""
    try:
        return Attempt(saved=True, form=form, result=save())
    except services.StaleEdit as stale:
        conflict = conflict_for(stale, form, labels, display=display)
        refilled = refill(with_version(form.data, "version", stale.current.version), stale.current)
        refilled.is_valid()
        return Attempt(saved=False, form=refilled, conflict=conflict, status=409)
    except services.PlanRefused as refused:
        form.add_error(None, str(refused))
        return Attempt(saved=False, form=form, status=400)


# --------------------------------------------------------------------------- the plan


@login_required
@require_GET
def plan_page(request: HttpRequest, public_id) -> HttpResponse:
    """The plan: tier, lead, goals, portfolio, current sprint and history; or a way to start one."""
    patient = get_patient_for_user(request.user, public_id)
    banner = banner_for(patient, request.user)
    may_edit = may_edit_plan(request.user, patient)
    plan = banner.care_plan
    record_access(request=request, patient=patient, action=Action.VIEW, target="care plan")
    context = {"patient": patient, "banner": banner, "may_edit": may_edit, "plan": plan}
    if plan is None:
        return patient_page(request, "careplans/plan.html", context)
    plan.patient = patient
    content = selectors.plan_page(plan)
    context |= {
        "content": content,
        "tier_form": TierForm(initial={"version": plan.version}, plan=plan) if may_edit else None,
        "log_section": log_section(plan),
        "log_section_template": LOG_SECTION,
    }
    return patient_page(request, "careplans/plan.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_edit_plan(request.user, patient), EDITORS_ONLY)
    banner = banner_for(patient, request.user)
    if banner.care_plan is not None:
        messages.info(request, "This patient already has a care plan.")
        return redirect(plan_url(patient))
    team_lead = patient.care_team.filter(is_lead=True).values_list("member_id", flat=True).first()
    initial = {"tier": Tier.objects.order_by("number").values_list("pk", flat=True).first(), "lead": team_lead}
    form = StartPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.start_plan(patient=patient, by=request.user, audit=request.audit, **form.cleaned_data)
        except services.PlanExists:
            messages.info(request, "This patient already has a care plan.")
        else:
            messages.success(request, "Care plan started.")
        return redirect(plan_url(patient))
    if request.method == "GET":
        record_access(request=request, patient=patient, action=Action.VIEW, target="care plan: start")
    context = {"patient": patient, "banner": banner, "form": form, "measures": services.measures_snapshot(patient)}
    return patient_page(request, "careplans/start.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def change_tier(request: HttpRequest, public_id) -> HttpResponse:
    """Change the tier with a reason; the measures shown here are kept with the change."""
    patient, plan, banner, _ = with_plan(request, public_id, edit=True)
    form = TierForm(request.POST or None, plan=plan, initial={"version": plan.version})
    conflict, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            save = partial(
                services.change_tier,
                plan=plan,
                by=request.user,
                tier=form.cleaned_data["tier"],
                reason=form.cleaned_data["reason"],
                based_on_version=form.cleaned_data["version"],
                audit=request.audit,
            )
            attempt = try_save(
                save,
                form,
                refill=lambda data, current: TierForm(data, plan=current),
                labels=TIER_LABELS,
                display={"tier": tier_words},
            )
            if attempt.saved:
                tier = form.cleaned_data["tier"]
                messages.success(request, f"The plan is now at tier {tier.number}: {tier.name}.")
                return redirect(plan_url(patient))
            form, conflict, status = attempt.form, attempt.conflict, attempt.status
        else:
            status = 400
    else:
        record_access(request=request, patient=patient, action=Action.VIEW, target="care plan: change the tier")
    context = {
        "patient": patient,
        "banner": banner,
        "plan": plan,
        "form": form,
        "conflict": conflict,
        "measures": services.measures_snapshot(patient),
        "tiers": list(Tier.objects.all()),
    }
    return patient_page(request, "careplans/tier.html", context, status=status)


TIER_LABELS = {"tier": "Tier"}


def tier_words(value) -> str:
    return f"Tier {value.number}: {value.name}" if isinstance(value, Tier) else str(value)


@login_required
@require_http_methods(["GET", "POST"])
def edit_details(request: HttpRequest, public_id) -> HttpResponse:
    """The lead clinician and who the patient calls."""
    patient, plan, banner, _ = with_plan(request, public_id, edit=True)
    conflict, status = None, 200
    if request.method == "POST":
        form = PlanDetailsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            save = partial(
                services.change_plan_details,
                plan=plan,
                by=request.user,
                based_on_version=data["version"],
                lead=data["lead"],
                who_to_call=data["who_to_call"],
                reason=data["reason"],
                audit=request.audit,
            )
            attempt = try_save(
                save, form, refill=lambda data, current: PlanDetailsForm(data), labels=PlanDetailsForm.LABELS
            )
            if attempt.saved:
                messages.success(request, "Plan details saved." if attempt.result else "Nothing changed.")
                return redirect(plan_url(patient))
            form, conflict, status = attempt.form, attempt.conflict, attempt.status
        else:
            status = 400
    else:
        form = PlanDetailsForm(initial=PlanDetailsForm.initial_for(plan))
        record_access(request=request, patient=patient, action=Action.VIEW, target="care plan: edit details")
    context = {"patient": patient, "banner": banner, "plan": plan, "form": form, "conflict": conflict}
    return patient_page(request, "careplans/details.html", context, status=status)


def conflict_for(stale: services.StaleEdit, form, labels: dict, *, display: dict | None = None) -> dict:
    """What the page shows about a refused stale save: who saved, when, and each field theirs vs yours."""
    return {
        "by": stale.by,
        "at": stale.at,
        "differences": differences(form, stale.current, labels, display=display),
    }


# --------------------------------------------------------------------------- goals


def goal_suggestions_for(patient, plan: CarePlan) -> list[str]:
    """The intake's "three things I want back", minus those already goals (patients/story.py)."""
    intake = latest_intake_for(patient)
    if intake is None:
        return []
    existing = {words.casefold().strip() for words in plan.goals.values_list("words", flat=True)}
    return [text.strip() for text in goal_suggestions(intake) if text.casefold().strip() not in existing]


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, public_id) -> HttpResponse:
    patient, plan, banner, _ = with_plan(request, public_id, edit=True)
    suggestions = goal_suggestions_for(patient, plan)
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                services.add_goal(plan=plan, by=request.user, audit=request.audit, **form.fields_to_save())
            except services.PlanRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, "Goal added.")
                return redirect(plan_url(patient, "goals"))
    else:
        chosen = request.GET.get("suggestion", "")
        initial = {"target_date": timezone.localdate() + timedelta(weeks=12)}
        if chosen and chosen in suggestions:
            initial |= {"words": chosen, "from_intake": True}
        form = GoalForm(initial=initial)
        record_access(request=request, patient=patient, action=Action.VIEW, target="care plan: add a goal")
    context = {"patient": patient, "banner": banner, "plan": plan, "form": form, "suggestions": suggestions}
    return patient_page(request, "careplans/goal_form.html", context, status=400 if form.errors else 200)


GOAL_DISPLAY = {"metric": choice_words(Goal.Metric.choices), "status": choice_words(Goal.Status.choices)}


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, public_id, goal_id) -> HttpResponse:
    patient, plan, banner, _ = with_plan(request, public_id, edit=True)
    goal = get_object_or_404(Goal, plan=plan, public_id=goal_id)
    goal.plan = plan
    page = PlanItemPage(
        kind="goal",
        form_class=GoalForm,
        change=services.change_goal,
        display=GOAL_DISPLAY,
        saved="Goal saved.",
        anchor="goals",
        template="careplans/goal_form.html",
        words="a goal",
    )
    return edit_plan_item(request, page, patient=patient, plan=plan, banner=banner, item=goal)


@login_required
@require_http_methods(["GET", "POST"])
def goal_progress(request: HttpRequest, public_id, goal_id) -> HttpResponse:
    """Record a value of a goal's metric (the plan page posts here; errors are shown on this page)."""
    patient, plan, banner, _ = with_plan(request, public_id, edit=True)
    goal = get_object_or_404(Goal, plan=plan, public_id=goal_id)
    goal.plan = plan
    form = ProgressForm(request.POST or None, goal=goal, prefix=f"progress-{goal.public_id}")
    if request.method == "POST" and form.is_valid():
        try:
            services.record_goal_progress(goal=goal, by=request.user, audit=request.audit, **form.cleaned_data)
        except services.PlanRefused as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Progress recorded for \u201c{goal.words}\u201d.")
            return redirect(plan_url(patient, f"goal-{goal.public_id}"))
    if request.method == "GET":
        record_access(request=request, patient=patient, action=Action.VIEW, target="care plan: record goal progress")
    context = {"patient": patient, "banner": banner, "plan": plan, "goal": goal, "form": form}
    return patient_page(request, "careplans/progress_form.html", context, status=400 if form.errors else 200)


# --------------------------------------------------------------------------- the treatment portfolio


INTERVENTION_DISPLAY = {
    "category": choice_words(Intervention.Category.choices),
    "status": choice_words(Intervention.Status.choices),
    "owner_discipline": choice_words(Discipline.choices),
    "patient_preference": choice_words(Intervention.Preference.choices),
}


@login_required
@require_http_methods(["GET", "POST"])
def intervention_add(request: HttpRequest, public_id) -> HttpResponse:
    patient, plan, banner, _ = with_plan(request, public_id, edit=True)
    if request.method == "POST":
        form = InterventionForm(request.POST)
        if form.is_valid():
            try:
                intervention = services.add_intervention(
                    plan=plan, by=request.user, audit=request.audit, **form.fields_to_save()
                )
            except services.PlanRefused as refused:
                form.add_error(None, str(refused))
            else:
                if intervention.four_questions_answered:
                    messages.success(request, "Treatment added.")
                else:
                    messages.warning(
                        request, "Treatment added. It is marked incomplete until the four questions are answered."
                    )
                return redirect(plan_url(patient, "portfolio"))
    else:
        form = InterventionForm(initial={"category": request.GET.get("category", "")})
        record_access(request=request, patient=patient, action=Action.VIEW, target="care plan: add a treatment")
    context = {"patient": patient, "banner": banner, "plan": plan, "form": form}
    return patient_page(request, "careplans/intervention_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def intervention_edit(request: HttpRequest, public_id, intervention_id) -> HttpResponse:
    patient, plan, banner, _ = with_plan(request, public_id, edit=True)
    intervention = get_object_or_404(Intervention, plan=plan, public_id=intervention_id)
    intervention.plan = plan
    page = PlanItemPage(
        kind="intervention",
        form_class=InterventionForm,
        change=services.change_intervention,
        display=INTERVENTION_DISPLAY,
        saved="Treatment saved.",
        anchor="portfolio",
        template="careplans/intervention_form.html",
        words="a treatment",
    )
    return edit_plan_item(request, page, patient=patient, plan=plan, banner=banner, item=intervention)


@dataclass(frozen=True)
class PlanItemPage:
    """What differs between editing a goal and a treatment: the rest is edit_plan_item's stale-edit flow."""

    kind: str  # the service's keyword and the template's name for the item
    form_class: type
    change: Callable[..., object]
    display: dict
    saved: str
    anchor: str
    template: str
    words: str  # for the audit target: "care plan: edit a goal"


def edit_plan_item(request: HttpRequest, page: PlanItemPage, *, patient, plan, banner, item) -> HttpResponse:
    """Edit a versioned plan item: save unless someone saved it meanwhile (then show both, keep what was typed)."""
    conflict, status = None, 200
    if request.method == "POST":
        form = page.form_class(request.POST, editing=True)
        if form.is_valid():
            save = partial(
                page.change,
                **{page.kind: item},
                by=request.user,
                based_on_version=form.cleaned_data["version"],
                audit=request.audit,
                **form.fields_to_save(),
            )
            attempt = try_save(
                save,
                form,
                refill=lambda data, current: page.form_class(data, editing=True),
                labels=page.form_class.LABELS,
                display=page.display,
            )
            if attempt.saved:
                messages.success(request, page.saved)
                return redirect(plan_url(patient, page.anchor))
            form, conflict, status = attempt.form, attempt.conflict, attempt.status
        else:
            status = 400
    else:
        form = page.form_class(initial=page.form_class.initial_for(item), editing=True)
        record_access(request=request, patient=patient, action=Action.VIEW, target=f"care plan: edit {page.words}")
    context = {"patient": patient, "banner": banner, "plan": plan, page.kind: item, "form": form, "conflict": conflict}
    return patient_page(request, page.template, context, status=status)


# --------------------------------------------------------------------------- daily logs and pacing


def log_section(plan: CarePlan) -> dict | None:
    """The daily-log and pacing section of the plan page (the patient side's partial), when it exists."""
    if existing_template(LOG_SECTION) is None:
        return None
    return log_section_for(plan)


# --------------------------------------------------------------------------- printing


def existing_template(name: str) -> str | None:
    try:
        select_template([name])
    except TemplateDoesNotExist:
        return None
    return name


@login_required
@require_GET
def print_plan(request: HttpRequest, public_id) -> HttpResponse:
    """The one-page patient version of the plan, in plain words; opening it is audited as printing."""
    patient, plan, _, _ = with_plan(request, public_id, edit=False)
    record_access(request=request, patient=patient, action=Action.PRINT, target="care plan: printable version")
    goals = list(plan.goals.filter(status=Goal.Status.ACTIVE).order_by("position", "id"))
    treatments = list(
        plan.interventions.filter(status__in=[Intervention.Status.ACTIVE, Intervention.Status.PROPOSED]).order_by(
            "category", "name"
        )
    )
    flare_print, pacing_print = existing_template(FLARE_PRINT), existing_template(PACING_PRINT)
    parts = patient_plan_parts(plan) if flare_print or pacing_print else {}
    context = {
        "patient": patient,
        "plan": plan,
        "goals": goals,
        "treatments": treatments,
        "flare_print": flare_print,
        "pacing_print": pacing_print,
        "parts": parts,
        "today": timezone.localdate(),
    }
    return patient_page(request, "careplans/print.html", context)
