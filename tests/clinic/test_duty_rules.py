"""The rota's clock (clinic/duty.py): pure, table-tested at opening, closing, midnight and the weekend."""

from datetime import date, datetime, time, timedelta

import pytest

from clinic import duty

HOURS = duty.ClinicHours(opens_at=time(8, 0), closes_at=time(18, 0), open_days=frozenset({0, 1, 2, 3, 4}))
WED = date(2026, 12, 9)  # a Wednesday
SAT = date(2026, 12, 12)
MON = date(2026, 12, 14)


@pytest.mark.parametrize(
    ("moment", "slot"),
    [
        (datetime(2026, 12, 9, 7, 59), duty.DutySlot(WED - timedelta(days=1), duty.AFTER_HOURS)),
        (datetime(2026, 12, 9, 8, 0), duty.DutySlot(WED, duty.CLINIC_HOURS)),
        (datetime(2026, 12, 9, 17, 59), duty.DutySlot(WED, duty.CLINIC_HOURS)),
        (datetime(2026, 12, 9, 18, 0), duty.DutySlot(WED, duty.AFTER_HOURS)),
        (datetime(2026, 12, 9, 23, 30), duty.DutySlot(WED, duty.AFTER_HOURS)),
        (datetime(2026, 12, 10, 0, 30), duty.DutySlot(WED, duty.AFTER_HOURS)),
        (datetime(2026, 12, 12, 10, 0), duty.DutySlot(SAT, duty.AFTER_HOURS)),
        (datetime(2026, 12, 14, 7, 0), duty.DutySlot(SAT + timedelta(days=1), duty.AFTER_HOURS)),
    ],
)
def test_the_slot_that_covers_a_moment_runs_from_opening_to_the_next_opening(moment, slot):
    assert duty.duty_slot(moment, HOURS) == slot


def test_a_closed_day_has_only_an_after_hours_slot():
    assert duty.slots_of(SAT, HOURS) == (duty.AFTER_HOURS,)
    assert duty.slots_of(WED, HOURS) == (duty.CLINIC_HOURS, duty.AFTER_HOURS)


@pytest.mark.parametrize(
    ("moment", "opening"),
    [
        (datetime(2026, 12, 9, 10, 0), datetime(2026, 12, 9, 10, 0)),  # open now
        (datetime(2026, 12, 9, 19, 0), datetime(2026, 12, 10, 8, 0)),  # tomorrow morning
        (datetime(2026, 12, 10, 6, 0), datetime(2026, 12, 10, 8, 0)),  # this morning
        (datetime(2026, 12, 11, 20, 0), datetime(2026, 12, 14, 8, 0)),  # Friday evening: Monday
        (datetime(2026, 12, 12, 12, 0), datetime(2026, 12, 14, 8, 0)),  # Saturday noon: Monday
    ],
)
def test_the_next_opening_skips_closed_days(moment, opening):
    assert duty.next_opening(moment, HOURS) == opening


@pytest.mark.parametrize(
    ("moment", "minutes"),
    [(datetime(2026, 12, 9, 10, 0), 30), (datetime(2026, 12, 9, 17, 59), 30), (datetime(2026, 12, 9, 18, 0), 60),
     (datetime(2026, 12, 12, 10, 0), 60), (datetime(2026, 12, 10, 3, 0), 60)],
)  # fmt: skip
def test_an_urgent_task_waits_30_minutes_in_clinic_hours_and_60_after(moment, minutes):
    delay = duty.escalation_delay(moment, HOURS, clinic_minutes=30, after_minutes=60)
    assert delay == timedelta(minutes=minutes)


def test_gaps_are_the_slots_nobody_covers_on_the_days_the_slot_exists():
    filled = {(WED, duty.CLINIC_HOURS)}
    assert duty.rota_gaps([WED, SAT], filled, HOURS) == [
        duty.DutySlot(WED, duty.AFTER_HOURS),
        duty.DutySlot(SAT, duty.AFTER_HOURS),
    ]


def test_a_clock_setting_is_read_as_hours_and_minutes():
    assert duty.parse_clock(" 07:45 ") == time(7, 45)
    with pytest.raises(ValueError):
        duty.parse_clock("quarter past")
