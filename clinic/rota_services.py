"""The on-duty rota, staff away and the clinic's medical lead: who may change them, the changes, and the
Team page's overview. Coordinators and clinic admins keep the rota; anyone marks themselves away
(coordinators and admins mark others); clinic admins name the medical lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from clinic import duty
from clinic.models import DutyShift, StaffAbsence, User
from clinic.roles import Role
from clinic.safety_net import clinic_hours, current_slot, named_medical_lead, on_duty_now

ROTA_DAYS = 14


def may_keep_rota(user) -> bool:
    return bool(user.is_active and (user.role in (Role.COORDINATOR, Role.ADMIN) or user.is_superuser))


def may_name_medical_lead(user) -> bool:
    return bool(user.is_active and user.is_clinic_admin)


def may_mark_away(user, staff: User) -> bool:
    return bool(user.is_active and (user.pk == staff.pk or may_keep_rota(user)))


@transaction.atomic
def set_shift(*, on: date, slot: str, clinician: User | None, by: User) -> DutyShift | None:
    """Put ``clinician`` on the slot (replacing whoever was), or leave a gap when None."""
    if not may_keep_rota(by):
        raise PermissionDenied("Coordinators and clinic admins keep the rota.")
    if clinician is None:
        DutyShift.objects.filter(on=on, slot=slot).delete()
        return None
    if clinician.role != Role.CLINICIAN or not clinician.is_active:
        raise ValueError("Only an active clinician can be on duty.")
    shift, _ = DutyShift.objects.update_or_create(
        on=on, slot=slot, defaults={"clinician": clinician, "set_by": by, "set_at": timezone.now()}
    )
    return shift


@transaction.atomic
def mark_away(*, staff: User, starts_on: date, ends_on: date, note: str = "", by: User) -> StaffAbsence:
    if not may_mark_away(by, staff):
        raise PermissionDenied("You can mark yourself away; coordinators and clinic admins mark others.")
    if ends_on < starts_on:
        raise ValueError("The last day cannot be before the first day.")
    return StaffAbsence.objects.create(staff=staff, starts_on=starts_on, ends_on=ends_on, note=note, recorded_by=by)


@transaction.atomic
def end_absence(*, absence: StaffAbsence, by: User) -> None:
    """Back early (or a mistake): an absence that has started ends yesterday; one that has not is removed."""
    if not may_mark_away(by, absence.staff):
        raise PermissionDenied("You can change your own time away; coordinators and clinic admins change others'.")
    today = timezone.localdate()
    if absence.starts_on >= today:
        absence.delete()
    else:
        StaffAbsence.objects.filter(pk=absence.pk).update(ends_on=today - timedelta(days=1))


@transaction.atomic
def set_medical_lead(*, clinician: User, by: User) -> None:
    if not may_name_medical_lead(by):
        raise PermissionDenied("Clinic admins name the medical lead.")
    if clinician.role != Role.CLINICIAN or not clinician.is_active:
        raise ValueError("The medical lead must be an active clinician.")
    User.objects.filter(is_medical_lead=True).exclude(pk=clinician.pk).update(is_medical_lead=False)
    User.objects.filter(pk=clinician.pk).update(is_medical_lead=True)


# --- The Team page's overview ----------------------------------------------------------------------


@dataclass(frozen=True)
class RotaDay:
    on: date
    is_open: bool
    clinic_hours: DutyShift | None
    after_hours: DutyShift | None


@dataclass(frozen=True)
class DutyOverview:
    now_slot: duty.DutySlot
    on_duty: User | None
    medical_lead: User | None
    days: list[RotaDay]
    tomorrow_gaps: list[duty.DutySlot]
    away: list[StaffAbsence]
    away_today: set[int]


def duty_overview(*, now: datetime | None = None, days: int = ROTA_DAYS) -> DutyOverview:
    """Who is on duty now, the medical lead, the rota from yesterday (whose after-hours slot may still run)
    for ``days`` days, tomorrow's gaps, and who is away now or later. A handful of queries."""
    today = timezone.localdate(now)
    hours = clinic_hours()
    first, last = today - timedelta(days=1), today + timedelta(days=days - 1)
    shifts = {(s.on, s.slot): s for s in DutyShift.objects.between(first, last)}
    rota = [
        RotaDay(
            on=day,
            is_open=hours.is_open_day(day),
            clinic_hours=shifts.get((day, duty.CLINIC_HOURS)),
            after_hours=shifts.get((day, duty.AFTER_HOURS)),
        )
        for day in (first + timedelta(days=n) for n in range(days + 1))
    ]
    tomorrow = today + timedelta(days=1)
    away = list(StaffAbsence.objects.current_and_coming(today))
    return DutyOverview(
        now_slot=current_slot(now),
        on_duty=on_duty_now(now),
        medical_lead=named_medical_lead(),
        days=rota,
        tomorrow_gaps=duty.rota_gaps([tomorrow], set(shifts), hours),
        away=away,
        away_today={a.staff_id for a in away if a.starts_on <= today},
    )


def tomorrow_gaps(*, now: datetime | None = None) -> list[duty.DutySlot]:
    """The slots of tomorrow nobody covers (one query): the coordinator's warning today."""
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    filled = set(DutyShift.objects.filter(on=tomorrow).values_list("on", "slot"))
    return duty.rota_gaps([tomorrow], filled, clinic_hours())
