"""The trend chart of one questionnaire's totals, drawn by the chart engine in charts/ (no database).

    >>> svg = trend_svg([(date(2026, 1, 5), 8), (date(2026, 3, 2), 5)], definition=get_definition("peg"))
    >>> svg.startswith("<svg")
    True

What it shows is the instrument's: its bands are shaded, the baseline (the first point) is marked, the responder
threshold is drawn as a dashed line when the instrument has a percent-improvement rule (PEG: 30% better than
baseline), and every point's title gives its date, total and band. A response's day is the clinic's date.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from django.utils import timezone

from charts import SCORE_TICKS, Band, Chart, Frame, calendar_day, dot_radius, drawable, long_date, number
from charts.colours import BLUE, BROWN
from measures.definitions import InstrumentDefinition

__all__ = ["responder_threshold", "trend_svg"]


def responder_threshold(definition: InstrumentDefinition, baseline: float | None) -> float | None:
    """The total a responder reaches (PEG: baseline x 0.7), or None when the instrument has no
    percent-improvement rule or the baseline is missing or 0 (no percentage exists then)."""
    percent = definition.change.responder_min_percent
    if percent is None or baseline is None or baseline == 0:
        return None
    factor = 1 - percent / 100 if definition.change.lower_is_better else 1 + percent / 100
    return baseline * factor


def trend_frame(width: int = 640, height: int = 240) -> Frame:
    """The trend chart's layout: 128 px right of the plot for the band names."""
    return Frame(width=width, height=height, left=48, right=128, top=16, bottom=44, date_label_gap=85)


def trend_svg(
    points: Iterable[tuple[datetime.date | datetime.datetime, float | int | Decimal | Fraction | None]],
    *,
    definition: InstrumentDefinition,
    width: int = 640,
    height: int = 240,
    id_prefix: str | None = None,
) -> str:
    """An accessible SVG line chart of one instrument's totals over time.

    ``points`` are (date or datetime, total) pairs in any order; points without a total are left out.
    The first point (by date) is the baseline.
    """
    series = _clean(points)
    threshold = responder_threshold(definition, series[0][1]) if series else None
    frame = trend_frame(width, height)
    y = frame.value_scale(definition.min_total, definition.max_total)
    chart = Chart(
        frame,
        y=y,
        x=frame.day_scale(series[0][0], series[-1][0]) if series else None,
        css_class="trend-chart",
        id_prefix=id_prefix or f"trend-{definition.code}",
        title=f"{definition.name} over time",
        description=_description(definition, series, threshold),
    )
    chart.bands(_bands(definition), best_at_bottom=definition.change.lower_is_better)
    chart.axis_lines()
    chart.value_ticks(y.ticks(SCORE_TICKS))
    chart.value_axis_name(f"{definition.name} total")
    if not series:
        chart.empty("No scored responses yet")
        return chart.svg()
    chart.day_labels(chart.spaced_days([day for day, _ in series]))
    chart.day_axis_name("Date completed")
    _draw_baseline_and_threshold(chart, definition, series[0][1], threshold)
    chart.line(series, css_class="trend-line", colour=BLUE)
    chart.dots(
        [_titled(definition, day, total) for day, total in series[1:]], colour=BLUE, radius=dot_radius(len(series))
    )
    baseline_day, baseline = series[0]
    chart.marked_point(
        baseline_day,
        baseline,
        css_class="baseline-marker",
        colour=BLUE,
        label="Baseline",
        title=f"Baseline, {_words(definition, baseline_day, baseline)}",
    )
    return chart.svg()


def _draw_baseline_and_threshold(
    chart: Chart, definition: InstrumentDefinition, baseline: float, threshold: float | None
) -> None:
    """The baseline's level, and the responder threshold when the instrument has one."""
    chart.level(baseline, css_class="baseline-level", colour=BLUE, width=1, dash="2 3", opacity=0.6)
    if threshold is not None:
        label, value = _threshold_words(definition, threshold)
        chart.threshold(
            threshold,
            css_class="responder-threshold",
            colour=BROWN,
            label=label,
            title=f"{label} than baseline: {value}",
        )


def _threshold_words(definition: InstrumentDefinition, threshold: float) -> tuple[str, str]:
    """The dashed line's label ("30% better") and its value, shown with one decimal at least."""
    percent = definition.change.responder_min_percent
    assert percent is not None  # responder_threshold gives a threshold only with a percent-improvement rule
    return f"{number(percent)}% better", number(threshold, max(definition.display_decimals, 1))


def _bands(definition: InstrumentDefinition) -> list[Band]:
    places = definition.display_decimals
    return [
        Band(
            low=float(band.min),
            high=float(band.max),
            label=band.label,
            title=f"{band.label}: {number(band.min, places)} to {number(band.max, places)}",
        )
        for band in definition.bands
    ]


def _titled(definition: InstrumentDefinition, day: datetime.date, total: float) -> tuple[datetime.date, float, str]:
    return day, total, _words(definition, day, total)


def _words(definition: InstrumentDefinition, day: datetime.date, total: float) -> str:
    """A point's date, total and band: "Jan 5, 2026: 8.0 (moderate)"."""
    band = definition.band_for(Fraction(total).limit_denominator(10_000))
    return f"{long_date(day)}: {number(total, definition.display_decimals)}" + (f" ({band})" if band else "")


def _clean(points) -> list[tuple[datetime.date, float]]:
    """The points with a total, as (the clinic's day, total) in order of day."""
    zone = timezone.get_current_timezone()
    cleaned = [(calendar_day(when, zone), value) for when, total in points if (value := drawable(total)) is not None]
    return sorted(cleaned, key=lambda pair: pair[0])


def _description(
    definition: InstrumentDefinition, series: list[tuple[datetime.date, float]], threshold: float | None
) -> str:
    places = definition.display_decimals
    better = "lower" if definition.change.lower_is_better else "higher"
    words = [
        f"Line chart of {definition.name} totals (from {number(definition.min_total)} to "
        f"{number(definition.max_total)}; {better} is better)."
    ]
    if not series:
        words.append("No scored responses yet.")
    else:
        (first_day, first), (last_day, last) = series[0], series[-1]
        words.append(f"Baseline {number(first, places)} on {long_date(first_day)}.")
        if len(series) > 1:
            words.append(f"Latest {number(last, places)} on {long_date(last_day)}; {len(series)} responses in all.")
        if threshold is not None:
            label, value = _threshold_words(definition, threshold)
            words.append(f"Dashed line: {label} than baseline, at {value}.")
    if definition.bands:
        shaded = ", ".join(
            f"{band.label} {number(band.min, places)}-{number(band.max, places)}" for band in definition.bands
        )
        words.append(f"Shaded bands: {shaded}.")
    return " ".join(words)
