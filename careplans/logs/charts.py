"""The check-in and pacing charts: daily logs over a date range, drawn by the chart engine in charts/ (no database).

What they show is the logs': one or more series over the whole range asked for (days without a log are gaps), a
planned amount as a dashed staircase, flare-ups marked "F" on their day, and every point's title gives its date
and value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from charts import AMOUNT_TICKS, Chart, Frame, day_ticks, drawable, long_date, nice_ceiling, number, short_date
from charts.colours import BLUE, BROWN, RED

__all__ = ["PLANNED", "ChartWords", "Marker", "Series", "line_chart"]

PLANNED = BROWN  # the planned amount, beside the done amount in blue


@dataclass(frozen=True)
class Series:
    """One line (or step line) of (day, value) points; None values are gaps."""

    name: str
    points: Sequence[tuple[date, float | int | Decimal | None]]
    colour: str = BLUE
    step: bool = False  # drawn as a staircase (a planned amount that holds until the next step)
    dashed: bool = False


def _span(since: str, until: str) -> str:
    return f"From {since} to {until}."


def _nothing(name: str) -> str:
    return f"{name}: nothing logged."


def _summary(name: str, days: int, first: str, first_day: str, latest: str, latest_day: str) -> str:
    return (
        f"{name}: {days} day{'s' if days != 1 else ''}, first {first} on {first_day}, latest {latest} on {latest_day}."
    )


@dataclass(frozen=True)
class ChartWords:
    """The words a chart writes around its numbers: dates, its description for screen readers, the empty plot.
    English by default (the staff pages); the patient's "My numbers" passes its own in the page's language
    (portal.numbers.chart_words), so this module stays free of translations."""

    long_date: Callable[[date], str] = long_date
    short_date: Callable[[date], str] = short_date
    span: Callable[[str, str], str] = _span  # (since, until) as long dates
    nothing: Callable[[str], str] = _nothing  # a series' name
    summary: Callable[[str, int, str, str, str, str], str] = _summary  # name, days, first, on, latest, on
    empty: str = "Nothing logged in these weeks"


ENGLISH = ChartWords()


@dataclass(frozen=True)
class Marker:
    """A day to mark under the plot (a flare), with its words."""

    day: date
    words: str


def line_chart(
    series: list[Series],
    *,
    since: date,
    until: date,
    low: float,
    high: float | None = None,
    title: str,
    unit: str = "",
    id_prefix: str,
    markers: list[Marker] | None = None,
    width: int = 360,
    height: int = 150,
    table_id: str | None = None,
    words: ChartWords = ENGLISH,
) -> str:
    """An accessible SVG chart of one or more series over the days from `since` to `until`.

    Without `high` the axis ends at a round number above the largest value (steps walked have no maximum).
    `table_id`: the id of a table of the same numbers on the page, for screen readers (aria-describedby).
    `words`: the chart's words (see ChartWords); English unless given.
    """
    values = [value for one in series for _, v in one.points if (value := drawable(v)) is not None]
    frame = Frame(width=width, height=height, left=36, right=10, top=10, bottom=26)
    top = nice_ceiling(max(values, default=low + 1)) if high is None else high
    # A value beyond the axis (more hours than 12) is drawn at its edge, not outside the chart.
    y = frame.value_scale(low, top, clamp=True)
    chart = Chart(
        frame,
        y=y,
        x=frame.day_scale(since, until, at_least_a_day=True),
        css_class="log-chart",
        id_prefix=id_prefix,
        title=title,
        description=_description(series, since, until, unit, words),
        font_size=11,
        table_id=table_id,
    )
    ticks = y.ticks(AMOUNT_TICKS)
    chart.grid_lines(ticks)
    chart.value_ticks(ticks)
    chart.day_labels(day_ticks(since, until), words.short_date, keep_inside=True)
    for marker in markers or []:
        if since <= marker.day <= until:
            title = f"{words.long_date(marker.day)}: {marker.words}"
            chart.day_marker(marker.day, css_class="flare-marker", colour=RED, letter="F", title=title)
    for index, one in enumerate(series):
        _draw(chart, one, f"series-{index}", _in_range(one, since, until), unit, words.long_date)
    if not values:
        chart.empty(words.empty)
    return chart.svg()


def _draw(
    chart: Chart,
    one: Series,
    css_class: str,
    points: list[tuple[date, float]],
    unit: str,
    day_words: Callable[[date], str],
) -> None:
    if not points:
        return
    dash = "5 3" if one.dashed else None
    if one.step:
        # A planned amount holds until the end of the range.
        chart.steps(points, css_class=css_class, colour=one.colour, dash=dash, hold_to_end=True)
        return
    chart.line(points, css_class=css_class, colour=one.colour, dash=dash)
    suffix = f" {unit}" if unit else ""
    chart.dots(
        [(day, value, f"{day_words(day)}: {one.name} {_amount(value)}{suffix}") for day, value in points],
        colour=one.colour,
    )


def _in_range(one: Series, since: date, until: date) -> list[tuple[date, float]]:
    """The series' logged values from `since` to `until`, in order of day."""
    points = [(day, value) for day, v in one.points if (value := drawable(v)) is not None and since <= day <= until]
    return sorted(points, key=lambda point: point[0])


def _description(series: list[Series], since: date, until: date, unit: str, words: ChartWords) -> str:
    said = [words.span(words.long_date(since), words.long_date(until))]
    suffix = f" {unit}" if unit else ""
    for one in series:
        values = _in_range(one, since, until)
        if not values:
            said.append(words.nothing(one.name))
            continue
        (first_day, first), (last_day, last) = values[0], values[-1]
        said.append(
            words.summary(
                one.name,
                len(values),
                f"{_amount(first)}{suffix}",
                words.long_date(first_day),
                f"{_amount(last)}{suffix}",
                words.long_date(last_day),
            )
        )
    return " ".join(said)


def _amount(value: float) -> str:
    """A logged amount: whole numbers as they are, others to one decimal (7.5 hours, 3 sessions)."""
    return number(value, 1, trim=True)
