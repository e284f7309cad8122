"""The rota's clock: which duty slot covers a moment, whether the clinic is open, and how long an urgent
task may wait for acknowledgement before it escalates. Pure functions of a local datetime and the
clinic's hours; no ORM, so they are table-tested at the edges (opening, closing, midnight, weekends).

A day has two slots: "clinic hours" (opening to closing, on open days) and "after hours" (closing, or
opening time on a closed day, up to the next day's opening time). So at 03:00 on Tuesday the clinician
covering Monday's after-hours slot is on duty, and a whole Saturday from 08:00 belongs to Saturday's
after-hours slot. This split is the app's own rule (the issue asks for "clinic hours" and "after hours"
per day); the hours themselves are settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

CLINIC_HOURS = "clinic_hours"
AFTER_HOURS = "after_hours"
SLOT_WORDS = {CLINIC_HOURS: "Clinic hours", AFTER_HOURS: "After hours"}


@dataclass(frozen=True)
class ClinicHours:
    opens_at: time
    closes_at: time
    open_days: frozenset[int]  # Monday = 0

    def is_open_day(self, day: date) -> bool:
        return day.weekday() in self.open_days


@dataclass(frozen=True)
class DutySlot:
    on: date
    slot: str

    @property
    def words(self) -> str:
        return SLOT_WORDS[self.slot]


def parse_clock(text: str) -> time:
    """ "08:00" -> time(8, 0); a bad setting fails loudly at start-up rather than routing wrongly."""
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


def duty_slot(local: datetime, hours: ClinicHours) -> DutySlot:
    """The rota slot that covers this moment (``local`` in the clinic's time zone)."""
    day, clock = local.date(), local.time()
    if clock < hours.opens_at:
        return DutySlot(day - timedelta(days=1), AFTER_HOURS)
    if hours.is_open_day(day) and clock < hours.closes_at:
        return DutySlot(day, CLINIC_HOURS)
    return DutySlot(day, AFTER_HOURS)


def is_clinic_hours(local: datetime, hours: ClinicHours) -> bool:
    return duty_slot(local, hours).slot == CLINIC_HOURS


def next_opening(local: datetime, hours: ClinicHours) -> datetime:
    """When the clinic next opens after ``local`` (``local`` itself during clinic hours), a naive or aware
    datetime like ``local``; at most a week ahead (an empty set of open days gives the next morning)."""
    if is_clinic_hours(local, hours):
        return local
    day = local.date() if local.time() < hours.opens_at else local.date() + timedelta(days=1)
    for _ in range(7):
        if hours.is_open_day(day):
            break
        day += timedelta(days=1)
    return datetime.combine(day, hours.opens_at, tzinfo=local.tzinfo)


def escalation_delay(local: datetime, hours: ClinicHours, *, clinic_minutes: int, after_minutes: int) -> timedelta:
    """How long an urgent task raised (or escalated) at ``local`` waits for acknowledgement."""
    return timedelta(minutes=clinic_minutes if is_clinic_hours(local, hours) else after_minutes)


def rota_gaps(days: list[date], filled: set[tuple[date, str]], hours: ClinicHours) -> list[DutySlot]:
    """The slots of ``days`` with nobody on the rota, in order."""
    return [DutySlot(day, slot) for day in days for slot in slots_of(day, hours) if (day, slot) not in filled]


def slots_of(day: date, hours: ClinicHours) -> tuple[str, ...]:
    """The slots a day has: both on an open day; after hours only when the clinic is closed."""
    return (CLINIC_HOURS, AFTER_HOURS) if hours.is_open_day(day) else (AFTER_HOURS,)
