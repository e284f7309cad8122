"""Scales and ticks: from values and calendar days to pixels (pure: no database, no Django).

A chart's y axis is a :class:`ValueScale` (higher values drawn higher up), its x axis a :class:`DayScale` of
calendar days: one step per day whatever the clock did, so a daylight-saving day (23 or 25 hours) is as wide as
any other. Moments become days with :func:`calendar_day`, in the reader's time zone, before they reach a scale.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "AMOUNT_TICKS",
    "SCORE_TICKS",
    "DayScale",
    "TickRule",
    "ValueScale",
    "calendar_day",
    "day_ticks",
    "nice_ceiling",
    "nice_ticks",
    "spaced_days",
]

Value = float | int | Decimal


@dataclass(frozen=True)
class TickRule:
    """How far apart the ticks of a value axis are: the first step on the ladder that gives at most ``most``
    intervals; past the ladder's end, ``most - 1`` equal intervals."""

    steps: tuple[float, ...]
    most: int


#: Questionnaire totals are whole numbers: no step of 2.5, whose ticks would print as 2 or 3.
SCORE_TICKS = TickRule(steps=(1, 2, 5, 10, 20, 50, 100), most=6)
#: Amounts (hours, minutes, steps walked) on small charts: fewer ticks, and 2.5 and 25 are fine steps.
AMOUNT_TICKS = TickRule(steps=(1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000), most=5)


def nice_ticks(low: float, high: float, rule: TickRule) -> list[float]:
    """The tick values from ``low`` to ``high`` (both included when they fall on a step)."""
    span = high - low
    if span <= 0:
        return [low]
    step = next((s for s in rule.steps if span / s <= rule.most), span / (rule.most - 1))
    first = math.ceil(low / step)
    # Multiples of the step, not a running sum, so a step such as 0.1 does not drift.
    return [n * step for n in range(first, math.floor(high / step + 1e-9) + 1)]


def nice_ceiling(value: float) -> float:
    """The top of an axis for data that has no natural maximum: 1, 2, 2.5 or 5 times a power of ten, at or above
    ``value`` (8,000 steps -> 10,000; 14 minutes -> 20); 1 when there is nothing above 0."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    return next((factor * magnitude for factor in (1, 2, 2.5, 5) if value <= factor * magnitude), 10 * magnitude)


def day_ticks(since: datetime.date, until: datetime.date, *, most: int = 4) -> list[datetime.date]:
    """Days to label on a chart of a date range: ``since`` and every few days after it (at most ``most``
    intervals), and ``until`` too unless the last tick is already close to it (under half an interval)."""
    days = (until - since).days
    if days <= 0:
        return [since]
    every = max(1, math.ceil(days / most))
    ticks = [since + datetime.timedelta(days=d) for d in range(0, days + 1, every)]
    if (until - ticks[-1]).days >= every / 2:
        ticks.append(until)
    return ticks


def spaced_days(
    days: Sequence[datetime.date], x: Callable[[datetime.date], float], *, gap: float, most: int = 6
) -> list[datetime.date]:
    """Which of ``days`` (in order) get a date label: the first, the last and a few evenly spaced between, never two
    labels closer than ``gap`` pixels. The last day replaces a neighbour that is too close, so the end of the
    range is always named (unless only the first would be left)."""
    if len(days) <= 1:
        return list(days)
    last = len(days) - 1
    wanted = sorted({days[round(i * last / (most - 1))] for i in range(most)})
    chosen: list[datetime.date] = []
    for day in wanted:
        if not chosen or x(day) - x(chosen[-1]) >= gap:
            chosen.append(day)
        elif day == days[-1] and len(chosen) > 1:
            chosen[-1] = day
    return chosen


def calendar_day(when: datetime.date | datetime.datetime, zone: datetime.tzinfo) -> datetime.date:
    """The day a moment belongs to for the reader: an aware datetime's date in ``zone`` (not UTC's date, so an
    answer at 23:30 stays on its evening across a daylight-saving change); a naive datetime's date as written;
    a date as it is."""
    if isinstance(when, datetime.datetime):
        return when.astimezone(zone).date() if when.utcoffset() is not None else when.date()
    return when


@dataclass(frozen=True)
class ValueScale:
    """Values from ``low`` to ``high`` onto y pixels from ``bottom`` up to ``top``. Build it with
    :meth:`between`, which widens an empty range."""

    low: float
    high: float
    top: float
    bottom: float
    clamp: bool = False  # values beyond the range are drawn at its edge instead of outside the plot

    @classmethod
    def between(cls, low: Value, high: Value, *, top: float, bottom: float, clamp: bool = False) -> ValueScale:
        """A scale over ``low`` to ``high``. When all values are equal (or the range is upside down) it runs from
        ``low`` to ``low + 1``: a flat line then lies along the bottom, never a division by zero."""
        low, high = float(low), float(high)
        if high <= low:
            high = low + 1
        return cls(low=low, high=high, top=top, bottom=bottom, clamp=clamp)

    def __call__(self, value: Value) -> float:
        value = float(value)
        if self.clamp:
            value = min(max(value, self.low), self.high)
        return self.top + (self.high - value) / (self.high - self.low) * (self.bottom - self.top)

    def covers(self, value: Value) -> bool:
        """Whether a value lies on the scale (a threshold off the scale is not drawn)."""
        return self.low <= float(value) <= self.high

    def ticks(self, rule: TickRule) -> list[float]:
        return nice_ticks(self.low, self.high, rule)


@dataclass(frozen=True)
class DayScale:
    """Calendar days from ``first`` to ``last`` onto x pixels from ``left`` to ``right``. When ``first`` is
    ``last`` (a single day) that day is drawn in the middle."""

    first: datetime.date
    last: datetime.date
    left: float
    right: float

    @classmethod
    def at_least_a_day(cls, first: datetime.date, last: datetime.date, *, left: float, right: float) -> DayScale:
        """A range drawn at least one day wide, so a single day sits at the left edge, under its date label."""
        return cls(first=first, last=max(last, first + datetime.timedelta(days=1)), left=left, right=right)

    def __call__(self, day: datetime.date) -> float:
        days = (self.last - self.first).days
        if days == 0:
            return (self.left + self.right) / 2
        return self.left + (day - self.first).days / days * (self.right - self.left)
