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
   shows the pause as its own row. A taper paused along the way (the status "paused") holds the dose it had
   reached, and on resuming every step not yet reached is moved later by the days it was paused
   (``redate_after_pause``), so the next step comes as long after the resume as it was due after the pause:
   never two steps at once.
5. Arithmetic is exact (Decimal); each step's MME is shown to 0.01 and its percent of the original to 0.1.
   Dates: step 1 is on ``starts_on``; step n is n-1 periods later (calendar months, clamped to the month's end),
   plus any pauses.

Checks used by the services (a recorded reason is required when any is true):

- ``is_rapid(rate_percent, period, long_term=...)``: faster than the guideline's rate (REFERENCE.md 2.3, app
  implications: "Any dose reduction >10%/month in a long-term patient should prompt a 'rapid taper' warning";
  weekly: "10% of the original dose per week or slower"). Whether use is long-term comes from the medication
  history (``opioid_use_began``), not only from the period the prescriber chose: a weekly taper for a patient
  on opioids for a year or more is rapid at any rate (the clinic's slowest, 5% a week, is over 20% a month).
- ``stops_from_above(points, threshold)``: a step to 0 from a daily MME above the clinic's policy level.
- ``faster_than_plan(schedule, on, mme)``: an actual dose below the planned dose on that date (faster than the
  chosen rate, or during a pause).

``taper_svg`` draws the planned MME over time (a step line) and the actual doses, with the chart engine (charts/).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

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
    "is_long_term",
    "is_rapid",
    "opioid_use_began",
    "plan_taper",
    "planned_mme_on",
    "redate_after_pause",
    "stops_from_above",
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
#: "Long-term use (e.g. ≥1 year)" (REFERENCE.md 2.3).
LONG_TERM_DAYS = 365
#: The app's rule: opioid lines with a week or less between them are one run of use (a switch from one opioid to
#: another, a prescription renewed a few days late).
SAME_RUN_GAP_DAYS = 7

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
    original = as_decimal(original_mme, "original_mme")
    target = as_decimal(target_mme, "target_mme")
    rate = as_decimal(rate_percent, "rate_percent")
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


def redate_after_pause(
    schedule: TaperSchedule, *, paused_on: datetime.date, resumed_on: datetime.date
) -> TaperSchedule:
    """The schedule with every step after ``paused_on`` moved later by the days until ``resumed_on``."""
    held = datetime.timedelta(days=(resumed_on - paused_on).days)
    if held.days <= 0:
        return schedule
    steps = tuple(replace(step, on=step.on + held) if step.on > paused_on else step for step in schedule.steps)
    return replace(schedule, steps=steps)


# --------------------------------------------------------------------------- checks


def is_rapid(
    rate_percent: Decimal | int | float, period: Period | str = Period.MONTH, *, long_term: bool = False
) -> bool:
    """Faster than the guideline's rate: 10% of the original dose per month for long-term use, per week for
    shorter use. A weekly taper is rapid for long-term use whatever its rate."""
    too_fast = as_decimal(rate_percent, "rate_percent") > GUIDELINE_RATE_PERCENT
    return too_fast or (long_term and Period(period) is Period.WEEK)


def opioid_use_began(
    lines: Iterable[tuple[datetime.date | None, datetime.date | None]], today: datetime.date
) -> datetime.date | None:
    """When the run of opioid use that reaches ``today`` began, from the opioid lines' (started_on, stopped_on),
    current and past; None when it is not known (no current line, or a line in the run with no start date).

    Lines that overlap or have SAME_RUN_GAP_DAYS or fewer between them are one run.
    """
    spans = sorted(((start, stop or today) for start, stop in lines), key=lambda span: span[1], reverse=True)
    if not spans or spans[0][1] < today:
        return None  # no line is current: nothing is being tapered
    began: datetime.date | None = None
    for start, stop in spans:
        if began is not None and (stop - began).days < -SAME_RUN_GAP_DAYS:
            break  # an older run, before a longer gap
        if start is None:
            return None
        began = start if began is None else min(began, start)
    return began


def is_long_term(began: datetime.date | None, today: datetime.date) -> bool:
    """On opioids for a year or more. Unknown (None) is not long-term: the prescriber's chosen period stands."""
    return began is not None and (today - began).days >= LONG_TERM_DAYS


def stops_from_above(
    points: Sequence[tuple[datetime.date, Decimal | int | float]], threshold: Decimal | int | float, *, start=None
) -> Decimal | None:
    """The daily MME a stop (a step to 0) comes from, when that is above ``threshold``; else None.

    ``points`` are (date, MME) in date order; ``start`` is the MME before the first point (the original dose).
    """
    limit = as_decimal(threshold, "threshold")
    previous = None if start is None else as_decimal(start, "start")
    for _, mme in points:
        value = as_decimal(mme, "mme")
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
    return _cents(as_decimal(mme, "mme")) < planned_mme_on(schedule, day)


# --------------------------------------------------------------------------- helpers


def as_decimal(value, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError(f"{name} must be a number, not {value!r}")
    result = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value!r}")
    return result


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
