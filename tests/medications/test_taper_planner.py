"""The pure taper planner (medications/rules/tapering.py): rates of the original dose, slowing near the end, pauses,
never an abrupt stop, dates, and the checks that ask for a recorded reason."""

import datetime
import itertools
from decimal import Decimal

import pytest

from medications.rules.tapering import (
    LIFE_THREATENING_EXCEPTION,
    Pause,
    Period,
    TaperStep,
    add_periods,
    faster_than_plan,
    is_long_term,
    is_rapid,
    opioid_use_began,
    plan_taper,
    planned_mme_on,
    redate_after_pause,
    stops_from_above,
)
from medications.taper_chart import taper_svg

D = Decimal
MON = datetime.date(2026, 3, 2)


def mmes(schedule) -> list[str]:
    return [f"{step.mme:f}" for step in schedule.steps]


@pytest.mark.parametrize(
    ("original", "rate", "period", "expected"),
    [
        # 10% of the original per month down to 30%, then 10% of that remaining 30% per month.
        (
            100,
            10,
            "month",
            [
                "90.00",
                "80.00",
                "70.00",
                "60.00",
                "50.00",
                "40.00",
                "30.00",
                "27.00",
                "24.00",
                "21.00",
                "18.00",
                "15.00",
                "12.00",
                "9.00",
                "6.00",
                "3.00",
                "0.00",
            ],
        ),
        # 20%: the step that would cross 30% stops at 30% (a smaller step), then 20% of 30 = 6 per period.
        (100, 20, "week", ["80.00", "60.00", "40.00", "30.00", "24.00", "18.00", "12.00", "6.00", "0.00"]),
        # 82.5 MME (mme-04): exact decimal steps of 8.25, then 2.475 (shown to the cent).
        (
            D("82.5"),
            10,
            "month",
            [
                "74.25",
                "66.00",
                "57.75",
                "49.50",
                "41.25",
                "33.00",
                "24.75",
                "22.28",
                "19.80",
                "17.33",
                "14.85",
                "12.38",
                "9.90",
                "7.43",
                "4.95",
                "2.48",
                "0.00",
            ],
        ),
        # 5% a month from 60: 14 steps to 30%, then 20 smaller ones.
        (60, 5, "month", None),
    ],
)
def test_it_reduces_by_a_share_of_the_original_dose_then_slows_near_the_end(original, rate, period, expected):
    schedule = plan_taper(original_mme=original, starts_on=MON, rate_percent=rate, period=period)
    if expected is not None:
        assert mmes(schedule) == expected
    else:
        assert len(schedule.steps) == 34
        assert schedule.steps[13].mme == D("18.00") and schedule.steps[14].mme == D("17.10")
    assert schedule.steps[-1].mme == 0 and schedule.steps[-1].kind == "stop"


@pytest.mark.parametrize("original", [D(20), D(45), D(60), D("82.5"), D(90), D(150), D("28.8"), D(141)])
@pytest.mark.parametrize("rate", [5, 10, 15, 20])
def test_it_never_stops_abruptly_no_step_bigger_than_the_chosen_step_and_the_last_step_small(original, rate):
    schedule = plan_taper(original_mme=original, starts_on=MON, rate_percent=rate)
    full_step = original * rate / 100
    doses = [original] + [step.mme for step in schedule.steps]
    drops = [before - after for before, after in itertools.pairwise(doses)]
    assert all(drop >= 0 for drop in drops)
    assert max(drops) <= full_step + D("0.01")
    # The stop comes from 30% x rate of the original at most: the smallest steps of the plan.
    assert drops[-1] <= original * D("0.30") * rate / 100 + D("0.01")
    assert doses[-2] <= original * D("0.30") * rate / 100 + D("0.01")
    # The dose only reaches 0 at the last step.
    assert all(step.mme > 0 for step in schedule.steps[:-1])


def test_it_stops_at_a_target_above_the_slowing_point_without_slowing():
    schedule = plan_taper(original_mme=100, starts_on=MON, target_mme=45)
    assert mmes(schedule) == ["90.00", "80.00", "70.00", "60.00", "50.00", "45.00"]
    assert schedule.steps[-1].kind == "reduce"
    assert not any(step.slowing for step in schedule.steps)


def test_a_target_below_the_slowing_point_is_reached_through_smaller_steps():
    schedule = plan_taper(original_mme=100, starts_on=MON, target_mme=20)
    assert mmes(schedule)[-5:] == ["30.00", "27.00", "24.00", "21.00", "20.00"]


def test_monthly_steps_keep_the_day_of_the_month_and_clamp_at_the_months_end():
    schedule = plan_taper(original_mme=100, starts_on=datetime.date(2026, 1, 31), target_mme=60)
    assert [step.on for step in schedule.steps] == [
        datetime.date(2026, 1, 31),
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 31),
        datetime.date(2026, 4, 30),
    ]


def test_weekly_steps_are_seven_days_apart():
    schedule = plan_taper(original_mme=50, starts_on=MON, period=Period.WEEK, target_mme=30)
    assert [step.on for step in schedule.steps] == [MON + datetime.timedelta(weeks=n) for n in range(4)]


def test_a_pause_holds_the_dose_and_moves_the_later_steps_on():
    schedule = plan_taper(original_mme=100, starts_on=MON, target_mme=60, pauses=[Pause(after_step=2, periods=2)])
    rows = [(step.kind, step.on, f"{step.mme:f}") for step in schedule.steps]
    assert rows == [
        ("reduce", MON, "90.00"),
        ("reduce", datetime.date(2026, 4, 2), "80.00"),
        ("pause", datetime.date(2026, 5, 2), "80.00"),
        ("reduce", datetime.date(2026, 7, 2), "70.00"),
        ("reduce", datetime.date(2026, 8, 2), "60.00"),
    ]
    assert schedule.steps[2].note == "Pause: stay at this dose (2 months)"


def test_a_weekly_pause_says_weeks():
    schedule = plan_taper(original_mme=100, starts_on=MON, period="week", target_mme=80, pauses=[Pause(1, 1)])
    assert schedule.steps[1].note == "Pause: stay at this dose (1 week)"


def test_a_single_step_stop_happens_only_when_asked_for():
    schedule = plan_taper(original_mme=120, starts_on=MON, single_step=True)
    assert mmes(schedule) == ["0.00"]
    assert plan_taper(original_mme=120, starts_on=MON, rate_percent=100).steps[0].mme == D("36.00")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"original_mme": 0}, "no opioid dose"),
        ({"original_mme": 50, "target_mme": 50}, "target must be lower"),
        ({"original_mme": 50, "target_mme": -1}, "target must be lower"),
        ({"original_mme": 50, "rate_percent": 0}, "rate must be above 0%"),
        ({"original_mme": 50, "rate_percent": 101}, "at most 100%"),
        ({"original_mme": 50, "period": "fortnight"}, "fortnight"),
        ({"original_mme": 50, "pauses": [Pause(0, 1)]}, "step 1 or later"),
        ({"original_mme": 50, "pauses": [Pause(1, 13)]}, "1 to 12 periods"),
        ({"original_mme": 50, "target_mme": 40, "pauses": [Pause(5, 1)]}, "There is no step 5"),
        ({"original_mme": "50"}, "must be a number"),
        ({"original_mme": float("nan")}, "finite"),
        ({"original_mme": 50, "rate_percent": D("0.01")}, "more than 240 steps"),
    ],
)
def test_it_refuses_impossible_plans_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plan_taper(starts_on=MON, **kwargs)


def test_a_schedule_survives_its_json_form():
    schedule = plan_taper(original_mme=D("82.5"), starts_on=MON, pauses=[Pause(3, 1)])
    rows = schedule.as_json()
    assert rows[0] == {
        "number": 1,
        "on": "2026-03-02",
        "mme": "74.25",
        "percent": "90.0",
        "kind": "reduce",
        "slowing": False,
        "pause_periods": 0,
        "period": "month",
        "note": "Reduce",
    }
    assert tuple(TaperStep.from_json(row) for row in rows) == schedule.steps


@pytest.mark.parametrize(
    ("rate", "rapid"), [(5, False), (10, False), (D("10.0"), False), (D("10.5"), True), (20, True)]
)
def test_faster_than_the_guidelines_ten_percent_is_rapid(rate, rapid):
    assert is_rapid(rate) is rapid


@pytest.mark.parametrize(
    ("points", "start", "expected"),
    [
        ([(MON, 0)], 120, D(120)),
        ([(MON, 0)], 50, None),  # from exactly the clinic's level: not above it
        ([(MON, 60), (MON, 30), (MON, 0)], 100, None),
        ([(MON, 60), (MON, 0)], 100, D(60)),
        ([(MON, 40)], 100, None),
    ],
)
def test_it_finds_a_stop_from_above_the_clinics_level(points, start, expected):
    assert stops_from_above(points, 50, start=start) == expected


def test_planned_mme_on_a_date_and_faster_than_the_plan():
    schedule = plan_taper(original_mme=100, starts_on=MON, target_mme=50, pauses=[Pause(2, 1)])
    assert planned_mme_on(schedule, MON - datetime.timedelta(days=1)) == 100
    assert planned_mme_on(schedule, MON) == D(90)
    assert planned_mme_on(schedule, datetime.date(2026, 5, 10)) == D(80)  # during the pause
    assert faster_than_plan(schedule, datetime.date(2026, 5, 10), 70) is True
    assert faster_than_plan(schedule, datetime.date(2026, 5, 10), 80) is False
    assert faster_than_plan(schedule, MON - datetime.timedelta(days=1), 95) is True


def test_add_periods_handles_leap_years_and_year_ends():
    assert add_periods(datetime.date(2027, 12, 31), 2, "month") == datetime.date(2028, 2, 29)
    assert add_periods(datetime.date(2026, 12, 15), 1, "week") == datetime.date(2026, 12, 22)


def test_the_exception_is_quoted_verbatim_from_the_guideline():
    assert LIFE_THREATENING_EXCEPTION == (
        "Unless there are indications of a life-threatening issue such as warning signs of impending overdose "
        "(e.g., confusion, sedation, or slurred speech), opioid therapy should not be discontinued abruptly, and "
        "clinicians should not rapidly reduce opioid dosages from higher dosages."
    )


def test_the_chart_draws_the_plan_and_the_actual_doses_accessibly():
    schedule = plan_taper(original_mme=60, starts_on=MON, target_mme=30)
    svg = taper_svg(schedule, [(MON, D(54)), (datetime.date(2026, 4, 2), D(40))], id_prefix="t<1>")
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'aria-labelledby="t-1--title t-1--desc"' in svg
    assert "Planned from Mar 2, 2026: 54 MME/day (90.0% of the start)" in svg
    assert "Actual on Apr 2, 2026: 40 MME/day" in svg
    assert 'class="planned-line"' in svg and 'class="actual-line"' in svg
    assert "style=" not in svg
    assert "2 actual doses recorded; the latest 40 MME/day on Apr 2, 2026." in svg


def test_the_chart_says_when_no_actual_dose_is_recorded():
    svg = taper_svg(plan_taper(original_mme=60, starts_on=MON, single_step=True))
    assert "No actual doses recorded yet." in svg
    assert "actual-points" not in svg


@pytest.mark.parametrize(
    ("rate", "period", "long_term", "rapid"),
    [
        (10, "month", True, False),
        (D("10.5"), "month", True, True),
        (5, "week", True, True),  # the slowest weekly taper is over 20% a month: rapid for long-term use
        (10, "week", False, False),  # 10% of the original dose per week: the guideline's rate for shorter use
        (15, "week", False, True),
    ],
)
def test_a_weekly_taper_is_rapid_for_long_term_use_whatever_its_rate(rate, period, long_term, rapid):
    assert is_rapid(rate, period, long_term=long_term) is rapid


TODAY = datetime.date(2026, 12, 9)


def days_before(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


@pytest.mark.parametrize(
    ("lines", "began"),
    [
        ([(days_before(400), None)], days_before(400)),
        # a switch from one opioid to another, 7 days apart: one run of use
        ([(days_before(500), days_before(107)), (days_before(100), None)], days_before(500)),
        # 8 days apart: the older run is not this one
        ([(days_before(500), days_before(108)), (days_before(100), None)], days_before(100)),
        # overlapping lines, the older still current
        ([(days_before(700), None), (days_before(30), days_before(10))], days_before(700)),
        ([(days_before(400), days_before(2))], None),  # nothing current: nothing to taper
        ([], None),
        ([(None, None)], None),  # a current line with no start date: not known
        ([(days_before(60), None), (None, days_before(300))], days_before(60)),  # an unknown start long before
        ([(days_before(60), None), (None, days_before(58))], None),  # an unknown start in the run
    ],
    ids=[
        "one-line",
        "switch-7-days",
        "gap-8-days",
        "overlap",
        "none-current",
        "no-lines",
        "no-start",
        "old-unknown",
        "unknown-in-run",
    ],
)
def test_how_long_opioids_have_been_taken_comes_from_the_lines_of_one_run(lines, began):
    assert opioid_use_began(lines, TODAY) == began


@pytest.mark.parametrize(("days", "long_term"), [(364, False), (365, True), (None, False)])
def test_long_term_use_is_a_year_or_more(days, long_term):
    began = None if days is None else days_before(days)
    assert is_long_term(began, TODAY) is long_term


def test_resuming_after_a_pause_moves_only_the_steps_not_yet_reached():
    schedule = plan_taper(original_mme=100, starts_on=MON)  # monthly: Mar 2, Apr 2, May 2, ...
    paused_on, resumed_on = datetime.date(2026, 4, 10), datetime.date(2026, 5, 20)  # 40 days

    moved = redate_after_pause(schedule, paused_on=paused_on, resumed_on=resumed_on)

    assert [s.mme for s in moved.steps] == [s.mme for s in schedule.steps]
    assert moved.steps[0].on == MON and moved.steps[1].on == datetime.date(2026, 4, 2)  # already reached
    assert moved.steps[2].on == datetime.date(2026, 5, 2) + datetime.timedelta(days=40)
    assert moved.steps[-1].on == schedule.steps[-1].on + datetime.timedelta(days=40)
    assert redate_after_pause(schedule, paused_on=paused_on, resumed_on=paused_on) == schedule
