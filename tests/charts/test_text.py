"""charts.text: numbers, dates and coordinates as written on a chart."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from charts.text import coordinate, drawable, long_date, number, short_date, slug


@pytest.mark.parametrize(
    ("value", "places", "trim", "text"),
    [
        (8, 1, False, "8.0"),  # a PEG total keeps its decimal
        (5.6000000000000005, 1, False, "5.6"),  # 8 x 0.7 in binary
        (Fraction(20, 3), 1, False, "6.7"),
        (6, 0, False, "6"),
        (7.5, 1, True, "7.5"),
        (3.0, 1, True, "3"),
        (10_000, 1, True, "10000"),
        (Decimal("60.00"), 2, True, "60"),
        (Decimal("22.50"), 2, True, "22.5"),
        (Decimal("2.475"), 2, True, "2.48"),
        (0.35, 1, True, "0.4"),  # rounded as written, not as its binary float (0.34999...)
        (7.25, 1, True, "7.3"),  # half up, as a person rounds
        (10.5, 0, False, "11"),
        (-0.04, 1, False, "0.0"),  # never "-0.0"
        (-2.5, 1, True, "-2.5"),
    ],
)
def test_numbers_are_rounded_half_up_and_trimmed_on_request(value, places, trim, text):
    assert number(value, places, trim=trim) == text


@pytest.mark.parametrize(("value", "text"), [(48, "48"), (12.5, "12.5"), (16.666666, "16.67"), (-0.001, "0"), (0, "0")])
def test_coordinates_have_at_most_two_decimals(value, text):
    assert coordinate(value) == text


@pytest.mark.parametrize(
    ("value", "result"),
    [(3, 3.0), (Decimal("7.5"), 7.5), (None, None), (True, None), (float("nan"), None), (float("inf"), None)],
)
def test_only_finite_numbers_are_drawn(value, result):
    assert drawable(value) == result


def test_dates_are_written_in_words():
    assert long_date(date(2026, 3, 2)) == "Mar 2, 2026"
    assert short_date(date(2026, 3, 2)) == "Mar 2"


def test_an_id_prefix_keeps_only_safe_characters():
    assert slug('x" onload="evil') == "x--onload--evil"
    assert slug("trend-peg_2") == "trend-peg_2"
