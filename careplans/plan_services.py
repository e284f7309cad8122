"""The care plan's workflows: starting a plan, changing its tier, lead and parts (goals, the treatment
portfolio), treatment sprints and their reviews, the review-task sweep, and the reads behind the plan
page and the sprint review page.

Who may do what (issue 5):

- Clinicians with access to the patient (their care team, or an open task about the patient) and the
  ``clinic.chart_clinical_notes`` permission start and change plans (``may_edit_plan``).
- Coordinators and clinic admins read plans and change nothing.

Every function here takes a patient or plan already reached through ``clinic.access.get_patient_for_user``
for the same person (outsiders have had their 404). Every change writes a PlanChange row (who, when, why,
before and after) and an audit event in the same transaction; audit targets never carry patient data.

Optimistic locking: plans, goals and interventions carry a version. A change based on an older version
raises ``StaleEdit`` and saves nothing; the exception carries the record as saved now and who saved it,
so the person sees the other person's values next to their own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, OuterRef, Prefetch, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from audit.models import Action
from careplans import sprints
from careplans.models import (
    CarePlan,
    Goal,
    GoalComment,
    GoalProgress,
    Intervention,
    PlanChange,
    Sprint,
    Tier,
)
from clinic.access import may_chart
from clinic.dates import start_of_day
from clinic.models import TeamTask, User
from clinic.safety_net import route_urgent
from clinic.services import create_task
from measures.definitions import UnknownInstrumentError, get_definition
from measures.models import Instrument, MeasureSummary, Response
from measures.trend_chart import trend_svg
from patients.models import Patient
from patients.services import audit

HISTORY_SHOWN = 50
SPRINTS_SHOWN = 20
POINTS_PER_METRIC = 60
SWEEP_BATCH = 500


# --------------------------------------------------------------------------- who may


def may_edit_plan(user, patient) -> bool:
    """Clinicians with access to the patient who may chart clinical notes; never coordinators or admins."""
    return may_chart(user, patient)


# --------------------------------------------------------------------------- refusals


class PlanRefused(Exception):
    """A change that cannot be made; the message says why, for the person who asked."""


class PlanExists(PlanRefused):
    def __init__(self, plan: CarePlan):
        super().__init__("This patient already has an active care plan.")
        self.plan = plan


class SprintRefused(PlanRefused):
    """A sprint that cannot be started or reviewed as asked (length, an open sprint, already reviewed)."""


class StaleEdit(PlanRefused):
    """Someone saved this record after the editor opened it; nothing was saved.

    ``current`` is the record as saved now; ``by`` and ``at`` say who saved it last and when (if known).
    """

    def __init__(self, current, *, by: User | None = None, at: datetime.datetime | None = None):
        super().__init__("Someone saved this after you opened it. Nothing you typed was saved yet.")
        self.current = current
        self.by = by
        self.at = at


# --------------------------------------------------------------------------- the plan


def measures_snapshot(patient: Patient) -> list[dict[str, Any]]:
    """The latest questionnaire scores in front of the clinician (one query): kept with tier changes and reviews."""
    rows = MeasureSummary.objects.filter(patient=patient).order_by("instrument_code")
    return [
        {
            "code": row.instrument_code,
            "name": measure_name(row.instrument_code),
            "baseline": float(row.baseline_total),
            "baseline_on": timezone.localtime(row.baseline_at).date().isoformat(),
            "latest": float(row.latest_total),
            "latest_on": timezone.localtime(row.latest_at).date().isoformat(),
            "responses": row.responses_count,
        }
        for row in rows
    ]


def measure_name(code: str) -> str:
    try:
        return get_definition(code).name
    except UnknownInstrumentError:
        return code.upper()


def record_change(
    *,
    plan: CarePlan,
    by: User,
    kind: str,
    summary: str,
    reason: str = "",
    details: dict | None = None,
    snapshot: list | None = None,
    at: datetime.datetime | None = None,
) -> PlanChange:
    return PlanChange.objects.create(
        plan=plan,
        kind=kind,
        summary=summary[:300],
        reason=reason.strip(),
        details=details or {},
        measures_snapshot=snapshot or [],
        by=by,
        at=at or timezone.now(),
    )


@transaction.atomic
def start_plan(
    *,
    patient: Patient,
    by: User,
    lead: User,
    tier: Tier,
    who_to_call: str = "",
    reason: str = "",
    request: HttpRequest | None = None,
) -> CarePlan:
    """Start the patient's care plan (audit "create"); the measures in front of ``by`` are kept.

    Preconditions: ``may_edit_plan(by, patient)``; ``lead`` is an active clinician. Raises PlanExists
    when the patient already has an active plan (the database's one-active-plan rule backs this up).
    """
    existing = CarePlan.objects.active().filter(patient=patient).first()
    if existing is not None:
        raise PlanExists(existing)
    now = timezone.now()
    try:
        with transaction.atomic():
            plan = CarePlan.objects.create(
                patient=patient,
                lead=lead,
                tier=tier,
                who_to_call=who_to_call.strip(),
                created_by=by,
                created_at=now,
                updated_by=by,
                updated_at=now,
            )
    except IntegrityError:
        raise PlanExists(CarePlan.objects.active().get(patient=patient)) from None
    record_change(
        plan=plan,
        by=by,
        kind=PlanChange.Kind.CREATED,
        summary=f"Plan started at tier {tier.number} ({tier.name}), led by {lead.display_name}",
        reason=reason,
        details={"object": "plan", "fields": {"tier": [None, tier.number], "lead": [None, lead.display_name]}},
        snapshot=measures_snapshot(patient),
        at=now,
    )
    audit(by=by, request=request, patient=patient, action=Action.CREATE, target="care plan: started")
    return plan


def lock_plan(plan: CarePlan, *, based_on_version: int) -> CarePlan:
    """The plan row, locked for this transaction; StaleEdit when it moved past ``based_on_version``."""
    locked = CarePlan.objects.select_for_update().get(pk=plan.pk)
    if locked.version != based_on_version:
        fresh = CarePlan.objects.select_related("tier", "lead", "updated_by").get(pk=plan.pk)
        raise StaleEdit(fresh, by=fresh.updated_by, at=fresh.updated_at)
    return locked


@transaction.atomic
def change_tier(
    *,
    plan: CarePlan,
    by: User,
    tier: Tier,
    reason: str,
    based_on_version: int,
    request: HttpRequest | None = None,
) -> CarePlan:
    """Move the plan to another tier: who, when, why and the latest measures are kept (audit "update").

    Preconditions: ``may_edit_plan(by, plan.patient)``; ``reason`` is not empty. Raises StaleEdit when the
    plan was changed after ``based_on_version``; PlanRefused when the tier is the current one.
    """
    locked = lock_plan(plan, based_on_version=based_on_version)
    _move_tier(locked, by=by, tier=tier, reason=reason, summary_prefix="Tier changed")
    audit(by=by, request=request, patient=plan.patient, action=Action.UPDATE, target="care plan: tier changed")
    return locked


def _move_tier(locked: CarePlan, *, by: User, tier: Tier, reason: str, summary_prefix: str) -> None:
    """The one path every tier change takes (from the tier form and from a sprint decision)."""
    if not reason.strip():
        raise PlanRefused("Say why the tier changes.")
    old = Tier.objects.get(pk=locked.tier_id)
    if old.pk == tier.pk:
        raise PlanRefused(f"The plan is already at tier {tier.number}.")
    now = timezone.now()
    locked.tier = tier
    locked.updated_by, locked.updated_at = by, now
    locked.version += 1
    locked.save(update_fields=["tier", "updated_by", "updated_at", "version"])
    record_change(
        plan=locked,
        by=by,
        kind=PlanChange.Kind.TIER,
        summary=f"{summary_prefix}: tier {old.number} to tier {tier.number} ({tier.name})",
        reason=reason,
        details={"object": "plan", "fields": {"tier": [old.number, tier.number]}},
        snapshot=measures_snapshot(locked.patient),
        at=now,
    )


@transaction.atomic
def change_plan_details(
    *,
    plan: CarePlan,
    by: User,
    based_on_version: int,
    lead: User,
    who_to_call: str,
    reason: str = "",
    request: HttpRequest | None = None,
) -> list[str]:
    """Change the lead clinician and who the patient calls (audit "update"); returns the fields changed.

    Preconditions: ``may_edit_plan(by, plan.patient)``; ``lead`` is an active clinician. StaleEdit as for
    change_tier.
    """
    locked = lock_plan(plan, based_on_version=based_on_version)
    old_lead = User.objects.get(pk=locked.lead_id)
    changes: dict[str, list] = {}
    if old_lead.pk != lead.pk:
        changes["lead"] = [old_lead.display_name, lead.display_name]
        locked.lead = lead
    who_to_call = who_to_call.strip()
    if locked.who_to_call != who_to_call:
        changes["who_to_call"] = [locked.who_to_call, who_to_call]
        locked.who_to_call = who_to_call
    if not changes:
        return []
    now = timezone.now()
    locked.updated_by, locked.updated_at = by, now
    locked.version += 1
    locked.save(update_fields=["lead", "who_to_call", "updated_by", "updated_at", "version"])
    if "lead" in changes:
        summary = f"Lead clinician changed to {lead.display_name}"
        kind = PlanChange.Kind.LEAD
    else:
        summary, kind = "Who to call changed", PlanChange.Kind.OTHER
    record_change(
        plan=locked,
        by=by,
        kind=kind,
        summary=summary,
        reason=reason,
        details={"object": "plan", "fields": changes},
        at=now,
    )
    target = f"care plan: details changed ({', '.join(changes)})"
    audit(by=by, request=request, patient=plan.patient, action=Action.UPDATE, target=target)
    return list(changes)


# --------------------------------------------------------------------------- goals

GOAL_FIELDS = (
    "words",
    "metric",
    "custom_metric",
    "custom_unit",
    "lower_is_better",
    "baseline",
    "target",
    "target_date",
    "status",
)
INTERVENTION_FIELDS = (
    "category",
    "name",
    "owner_discipline",
    "status",
    "stopped_reason",
    "expected_benefit",
    "risks",
    "how_it_helps",
    "how_measured",
    "patient_preference",
    "preference_note",
    "started_on",
)


def object_key(obj) -> str:
    return f"{type(obj).__name__.lower()}:{obj.public_id}"


def as_history_value(value) -> Any:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def apply_fields(obj, fields: dict[str, Any], names: Sequence[str]) -> dict[str, list]:
    """Set the given fields on ``obj``; returns {name: [before, after]} for those that changed."""
    changed = {}
    for name in names:
        if name not in fields:
            continue
        value = fields[name].strip() if isinstance(fields[name], str) else fields[name]
        before = getattr(obj, name)
        if before != value:
            changed[name] = [as_history_value(before), as_history_value(value)]
            setattr(obj, name, value)
    return changed


def last_change_of(obj) -> PlanChange | None:
    return PlanChange.objects.filter(plan_id=obj.plan_id, details__object=object_key(obj)).select_related("by").first()


def check_goal(fields: dict[str, Any]) -> None:
    if not str(fields.get("words", "")).strip():
        raise PlanRefused("Write the goal in the patient's words.")
    if fields.get("metric") not in Goal.Metric.values:
        raise PlanRefused("Choose a metric from the list.")
    if fields["metric"] == Goal.Metric.CUSTOM and not str(fields.get("custom_metric", "")).strip():
        raise PlanRefused("Name the metric.")


@transaction.atomic
def add_goal(
    *,
    plan: CarePlan,
    by: User,
    words: str,
    metric: str,
    baseline: Decimal,
    target: Decimal,
    target_date: datetime.date,
    custom_metric: str = "",
    custom_unit: str = "",
    lower_is_better: bool = False,
    from_intake: bool = False,
    request: HttpRequest | None = None,
) -> Goal:
    """Add a goal in the patient's words (audit "create").

    Preconditions: ``may_edit_plan(by, plan.patient)``; values checked by GoalForm (the service refuses an
    empty goal, an unknown metric and an unnamed custom metric with PlanRefused).
    """
    fields = dict(words=words, metric=metric, custom_metric=custom_metric)
    check_goal(fields)
    now = timezone.now()
    position = (Goal.objects.filter(plan=plan).aggregate(last=Max("position"))["last"] or 0) + 1
    goal = Goal.objects.create(
        plan=plan,
        words=words.strip(),
        metric=metric,
        custom_metric=custom_metric.strip() if metric == Goal.Metric.CUSTOM else "",
        custom_unit=custom_unit.strip() if metric == Goal.Metric.CUSTOM else "",
        lower_is_better=lower_is_better if metric == Goal.Metric.CUSTOM else metric == Goal.Metric.PEG,
        baseline=baseline,
        target=target,
        target_date=target_date,
        from_intake=from_intake,
        position=position,
        created_by=by,
        created_at=now,
        updated_at=now,
    )
    record_change(
        plan=plan,
        by=by,
        kind=PlanChange.Kind.GOAL,
        summary=f"Goal added: {goal.words}",
        details={"object": object_key(goal), "fields": {"words": [None, goal.words]}},
        at=now,
    )
    audit(by=by, request=request, patient=plan.patient, action=Action.CREATE, target="care plan: goal added")
    return goal


@transaction.atomic
def change_goal(
    *, goal: Goal, by: User, based_on_version: int, request: HttpRequest | None = None, **fields
) -> list[str]:
    """Change a goal the editor opened at ``based_on_version`` (audit "update"); returns the fields changed.

    Preconditions as for add_goal; ``fields`` are some of GOAL_FIELDS. Raises StaleEdit (saving nothing)
    when anyone saved the goal after ``based_on_version``.
    """
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    if locked.version != based_on_version:
        last = last_change_of(locked)
        raise StaleEdit(locked, by=last.by if last else None, at=last.at if last else locked.updated_at)
    merged = {name: fields.get(name, getattr(locked, name)) for name in ("words", "metric", "custom_metric")}
    check_goal(merged)
    if fields.get("metric", locked.metric) != Goal.Metric.CUSTOM:
        fields.update(custom_metric="", custom_unit="", lower_is_better=fields.get("metric") == Goal.Metric.PEG)
    changed = apply_fields(locked, fields, GOAL_FIELDS)
    if not changed:
        return []
    now = timezone.now()
    locked.updated_at = now
    locked.version += 1
    locked.save()
    status_only = set(changed) == {"status"}
    summary = (
        f"Goal {locked.get_status_display().lower()}: {locked.words}"
        if status_only
        else f"Goal changed: {locked.words}"
    )
    record_change(
        plan=locked.plan,
        by=by,
        kind=PlanChange.Kind.GOAL,
        summary=summary,
        details={"object": object_key(locked), "fields": changed},
        at=now,
    )
    target = f"care plan: goal changed ({', '.join(changed)})"
    audit(by=by, request=request, patient=goal.plan.patient, action=Action.UPDATE, target=target)
    return list(changed)


@transaction.atomic
def record_goal_progress(
    *,
    goal: Goal,
    by: User,
    value: Decimal,
    recorded_on: datetime.date,
    request: HttpRequest | None = None,
) -> GoalProgress:
    """A value of the goal's metric on a day, recorded by a clinician (audit "create").

    Preconditions: ``may_edit_plan(by, goal.plan.patient)``; ``recorded_on`` is not in the future.
    """
    if recorded_on > timezone.localdate():
        raise PlanRefused("Progress is recorded for today or an earlier day.")
    progress = GoalProgress.objects.create(goal=goal, value=value, recorded_on=recorded_on, recorded_by=by)
    audit(by=by, request=request, patient=goal.plan.patient, action=Action.CREATE, target="care plan: goal progress")
    return progress


# --------------------------------------------------------------------------- the treatment portfolio


def check_intervention(fields: dict[str, Any]) -> None:
    if not str(fields.get("name", "")).strip():
        raise PlanRefused("Name the treatment.")
    if fields.get("category") not in Intervention.Category.values:
        raise PlanRefused("Choose a category from the list.")
    if fields.get("status") not in Intervention.Status.values:
        raise PlanRefused("Choose a status from the list.")
    if fields["status"] == Intervention.Status.STOPPED and not str(fields.get("stopped_reason", "")).strip():
        raise PlanRefused("Say why the treatment was stopped.")


def status_dates(fields: dict[str, Any], *, before: str | None, started_on, stopped_on) -> dict[str, Any]:
    """Started and stopped dates follow the status: active stamps a start, stopped stamps a stop."""
    today = timezone.localdate()
    status = fields.get("status")
    dates = {}
    if status == Intervention.Status.ACTIVE and not (fields.get("started_on") or started_on):
        dates["started_on"] = today
    if status == Intervention.Status.STOPPED and before != Intervention.Status.STOPPED:
        dates["stopped_on"] = today
    if status != Intervention.Status.STOPPED and stopped_on is not None:
        dates["stopped_on"] = None
        dates["stopped_reason"] = ""
    return dates


@transaction.atomic
def add_intervention(*, plan: CarePlan, by: User, request: HttpRequest | None = None, **fields) -> Intervention:
    """Add a treatment to the portfolio (audit "create"). The four questions may be left open: the plan
    shows the treatment as incomplete until they are answered.

    Preconditions: ``may_edit_plan(by, plan.patient)``; ``fields`` are some of INTERVENTION_FIELDS, checked
    by InterventionForm (the service refuses a nameless treatment, unknown choices and a stop without a reason).
    """
    fields.setdefault("status", Intervention.Status.PROPOSED)
    check_intervention(fields)
    now = timezone.now()
    values = {name: (value.strip() if isinstance(value, str) else value) for name, value in fields.items()}
    values.update(status_dates(fields, before=None, started_on=None, stopped_on=None))
    intervention = Intervention.objects.create(plan=plan, created_by=by, created_at=now, updated_at=now, **values)
    record_change(
        plan=plan,
        by=by,
        kind=PlanChange.Kind.INTERVENTION,
        summary=f"Treatment added ({intervention.get_status_display().lower()}): {intervention.name}",
        details={"object": object_key(intervention), "fields": {"name": [None, intervention.name]}},
        at=now,
    )
    audit(by=by, request=request, patient=plan.patient, action=Action.CREATE, target="care plan: treatment added")
    return intervention


@transaction.atomic
def change_intervention(
    *, intervention: Intervention, by: User, based_on_version: int, request: HttpRequest | None = None, **fields
) -> list[str]:
    """Change a treatment the editor opened at ``based_on_version`` (audit "update"); returns the fields changed.

    Preconditions as for add_intervention. Raises StaleEdit (saving nothing) when anyone saved it since.
    """
    locked = Intervention.objects.select_for_update().get(pk=intervention.pk)
    if locked.version != based_on_version:
        last = last_change_of(locked)
        raise StaleEdit(locked, by=last.by if last else None, at=last.at if last else locked.updated_at)
    merged = {name: fields.get(name, getattr(locked, name)) for name in INTERVENTION_FIELDS}
    check_intervention(merged)
    fields = {**fields, **status_dates(merged, before=locked.status, started_on=locked.started_on, stopped_on=None)}
    if merged["status"] != Intervention.Status.STOPPED:
        fields["stopped_reason"] = ""
        fields["stopped_on"] = None
    changed = apply_fields(locked, fields, (*INTERVENTION_FIELDS, "stopped_on"))
    if not changed:
        return []
    now = timezone.now()
    locked.updated_at = now
    locked.version += 1
    locked.save()
    if "status" in changed:
        summary = f"Treatment {locked.get_status_display().lower()}: {locked.name}"
    else:
        summary = f"Treatment changed: {locked.name}"
    record_change(
        plan=locked.plan,
        by=by,
        kind=PlanChange.Kind.INTERVENTION,
        summary=summary,
        reason=locked.stopped_reason if changed.get("status", [None, None])[1] == Intervention.Status.STOPPED else "",
        details={"object": object_key(locked), "fields": changed},
        at=now,
    )
    target = f"care plan: treatment changed ({', '.join(changed)})"
    audit(by=by, request=request, patient=intervention.plan.patient, action=Action.UPDATE, target=target)
    return list(changed)


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
    request: HttpRequest | None = None,
) -> Sprint:
    """Start a 4-6 week sprint testing ``interventions`` against ``metrics`` (audit "create").

    Preconditions: ``may_edit_plan(by, plan.patient)``; the interventions belong to this plan. Raises
    SprintRefused for dates that do not make 4-6 weeks, for no or unknown metrics, and while another
    sprint of the plan waits for its review.
    """
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
        summary=f"Sprint {number} started: {day_words(starts_on)} to {day_words(ends_on)}",
        details={"object": f"sprint:{sprint.public_id}", "metrics": metrics},
        at=now,
    )
    audit(by=by, request=request, patient=plan.patient, action=Action.CREATE, target="care plan: sprint started")
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
    request: HttpRequest | None = None,
) -> Sprint:
    """Record the clinician's decision on a sprint, with the rule's suggestion and the judged metrics.

    A step up or down moves the plan's tier through the same audited path as the tier form (a PlanChange
    with the measures in front of the clinician). The sprint's review task, if open, is closed.
    Preconditions: ``may_edit_plan(by, plan.patient)``; ``reason`` is not empty. Raises SprintRefused when
    the sprint was already reviewed or the decision cannot move the tier; StaleEdit when the plan changed
    after ``based_on_plan_version`` (the tier it was decided on may no longer be the tier it is at).
    """
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
        _move_tier(plan, by=by, tier=tier, reason=reason, summary_prefix=f"Sprint {sprint.number} decision")
        audit(by=by, request=request, patient=plan.patient, action=Action.UPDATE, target="care plan: tier changed")
    task = TeamTask.objects.filter(source_key=review_task_key(sprint), status=TeamTask.Status.OPEN).first()
    if task is not None:
        task.mark_done(by=by, note="Sprint reviewed.")
    audit(by=by, request=request, patient=plan.patient, action=Action.UPDATE, target="care plan: sprint reviewed")
    sprint.refresh_from_db()
    return sprint


def create_sprint_review_tasks(*, today: datetime.date | None = None, limit: int = SWEEP_BATCH) -> int:
    """The review sweep: a task reaches the lead clinician 3 days before each sprint ends; returns how many.

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


# --------------------------------------------------------------------------- reads: the sprint review


@dataclass
class MetricSeries:
    """One metric of a sprint, judged, with its points in the sprint for a small chart."""

    judgement: sprints.Judgement
    svg: SafeString = field(default_factory=SafeString)
    points: int = 0


@dataclass
class SprintReview:
    sprint: Sprint
    tier: Tier
    metrics: list[MetricSeries]
    suggestion: sprints.Suggestion
    previous_improved: bool | None
    #: PHQ-9 and GAD-7 over the sprint when it did not choose them (only for the mood override).
    mood_watch: list[sprints.Judgement] = field(default_factory=list)

    @property
    def judgements(self) -> list[sprints.Judgement]:
        return [m.judgement for m in self.metrics]


def window_end(sprint: Sprint) -> datetime.date:
    """The last day the review looks at: the sprint's end, or today while it is still running."""
    return min(sprint.ends_on, timezone.localdate())


def day_words(day: datetime.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def goal_values(goals: Sequence[Goal], *, starts_on: datetime.date, until: datetime.date) -> dict[int, dict]:
    """Per goal: the latest value before the sprint ("before") and its values in the sprint, oldest first
    ("during", at most POINTS_PER_METRIC). One query."""
    rows = (
        GoalProgress.objects.filter(goal__in=list(goals), recorded_on__lte=until)
        .annotate(
            before=Q(recorded_on__lt=starts_on),
            newest=Window(
                RowNumber(),
                partition_by=[F("goal_id"), Q(recorded_on__lt=starts_on)],
                order_by=[F("recorded_on").desc(), F("id").desc()],
            ),
        )
        .filter(Q(before=True, newest=1) | Q(before=False, newest__lte=POINTS_PER_METRIC))
        .order_by("goal_id", "recorded_on", "id")
    )
    found: dict[int, dict] = {goal.pk: {"before": None, "during": []} for goal in goals}
    for row in rows:
        if row.before:
            found[row.goal_id]["before"] = row
        else:
            found[row.goal_id]["during"].append(row)
    return found


def measure_values(patient: Patient, codes: Sequence[str], *, starts_on: datetime.date, until: datetime.date):
    """Per questionnaire code: the latest scored response before the sprint and those in it (oldest first,
    at most POINTS_PER_METRIC), with their instruments. Two queries."""
    start = start_of_day(starts_on)
    rows = (
        Response.objects.scored()
        .filter(
            patient=patient,
            instrument__code__in=list(codes),
            completed_at__lt=start_of_day(until + datetime.timedelta(days=1)),
        )
        .annotate(
            before=Q(completed_at__lt=start),
            newest=Window(
                RowNumber(),
                partition_by=[F("instrument__code"), Q(completed_at__lt=start)],
                order_by=[F("completed_at").desc(), F("id").desc()],
            ),
        )
        .filter(Q(before=True, newest=1) | Q(before=False, newest__lte=POINTS_PER_METRIC))
        .defer("answers", "context")
        .prefetch_related(
            Prefetch("instrument", queryset=Instrument.objects.only("id", "code", "name", "definition", "checksum"))
        )
        .order_by("completed_at", "id")
    )
    found: dict[str, dict] = {code: {"before": None, "during": [], "definition": None} for code in codes}
    for row in rows:
        entry = found[row.instrument.code]
        entry["definition"] = row.instrument.spec
        if row.before:
            entry["before"] = row
        else:
            entry["during"].append(row)
    return found


def judge_goal_metric(code: str, goal: Goal | None, values: dict | None) -> MetricSeries:
    if goal is None:
        missing = sprints.Judgement(
            code=code, label="A goal no longer in the plan", verdict=sprints.Verdict.NO_DATA, baseline=None, latest=None
        )
        return MetricSeries(judgement=missing)
    values = values or {"before": None, "during": []}
    start = values["before"].value if values["before"] is not None else goal.baseline
    latest = values["during"][-1].value if values["during"] else None
    judgement = sprints.judge_goal(
        code,
        label=f"{goal.words} \N{MIDDLE DOT} {goal.metric_name}",
        baseline=start,
        latest=latest,
        target=goal.target,
        lower_is_better=goal.better_is_lower,
        unit=goal.unit,
    )
    return MetricSeries(judgement=judgement, points=len(values["during"]))


def baseline_and_latest(values: dict):
    """The response a questionnaire is judged from (the latest before the sprint, else the first in it when
    there are two or more) and the one it is judged at (the newest in the sprint)."""
    during = values["during"]
    baseline = values["before"] if values["before"] is not None else (during[0] if len(during) > 1 else None)
    latest = during[-1] if during and during[-1] is not baseline else None
    return baseline, latest


def watch_mood(instrument_code: str, values: dict | None) -> sprints.Judgement | None:
    """A mood questionnaire the sprint did not choose, judged over the sprint; None when never answered."""
    if not values or values.get("definition") is None:
        return None
    baseline, latest = baseline_and_latest(values)
    return sprints.judge_measure(
        sprints.measure_metric(instrument_code),
        values["definition"],
        baseline.total if baseline else None,
        latest.total if latest else None,
    )


def judge_measure_metric(code: str, instrument_code: str, values: dict | None) -> MetricSeries:
    values = values or {"before": None, "during": [], "definition": None}
    definition = values.get("definition")
    if definition is None:
        try:
            definition = get_definition(instrument_code)
        except UnknownInstrumentError:
            missing = sprints.Judgement(
                code=code,
                label=instrument_code.upper(),
                verdict=sprints.Verdict.NO_DATA,
                baseline=None,
                latest=None,
                words="No responses",
            )
            return MetricSeries(judgement=missing)
    during = values["during"]
    baseline, latest = baseline_and_latest(values)
    judgement = sprints.judge_measure(
        code, definition, baseline.total if baseline else None, latest.total if latest else None
    )
    points = [r for r in ([values["before"]] if values["before"] else []) + during]
    svg = SafeString()
    if points:
        svg = mark_safe(  # trend_svg escapes every piece of text it writes
            trend_svg(
                [(r.completed_at, r.total) for r in points],
                definition=definition,
                width=480,
                height=200,
                id_prefix=f"sprint-{instrument_code}",
            )
        )
    return MetricSeries(judgement=judgement, svg=svg, points=len(during))


def parsed_metric(code) -> tuple[str, str]:
    """("goal", id) or ("measure", code); ("unknown", "") for a code no longer readable (never raised)."""
    try:
        return sprints.parse_metric(code)
    except ValueError:
        return "unknown", ""


def sprint_review(sprint: Sprint, *, plan: CarePlan, goals: Sequence[Goal] | None = None) -> SprintReview:
    """Every metric of the sprint judged, and the suggestion (constant queries whatever the history).

    ``goals``: the plan's goals when the caller has them already (one query saved).
    """
    tier = plan.tier if CarePlan._meta.get_field("tier").is_cached(plan) else Tier.objects.get(pk=plan.tier_id)
    parsed = [(code, *parsed_metric(code)) for code in sprint.metrics]
    goal_ids = [key for _, kind, key in parsed if kind == "goal"]
    if goals is None:
        goals = list(Goal.objects.filter(plan=plan, public_id__in=goal_ids)) if goal_ids else []
    by_id = {str(goal.public_id): goal for goal in goals}
    chosen_goals = [by_id[key] for key in goal_ids if key in by_id]
    until = window_end(sprint)
    progress = goal_values(chosen_goals, starts_on=sprint.starts_on, until=until) if chosen_goals else {}
    measure_codes = [key for _, kind, key in parsed if kind == "measure"]
    # The mood questionnaires are read even when the sprint did not choose them, in the same two queries: a
    # meaningful worsening overrides "continue" (careplans/sprints.py, app policy); they are not judged as the
    # sprint's metrics.
    watched = [code for code in sprints.MOOD_MEASURES if code not in measure_codes]
    measures = measure_values(plan.patient, [*measure_codes, *watched], starts_on=sprint.starts_on, until=until)
    metrics = []
    for code, kind, key in parsed:
        if kind == "goal":
            goal = by_id.get(key)
            metrics.append(judge_goal_metric(code, goal, progress.get(goal.pk) if goal else None))
        elif kind == "measure":
            metrics.append(judge_measure_metric(code, key, measures.get(key)))
        else:
            label = "A metric that cannot be read"
            unknown = sprints.Judgement(str(code), label, sprints.Verdict.NO_DATA, baseline=None, latest=None)
            metrics.append(MetricSeries(judgement=unknown))
    previous = (
        Sprint.objects.filter(plan_id=plan.pk, number__lt=sprint.number, reviewed_at__isnull=False)
        .order_by("-number")
        .values_list("improved", flat=True)
        .first()
    )
    judgements = [m.judgement for m in metrics]
    mood_watch = [found for code in watched if (found := watch_mood(code, measures.get(code))) is not None]
    suggestion = sprints.suggest(judgements, tier=tier.number, previous_improved=previous, mood_watch=mood_watch)
    return SprintReview(
        sprint=sprint,
        tier=tier,
        metrics=metrics,
        suggestion=suggestion,
        previous_improved=previous,
        mood_watch=mood_watch,
    )


# --------------------------------------------------------------------------- reads: the plan page


@dataclass(frozen=True)
class PortfolioGroup:
    category: str
    label: str
    interventions: list[Intervention]


@dataclass
class PlanPage:
    plan: CarePlan
    goals: list[Goal]
    portfolio: list[PortfolioGroup]
    current_sprint: Sprint | None
    past_sprints: list[Sprint]
    changes: list[PlanChange]
    measures: list[dict]

    @property
    def incomplete_count(self) -> int:
        return sum(1 for group in self.portfolio for i in group.interventions if not i.four_questions_answered)


def goals_for_page(plan: CarePlan):
    """The plan's goals with their latest progress and latest comment, and how many comments (one query)."""
    latest = GoalProgress.objects.filter(goal=OuterRef("pk")).order_by("-recorded_on", "-id")
    last_comment = GoalComment.objects.filter(goal=OuterRef("pk")).order_by("-created_at", "-id")
    comments = GoalComment.objects.filter(goal=OuterRef("pk")).order_by().values("goal").annotate(n=Count("id"))
    return (
        Goal.objects.filter(plan=plan)
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("recorded_on")[:1]),
            last_comment_text=Subquery(last_comment.values("text")[:1]),
            last_comment_by_patient=Subquery(last_comment.values("by_patient")[:1]),
            last_comment_at=Subquery(last_comment.values("created_at")[:1]),
            comment_count=Subquery(comments.values("n")[:1]),
        )
        .order_by("status", "position", "id")
    )


ACTIVE_FIRST = ("active", "proposed", "paused", "stopped")
STATUS_ORDER = {status: rank for rank, status in enumerate(ACTIVE_FIRST)}


def group_portfolio(interventions: Iterable[Intervention]) -> list[PortfolioGroup]:
    """Treatments by category in the list's order; active first within a category, stopped last."""
    interventions = list(interventions)
    groups = []
    for category, label in Intervention.Category.choices:
        mine = [i for i in interventions if i.category == category]
        mine.sort(key=lambda i: (STATUS_ORDER[i.status], i.name.lower(), i.pk))
        if mine:
            groups.append(PortfolioGroup(category=category, label=label, interventions=mine))
    return groups


def metric_label(code: str, goals_by_id: dict[str, Goal]) -> str:
    try:
        kind, key = sprints.parse_metric(code)
    except ValueError:
        return code
    if kind == "goal":
        goal = goals_by_id.get(key)
        return f"Goal: {goal.words}" if goal else "A goal no longer in the plan"
    return measure_name(key)


def plan_page(plan: CarePlan) -> PlanPage:
    """Everything the plan page shows, in a constant number of queries (eight) whatever the history."""
    goals = list(goals_for_page(plan))
    for goal in goals:
        goal.judged = sprints.judge_goal(
            sprints.goal_metric(goal.public_id),
            label=goal.words,
            baseline=goal.baseline,
            latest=goal.latest_value,
            target=goal.target,
            lower_is_better=goal.better_is_lower,
            unit=goal.unit,
        )
    interventions = list(Intervention.objects.filter(plan=plan))
    sprint_list = list(
        Sprint.objects.filter(plan=plan)
        .select_related("reviewed_by")
        .prefetch_related(Prefetch("interventions", queryset=Intervention.objects.only("id", "name", "public_id")))
        .order_by("-number")[: SPRINTS_SHOWN + 1]
    )
    current = next((s for s in sprint_list if s.reviewed_at is None), None)
    past = [s for s in sprint_list if s.reviewed_at is not None][:SPRINTS_SHOWN]
    goals_by_id = {str(g.public_id): g for g in goals}
    for sprint in sprint_list:
        sprint.metric_labels = [metric_label(code, goals_by_id) for code in sprint.metrics]
    changes = list(PlanChange.objects.filter(plan=plan).select_related("by")[:HISTORY_SHOWN])
    return PlanPage(
        plan=plan,
        goals=goals,
        portfolio=group_portfolio(interventions),
        current_sprint=current,
        past_sprints=past,
        changes=changes,
        measures=measures_snapshot(plan.patient),
    )


def active_plan_for(patient: Patient) -> CarePlan | None:
    plan = CarePlan.objects.active().filter(patient=patient).select_related("tier", "lead", "updated_by").first()
    if plan is not None:
        plan.patient = patient
    return plan


def case_conference_candidates():
    """Patients whose last two reviewed sprints did not improve (for the coordination issue's list)."""
    return Patient.objects.filter(care_plans__in=CarePlan.objects.not_improving())
