"""Tapers: save a plan made by the pure planner (medications/rules/tapering.py), record the doses actually taken
(follow-ups) and pause, resume, complete or stop it. Prescribers only; a rapid taper, a dose below the plan or
a stop from above the policy's MME needs a recorded reason.

Each plan's steps are rounded to doses a person can take (medications/rules/taper_doses.py) when it is saved and
whenever it changes (resumed and re-dated); a prescriber confirms the rounded schedule before the patient sees it,
and pausing or re-dating clears that confirmation, so it is asked for again.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.medication_lines import PRESCRIBER_DECISION, may_prescribe
from clinic.access.refusals import refuse_unless
from clinic.dates import today
from medications.models import Medication, TaperActual, TaperPlan
from medications.rules import tapering
from medications.selectors.monitoring import policy_or_defaults
from medications.selectors.tapers import (
    actual_concerns,
    opioid_use,
    rounded_doses,
    taper_concerns,
    taper_schedule,
)
from medications.services import AlreadyExists, ReasonRequired, StaleEdit
from medications.services.monitoring import close_tasks, taper_follow_up_prefix


@transaction.atomic
def start_taper(
    *,
    patient,
    by,
    audit: AuditContext | None = None,
    schedule: tapering.TaperSchedule,
    single_step: bool = False,
    reason: str = "",
) -> TaperPlan:
    """Save a taper plan made by the planner from the current regimen. Preconditions: ``schedule`` comes from
    ``tapering.plan_taper`` with the current total MME/day. A rapid taper (judged with how long the patient has
    been on opioids, from the medication history) or a stop from above the policy's MME needs ``reason``
    (ReasonRequired). One taper in progress (active or paused) per patient (AlreadyExists), the same rule as the
    taper page's."""
    refuse_unless(may_prescribe(by, patient), PRESCRIBER_DECISION)
    use = opioid_use(patient, today())
    concerns = taper_concerns(schedule, single_step=single_step, policy=policy_or_defaults(), use=use)
    if concerns.need_reason and not reason.strip():
        raise ReasonRequired("This taper is faster than the guideline's rate or stops from a higher dose.")
    in_progress = (TaperPlan.Status.ACTIVE, TaperPlan.Status.PAUSED)
    if TaperPlan.objects.select_for_update().filter(patient=patient, status__in=in_progress).exists():
        raise AlreadyExists("This patient already has a taper in progress.")
    current = list(Medication.objects.filter(patient=patient).current().opioids().order_by("id"))
    taper = TaperPlan.objects.create(
        patient=patient,
        starting_regimen=[
            {"drug_code": m.drug_code, "dose": m.dose_words, "medication": str(m.public_id)} for m in current
        ],
        starting_mme=schedule.original_mme,
        rate_percent=schedule.rate_percent,
        period=schedule.period.value,
        target_mme=schedule.target_mme,
        schedule=schedule.as_json(),
        starts_on=schedule.starts_on,
        faster_reason=reason.strip() if concerns.need_reason else "",
        created_by=by,
    )
    taper.doses = rounded_doses(taper)
    taper.save(update_fields=["doses"])
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target="taper plan")
    return taper


@transaction.atomic
def record_taper_actual(
    *, taper: TaperPlan, by, audit: AuditContext | None = None, on: datetime.date, mme: Decimal, note: str = ""
) -> TaperActual:
    """The dose actually taken from a date (a follow-up). Below the plan on that date (faster than the chosen
    rate), or a stop from above the policy's MME, needs a reason in ``note`` (ReasonRequired)."""
    refuse_unless(may_prescribe(by, taper.patient), PRESCRIBER_DECISION)
    concerns = actual_concerns(taper, on=on, mme=mme)
    if (concerns["faster"] or concerns["stops_from"] is not None) and not note.strip():
        raise ReasonRequired("A reduction faster than the plan, or a stop from a higher dose, needs a reason.")
    actual = TaperActual.objects.create(taper=taper, on=on, mme=mme, note=note.strip(), recorded_by=by)
    close_tasks(prefix=taper_follow_up_prefix(taper.id), by=by, note="Taper follow-up recorded.")
    record_event(actor=by, context=audit, patient=taper.patient, action=Action.CREATE, target="taper follow-up dose")
    return actual


@transaction.atomic
def set_taper_status(
    *, taper: TaperPlan, by, audit: AuditContext | None = None, status: str, expected_version: int
) -> TaperPlan:
    """Pause, resume, complete or stop a taper (optimistic locking on its version).

    Pausing keeps the day; resuming moves every step not yet reached later by the days it was paused
    (tapering.redate_after_pause), so the patient never takes two steps at once after a pause.
    """
    refuse_unless(may_prescribe(by, taper.patient), PRESCRIBER_DECISION)
    locked = TaperPlan.objects.select_for_update().get(pk=taper.pk)
    if locked.version != expected_version:
        raise StaleEdit(locked)
    fields = {"status": status, "version": F("version") + 1}
    resumed = locked.status == TaperPlan.Status.PAUSED and status == TaperPlan.Status.ACTIVE
    if status == TaperPlan.Status.PAUSED and locked.status != TaperPlan.Status.PAUSED:
        fields["paused_on"] = today()
    elif status != TaperPlan.Status.PAUSED:
        fields["paused_on"] = None
    if resumed and locked.paused_on:
        fields["schedule"] = tapering.redate_after_pause(
            taper_schedule(locked), paused_on=locked.paused_on, resumed_on=today()
        ).as_json()
        locked.schedule = fields["schedule"]
        fields["doses"] = rounded_doses(locked)  # the new dates, from the medication list as it is now
    if status in (TaperPlan.Status.PAUSED, TaperPlan.Status.ACTIVE) and status != locked.status:
        # Paused or re-dated: the dates the prescriber confirmed are no longer the plan's; ask again.
        fields |= {"doses_confirmed_at": None, "doses_confirmed_by": None}
    TaperPlan.objects.filter(pk=taper.pk).update(**fields)
    taper.refresh_from_db()
    record_event(actor=by, context=audit, patient=taper.patient, action=Action.UPDATE, target=f"taper {status}")
    return taper


@transaction.atomic
def work_out_doses(*, taper: TaperPlan, by, audit: AuditContext | None = None, expected_version: int) -> TaperPlan:
    """Round the taper's steps again from the patient's medication list as it is now (after a line changed).
    Clears any confirmation: the prescriber confirms the new rounding. Prescribers only."""
    refuse_unless(may_prescribe(by, taper.patient), PRESCRIBER_DECISION)
    locked = TaperPlan.objects.select_for_update().get(pk=taper.pk)
    if locked.version != expected_version:
        raise StaleEdit(locked)
    locked.patient = taper.patient
    TaperPlan.objects.filter(pk=taper.pk).update(
        doses=rounded_doses(locked), doses_confirmed_at=None, doses_confirmed_by=None, version=F("version") + 1
    )
    taper.refresh_from_db()
    record_event(actor=by, context=audit, patient=taper.patient, action=Action.UPDATE, target="taper doses worked out")
    return taper


class NothingToConfirm(Exception):
    """The taper has no rounded doses to confirm (the app could not work them out), or it is not in progress."""


@transaction.atomic
def confirm_doses(*, taper: TaperPlan, by, audit: AuditContext | None = None, expected_version: int) -> TaperPlan:
    """A prescriber confirms the rounded schedule they were shown (``expected_version``: StaleEdit when the taper
    changed since), so the patient's print and portal page show it. An active taper with rounded doses only
    (NothingToConfirm: a paused taper is re-dated when it resumes, and confirmed then)."""
    refuse_unless(may_prescribe(by, taper.patient), PRESCRIBER_DECISION)
    locked = TaperPlan.objects.select_for_update().get(pk=taper.pk)
    if locked.version != expected_version:
        raise StaleEdit(locked)
    if locked.status != TaperPlan.Status.ACTIVE or not locked.doses.get("steps"):
        raise NothingToConfirm("There is no rounded schedule to confirm.")
    TaperPlan.objects.filter(pk=taper.pk).update(
        doses_confirmed_at=timezone.now(), doses_confirmed_by=by, version=F("version") + 1
    )
    taper.refresh_from_db()
    record_event(actor=by, context=audit, patient=taper.patient, action=Action.UPDATE, target="taper doses confirmed")
    return taper
