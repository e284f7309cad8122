"""Workflows for the flare-up plan, pacing plans and the patient's daily logs.

Who calls them, and what they check:

- Staff (``by``), from the clinician's pages: `save_flare_plan` (optimistic locking on the flare-up plan's
  version; every change kept as PlanChange), `create_pacing_plan` and `stop_pacing_plan` (a pacing plan starts
  and stops with a PlanChange). Each checks ``clinic.access.plans.may_edit_plan(by, patient)`` itself and raises
  ``clinic.access.refusals.Refused`` (EDITORS_ONLY) before writing anything, and writes its audit event.
- The patient, from the portal (their own link: there is no staff ``by``, and the portal views find the
  patient's own rows): `log_pacing_session` (today's session, with the planned amount of the schedule),
  `save_daily_log` (a check-in; several a day, a repeated submission of the same form saves once),
  and `add_patient_goal_comment`. The portal views write their audit events.

Reminders to log (the patient's choice, and the sweep that sends them) are careplans/logs/reminders.py.

What the patient writes in their own words from the portal (a check-in, a session note, a goal comment) is
checked for self-harm words as it is saved: a match raises an urgent task in the same transaction
(patients/self_harm_services.py).
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from careplans.logs import pacing
from careplans.logs.selectors import logged, spec_of
from careplans.models import (
    CarePlan,
    DailyLog,
    FlarePlan,
    GoalComment,
    PacingPlan,
    PacingSession,
    PlanChange,
)
from careplans.plan_services import check_editor
from clinic.models import User
from patients import self_harm, self_harm_services

# --------------------------------------------------------------------------- the flare-up plan

FLARE_FIELDS = (
    "warning_signs",
    "reduce_by_percent",
    "reduce_for_hours",
    "what_to_reduce",
    "what_helps",
    "when_to_call",
    "when_urgent",
)


class StaleEdit(Exception):
    """Someone saved the flare-up plan after the editor opened it: nothing was saved.

    `current` is the plan as saved now; `changes` the history rows written since the editor's version
    (newest first), each with `details["before"]` and `details["after"]` of the fields it changed.
    """

    def __init__(self, current: FlarePlan, changes: list[PlanChange]):
        super().__init__("The flare-up plan was changed by someone else.")
        self.current = current
        self.changes = changes


def flare_values(flare_plan: FlarePlan) -> dict:
    return {name: getattr(flare_plan, name) for name in FLARE_FIELDS}


def changes_since(plan: CarePlan, version: int) -> list[PlanChange]:
    return list(
        PlanChange.objects.filter(plan=plan, kind=PlanChange.Kind.FLARE_PLAN, details__version__gt=version)
        .select_related("by")
        .order_by("-at", "-id")[:20]
    )


@transaction.atomic
def save_flare_plan(
    *,
    plan: CarePlan,
    by: User,
    version: int,
    values: dict,
    reason: str = "",
    audit: AuditContext | None = None,
) -> FlarePlan:
    """Save the flare-up plan as edited from `version` (0: the editor saw no saved plan yet); audit "update".

    Refused unless ``may_edit_plan(by, plan.patient)``. Precondition: `values` holds every name of
    FLARE_FIELDS, cleaned by FlarePlanForm. Raises StaleEdit when the saved version is not `version`:
    nothing is overwritten, and the editor is shown what changed. Saving unchanged values changes no row
    (the save is still audited).
    """
    check_editor(by, plan.patient)
    saved = write_flare_plan(plan=plan, by=by, version=version, values=values, reason=reason)
    record_event(actor=by, context=audit, patient=plan.patient, action=Action.UPDATE, target="flare-up plan")
    return saved


def write_flare_plan(*, plan: CarePlan, by: User, version: int, values: dict, reason: str) -> FlarePlan:
    """save_flare_plan's rows (its caller has checked ``by``)."""
    values = {name: values[name] for name in FLARE_FIELDS}
    now = timezone.now()
    current = FlarePlan.objects.select_for_update().filter(plan=plan).first()
    if current is None:
        if version != 0:  # cannot happen through the app (flare-up plans are never deleted)
            raise StaleEdit(FlarePlan(plan=plan, version=0), [])
        before = flare_values(FlarePlan(plan=plan))
        try:
            with transaction.atomic():
                current = FlarePlan.objects.create(plan=plan, updated_by=by, updated_at=now, version=1, **values)
        except IntegrityError:  # another editor created it at the same moment
            raced = FlarePlan.objects.get(plan=plan)
            raise StaleEdit(raced, changes_since(plan, 0)) from None
        record_flare_change(plan, by=by, version=1, before=before, after=values, reason=reason, created=True)
        return current
    if current.version != version:
        raise StaleEdit(current, changes_since(plan, version))
    before = flare_values(current)
    changed = {name for name in FLARE_FIELDS if before[name] != values[name]}
    if not changed:
        return current
    for name in changed:
        setattr(current, name, values[name])
    current.version += 1
    current.updated_by, current.updated_at = by, now
    current.save(update_fields=[*sorted(changed), "version", "updated_by", "updated_at"])
    record_flare_change(
        plan,
        by=by,
        version=current.version,
        before={n: before[n] for n in changed},
        after={n: values[n] for n in changed},
        reason=reason,
    )
    return current


def flare_label(name: str) -> str:
    """A flare-up plan field's words (its verbose name), as the history and the edit conflict show them."""
    return next(str(field.verbose_name) for field in FlarePlan._meta.fields if field.name == name)


def record_flare_change(plan, *, by, version: int, before: dict, after: dict, reason: str, created=False) -> None:
    labels = ", ".join(flare_label(name) for name in FLARE_FIELDS if name in after)
    summary = "Flare-up plan written" if created else f"Flare-up plan changed: {labels}"
    PlanChange.objects.create(
        plan=plan,
        kind=PlanChange.Kind.FLARE_PLAN,
        summary=summary[:300],
        reason=reason,
        details={"version": version, "before": before, "after": after},
        by=by,
    )


# --------------------------------------------------------------------------- pacing plans


def describe_amount(amount: Decimal | None, unit: str) -> str:
    if amount is None:
        return ""
    return f"{amount.normalize():f} {unit}".strip()


@transaction.atomic
def create_pacing_plan(
    *,
    plan: CarePlan,
    by: User,
    activity: str,
    unit: str,
    baseline: Decimal,
    start_percent: int,
    increment_kind: str,
    increment_value: Decimal,
    every_days: int,
    target: Decimal,
    rests: str,
    starts_on: date,
    audit: AuditContext | None = None,
) -> PacingPlan:
    """Start a pacing plan on the care plan, with a PlanChange (audit "create").

    Refused unless ``may_edit_plan(by, plan.patient)``. Preconditions: the care plan is active (the page
    finds the active one); the numbers make a schedule (PacingPlanForm checks them with careplans.logs.pacing).
    """
    check_editor(by, plan.patient)
    pacing_plan = PacingPlan.objects.create(
        plan=plan,
        activity=activity,
        unit=unit,
        baseline=baseline,
        start_percent=start_percent,
        increment_kind=increment_kind,
        increment_value=increment_value,
        every_days=every_days,
        target=target,
        rests=rests,
        starts_on=starts_on,
        created_by=by,
    )
    amounts = pacing.step_amounts(spec_of(pacing_plan))
    PlanChange.objects.create(
        plan=plan,
        kind=PlanChange.Kind.PACING,
        summary=(
            f"Pacing plan started: {activity}, from {describe_amount(amounts[0], unit)} "
            f"to {describe_amount(amounts[-1], unit)} in {len(amounts)} steps"
        )[:300],
        details={"pacing_plan": str(pacing_plan.public_id), "starts_on": starts_on.isoformat()},
        by=by,
    )
    record_event(actor=by, context=audit, patient=plan.patient, action=Action.CREATE, target="pacing plan")
    return pacing_plan


@transaction.atomic
def stop_pacing_plan(
    *,
    pacing_plan: PacingPlan,
    by: User,
    reason: str,
    status: str = PacingPlan.Status.STOPPED,
    audit: AuditContext | None = None,
) -> bool:
    """Stop a running pacing plan (or mark its target reached; audit "update"); False when it was no longer
    running (nothing written).

    Refused unless ``may_edit_plan(by, pacing_plan.plan.patient)``. Precondition: `status` is STOPPED or DONE.
    """
    patient = pacing_plan.plan.patient
    check_editor(by, patient)
    updated = PacingPlan.objects.filter(id=pacing_plan.id, status=PacingPlan.Status.ACTIVE).update(status=status)
    if not updated:
        return False
    pacing_plan.status = status
    words = "target reached" if status == PacingPlan.Status.DONE else "stopped"
    PlanChange.objects.create(
        plan_id=pacing_plan.plan_id,
        kind=PlanChange.Kind.PACING,
        summary=f"Pacing plan {words}: {pacing_plan.activity}"[:300],
        reason=reason,
        details={"pacing_plan": str(pacing_plan.public_id)},
        by=by,
    )
    record_event(actor=by, context=audit, patient=patient, action=Action.UPDATE, target="pacing plan: ended")
    return True


class SessionRefused(Exception):
    """A pacing session that cannot be logged (the message is for the patient: plain and kind, in the language
    of the patient's page)."""


def starts_words(day: date) -> str:
    return gettext("This activity plan starts on %(day)s.") % {"day": date_format(day, gettext("l, F j"))}


@transaction.atomic
def log_pacing_session(
    *, pacing_plan: PacingPlan, on: date, outcome: str, actual_amount: Decimal | None = None, note: str = ""
) -> tuple[PacingSession, bool]:
    """Log (or correct) the patient's session of `on`; returns (session, created).

    The patient's own, from the portal (no staff ``by``, so no staff check): the portal view finds the pacing
    plan among the patient's own, by their link. Preconditions: outcome is one of PacingSession.Outcome; a
    partly done session has an amount (PacingSessionForm checks). The planned amount is the schedule's for
    that day, from the sessions logged before it. One session a day: logging the same day again replaces
    that day's log.
    Raises SessionRefused when the plan is not running or the day is outside it.
    """
    locked = PacingPlan.objects.select_for_update().get(pk=pacing_plan.pk)
    if locked.status != PacingPlan.Status.ACTIVE:
        raise SessionRefused(gettext("This activity plan has ended, so there is nothing to log for it."))
    if on < locked.starts_on:
        raise SessionRefused(starts_words(locked.starts_on))
    if on > timezone.localdate():
        raise SessionRefused(gettext("You can log a session on the day you do it."))
    earlier = [logged(s) for s in locked.sessions.filter(on__lt=on)]
    planned = pacing.schedule(spec_of(locked), earlier, today=on).amount_on(on)
    if planned is None:  # never: the day is not before the start (checked above); this tells the type checker
        raise SessionRefused(starts_words(locked.starts_on))
    if outcome == PacingSession.Outcome.DONE:
        actual_amount = planned if actual_amount is None else actual_amount
    elif outcome == PacingSession.Outcome.FLARE:
        actual_amount = None
    session, created = PacingSession.objects.update_or_create(
        pacing_plan=locked,
        on=on,
        defaults={
            "planned_amount": planned,
            "outcome": outcome,
            "actual_amount": actual_amount,
            "note": note,
            "logged_at": timezone.now(),
        },
    )
    if self_harm.mentions_self_harm(note):  # the patient's own words: the safety net, in this transaction
        self_harm_services.check_patient_text(
            patient=locked.plan.patient, texts=(note,), where=self_harm_services.PACING, key=session.pk
        )
    return session, created


# --------------------------------------------------------------------------- daily logs


@transaction.atomic
def save_daily_log(
    *,
    patient,
    pain_interference: int,
    sleep_hours: Decimal | None = None,
    sleep_quality: int | None = None,
    activity: str = "",
    pacing_session: PacingSession | None = None,
    steps: int | None = None,
    mood_word: str = "",
    note: str = "",
    entry_id: uuid.UUID | None = None,
) -> tuple[DailyLog, bool]:
    """Save a check-in; returns (log, created).

    The patient's own, from the portal (no staff ``by``, so no staff check): `patient` is the link's patient.
    Preconditions: values cleaned by DailyLogForm; `pacing_session`, if any, is the patient's own.
    `entry_id` is the id the check-in form was opened with: the same form sent twice (a double tap, a
    retried request) saves one check-in, and the second call returns it with created=False.
    """
    if entry_id is not None:
        existing = DailyLog.objects.filter(public_id=entry_id).first()
        if existing is not None:
            if existing.patient_id == patient.id:
                return existing, False
            entry_id = None  # not this patient's id: ignore it
    values = dict(
        patient=patient,
        pain_interference=pain_interference,
        sleep_hours=sleep_hours,
        sleep_quality=sleep_quality,
        activity=activity,
        pacing_session=pacing_session,
        steps=steps,
        mood_word=mood_word,
        note=note,
    )
    if entry_id is not None:
        try:
            with transaction.atomic():
                log = DailyLog.objects.create(public_id=entry_id, **values)
        except IntegrityError:  # the same form, sent twice at the same moment
            existing = DailyLog.objects.filter(public_id=entry_id, patient=patient).first()
            if existing is not None:
                return existing, False
        else:
            return check_daily_log_words(log), True
    return check_daily_log_words(DailyLog.objects.create(**values)), True


def daily_log_texts(log: DailyLog) -> tuple[str, ...]:
    """What the patient wrote in their own words in a check-in: the note, the mood word and the activity."""
    return (log.note, log.mood_word, log.activity)


def check_daily_log_words(log: DailyLog) -> DailyLog:
    """The patient's own words in a check-in checked for self-harm words; a match raises the urgent task in this
    transaction (patients/self_harm_services.py)."""
    self_harm_services.check_patient_text(
        patient=log.patient,
        texts=daily_log_texts(log),
        where=self_harm_services.CHECKIN,
        key=log.public_id,
    )
    return log


# --------------------------------------------------------------------------- the patient's goal comments


@transaction.atomic
def add_patient_goal_comment(*, goal, text: str) -> GoalComment:
    """The patient's comment on one of their goals, from the portal (no staff ``by``, so no staff check).

    Preconditions: `goal` belongs to the patient's active care plan (the portal view checks); `text` is
    cleaned by GoalCommentForm.
    """
    comment = GoalComment.objects.create(goal=goal, text=text, by_patient=True)
    self_harm_services.check_patient_text(
        patient=goal.plan.patient, texts=(text,), where=self_harm_services.GOAL_COMMENT, key=comment.pk
    )
    return comment
