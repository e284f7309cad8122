"""The taper planner (pure: no ORM, no settings): a dated, slow schedule of daily MME; never an abrupt stop.

    >>> schedule = plan_taper(original_mme=Decimal(60), starts_on=date(2026, 3, 2))
    >>> [str(step.mme) for step in schedule.steps[:3]]
    ['54.00', '48.00', '42.00']

Facts: ../shared/clinical/REFERENCE.md section 2.3 (CDC 2022 Recommendation 5 and MMWR pp.15-17):

- long-term use (e.g. 1 year or more): "Tapers of approximately 10% per month or slower are likely to be better
  tolerated than more rapid tapers."
- shorter use (weeks to months): "a decrease of 10% of the original dose per week or slower (until approximately
  30% of the original dose is reached, followed by a weekly decrease of approximately 10% of the remaining dose)".
- follow-up at least monthly; pauses are allowed; slow the taper as lower doses are reached;
- "opioid therapy should not be discontinued abruptly" unless there are indications of a life-threatening issue.

The planner's rules (app rules where the guideline leaves the arithmetic open, for clinical sign-off):

1. Each step lowers the daily MME by ``rate_percent`` of the ORIGINAL dose, once per period (a month for
   long-term use, a week for shorter use). The rate is the prescriber's choice (the clinic's usual range is
   5-20%); above the guideline's 10% per period the plan is a rapid taper (``is_rapid``), which needs a reason.
2. Slowing near the end: once the dose reaches 30% of the original ("approximately 30% of the original dose"),
   each step lowers it by ``rate_percent`` of that remaining dose (the dose when slowing began), so steps become
   smaller and the schedule still ends. A full step that would cross below 30% stops at 30% (a smaller step,
   never a bigger one). With a target above 30% of the original there is no slowing phase.
3. Never an abrupt stop: no step is larger than the chosen step, the last step to the target is the smallest
   step of its phase or smaller, and a plan never jumps straight to 0 unless ``single_step=True`` is asked for
   explicitly (only for the guideline's life-threatening exception, with a recorded reason: the services check).
4. Pauses: ``Pause(after_step=n, periods=k)`` holds the dose reached at step n for k more periods; the schedule
   shows the pause as its own row.
5. Arithmetic is exact (Decimal); each step's MME is shown to 0.01 and its percent of the original to 0.1.
   Dates: step 1 is on ``starts_on``; step n is n-1 periods later (calendar months, clamped to the month's end),
   plus any pauses.

Checks used by the services (a recorded reason is required when any is true):

- ``is_rapid(rate_percent)``: faster than the guideline's rate (REFERENCE.md 2.3, app implications: "Any dose
  reduction >10%/month in a long-term patient should prompt a 'rapid taper' warning"; weekly: "10% of the
  original dose per week or slower").
- ``stops_from_above(points, threshold)``: a step to 0 from a daily MME above the clinic's policy level.
- ``faster_than_plan(schedule, on, mme)``: an actual dose below the planned dose on that date (faster than the
  chosen rate, or during a pause).

``taper_svg`` draws the planned MME over time (a step line) and the actual doses, as accessible SVG.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from html import escape

__all__ = [
    "GUIDELINE_RATE_PERCENT",
    "LIFE_THREATENING_EXCEPTION",
    "MAX_RATE_PERCENT",
    "MIN_RATE_PERCENT",
    "SLOWING_FROM_PERCENT",
    "Pause",
    "Period",
    "TaperSchedule",
    "TaperStep",
    "add_periods",
    "faster_than_plan",
    "is_rapid",
    "plan_taper",
    "planned_mme_on",
    "stops_from_above",
    "taper_svg",
]

#: The guideline's rate: about 10% per month (long-term use) or 10% of the original dose per week (shorter use).
GUIDELINE_RATE_PERCENT = Decimal(10)
#: The clinic's usual range of rates for the planner (issue 6: "configurable, e.g. 5-20%").
MIN_RATE_PERCENT = Decimal(5)
MAX_RATE_PERCENT = Decimal(20)
#: "until approximately 30% of the original dose is reached" (CDC 2022, shorter use): where steps become smaller.
SLOWING_FROM_PERCENT = Decimal(30)
#: A plan never has more rows than this (5% a month from any dose needs 34 steps).
MAX_STEPS = 240
MAX_PAUSE_PERIODS = 12

#: CDC 2022 Recommendation 5 (REFERENCE.md 2.3, VERIFIED), quoted verbatim wherever a faster taper or a stop
#: from a higher dose needs a reason.
LIFE_THREATENING_EXCEPTION = (
    "Unless there are indications of a life-threatening issue such as warning signs of impending overdose (e.g., "
    "confusion, sedation, or slurred speech), opioid therapy should not be discontinued abruptly, and clinicians "
    "should not rapidly reduce opioid dosages from higher dosages."
)
LIFE_THREATENING_SOURCE = (
    "CDC Clinical Practice Guideline for Prescribing Opioids for Pain, 2022, Recommendation 5 (Dowell D et al., "
    "MMWR Recomm Rep 2022;71(No. RR-3):1-95)"
)

CENT = Decimal("0.01")
TENTH = Decimal("0.1")


class Period(StrEnum):
    MONTH = "month"  # long-term use
    WEEK = "week"  # shorter use


class Kind(StrEnum):
    REDUCE = "reduce"
    PAUSE = "pause"
    STOP = "stop"  # the last step, to 0


@dataclass(frozen=True)
class Pause:
    """Hold the dose reached at step ``after_step`` (1-based) for ``periods`` more periods."""

    after_step: int
    periods: int


@dataclass(frozen=True)
class TaperStep:
    number: int  # 1-based row number
    on: datetime.date
    mme: Decimal  # daily MME from this date
    percent_of_original: Decimal
    kind: str
    slowing: bool = False  # in the slowing phase (below 30% of the original)
    pause_periods: int = 0  # for a pause row: how many periods the dose is held
    period: str = "month"

    def as_json(self) -> dict:
        """The form TaperPlan.schedule stores: {"on", "mme", "note"} plus the fields above."""
        return {
            "number": self.number,
            "on": self.on.isoformat(),
            "mme": str(self.mme),
            "percent": str(self.percent_of_original),
            "kind": self.kind,
            "slowing": self.slowing,
            "pause_periods": self.pause_periods,
            "period": self.period,
            "note": self.note,
        }

    @property
    def note(self) -> str:
        if self.kind == Kind.PAUSE:
            unit = self.period if self.pause_periods == 1 else f"{self.period}s"
            return f"Pause: stay at this dose ({self.pause_periods} {unit})"
        if self.kind == Kind.STOP:
            return "Last step: stop"
        return "Smaller steps near the end" if self.slowing else "Reduce"

    @classmethod
    def from_json(cls, row: dict) -> TaperStep:
        return cls(
            number=int(row["number"]),
            on=datetime.date.fromisoformat(row["on"]),
            mme=Decimal(row["mme"]),
            percent_of_original=Decimal(row["percent"]),
            kind=row["kind"],
            slowing=bool(row.get("slowing")),
            pause_periods=int(row.get("pause_periods") or 0),
            period=row.get("period") or "month",
        )


@dataclass(frozen=True)
class TaperSchedule:
    original_mme: Decimal
    starts_on: datetime.date
    rate_percent: Decimal
    period: Period
    target_mme: Decimal
    steps: tuple[TaperStep, ...] = field(default_factory=tuple)

    @property
    def ends_on(self) -> datetime.date | None:
        return self.steps[-1].on if self.steps else None

    @property
    def step_mme(self) -> Decimal:
        """The size of one full step: rate_percent of the original dose."""
        return _cents(self.original_mme * self.rate_percent / 100)

    def as_json(self) -> list[dict]:
        return [step.as_json() for step in self.steps]

    def points(self) -> list[tuple[datetime.date, Decimal]]:
        """(date, daily MME) from each row's date; the original dose is in force before starts_on."""
        return [(step.on, step.mme) for step in self.steps]


# --------------------------------------------------------------------------- dates


def add_periods(day: datetime.date, count: int, period: Period | str) -> datetime.date:
    """``count`` weeks or calendar months after ``day`` (a month end is clamped: Jan 31 + 1 month = Feb 28/29)."""
    if Period(period) is Period.WEEK:
        return day + datetime.timedelta(weeks=count)
    month_index = day.month - 1 + count
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --------------------------------------------------------------------------- planning


def plan_taper(
    *,
    original_mme: Decimal | int | float,
    starts_on: datetime.date,
    rate_percent: Decimal | int | float = GUIDELINE_RATE_PERCENT,
    period: Period | str = Period.MONTH,
    target_mme: Decimal | int | float = 0,
    pauses: Iterable[Pause] = (),
    single_step: bool = False,
) -> TaperSchedule:
    """The dated schedule from ``original_mme`` down to ``target_mme`` (0: stop), per the rules above.

    Raises ValueError for impossible input (no dose, a target at or above the dose, a rate outside (0, 100],
    a pause after a step that does not exist, or a plan longer than MAX_STEPS rows).
    """
    original = _decimal(original_mme, "original_mme")
    target = _decimal(target_mme, "target_mme")
    rate = _decimal(rate_percent, "rate_percent")
    period = Period(period)
    if original <= 0:
        raise ValueError("There is no opioid dose to taper (the daily MME is 0).")
    if target < 0 or target >= original:
        raise ValueError("The target must be lower than the current daily MME (0 to stop).")
    if not 0 < rate <= 100:
        raise ValueError("The rate must be above 0% and at most 100% of the original dose per period.")
    holds = _pauses(pauses)

    if single_step:
        step = _step(1, starts_on, target, original, period, slowing=False)
        return TaperSchedule(original, starts_on, rate, period, target, (step,))

    full_step = original * rate / 100
    slow_point = original * SLOWING_FROM_PERCENT / 100
    slowing_applies = target < slow_point
    slow_step: Decimal | None = None

    steps: list[TaperStep] = []
    dose, index, reductions = original, 0, 0
    while dose > target:
        if slowing_applies and dose <= slow_point:
            slow_step = slow_step or dose * rate / 100
            dose = max(dose - slow_step, target)
            slowing = True
        else:
            following = dose - full_step
            if slowing_applies and following < slow_point:
                following = slow_point  # the step that reaches 30% is never bigger than a full step
            dose = max(following, target)
            slowing = False
        reductions += 1
        on = add_periods(starts_on, index, period)
        steps.append(_step(len(steps) + 1, on, dose, original, period, slowing=slowing))
        index += 1
        held = holds.get(reductions)
        if held and dose > target:
            steps.append(
                _step(
                    len(steps) + 1,
                    add_periods(starts_on, index, period),
                    dose,
                    original,
                    period,
                    slowing=slowing,
                    kind=Kind.PAUSE,
                    pause_periods=held,
                )
            )
            index += held
        if len(steps) > MAX_STEPS:
            raise ValueError(f"This plan would need more than {MAX_STEPS} steps; choose a faster rate or a target.")
    unknown = [after for after in holds if after > reductions]
    if unknown:
        raise ValueError(f"There is no step {unknown[0]} to pause after: this plan has {reductions} steps.")
    return TaperSchedule(original, starts_on, rate, period, target, tuple(steps))


def _step(number, on, dose, original, period, *, slowing: bool, kind=None, pause_periods=0) -> TaperStep:
    if kind is None:
        kind = Kind.STOP if dose == 0 else Kind.REDUCE
    return TaperStep(
        number=number,
        on=on,
        mme=_cents(dose),
        percent_of_original=(dose / original * 100).quantize(TENTH, rounding=ROUND_HALF_UP),
        kind=kind,
        slowing=slowing,
        pause_periods=pause_periods,
        period=str(period),
    )


def _pauses(pauses: Iterable[Pause]) -> dict[int, int]:
    holds: dict[int, int] = {}
    for pause in pauses:
        if not isinstance(pause.after_step, int) or pause.after_step < 1:
            raise ValueError("A pause comes after a step (step 1 or later).")
        if not isinstance(pause.periods, int) or not 1 <= pause.periods <= MAX_PAUSE_PERIODS:
            raise ValueError(f"A pause lasts 1 to {MAX_PAUSE_PERIODS} periods.")
        holds[pause.after_step] = holds.get(pause.after_step, 0) + pause.periods
    return holds


# --------------------------------------------------------------------------- checks


def is_rapid(rate_percent: Decimal | int | float) -> bool:
    """Faster than the guideline's rate (10% of the original dose per month, or per week for shorter use)."""
    return _decimal(rate_percent, "rate_percent") > GUIDELINE_RATE_PERCENT


def stops_from_above(
    points: Sequence[tuple[datetime.date, Decimal | int | float]], threshold: Decimal | int | float, *, start=None
) -> Decimal | None:
    """The daily MME a stop (a step to 0) comes from, when that is above ``threshold``; else None.

    ``points`` are (date, MME) in date order; ``start`` is the MME before the first point (the original dose).
    """
    limit = _decimal(threshold, "threshold")
    previous = None if start is None else _decimal(start, "start")
    for _, mme in points:
        value = _decimal(mme, "mme")
        if value == 0 and previous is not None and previous > limit:
            return previous
        previous = value
    return None


def planned_mme_on(schedule: TaperSchedule, day: datetime.date) -> Decimal:
    """The planned daily MME on ``day``: the original dose before the first step, then each step's dose."""
    planned = schedule.original_mme
    for step in schedule.steps:
        if step.on > day:
            break
        planned = step.mme
    return planned


def faster_than_plan(schedule: TaperSchedule, day: datetime.date, mme: Decimal | int | float) -> bool:
    """An actual daily MME below the plan on that date: faster than the chosen rate (or during a pause)."""
    return _cents(_decimal(mme, "mme")) < planned_mme_on(schedule, day)


# --------------------------------------------------------------------------- chart

INK = "#1d2b36"
MUTED = "#4f5a63"
PLANNED = "#1f4e6b"
ACTUAL = "#8a4500"
GRID = "#c9d2d8"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


def taper_svg(
    schedule: TaperSchedule,
    actual: Iterable[tuple[datetime.date, Decimal | int | float]] = (),
    *,
    width: int = 640,
    height: int = 260,
    id_prefix: str = "taper",
) -> str:
    """MME/day over time: the plan as a step line (blue) and the actual doses as points (brown diamonds).

    Colours are presentation attributes (the Content Security Policy refuses style attributes); every text is
    escaped; a <title> on each point gives its date and MME for pointer and screen-reader users.
    """
    left, right, top, bottom = 52, 24, 16, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    prefix = "".join(c if c.isalnum() or c in "-_" else "-" for c in id_prefix)
    actual_points = sorted((day, _decimal(mme, "mme")) for day, mme in actual)
    planned = [(schedule.starts_on, schedule.original_mme), *schedule.points()]
    days = [d for d, _ in planned] + [d for d, _ in actual_points]
    first, last = min(days).toordinal(), max(days).toordinal()
    last = max(last, first + 1)
    high = max([schedule.original_mme, *(m for _, m in actual_points)]) or Decimal(1)

    def x(day: datetime.date) -> float:
        return left + (day.toordinal() - first) / (last - first) * plot_w

    def y(mme: Decimal) -> float:
        return top + float((high - mme) / high) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="taper-chart trend-chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-labelledby="{prefix}-title {prefix}-desc" '
        f'font-family="{escape(FONT)}" font-size="12">',
        f'<title id="{prefix}-title">Daily MME over time: planned and actual</title>',
        f'<desc id="{prefix}-desc">{escape(_describe(schedule, actual_points))}</desc>',
        f'<g class="axes" stroke="{GRID}" stroke-width="1"><line x1="{left}" y1="{top}" x2="{left}" '
        f'y2="{top + plot_h}"/><line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/></g>',
    ]
    parts.append(f'<g class="y-ticks" fill="{MUTED}" text-anchor="end" font-size="11">')
    for tick in (high, high / 2, Decimal(0)):
        parts.append(f'<text x="{left - 6}" y="{_n(y(tick) + 4)}">{escape(_mme(tick))}</text>')
    parts.append("</g>")
    parts.append(
        f'<text class="y-axis-label" x="12" y="{_n(top + plot_h / 2)}" fill="{INK}" text-anchor="middle" '
        f'transform="rotate(-90 12 {_n(top + plot_h / 2)})">MME/day</text>'
    )
    parts.append(f'<g class="x-ticks" fill="{MUTED}" text-anchor="middle" font-size="11">')
    for day in _date_labels(sorted({d for d, _ in planned}), x):
        parts.append(f'<text x="{_n(x(day))}" y="{top + plot_h + 16}">{escape(_date(day))}</text>')
    parts.append("</g>")

    # The plan: a step line, level until each step's date, then down to the step's dose.
    path, dose = [], schedule.original_mme
    path.append(f"{_n(x(schedule.starts_on))},{_n(y(dose))}")
    for day, mme in schedule.points():
        path.append(f"{_n(x(day))},{_n(y(dose))}")
        path.append(f"{_n(x(day))},{_n(y(mme))}")
        dose = mme
    parts.append(
        f'<polyline class="planned-line" points="{" ".join(path)}" fill="none" stroke="{PLANNED}" stroke-width="2"/>'
    )
    parts.append(f'<g class="planned-points" fill="{PLANNED}">')
    for step in schedule.steps:
        words = f"Planned from {_date(step.on)}: {_mme(step.mme)} MME/day ({step.percent_of_original}% of the start)"
        parts.append(
            f'<circle cx="{_n(x(step.on))}" cy="{_n(y(step.mme))}" r="3"><title>{escape(words)}</title></circle>'
        )
    parts.append("</g>")
    if actual_points:
        if len(actual_points) > 1:
            line = " ".join(f"{_n(x(d))},{_n(y(m))}" for d, m in actual_points)
            parts.append(
                f'<polyline class="actual-line" points="{line}" fill="none" stroke="{ACTUAL}" stroke-width="2" '
                f'stroke-dasharray="5 4"/>'
            )
        parts.append(f'<g class="actual-points" fill="{ACTUAL}">')
        for day, mme in actual_points:
            cx, cy = x(day), y(mme)
            diamond = f"{_n(cx)},{_n(cy - 6)} {_n(cx + 6)},{_n(cy)} {_n(cx)},{_n(cy + 6)} {_n(cx - 6)},{_n(cy)}"
            words = f"Actual on {_date(day)}: {_mme(mme)} MME/day"
            parts.append(f'<polygon points="{diamond}"><title>{escape(words)}</title></polygon>')
        parts.append("</g>")
    legend_y = height - 8
    parts.append(
        f'<g class="legend" font-size="11"><line x1="{left}" y1="{legend_y - 4}" x2="{left + 24}" y2="{legend_y - 4}" '
        f'stroke="{PLANNED}" stroke-width="2"/><text x="{left + 30}" y="{legend_y}" fill="{INK}">Planned</text>'
        f'<polygon points="{left + 110},{legend_y - 10} {left + 116},{legend_y - 4} {left + 110},{legend_y + 2} '
        f'{left + 104},{legend_y - 4}" fill="{ACTUAL}"/><text x="{left + 122}" y="{legend_y}" fill="{INK}">Actual'
        f"</text></g>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _describe(schedule: TaperSchedule, actual_points) -> str:
    words = [
        f"Planned taper from {_mme(schedule.original_mme)} MME/day starting {_date(schedule.starts_on)}",
        f"to {_mme(schedule.target_mme)} MME/day by {_date(schedule.ends_on)}." if schedule.steps else ".",
    ]
    if actual_points:
        day, mme = actual_points[-1]
        words.append(f"{len(actual_points)} actual doses recorded; the latest {_mme(mme)} MME/day on {_date(day)}.")
    else:
        words.append("No actual doses recorded yet.")
    return " ".join(words)


def _date_labels(days: list[datetime.date], x, *, gap: float = 90, most: int = 6) -> list[datetime.date]:
    """The first and last dates and a few evenly spaced between, never two closer than ``gap`` px."""
    if len(days) <= 1:
        return days
    wanted = sorted({days[round(i * (len(days) - 1) / (most - 1))] for i in range(most)})
    chosen: list[datetime.date] = []
    for day in wanted:
        if not chosen or x(day) - x(chosen[-1]) >= gap:
            chosen.append(day)
        elif day == days[-1] and len(chosen) > 1:
            chosen[-1] = day
    return chosen


# --------------------------------------------------------------------------- helpers


def _decimal(value, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"{name} must be a number, not {value!r}")
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return result


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _mme(value: Decimal) -> str:
    """A daily MME for people: no trailing zeros (60, 22.5, 2.48)."""
    text = f"{_cents(Decimal(value)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _date(day: datetime.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def _n(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
