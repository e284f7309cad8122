"""Pacing (graded activity) schedules: pure functions of their arguments, importing only the standard library
(no ORM, no Django, no settings, no clock: "today" is always passed in), so the rules read and test on their own.

A pacing plan starts from a tolerance baseline (how much the patient can do before pain climbs, e.g.
walking 5 minutes), begins at about 80% of it, and builds up by a fixed step (+1 minute) or a percentage
of the previous step (+10%) every N days, up to a target. `schedule()` turns that, and the sessions the
patient has logged so far, into dated steps.

Rules (each one table-tested in tests/careplans/test_pacing.py):

- Step 1 is `baseline x start_percent / 100`, rounded, and never above the target.
- Each next step is the previous step's planned amount plus the increment (fixed: + value; percent:
  + value% of the previous step), rounded, never above the target. The last step is the target itself.
- Rounding: to the nearest half unit below 10 units, to the nearest whole unit from 10 up (halves round
  up). A step always grows by at least that rounding unit, so small percentages of small amounts still
  move (4 minutes + 10% is 4.5 minutes, not 4 again).
- Each step lasts `every_days` days. Days without a log count as planned days: the schedule is dated,
  and not logging is not a reason to slow down or speed up.
- A session skipped because of a flare holds the schedule: from the flare day on, days do not count
  toward the step until a session is logged as done (no boom-and-bust, no catching up). The done
  session ends the hold and counts as a day of the step.
- A partly done session repeats the step: the step starts again the next day, for a full `every_days`.
  It does not end a hold.
- Sessions before the start date are ignored. The target step lasts (it has no end date).
- While a hold is on, the steps ahead are dated as if it ended tomorrow (the dates move on by a day for
  each day the hold lasts); `Schedule.on_hold` says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

DONE, PARTLY, FLARE = "done", "partly", "flare"
OUTCOMES = (DONE, PARTLY, FLARE)
PERCENT, FIXED = "percent", "fixed"
# A plan needing more steps than this to reach its target is refused by the form (and by schedule()).
MAX_STEPS = 100
HALF, ONE = Decimal("0.5"), Decimal(1)
WHOLE_UNITS_FROM = Decimal(10)


class PacingError(ValueError):
    """The plan's numbers cannot make a schedule (a form shows the message)."""


@dataclass(frozen=True)
class PacingSpec:
    baseline: Decimal
    target: Decimal
    starts_on: date
    start_percent: int = 80
    increment_kind: str = PERCENT
    increment_value: Decimal = Decimal(10)
    every_days: int = 3


@dataclass(frozen=True)
class Logged:
    """One logged session: the day, what happened, and how much was done (for a partly done session)."""

    on: date
    outcome: str
    actual: Decimal | None = None


@dataclass(frozen=True)
class Step:
    number: int  # 1-based
    amount: Decimal
    starts_on: date
    ends_on: date | None  # the last day of the step; None for the target step (it lasts)
    is_target: bool = False
    held_days: int = 0  # days a flare held this step
    repeats: int = 0  # how many partly done sessions restarted it

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class Schedule:
    steps: list[Step]
    on_hold: bool = False  # a flare is holding the schedule (no done session since)
    held_since: date | None = None
    sessions: dict[date, Logged] = field(default_factory=dict)

    def step_on(self, day: date) -> Step | None:
        for step in self.steps:
            if step.covers(day):
                return step
        return None

    def amount_on(self, day: date) -> Decimal | None:
        """The planned amount on a day (None before the plan starts)."""
        step = self.step_on(day)
        return step.amount if step else None

    @property
    def target_on(self) -> date | None:
        """The day the target step starts (as the schedule stands)."""
        return self.steps[-1].starts_on if self.steps and self.steps[-1].is_target else None


def round_amount(value: Decimal) -> Decimal:
    """Half units below 10, whole units from 10 up; halves round up."""
    value = Decimal(value)
    unit = ONE if value >= WHOLE_UNITS_FROM else HALF
    return ((value / unit).quantize(ONE, rounding=ROUND_HALF_UP) * unit).normalize() + 0


def rounding_unit(value: Decimal) -> Decimal:
    return ONE if value >= WHOLE_UNITS_FROM else HALF


def check(spec: PacingSpec) -> None:
    if spec.baseline <= 0:
        raise PacingError("The baseline must be more than 0.")
    if spec.target <= 0:
        raise PacingError("The target must be more than 0.")
    if not 1 <= spec.start_percent <= 100:
        raise PacingError("The start must be between 1% and 100% of the baseline.")
    if spec.increment_kind not in (PERCENT, FIXED):
        raise PacingError("The increment is a percentage or a fixed amount.")
    if spec.increment_value <= 0:
        raise PacingError("The increment must be more than 0.")
    if spec.every_days < 1:
        raise PacingError("Steps last at least 1 day.")


def step_amounts(spec: PacingSpec) -> list[Decimal]:
    """The planned amount of every step, from the first to the target (both included)."""
    check(spec)
    target = Decimal(spec.target)
    first = min(round_amount(Decimal(spec.baseline) * spec.start_percent / 100), target)
    first = max(first, min(HALF, target))
    amounts = [first]
    while amounts[-1] < target:
        previous = amounts[-1]
        if spec.increment_kind == PERCENT:
            raw = previous * (1 + Decimal(spec.increment_value) / 100)
        else:
            raw = previous + Decimal(spec.increment_value)
        following = max(round_amount(raw), previous + rounding_unit(previous))
        amounts.append(min(following, target))
        if len(amounts) > MAX_STEPS:
            raise PacingError(
                f"This plan would need more than {MAX_STEPS} steps to reach the target: "
                "choose a larger increment or a nearer target."
            )
    return amounts


def steps_needed(spec: PacingSpec) -> int:
    return len(step_amounts(spec))


@dataclass
class _Walk:
    """The state of the day-by-day walk through the logged sessions."""

    started: date
    index: int = 0
    counted: int = 0
    held: int = 0
    repeats: int = 0
    hold_since: date | None = None


def schedule(spec: PacingSpec, sessions: Iterable[Logged] = (), *, today: date) -> Schedule:
    """The dated steps of a plan, given the sessions logged so far (see the module's rules)."""
    amounts = step_amounts(spec)
    logged = {s.on: s for s in sessions if s.on >= spec.starts_on and s.outcome in OUTCOMES}
    last_logged = max(logged, default=None)
    # Walk the days already lived (and any logged ahead of today), then date the rest.
    horizon = max(d for d in (today, last_logged) if d is not None)
    steps: list[Step] = []
    walk = _Walk(started=spec.starts_on)
    day = spec.starts_on
    last = len(amounts) - 1
    while day <= horizon and walk.index < last:
        session = logged.get(day)
        outcome = session.outcome if session else None
        if outcome == FLARE:
            if walk.hold_since is None:
                walk.hold_since = day
            walk.held += 1
        elif outcome == PARTLY:
            walk.repeats += 1
            walk.counted = 0
            if walk.hold_since is not None:
                walk.held += 1
        elif walk.hold_since is not None and outcome != DONE:
            walk.held += 1
        else:  # a done session, or an unlogged day outside a hold
            walk.hold_since = None
            walk.counted += 1
        if walk.counted >= spec.every_days:
            steps.append(_step(walk, amounts, end=day))
            walk = _Walk(index=walk.index + 1, started=day + timedelta(days=1))
        day += timedelta(days=1)

    on_hold, held_since = walk.hold_since is not None, walk.hold_since
    # Date the steps still ahead: the current one ends when its remaining days are counted from the
    # first day not walked yet (tomorrow). While on hold that assumes the hold ends then; the dates
    # move on by a day for each day the hold lasts.
    if walk.index < last:
        end = day + timedelta(days=spec.every_days - walk.counted - 1)
        steps.append(_step(walk, amounts, end=end))
        start = end + timedelta(days=1)
        for index in range(walk.index + 1, last):
            end = start + timedelta(days=spec.every_days - 1)
            steps.append(Step(number=index + 1, amount=amounts[index], starts_on=start, ends_on=end))
            start = end + timedelta(days=1)
        steps.append(Step(number=last + 1, amount=amounts[last], starts_on=start, ends_on=None, is_target=True))
    else:
        steps.append(
            Step(
                number=last + 1,
                amount=amounts[last],
                starts_on=walk.started or spec.starts_on,
                ends_on=None,
                is_target=True,
            )
        )
        on_hold, held_since = False, None
    return Schedule(steps=steps, on_hold=on_hold, held_since=held_since, sessions=logged)


def _step(walk: _Walk, amounts: list[Decimal], *, end: date) -> Step:
    return Step(
        number=walk.index + 1,
        amount=amounts[walk.index],
        starts_on=walk.started,
        ends_on=end,
        is_target=walk.index == len(amounts) - 1,
        held_days=walk.held,
        repeats=walk.repeats,
    )


def flare_amount(amount: Decimal, reduce_by_percent: int) -> Decimal:
    """How much to do in a flare-up: the planned amount less the flare-up plan's percentage, rounded."""
    reduced = Decimal(amount) * (100 - max(0, min(reduce_by_percent, 100))) / 100
    return round_amount(reduced) if reduced > 0 else Decimal(0)


def planned_vs_actual(sched: Schedule, *, since: date, until: date) -> list[tuple[date, Decimal | None, Logged | None]]:
    """Each day from `since` to `until` with its planned amount and the session logged, if any."""
    rows = []
    day = since
    while day <= until:
        rows.append((day, sched.amount_on(day), sched.sessions.get(day)))
        day += timedelta(days=1)
    return rows


def done_amount(session: Logged, planned: Decimal | None) -> Decimal | None:
    """What a session amounted to: the planned amount when done, the amount given when partly done,
    nothing in a flare."""
    if session.outcome == DONE:
        return session.actual if session.actual is not None else planned
    if session.outcome == PARTLY:
        return session.actual
    return None


def adherence_counts(
    *, starts_on: date, last_day: date | None, sessions: Iterable[Logged], since: date, until: date
) -> tuple[int, int]:
    """(sessions done, sessions planned) between `since` and `until`, both included.

    One session is planned a day, from the plan's start to `last_day` (today for a running plan).
    Days skipped because of a flare are not counted as planned: the flare-up plan asked for less.
    A partly done session is planned but not done.
    """
    first = max(since, starts_on)
    last = min(until, last_day) if last_day is not None else until
    if last < first:
        return 0, 0
    done = flares = 0
    for session in sessions:
        if first <= session.on <= last:
            if session.outcome == DONE:
                done += 1
            elif session.outcome == FLARE:
                flares += 1
    planned = (last - first).days + 1 - flares
    return done, max(planned, 0)
