"""The care plan's sprint pages: starting a treatment sprint and its review (every metric judged, the daily-log
trend and pacing adherence, the suggestion and its rule, the decision recorded).

The rules of careplans/plan_views.py apply: the patient through ``get_patient_for_user`` (404 to outsiders),
an audit event per page, only clinicians who may chart change anything (403 before any form is read), and a
stale review is refused with the plan as it is now.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from audit.models import Action
from audit.services import record_access
from careplans import plan_services as services
from careplans import selectors, sprint_services, sprints
from careplans.logs.selectors import LogCharts, log_charts, log_series, pacing_adherence
from careplans.models import CarePlan, Goal, Intervention, Sprint
from careplans.plan_forms import ReviewForm, SprintForm
from careplans.plan_views import plan_url, with_plan, with_version
from patients.banner import patient_page


def metric_choices(patient, plan: CarePlan) -> list[tuple[str, str]]:
    goals = Goal.objects.filter(plan=plan, status=Goal.Status.ACTIVE).order_by("position", "id")
    choices = [(sprints.goal_metric(g.public_id), f"Goal: {g.words} \N{MIDDLE DOT} {g.metric_name}") for g in goals]
    choices += [
        (sprints.measure_metric(code), f"Questionnaire: {services.measure_name(code)}")
        for code in sprint_services.measure_codes_for(patient)
    ]
    return choices


@login_required
@require_http_methods(["GET", "POST"])
def sprint_new(request: HttpRequest, public_id) -> HttpResponse:
    """Start a sprint; ``?from=<sprint>`` starts it from that sprint's review (same metrics and, unless the
    decision was to pivot, the same treatments)."""
    patient, plan, banner, _ = with_plan(request, public_id, edit=True)
    choices = metric_choices(patient, plan)
    previous = None
    if request.method == "POST":
        form = SprintForm(request.POST, metric_choices=choices, plan=plan)
        if form.is_valid():
            data = form.cleaned_data
            try:
                sprint = sprint_services.start_sprint(
                    plan=plan,
                    by=request.user,
                    starts_on=data["starts_on"],
                    ends_on=data["ends_on"],
                    metrics=data["metrics"],
                    interventions=data["interventions"],
                    audit=request.audit,
                )
            except services.PlanRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, f"Sprint {sprint.number} started.")
                return redirect(plan_url(patient, "sprint"))
    else:
        previous = previous_sprint(plan, request.GET.get("from", ""))
        form = SprintForm(initial=sprint_initial(plan, previous, choices), metric_choices=choices, plan=plan)
        record_access(request=request, patient=patient, action=Action.VIEW, target="care plan: start a sprint")
    context = {"patient": patient, "banner": banner, "plan": plan, "form": form, "previous": previous}
    return patient_page(request, "careplans/sprint_form.html", context, status=400 if form.errors else 200)


def previous_sprint(plan: CarePlan, public_id: str) -> Sprint | None:
    try:
        wanted = uuid.UUID(public_id)
    except ValueError:  # none given, or not an id: start from scratch
        return None
    return Sprint.objects.filter(plan=plan, public_id=wanted, reviewed_at__isnull=False).first()


def sprint_initial(plan: CarePlan, previous: Sprint | None, choices) -> dict:
    last_end = (
        previous.ends_on
        if previous
        else Sprint.objects.filter(plan=plan).order_by("-number").values_list("ends_on", flat=True).first()
    )
    starts_on, ends_on = sprints.next_sprint_dates(last_end, today=timezone.localdate())
    initial = {"starts_on": starts_on, "ends_on": ends_on}
    if previous is not None:
        offered = {value for value, _ in choices}
        initial["metrics"] = [code for code in previous.metrics if code in offered]
        if previous.decision != Sprint.Decision.PIVOT:
            initial["interventions"] = list(
                previous.interventions.exclude(status=Intervention.Status.STOPPED).values_list("pk", flat=True)
            )
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def sprint_review(request: HttpRequest, public_id, sprint_id) -> HttpResponse:
    """The review: every metric judged, the daily-log trend and adherence, the suggestion and its rule;
    the lead records the decision and the reason (clinicians who may chart only)."""
    patient, plan, banner, may_edit = with_plan(request, public_id, edit=request.method == "POST")
    sprint = get_object_or_404(
        Sprint.objects.select_related("reviewed_by").prefetch_related("interventions"), plan=plan, public_id=sprint_id
    )
    sprint.plan = plan
    review = selectors.sprint_review(sprint, plan=plan)
    reviewed = sprint.reviewed_at is not None
    form = None
    status = 200
    if not reviewed and may_edit:
        initial = {"decision": review.suggestion.decision.value, "plan_version": plan.version}
        form = ReviewForm(request.POST or None, initial=initial, tier_number=plan.tier.number)
        if request.method == "POST":
            if form.is_valid():
                try:
                    sprint_services.review_sprint(
                        sprint=sprint,
                        by=request.user,
                        decision=form.cleaned_data["decision"],
                        reason=form.cleaned_data["reason"],
                        based_on_plan_version=form.cleaned_data["plan_version"],
                        audit=request.audit,
                    )
                except services.StaleEdit as stale:
                    current = stale.current
                    form = ReviewForm(
                        with_version(request.POST, "plan_version", current.version), tier_number=current.tier.number
                    )
                    form.is_valid()
                    who = stale.by.display_name if stale.by else "Someone"
                    form.add_error(
                        None,
                        f"{who} changed the plan while you were reviewing: it is now at tier {current.tier.number} "
                        f"({current.tier.name}). Nothing was saved. Check your decision against the plan as it is "
                        "now and record it again.",
                    )
                    status = 409
                except services.PlanRefused as refused:
                    form.add_error(None, str(refused))
                    status = 400
                else:
                    messages.success(request, decision_message(form.cleaned_data["decision"], sprint))
                    return redirect(plan_url(patient, "history"))
            else:
                status = 400
    elif request.method == "POST":
        messages.info(request, "This sprint has already been reviewed.")
        return redirect("careplans:sprint_review", public_id=patient.public_id, sprint_id=sprint.public_id)
    if request.method == "GET":
        record_access(request=request, patient=patient, action=Action.VIEW, target="care plan: sprint review")
    recorded = [sprints.Judgement.from_snapshot(item) for item in sprint.review_snapshot] if reviewed else []
    adherence = pacing_adherence(
        plan, since=sprint.starts_on, until=max(selectors.window_end(sprint), sprint.starts_on)
    )
    context = {
        "patient": patient,
        "banner": banner,
        "plan": plan,
        "sprint": sprint,
        "review": review,
        "recorded": recorded,
        "form": form,
        "may_edit": may_edit,
        "logs": sprint_logs(patient, sprint),
        "adherence": adherence,
        "adherence_percent": None if adherence is None else round(adherence * 100),
        "suggestion_label": dict(Sprint.Decision.choices)[review.suggestion.decision],
        "judgements": recorded if reviewed else review.judgements,
        "today": timezone.localdate(),
    }
    return patient_page(request, "careplans/sprint_review.html", context, status=status)


def decision_message(decision: str, sprint: Sprint) -> str:
    words = {
        Sprint.Decision.CONTINUE: "continue",
        Sprint.Decision.STEP_UP: "step up a tier",
        Sprint.Decision.STEP_DOWN: "step down a tier",
        Sprint.Decision.PIVOT: "pivot (change the treatments)",
    }[decision]
    return f"Sprint {sprint.number} reviewed: {words}. You can start the next sprint from this decision."


def sprint_logs(patient, sprint: Sprint) -> LogCharts:
    """The patient's daily-log trend over the sprint (small charts), three charts and one query."""
    since, until = sprint.starts_on, selectors.window_end(sprint)
    until = max(until, since)
    points = log_series(patient, since=since, until=until)
    return log_charts(points, since=since, until=until, prefix=f"sprint-{sprint.public_id}")
