"""charts.scales: ticks, value and day scales at their edges (all-equal values, one point, negative and empty
ranges, daylight-saving days)."""

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from charts import scales

TORONTO = ZoneInfo("America/Toronto")  # daylight saving from Mar 8, 2026 to Nov 1, 2026
SYDNEY = ZoneInfo("Australia/Sydney")  # ahead of UTC; daylight saving ends Apr 5, 2026


@pytest.mark.parametrize(
    ("high", "ticks"),
    [
        (10, [0, 2, 4, 6, 8, 10]),  # PEG
        (27, [0, 5, 10, 15, 20, 25]),  # PHQ-9: 27 is not a step, so it has no tick
        (21, [0, 5, 10, 15, 20]),  # GAD-7
        (6, [0, 1, 2, 3, 4, 5, 6]),  # PHQ-2, GAD-2
        (12, [0, 2, 4, 6, 8, 10, 12]),  # AUDIT-C
    ],
)
def test_questionnaire_totals_get_whole_number_ticks(high, ticks):
    assert scales.nice_ticks(0, high, scales.SCORE_TICKS) == ticks


def test_score_ticks_never_step_by_two_and_a_half():
    assert scales.nice_ticks(0, 14, scales.SCORE_TICKS) == [0, 5, 10]


@pytest.mark.parametrize(
    ("high", "ticks"),
    [
        (10, [0, 2, 4, 6, 8, 10]),
        (12, [0, 2.5, 5, 7.5, 10]),
        (12.5, [0, 2.5, 5, 7.5, 10, 12.5]),
        (2000, [0, 500, 1000, 1500, 2000]),
        (10_000, [0, 2500, 5000, 7500, 10_000]),  # past the ladder: four equal intervals
    ],
)
def test_amount_ticks_have_at_most_five_intervals(high, ticks):
    assert scales.nice_ticks(0, high, scales.AMOUNT_TICKS) == ticks


def test_ticks_cross_zero_on_a_range_with_negative_values():
    assert scales.nice_ticks(-10, 10, scales.SCORE_TICKS) == [-10, -5, 0, 5, 10]
    assert scales.nice_ticks(-7, -1, scales.SCORE_TICKS) == [-7, -6, -5, -4, -3, -2, -1]


def test_ticks_start_at_the_first_step_inside_the_range_and_do_not_drift():
    assert scales.nice_ticks(0.5, 10, scales.SCORE_TICKS) == [2, 4, 6, 8, 10]
    assert scales.nice_ticks(0, 1, scales.AMOUNT_TICKS) == [0, 1]
    assert scales.nice_ticks(0, 1000, scales.AMOUNT_TICKS) == [0, 200, 400, 600, 800, 1000]


def test_an_empty_range_has_a_single_tick():
    assert scales.nice_ticks(5, 5, scales.SCORE_TICKS) == [5]
    assert scales.nice_ticks(5, 3, scales.AMOUNT_TICKS) == [5]


@pytest.mark.parametrize(
    ("value", "ceiling"),
    [(8000, 10_000), (23_000, 25_000), (14, 20), (1000, 1000), (0.4, 0.5), (3, 5), (120_000, 200_000), (0, 1), (-4, 1)],
)
def test_an_axis_without_a_maximum_ends_at_a_round_number(value, ceiling):
    assert scales.nice_ceiling(value) == ceiling


def test_a_value_scale_draws_higher_values_higher_up():
    scale = scales.ValueScale.between(0, 10, top=16, bottom=196)
    assert scale(10) == 16 and scale(0) == 196
    assert scale(5.6) == pytest.approx(16 + 0.44 * 180)


def test_all_equal_values_widen_the_scale_upwards_so_a_flat_line_lies_on_the_bottom():
    scale = scales.ValueScale.between(4, 4, top=10, bottom=110)
    assert (scale.low, scale.high) == (4, 5)
    assert scale(4) == 110


def test_an_upside_down_or_zero_range_is_widened_too():
    zero = scales.ValueScale.between(0, 0, top=0, bottom=100)
    upside_down = scales.ValueScale.between(3, -2, top=0, bottom=100)
    assert (zero.low, zero.high) == (0, 1)
    assert (upside_down.low, upside_down.high) == (3, 4)


def test_a_negative_range_is_drawn_like_any_other():
    scale = scales.ValueScale.between(-10, -2, top=0, bottom=80)
    assert scale(-2) == 0 and scale(-10) == 80 and scale(-6) == 40


def test_a_clamped_scale_keeps_values_beyond_the_range_on_its_edge():
    scale = scales.ValueScale.between(0, 10, top=10, bottom=110, clamp=True)
    assert scale(14) == 10 and scale(-3) == 110
    unclamped = scales.ValueScale.between(0, 10, top=10, bottom=110)
    assert unclamped(14) < 10


def test_a_scale_says_which_values_it_covers():
    scale = scales.ValueScale.between(0, 10, top=0, bottom=100)
    assert scale.covers(0) and scale.covers(10) and not scale.covers(10.5) and not scale.covers(-1)


def test_a_single_day_stands_in_the_middle():
    day = date(2026, 5, 4)
    assert scales.DayScale(first=day, last=day, left=48, right=512)(day) == 280


def test_a_range_of_at_least_a_day_puts_a_single_day_at_the_left_edge():
    day = date(2026, 5, 4)
    scale = scales.DayScale.at_least_a_day(day, day, left=36, right=350)
    assert scale(day) == 36
    assert scale(day + timedelta(days=1)) == 350


def test_days_across_a_daylight_saving_change_are_evenly_spaced():
    # Mar 8, 2026 has 23 hours in Toronto, Nov 1 has 25: on a chart each is one day wide like any other.
    for change in (date(2026, 3, 8), date(2026, 11, 1)):
        first = change - timedelta(days=2)
        scale = scales.DayScale(first=first, last=first + timedelta(days=4), left=0, right=400)
        assert [scale(first + timedelta(days=n)) for n in range(5)] == [0, 100, 200, 300, 400]


@pytest.mark.parametrize(
    ("moment", "zone", "day"),
    [
        # 23:30 and 00:30 local on the day daylight saving starts and ends, written in UTC.
        (datetime(2026, 3, 8, 4, 30, tzinfo=UTC), TORONTO, date(2026, 3, 7)),  # 23:30 EST on Mar 7
        (datetime(2026, 3, 8, 5, 30, tzinfo=UTC), TORONTO, date(2026, 3, 8)),  # 00:30 EST on Mar 8
        (datetime(2026, 11, 2, 4, 30, tzinfo=UTC), TORONTO, date(2026, 11, 1)),  # 23:30 EST on Nov 1
        (datetime(2026, 11, 1, 4, 30, tzinfo=UTC), TORONTO, date(2026, 11, 1)),  # 00:30 EDT on Nov 1
        (datetime(2026, 4, 4, 13, 30, tzinfo=UTC), SYDNEY, date(2026, 4, 5)),  # 00:30 AEDT, UTC still on Apr 4
        (datetime(2026, 4, 5, 13, 30, tzinfo=UTC), SYDNEY, date(2026, 4, 5)),  # 23:30 AEST on Apr 5
    ],
)
def test_a_moment_belongs_to_the_readers_day_not_utcs(moment, zone, day):
    assert scales.calendar_day(moment, zone) == day


def test_a_naive_moment_and_a_date_keep_their_day():
    assert scales.calendar_day(datetime(2026, 3, 8, 23, 30), TORONTO) == date(2026, 3, 8)
    assert scales.calendar_day(date(2026, 3, 8), TORONTO) == date(2026, 3, 8)


def test_a_range_of_days_is_labelled_every_few_days_and_at_both_ends():
    since = date(2026, 3, 1)
    assert scales.day_ticks(since, since) == [since]
    assert scales.day_ticks(since, since + timedelta(days=1)) == [since, since + timedelta(days=1)]
    ticks = scales.day_ticks(since, since + timedelta(days=41))  # six weeks
    assert ticks[0] == since and ticks[-1] == since + timedelta(days=41)
    assert len(ticks) <= 6
    assert all((b - a).days >= 5 for a, b in itertools.pairwise(ticks))


def test_spaced_days_name_the_first_and_the_last_and_keep_labels_apart():
    days = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(100)]
    scale = scales.DayScale(first=days[0], last=days[-1], left=48, right=512)
    chosen = scales.spaced_days(days, scale, gap=85)
    assert chosen[0] == days[0] and chosen[-1] == days[-1]
    assert 2 <= len(chosen) <= 6
    assert all(scale(b) - scale(a) >= 85 for a, b in itertools.pairwise(chosen))


def test_spaced_days_let_the_last_day_replace_a_neighbour_that_is_too_close():
    days = [date(2026, 1, 1), date(2026, 1, 20), date(2026, 1, 21)]
    scale = scales.DayScale(first=days[0], last=days[-1], left=0, right=400)
    assert scales.spaced_days(days, scale, gap=90) == [date(2026, 1, 1), date(2026, 1, 21)]


def test_spaced_days_of_one_or_two_close_days_keep_the_first():
    day = date(2026, 1, 1)
    scale = scales.DayScale(first=day, last=day + timedelta(days=1), left=0, right=50)
    assert scales.spaced_days([day], scale, gap=90) == [day]
    assert scales.spaced_days([day, day + timedelta(days=1)], scale, gap=90) == [day]
