"""The taper's MME-over-time chart, drawn by the chart engine in charts/: the plan (medications/rules/tapering.py)
as a step line and the actual doses as points. Pure: no database, returns SVG text."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from charts import Chart, Frame, LegendEntry, long_date, number
from charts.colours import BLUE, BROWN
from medications.rules.tapering import TaperSchedule, TaperStep, as_decimal

PLANNED = BLUE
ACTUAL = BROWN


def taper_svg(
    schedule: TaperSchedule,
    actual: Iterable[tuple[datetime.date, Decimal | int | float]] = (),
    *,
    width: int = 640,
    height: int = 260,
    id_prefix: str = "taper",
) -> str:
    """MME/day over time, drawn by the chart engine in charts/: the plan as a step line (blue) and the actual
    doses as points (brown diamonds); each point's title gives its date and MME."""
    actual_points = sorted((day, as_decimal(mme, "mme")) for day, mme in actual)
    planned = [(schedule.starts_on, schedule.original_mme), *schedule.points()]
    days = [d for d, _ in planned] + [d for d, _ in actual_points]
    high = max([schedule.original_mme, *(m for _, m in actual_points)]) or Decimal(1)
    frame = Frame(width=width, height=height, left=52, right=24, top=16, bottom=46)
    chart = Chart(
        frame,
        y=frame.value_scale(0, high),
        x=frame.day_scale(min(days), max(days), at_least_a_day=True),
        css_class="taper-chart trend-chart",
        id_prefix=id_prefix,
        title="Daily MME over time: planned and actual",
        description=_describe(schedule, actual_points),
    )
    chart.axis_lines()
    chart.value_ticks([high, high / 2, Decimal(0)])  # the highest dose, half of it, none
    chart.value_axis_name("MME/day")
    chart.day_labels(chart.spaced_days(sorted({d for d, _ in planned})))
    # The plan: level until each step's date, then down to the step's dose.
    chart.steps(planned, css_class="planned-line", colour=PLANNED)
    chart.dots(
        [(step.on, step.mme, _planned_words(step)) for step in schedule.steps],
        css_class="planned-points",
        colour=PLANNED,
    )
    if actual_points:
        chart.line(actual_points, css_class="actual-line", colour=ACTUAL, dash="5 4")
        chart.diamonds(
            [(day, mme, f"Actual on {long_date(day)}: {_mme(mme)} MME/day") for day, mme in actual_points],
            css_class="actual-points",
            colour=ACTUAL,
        )
    chart.legend([LegendEntry("Planned", PLANNED), LegendEntry("Actual", ACTUAL, swatch="diamond")])
    return chart.svg()


def _planned_words(step: TaperStep) -> str:
    return f"Planned from {long_date(step.on)}: {_mme(step.mme)} MME/day ({step.percent_of_original}% of the start)"


def _describe(schedule: TaperSchedule, actual_points) -> str:
    words = [
        f"Planned taper from {_mme(schedule.original_mme)} MME/day starting {long_date(schedule.starts_on)}",
        f"to {_mme(schedule.target_mme)} MME/day by {long_date(schedule.ends_on)}." if schedule.steps else ".",
    ]
    if actual_points:
        day, mme = actual_points[-1]
        words.append(f"{len(actual_points)} actual doses recorded; the latest {_mme(mme)} MME/day on {long_date(day)}.")
    else:
        words.append("No actual doses recorded yet.")
    return " ".join(words)


def _mme(value: Decimal) -> str:
    """A daily MME for people: to the cent, no trailing zeros (60, 22.5, 2.48)."""
    return number(value, 2, trim=True)
