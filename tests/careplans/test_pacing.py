"""Pacing schedules (careplans/logs/pacing.py): pure, table-tested, incl. flare holds and partly done repeats."""

import ast
import sys
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest

from careplans.logs import pacing
from careplans.logs.pacing import (
    DONE,
    FIXED,
    FLARE,
    MAX_STEPS,
    PARTLY,
    PERCENT,
    Logged,
    PacingError,
    PacingSpec,
    adherence_counts,
    done_amount,
    flare_amount,
    round_amount,
    schedule,
    step_amounts,
)

MONDAY = date(2026, 3, 2)


def day(n: int) -> date:
    """Day n of the plan (day 1 is the start)."""
    return MONDAY + timedelta(days=n - 1)


def spec(**overrides) -> PacingSpec:
    """Walking: 5 minutes before pain climbs, start at 80%, +10% every 3 days, up to 10 minutes."""
    fields = dict(baseline=D(5), target=D(10), starts_on=MONDAY, start_percent=80, every_days=3)
    return PacingSpec(**{**fields, **overrides})


def spans(sched) -> list[tuple[D, int, int | None]]:
    """Each step as (amount, first day number, last day number or None)."""
    number = lambda d: None if d is None else (d - MONDAY).days + 1  # noqa: E731
    return [(s.amount, number(s.starts_on), number(s.ends_on)) for s in sched.steps]


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        (D("4.4"), D("4.5")),
        (D("4.2"), D("4")),
        (D("4.25"), D("4.5")),  # halves round up
        (D("4.74"), D("4.5")),
        (D("9.74"), D("9.5")),
        (D("9.75"), D("10")),
        (D("10.45"), D("10")),  # whole units from 10 up
        (D("10.5"), D("11")),
        (D("1759.6"), D("1760")),
        (D("0.2"), D("0")),
    ],
)
def test_it_rounds_to_half_units_below_10_and_whole_units_from_10(value, rounded):
    assert round_amount(value) == rounded


@pytest.mark.parametrize(
    ("overrides", "amounts"),
    [
        # 80% of 5 = 4; +10% compounding on the rounded step; each step grows by at least the rounding unit.
        ({}, ["4", "4.5", "5", "5.5", "6", "6.5", "7", "7.5", "8.5", "9.5", "10"]),
        # +1 minute every step.
        ({"increment_kind": FIXED, "increment_value": D(1)}, ["4", "5", "6", "7", "8", "9", "10"]),
        # Never above the target: the last step is the target itself.
        ({"increment_kind": FIXED, "increment_value": D(4)}, ["4", "8", "10"]),
        # A start at 100% of the baseline.
        ({"start_percent": 100, "increment_kind": FIXED, "increment_value": D(2)}, ["5", "7", "9", "10"]),
        # A start above the target is the target: one step.
        ({"baseline": D(20)}, ["10"]),
        # Larger amounts round to whole units.
        (
            {"baseline": D(2000), "target": D(2500), "increment_value": D(5)},
            ["1600", "1680", "1764", "1852", "1945", "2042", "2144", "2251", "2364", "2482", "2500"],
        ),
        # A small fixed increment still moves by the rounding unit.
        ({"increment_kind": FIXED, "increment_value": D("0.1"), "target": D(5)}, ["4", "4.5", "5"]),
    ],
)
def test_it_builds_steps_from_about_80_percent_of_the_baseline_up_to_the_target(overrides, amounts):
    assert step_amounts(spec(**overrides)) == [D(a) for a in amounts]


def test_it_refuses_a_plan_that_needs_more_than_the_maximum_number_of_steps():
    with pytest.raises(PacingError, match=f"more than {MAX_STEPS} steps"):
        step_amounts(spec(target=D(5000), increment_kind=FIXED, increment_value=D(1)))


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"baseline": D(0)}, "baseline"),
        ({"target": D(-1)}, "target"),
        ({"every_days": 0}, "at least 1 day"),
        ({"increment_value": D(0)}, "increment"),
        ({"start_percent": 0}, "start"),
        ({"increment_kind": "double"}, "percentage or a fixed"),
    ],
)
def test_it_refuses_numbers_that_cannot_make_a_schedule(overrides, words):
    with pytest.raises(PacingError, match=words):
        step_amounts(spec(**overrides))


def test_it_dates_each_step_every_n_days_when_nothing_is_logged():
    sched = schedule(spec(increment_kind=FIXED, increment_value=D(2)), today=day(1))
    assert spans(sched) == [(D(4), 1, 3), (D(6), 4, 6), (D(8), 7, 9), (D(10), 10, None)]
    assert sched.steps[-1].is_target and not sched.on_hold
    assert sched.amount_on(day(5)) == D(6)
    assert sched.amount_on(day(0)) is None  # before the start
    assert sched.amount_on(day(400)) == D(10)  # the target step lasts


def test_it_counts_days_without_a_log_as_planned_days():
    fixed = spec(increment_kind=FIXED, increment_value=D(2))
    assert spans(schedule(fixed, today=day(8))) == spans(schedule(fixed, today=day(1)))


def test_done_sessions_keep_the_schedule_as_planned():
    fixed = spec(increment_kind=FIXED, increment_value=D(2))
    sessions = [Logged(day(n), DONE) for n in range(1, 8)]
    assert spans(schedule(fixed, sessions, today=day(7))) == spans(schedule(fixed, today=day(1)))


@pytest.mark.parametrize(
    ("sessions", "today", "expected", "on_hold"),
    [
        # A flare on day 2 holds step 1 until the done session on day 5; day 1, 5 and 6 are its 3 days.
        (
            [(1, DONE), (2, FLARE), (5, DONE)],
            6,
            [(D(4), 1, 6), (D(6), 7, 9), (D(8), 10, 12), (D(10), 13, None)],
            False,
        ),
        # Still no done session after the flare: held; the rest is dated as if the hold ended tomorrow.
        (
            [(1, DONE), (2, FLARE)],
            6,
            [(D(4), 1, 8), (D(6), 9, 11), (D(8), 12, 14), (D(10), 15, None)],
            True,
        ),
        # A partly done session after the flare does not end the hold; it restarts the step.
        (
            [(2, FLARE), (4, PARTLY), (5, DONE)],
            5,
            [(D(4), 1, 7), (D(6), 8, 10), (D(8), 11, 13), (D(10), 14, None)],
            False,
        ),
        # A flare in the second step holds the second step, not the first.
        (
            [(5, FLARE), (8, DONE)],
            8,
            [(D(4), 1, 3), (D(6), 4, 9), (D(8), 10, 12), (D(10), 13, None)],
            False,
        ),
        # Two flares in a row: one hold.
        (
            [(2, FLARE), (3, FLARE), (4, DONE)],
            4,
            [(D(4), 1, 5), (D(6), 6, 8), (D(8), 9, 11), (D(10), 12, None)],
            False,
        ),
        # A flare once the target is reached changes nothing.
        (
            [(11, FLARE)],
            12,
            [(D(4), 1, 3), (D(6), 4, 6), (D(8), 7, 9), (D(10), 10, None)],
            False,
        ),
    ],
)
def test_a_flare_holds_the_schedule_until_a_done_session(sessions, today, expected, on_hold):
    fixed = spec(increment_kind=FIXED, increment_value=D(2))
    sched = schedule(fixed, [Logged(day(n), outcome) for n, outcome in sessions], today=day(today))
    assert spans(sched) == expected
    assert sched.on_hold is on_hold


def test_the_step_never_advances_during_a_flare_however_long_it_lasts():
    fixed = spec(increment_kind=FIXED, increment_value=D(2))
    for today in range(2, 40):
        sched = schedule(fixed, [Logged(day(1), DONE), Logged(day(2), FLARE)], today=day(today))
        assert sched.amount_on(day(today)) == D(4)
        assert sched.on_hold and sched.held_since == day(2)
        assert sched.steps[0].held_days == today - 1


@pytest.mark.parametrize(
    ("sessions", "expected"),
    [
        # Partly done on day 3 (the step's last day): step 1 repeats for 3 full days from day 4.
        ([(3, PARTLY)], [(D(4), 1, 6), (D(6), 7, 9), (D(8), 10, 12), (D(10), 13, None)]),
        # Partly done twice: repeated twice.
        ([(2, PARTLY), (4, PARTLY)], [(D(4), 1, 7), (D(6), 8, 10), (D(8), 11, 13), (D(10), 14, None)]),
        # Partly done in step 2 repeats step 2 (no boom-and-bust: no jump to catch up).
        ([(5, PARTLY)], [(D(4), 1, 3), (D(6), 4, 8), (D(8), 9, 11), (D(10), 12, None)]),
    ],
)
def test_a_partly_done_session_repeats_the_step(sessions, expected):
    fixed = spec(increment_kind=FIXED, increment_value=D(2))
    sched = schedule(fixed, [Logged(day(n), outcome, D(3)) for n, outcome in sessions], today=day(9))
    assert spans(sched) == expected
    assert sum(step.repeats for step in sched.steps) == len(sessions)


def test_it_ignores_sessions_before_the_start():
    fixed = spec(increment_kind=FIXED, increment_value=D(2))
    sched = schedule(fixed, [Logged(day(-2), FLARE)], today=day(5))
    assert spans(sched) == spans(schedule(fixed, today=day(1)))


def test_a_plan_starting_later_is_dated_from_its_start():
    later = spec(increment_kind=FIXED, increment_value=D(2), starts_on=day(10))
    sched = schedule(later, today=day(1))
    assert sched.steps[0].starts_on == day(10) and sched.steps[0].ends_on == day(12)
    assert sched.amount_on(day(5)) is None


def test_a_one_day_step_advances_every_day():
    daily = spec(increment_kind=FIXED, increment_value=D(2), every_days=1)
    assert spans(schedule(daily, today=day(1))) == [(D(4), 1, 1), (D(6), 2, 2), (D(8), 3, 3), (D(10), 4, None)]


@pytest.mark.parametrize(
    ("amount", "percent", "reduced"),
    [(D(4), 25, D(3)), (D(10), 25, D("7.5")), (D(20), 30, D(14)), (D(4), 100, D(0)), (D(4), 0, D(4))],
)
def test_a_flare_day_amount_is_the_planned_amount_less_the_flare_plan_percentage(amount, percent, reduced):
    assert flare_amount(amount, percent) == reduced


@pytest.mark.parametrize(
    ("session", "planned", "amount"),
    [
        (Logged(day(1), DONE), D(4), D(4)),
        (Logged(day(1), DONE, D(5)), D(4), D(5)),
        (Logged(day(1), PARTLY, D(2)), D(4), D(2)),
        (Logged(day(1), FLARE), D(4), None),
    ],
)
def test_what_a_session_amounted_to(session, planned, amount):
    assert done_amount(session, planned) == amount


@pytest.mark.parametrize(
    ("sessions", "last_day", "since", "until", "counts"),
    [
        # 7 planned days, 5 done.
        ([(n, DONE) for n in range(1, 6)], 7, 1, 7, (5, 7)),
        # Flare days are not planned; partly done is planned but not done.
        ([(1, DONE), (2, FLARE), (3, PARTLY), (4, DONE)], 4, 1, 4, (2, 3)),
        # Only the window counts, and nothing after the last planned day (today).
        ([(n, DONE) for n in range(1, 11)], 6, 3, 20, (4, 4)),
        # Nothing before the plan's start.
        ([], 5, -10, 5, (0, 5)),
        # A window that ends before the start plans nothing.
        ([], 5, -10, -1, (0, 0)),
    ],
)
def test_adherence_counts_done_sessions_against_planned_days(sessions, last_day, since, until, counts):
    logged = [Logged(day(n), outcome) for n, outcome in sessions]
    assert (
        adherence_counts(starts_on=day(1), last_day=day(last_day), sessions=logged, since=day(since), until=day(until))
        == counts
    )


def test_percent_increments_compound_on_the_previous_step():
    amounts = step_amounts(spec(baseline=D(100), target=D(150), increment_kind=PERCENT, increment_value=D(20)))
    assert amounts == [D(80), D(96), D(115), D(138), D(150)]


def test_the_pacing_rules_import_only_the_standard_library():
    """careplans/logs/pacing.py stays pure: no Django, no ORM, no settings, no other app."""
    source = Path(pacing.__file__).read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        for name in names:
            assert name.split(".")[0] in sys.stdlib_module_names, f"pacing.py imports {name}"
