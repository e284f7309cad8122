"""Treatment sprints: starting one, reviewing it (the decision and its tier change), and the sweep that gives
each sprint ending soon a review task for its lead clinician.

Who may, the refusals and the audit rules are those of careplans/plan_services.py: starting and reviewing a
sprint check ``may_edit_plan(by, patient)`` themselves and raise ``Refused`` before writing anything, and every
change writes a PlanChange row and an audit event in the same transaction. The review sweep is the system's
(a Celery task, no person): it has no ``by`` and checks no one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from careplans import sprints
from careplans.models import (
    CarePlan,
    Goal,
    Intervention,
    PlanChange,
    Sprint,
    Tier,
)
from careplans.plan_services import (
    SprintRefused,
    check_editor,
    lock_plan,
    measure_name,
    measures_snapshot,
    move_tier,
    record_change,
)
from careplans.selectors import sprint_review
from charts import long_date
from clinic.models import TeamTask, User
from clinic.safety_net import route_urgent
from clinic.services import create_task
from measures.models import MeasureSummary
from patients.models import Patient

SWEEP_BATCH = 500


# --------------------------------------------------------------------------- sprints


def measure_codes_for(patient: Patient) -> list[str]:
    """The questionnaires a sprint can measure: PEG always, and every one the patient has answered."""
    answered = MeasureSummary.objects.filter(patient=patient).values_list("instrument_code", flat=True)
    return sorted({"peg", *answered}, key=lambda code: (code != "peg", measure_name(code).lower()))


def check_metrics(plan: CarePlan, metrics: Iterable[str]) -> list[str]:
    """The metric codes, checked: each a goal of this plan or a questionnaire code; at least one."""
    cleaned = []
    goal_ids = {str(g) for g in Goal.objects.filter(plan=plan).values_list("public_id", flat=True)}
    for code in metrics:
        kind, key = sprints.parse_metric(code)
        if kind == "goal" and key not in goal_ids:
            raise SprintRefused("Choose the sprint's goals from this plan's goals.")
        normalised = sprints.goal_metric(key) if kind == "goal" else sprints.measure_metric(key)
        if normalised not in cleaned:
            cleaned.append(normalised)
    if not cleaned:
        raise SprintRefused("Choose at least one metric: a goal or a questionnaire.")
    return cleaned


@transaction.atomic
def start_sprint(
    *,
    plan: CarePlan,
    by: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    metrics: Sequence[str],
    interventions: Iterable[Intervention] = (),
    audit: AuditContext | None = None,
) -> Sprint:
    """Start a 4-6 week sprint testing ``interventions`` against ``metrics`` (audit "create").

    Refused unless ``may_edit_plan(by, plan.patient)``. Raises SprintRefused for dates that do not make 4-6
    weeks, for no or unknown metrics, for treatments of another plan, and while another sprint of the plan waits
    for its review.
    """
    check_editor(by, plan.patient)
    problem = sprints.sprint_length_problem(starts_on, ends_on)
    if problem:
        raise SprintRefused(problem)
    metrics = check_metrics(plan, metrics)
    interventions = list(interventions)
    if any(i.plan_id != plan.pk for i in interventions):
        raise SprintRefused("Choose the sprint's treatments from this plan's portfolio.")
    CarePlan.objects.select_for_update().get(pk=plan.pk)  # one sprint number at a time per plan
    if Sprint.objects.filter(plan=plan, reviewed_at__isnull=True).exists():
        raise SprintRefused("The current sprint has not been reviewed yet: review it before starting the next one.")
    number = (Sprint.objects.filter(plan=plan).aggregate(last=Max("number"))["last"] or 0) + 1
    now = timezone.now()
    sprint = Sprint.objects.create(
        plan=plan, number=number, starts_on=starts_on, ends_on=ends_on, metrics=metrics, created_by=by, created_at=now
    )
    sprint.interventions.set(interventions)
    record_change(
        plan=plan,
        by=by,
        kind=PlanChange.Kind.SPRINT,
        summary=f"Sprint {number} started: {long_date(starts_on)} to {long_date(ends_on)}",
        details={"object": f"sprint:{sprint.public_id}", "metrics": metrics},
        at=now,
    )
    record_event(
        actor=by, context=audit, patient=plan.patient, action=Action.CREATE, target="care plan: sprint started"
    )
    return sprint


def review_task_key(sprint: Sprint) -> str:
    return f"sprint-review:{sprint.public_id}"


@transaction.atomic
def review_sprint(
    *,
    sprint: Sprint,
    by: User,
    decision: str,
    reason: str,
    based_on_plan_version: int,
    audit: AuditContext | None = None,
) -> Sprint:
    """Record the clinician's decision on a sprint, with the rule's suggestion and the judged metrics.

    A step up or down moves the plan's tier through the same audited path as the tier form (a PlanChange
    with the measures in front of the clinician). The sprint's review task, if open, is closed.
    Refused unless ``may_edit_plan(by, sprint.plan.patient)``. Raises SprintRefused for an unknown decision, an
    empty reason, a sprint already reviewed or a decision that cannot move the tier; StaleEdit when the plan
    changed after ``based_on_plan_version`` (the tier it was decided on may no longer be the tier it is at).
    """
    check_editor(by, sprint.plan.patient)
    if decision not in sprints.Decision.__members__.values():
        raise SprintRefused("Choose a decision from the list.")
    if not reason.strip():
        raise SprintRefused("Say why you decided this.")
    plan = lock_plan(sprint.plan, based_on_version=based_on_plan_version)
    plan.patient = sprint.plan.patient
    review = sprint_review(sprint, plan=plan)
    new_tier_number = sprints.tier_after(decision, review.tier.number)
    if decision in (sprints.Decision.STEP_UP, sprints.Decision.STEP_DOWN) and new_tier_number is None:
        way = "up" if decision == sprints.Decision.STEP_UP else "down"
        raise SprintRefused(f"The plan is at tier {review.tier.number}: there is no tier to step {way} to.")
    now = timezone.now()
    claimed = Sprint.objects.filter(pk=sprint.pk, reviewed_at__isnull=True).update(
        suggestion=review.suggestion.decision,
        suggestion_reason=review.suggestion.reason[:300],
        decision=decision,
        decision_reason=reason.strip(),
        improved=review.suggestion.improved,
        review_snapshot=[j.as_snapshot() for j in review.judgements],
        reviewed_by=by,
        reviewed_at=now,
    )
    if not claimed:
        raise SprintRefused("This sprint has already been reviewed.")
    label = sprints.Decision(decision)
    decided = dict(Sprint.Decision.choices)[label]
    record_change(
        plan=plan,
        by=by,
        kind=PlanChange.Kind.SPRINT,
        summary=f"Sprint {sprint.number} reviewed: {decided.lower()} (suggested: "
        f"{dict(Sprint.Decision.choices)[review.suggestion.decision].lower()})",
        reason=reason,
        details={
            "object": f"sprint:{sprint.public_id}",
            "decision": decision,
            "suggestion": review.suggestion.decision.value,
            "improved": review.suggestion.improved,
        },
        snapshot=measures_snapshot(plan.patient),
        at=now,
    )
    if new_tier_number is not None:
        tier = Tier.objects.get(number=new_tier_number)
        move_tier(plan, by=by, tier=tier, reason=reason, summary_prefix=f"Sprint {sprint.number} decision")
        record_event(
            actor=by, context=audit, patient=plan.patient, action=Action.UPDATE, target="care plan: tier changed"
        )
    task = TeamTask.objects.filter(source_key=review_task_key(sprint), status=TeamTask.Status.OPEN).first()
    if task is not None:
        task.mark_done(by=by, note="Sprint reviewed.")
    record_event(
        actor=by, context=audit, patient=plan.patient, action=Action.UPDATE, target="care plan: sprint reviewed"
    )
    sprint.refresh_from_db()
    return sprint


def create_sprint_review_tasks(*, today: datetime.date | None = None, limit: int = SWEEP_BATCH) -> int:
    """The review sweep: a task reaches the lead clinician 3 days before each sprint ends; returns how many.

    Called by the system (careplans.tasks, Celery beat), not by a member of staff: there is no ``by`` to check.

    Set-based: one query finds every due sprint (the partial index sprint_review_due), claims them with a
    conditional UPDATE of ``review_task_created_at`` in the same transaction as the tasks, and each task
    has a unique source key, so a second run or a second worker creates nothing twice.
    """
    today = today or timezone.localdate()
    due_by = today + datetime.timedelta(days=sprints.REVIEW_DAYS_BEFORE_END)
    with transaction.atomic():
        due = Sprint.objects.filter(
            reviewed_at__isnull=True,
            review_task_created_at__isnull=True,
            ends_on__lte=due_by,
            plan__status=CarePlan.Status.ACTIVE,
        )
        ids = list(
            due.order_by("ends_on", "id")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return 0
        Sprint.objects.filter(id__in=ids, review_task_created_at__isnull=True).update(
            review_task_created_at=timezone.now()
        )
        claimed = Sprint.objects.filter(id__in=ids).select_related("plan__patient", "plan__lead")
        for sprint in claimed:
            plan = sprint.plan
            assignee = plan.lead if plan.lead.is_active else route_urgent(plan.patient).person
            task = create_task(
                title=f"Review sprint {sprint.number}: it ends {sprint.ends_on:%b} {sprint.ends_on.day}",
                source=TeamTask.Source.SPRINT_REVIEW,
                source_key=review_task_key(sprint),
                patient=plan.patient,
                assignee=assignee,
                priority=TeamTask.Priority.NORMAL,
                due_on=max(sprints.review_due_on(sprint.ends_on), today),
            )
            if not task.link:
                link = reverse("careplans:sprint_review", args=[plan.patient.public_id, sprint.public_id])
                TeamTask.objects.filter(pk=task.pk, link="").update(link=link)
    return len(ids)
