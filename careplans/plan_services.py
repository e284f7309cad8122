"""The care plan's workflows: starting a plan, changing its tier, lead and parts (goals, the treatment
portfolio). Sprints and their reviews are in careplans/sprint_services.py; the reads behind the plan page and
the sprint review page in careplans/selectors.py.

Who may do what (issue 5; clinic/access/plans.py):

- Clinicians with access to the patient (their care team, or an open task about the patient) and the
  ``clinic.chart_clinical_notes`` permission start and change plans (``may_edit_plan``).
- Coordinators and clinic admins read plans and change nothing.

Every function here that changes a plan checks ``may_edit_plan(by, patient)`` itself, first, and raises
``clinic.access.refusals.Refused`` (EDITORS_ONLY) before writing anything, whoever calls it (a page, a command,
a test). The pages reach the patient through ``clinic.access.get_patient_for_user`` first (outsiders have had
their 404) and refuse (403) before reading a form. Every change writes a PlanChange row (who, when, why,
before and after) and an audit event in the same transaction; audit targets never carry patient data.

Optimistic locking: plans, goals and interventions carry a version. A change based on an older version
raises ``StaleEdit`` and saves nothing; the exception carries the record as saved now and who saved it,
so the person sees the other person's values next to their own.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from careplans.models import (
    CarePlan,
    Goal,
    GoalProgress,
    Intervention,
    PlanChange,
    Tier,
)
from clinic.access.plans import EDITORS_ONLY, may_edit_plan
from clinic.access.refusals import refuse_unless
from clinic.models import User
from measures.definitions import UnknownInstrumentError, get_definition
from measures.models import MeasureSummary
from patients.models import Patient

# --------------------------------------------------------------------------- who may


def check_editor(by: User, patient: Patient) -> None:
    """Refused (EDITORS_ONLY) unless ``by`` may change this patient's plan: every changing service's first step."""
    refuse_unless(may_edit_plan(by, patient), EDITORS_ONLY)


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
    audit: AuditContext | None = None,
) -> CarePlan:
    """Start the patient's care plan (audit "create"); the measures in front of ``by`` are kept.

    Refused unless ``may_edit_plan(by, patient)``. Precondition: ``lead`` is an active clinician. Raises
    PlanExists when the patient already has an active plan (the database's one-active-plan rule backs this up).
    """
    check_editor(by, patient)
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
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target="care plan: started")
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
    audit: AuditContext | None = None,
) -> CarePlan:
    """Move the plan to another tier: who, when, why and the latest measures are kept (audit "update").

    Refused unless ``may_edit_plan(by, plan.patient)``. Raises PlanRefused without a reason or when the tier is
    the current one; StaleEdit when the plan was changed after ``based_on_version``.
    """
    check_editor(by, plan.patient)
    locked = lock_plan(plan, based_on_version=based_on_version)
    move_tier(locked, by=by, tier=tier, reason=reason, summary_prefix="Tier changed")
    record_event(actor=by, context=audit, patient=plan.patient, action=Action.UPDATE, target="care plan: tier changed")
    return locked


def move_tier(locked: CarePlan, *, by: User, tier: Tier, reason: str, summary_prefix: str) -> None:
    """The one path every tier change takes (from the tier form and from a sprint decision); its callers have
    checked ``by`` (change_tier, sprint_services.review_sprint)."""
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
    audit: AuditContext | None = None,
) -> list[str]:
    """Change the lead clinician and who the patient calls (audit "update"); returns the fields changed.

    Refused unless ``may_edit_plan(by, plan.patient)``. Precondition: ``lead`` is an active clinician.
    StaleEdit as for change_tier.
    """
    check_editor(by, plan.patient)
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
    record_event(actor=by, context=audit, patient=plan.patient, action=Action.UPDATE, target=target)
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
    audit: AuditContext | None = None,
) -> Goal:
    """Add a goal in the patient's words (audit "create").

    Refused unless ``may_edit_plan(by, plan.patient)``. Values are checked by GoalForm; the service refuses an
    empty goal, an unknown metric and an unnamed custom metric with PlanRefused.
    """
    check_editor(by, plan.patient)
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
    record_event(actor=by, context=audit, patient=plan.patient, action=Action.CREATE, target="care plan: goal added")
    return goal


@transaction.atomic
def change_goal(
    *, goal: Goal, by: User, based_on_version: int, audit: AuditContext | None = None, **fields
) -> list[str]:
    """Change a goal the editor opened at ``based_on_version`` (audit "update"); returns the fields changed.

    Refused unless ``may_edit_plan(by, goal.plan.patient)``; ``fields`` are some of GOAL_FIELDS, checked as for
    add_goal. Raises StaleEdit (saving nothing) when anyone saved the goal after ``based_on_version``.
    """
    check_editor(by, goal.plan.patient)
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
    record_event(actor=by, context=audit, patient=goal.plan.patient, action=Action.UPDATE, target=target)
    return list(changed)


@transaction.atomic
def record_goal_progress(
    *,
    goal: Goal,
    by: User,
    value: Decimal,
    recorded_on: datetime.date,
    audit: AuditContext | None = None,
) -> GoalProgress:
    """A value of the goal's metric on a day, recorded by a clinician (audit "create").

    Refused unless ``may_edit_plan(by, goal.plan.patient)``; PlanRefused when ``recorded_on`` is in the future.
    """
    check_editor(by, goal.plan.patient)
    if recorded_on > timezone.localdate():
        raise PlanRefused("Progress is recorded for today or an earlier day.")
    progress = GoalProgress.objects.create(goal=goal, value=value, recorded_on=recorded_on, recorded_by=by)
    record_event(
        actor=by, context=audit, patient=goal.plan.patient, action=Action.CREATE, target="care plan: goal progress"
    )
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
    dates: dict[str, Any] = {}
    if status == Intervention.Status.ACTIVE and not (fields.get("started_on") or started_on):
        dates["started_on"] = today
    if status == Intervention.Status.STOPPED and before != Intervention.Status.STOPPED:
        dates["stopped_on"] = today
    if status != Intervention.Status.STOPPED and stopped_on is not None:
        dates["stopped_on"] = None
        dates["stopped_reason"] = ""
    return dates


@transaction.atomic
def add_intervention(*, plan: CarePlan, by: User, audit: AuditContext | None = None, **fields) -> Intervention:
    """Add a treatment to the portfolio (audit "create"). The four questions may be left open: the plan
    shows the treatment as incomplete until they are answered.

    Refused unless ``may_edit_plan(by, plan.patient)``; ``fields`` are some of INTERVENTION_FIELDS, checked by
    InterventionForm (the service refuses a nameless treatment, unknown choices and a stop without a reason).
    """
    check_editor(by, plan.patient)
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
    record_event(
        actor=by, context=audit, patient=plan.patient, action=Action.CREATE, target="care plan: treatment added"
    )
    return intervention


@transaction.atomic
def change_intervention(
    *, intervention: Intervention, by: User, based_on_version: int, audit: AuditContext | None = None, **fields
) -> list[str]:
    """Change a treatment the editor opened at ``based_on_version`` (audit "update"); returns the fields changed.

    Refused unless ``may_edit_plan(by, intervention.plan.patient)``; ``fields`` checked as for add_intervention.
    Raises StaleEdit (saving nothing) when anyone saved it since.
    """
    check_editor(by, intervention.plan.patient)
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
    record_event(actor=by, context=audit, patient=intervention.plan.patient, action=Action.UPDATE, target=target)
    return list(changed)
