"""Reads of the patient's daily logs and pacing sessions, for charts, the plan page and the sprint review.

- `log_series(patient, since=, until=)`: one point per day with a check-in (one query).
- `pacing_adherence(plan, since=, until=)`: the share of planned pacing sessions done (two queries).
- `pacing_views_for(plan, today=)`: each pacing plan with its dated schedule (two queries).
- `log_section_for(plan)`: the context of careplans/logs/_plan_section.html (four queries).
- `patient_plan_parts(plan, today=)`: the flare-up plan and pacing schedules for the portal and for the
  printable plan's partials (three queries).

Every read is bounded by dates and runs a constant number of queries whatever the length of the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, Max, Prefetch
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from careplans.logs import pacing
from careplans.logs.charts import PLANNED, Marker, Series, line_chart
from careplans.models import CarePlan, DailyLog, FlarePlan, PacingPlan, PacingSession
from clinic.dates import start_of_day

LOG_WEEKS = 6
PACING_ROWS_DAYS = 28  # planned vs actual rows shown on the plan page


@dataclass(frozen=True)
class DayPoint:
    """A day's check-ins: the average of the day's answers (the highest step count)."""

    day: date
    entries: int
    pain_interference: float | None
    sleep_hours: float | None
    sleep_quality: float | None
    steps: int | None


def checked_in_on(patient, day: date) -> bool:
    """Whether the patient logged a check-in on this clinic day or later (the portal's "checked in today")."""
    return DailyLog.objects.filter(patient=patient, logged_at__gte=start_of_day(day)).exists()


def log_series(patient, *, since: date, until: date) -> list[DayPoint]:
    """One point per day with at least one check-in, from `since` to `until` (both included), oldest
    first; days without a check-in are left out. One query."""
    return _series(patient.pk, since=since, until=until)


def _series(patient_id: int, *, since: date, until: date) -> list[DayPoint]:
    rows = (
        DailyLog.objects.filter(
            patient_id=patient_id,
            logged_at__gte=start_of_day(since),
            logged_at__lt=start_of_day(until + timedelta(days=1)),
        )
        .annotate(day=TruncDate("logged_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(
            entries=Count("id"),
            pain=Avg("pain_interference"),
            sleep=Avg("sleep_hours"),
            quality=Avg("sleep_quality"),
            steps=Max("steps"),
        )
        .order_by("day")
    )
    return [
        DayPoint(
            day=row["day"],
            entries=row["entries"],
            pain_interference=_one_place(row["pain"]),
            sleep_hours=_one_place(row["sleep"]),
            sleep_quality=_one_place(row["quality"]),
            steps=row["steps"],
        )
        for row in rows
    ]


def _one_place(value) -> float | None:
    return None if value is None else round(float(value), 1)


def logged(session: PacingSession) -> pacing.Logged:
    return pacing.Logged(on=session.on, outcome=session.outcome, actual=session.actual_amount)


def spec_of(pacing_plan: PacingPlan) -> pacing.PacingSpec:
    return pacing.PacingSpec(
        baseline=Decimal(pacing_plan.baseline),
        target=Decimal(pacing_plan.target),
        starts_on=pacing_plan.starts_on,
        start_percent=pacing_plan.start_percent,
        increment_kind=pacing_plan.increment_kind,
        increment_value=Decimal(pacing_plan.increment_value),
        every_days=pacing_plan.every_days,
    )


def last_planned_day(pacing_plan: PacingPlan, sessions: list[pacing.Logged], *, today: date) -> date | None:
    """A running plan plans a session every day up to today; a finished or stopped one up to its last log."""
    if pacing_plan.status == PacingPlan.Status.ACTIVE:
        return today
    return max((s.on for s in sessions), default=pacing_plan.starts_on - timedelta(days=1))


def pacing_adherence(plan: CarePlan, *, since: date, until: date) -> float | None:
    """The share (0 to 1) of planned pacing sessions logged as done between `since` and `until`, over
    all the care plan's pacing plans; None when no session was planned.

    One session a day is planned while a pacing plan runs (not before its start, not after today);
    days skipped because of a flare are not planned (the flare-up plan asked for less); a partly
    done session counts as planned and not done. Two queries.
    """
    today = timezone.localdate()
    sessions = PacingSession.objects.filter(on__gte=since, on__lte=until).only(
        "pacing_plan_id", "on", "outcome", "actual_amount"
    )
    plans = (
        PacingPlan.objects.filter(plan=plan, starts_on__lte=until)
        .only("id", "starts_on", "status")
        .prefetch_related(Prefetch("sessions", queryset=sessions, to_attr="window_sessions"))
    )
    done = planned = 0
    for pacing_plan in plans:
        logs = [logged(s) for s in pacing_plan.window_sessions]
        if pacing_plan.status != PacingPlan.Status.ACTIVE and not logs:
            continue
        last = last_planned_day(pacing_plan, logs, today=today)
        plan_done, plan_planned = pacing.adherence_counts(
            starts_on=pacing_plan.starts_on, last_day=last, sessions=logs, since=since, until=min(until, today)
        )
        done, planned = done + plan_done, planned + plan_planned
    return done / planned if planned else None


# --------------------------------------------------------------------------- pacing plans with schedules


@dataclass
class PacingView:
    """A pacing plan with its schedule as of `today`, for the portal and the clinician's pages."""

    pacing_plan: PacingPlan
    schedule: pacing.Schedule
    today: date
    sessions: list[PacingSession] = field(default_factory=list)

    @property
    def is_active(self) -> bool:
        return self.pacing_plan.status == PacingPlan.Status.ACTIVE

    @property
    def started(self) -> bool:
        return self.pacing_plan.starts_on <= self.today

    @property
    def today_amount(self) -> Decimal | None:
        return self.schedule.amount_on(self.today)

    @property
    def today_step(self) -> pacing.Step | None:
        return self.schedule.step_on(self.today)

    @property
    def today_session(self) -> PacingSession | None:
        return next((s for s in self.sessions if s.on == self.today), None)

    @property
    def next_step(self) -> pacing.Step | None:
        current = self.today_step
        if current is None:
            return self.schedule.steps[0] if self.schedule.steps else None
        return next((s for s in self.schedule.steps if s.number == current.number + 1), None)

    def flare_amount(self, reduce_by_percent: int) -> Decimal | None:
        amount = self.today_amount
        return None if amount is None else pacing.flare_amount(amount, reduce_by_percent)

    def rows(self, *, days: int = PACING_ROWS_DAYS) -> list[dict]:
        """Planned vs actual for the last `days` days of the plan (newest first)."""
        since = max(self.pacing_plan.starts_on, self.today - timedelta(days=days - 1))
        by_day = {s.on: s for s in self.sessions}
        rows = []
        for day, planned, log in pacing.planned_vs_actual(self.schedule, since=since, until=self.today):
            session = by_day.get(day)
            rows.append(
                {
                    "day": day,
                    "planned": planned,
                    "session": session,
                    "actual": pacing.done_amount(log, planned) if log else None,
                }
            )
        rows.reverse()
        return rows

    def adherence(self, *, since: date, until: date) -> float | None:
        logs = list(self.schedule.sessions.values())
        if not self.is_active and not logs:
            return None
        done, planned = pacing.adherence_counts(
            starts_on=self.pacing_plan.starts_on,
            last_day=last_planned_day(self.pacing_plan, logs, today=self.today),
            sessions=logs,
            since=since,
            until=min(until, self.today),
        )
        return done / planned if planned else None

    def chart(self, *, since: date, until: date, width: int = 360, height: int = 150) -> SafeString:
        planned = [(step.starts_on, step.amount) for step in self.schedule.steps if step.starts_on <= until]
        first = self.schedule.step_on(since)
        if first is not None:
            planned = [(since, first.amount)] + [p for p in planned if p[0] > since]
        actual = []
        markers = []
        for day, log in sorted(self.schedule.sessions.items()):
            if since <= day <= until:
                amount = pacing.done_amount(log, self.schedule.amount_on(day))
                if amount is not None:
                    actual.append((day, amount))
                if log.outcome == pacing.FLARE:
                    markers.append(Marker(day=day, words="skipped because of a flare"))
        plan = self.pacing_plan
        high = max([float(plan.target), *(float(a) for _, a in actual)])
        svg = line_chart(
            [
                Series(name="Planned", points=planned, colour=PLANNED, step=True, dashed=True),
                Series(name="Done", points=actual),
            ],
            since=since,
            until=until,
            low=0,
            high=high * 1.1,
            title=f"{plan.activity}: planned and done ({plan.unit})",
            unit=plan.unit,
            id_prefix=f"pacing-{plan.public_id}",
            markers=markers,
            width=width,
            height=height,
        )
        return mark_safe(svg)  # built by careplans.logs.charts: every text is escaped


def pacing_views_for(plan: CarePlan, *, today: date | None = None, active_only: bool = False) -> list[PacingView]:
    """The care plan's pacing plans (running ones first, newest first) with their schedules. Two queries."""
    today = today or timezone.localdate()
    plans = PacingPlan.objects.filter(plan=plan)
    if active_only:
        plans = plans.filter(status=PacingPlan.Status.ACTIVE)
    plans = plans.prefetch_related(
        Prefetch("sessions", queryset=PacingSession.objects.order_by("on"), to_attr="all_sessions")
    ).order_by("status", "-starts_on", "-id")  # "active" sorts before "done" and "stopped"
    views = []
    for pacing_plan in plans:
        sessions = pacing_plan.all_sessions
        sched = pacing.schedule(spec_of(pacing_plan), [logged(s) for s in sessions], today=today)
        views.append(PacingView(pacing_plan=pacing_plan, schedule=sched, today=today, sessions=sessions))
    return views


def pacing_view(pacing_plan: PacingPlan, *, today: date | None = None) -> PacingView:
    """One pacing plan with its schedule (one query for its sessions)."""
    today = today or timezone.localdate()
    sessions = list(pacing_plan.sessions.order_by("on"))
    sched = pacing.schedule(spec_of(pacing_plan), [logged(s) for s in sessions], today=today)
    return PacingView(pacing_plan=pacing_plan, schedule=sched, today=today, sessions=sessions)


# --------------------------------------------------------------------------- charts of the daily logs


@dataclass
class LogCharts:
    since: date
    until: date
    points: list[DayPoint]
    pain: SafeString
    sleep_hours: SafeString
    sleep_quality: SafeString
    steps: SafeString | None

    @property
    def days_logged(self) -> int:
        return len(self.points)

    @property
    def entries(self) -> int:
        return sum(p.entries for p in self.points)


def log_charts(points: list[DayPoint], *, since: date, until: date, prefix: str = "log") -> LogCharts:
    def chart(attr: str, title: str, *, high: float | None, unit: str = "") -> SafeString:
        series = [Series(name=title, points=[(p.day, getattr(p, attr)) for p in points])]
        svg = line_chart(
            series, since=since, until=until, low=0, high=high, title=title, unit=unit, id_prefix=f"{prefix}-{attr}"
        )
        return mark_safe(svg)  # built by careplans.logs.charts: every text is escaped

    has_steps = any(p.steps is not None for p in points)
    return LogCharts(
        since=since,
        until=until,
        points=points,
        pain=chart("pain_interference", "Pain interference (0-10)", high=10),
        sleep_hours=chart("sleep_hours", "Hours slept", high=12, unit="h"),
        sleep_quality=chart("sleep_quality", "Sleep quality (0-10)", high=10),
        steps=chart("steps", "Steps", high=None) if has_steps else None,
    )


def log_section_for(plan: CarePlan, *, today: date | None = None, weeks: int = LOG_WEEKS) -> dict:
    """The context of careplans/logs/_plan_section.html: the last `weeks` weeks of daily-log charts and
    each pacing plan's planned vs actual. Four queries, whatever the length of the history.

    Include it as ``{% include "careplans/logs/_plan_section.html" with section=log_section %}`` with
    ``log_section = log_section_for(plan)`` in the view's context (the partial also reads ``patient``).
    """
    today = today or timezone.localdate()
    since = today - timedelta(days=weeks * 7 - 1)
    points = _series(plan.patient_id, since=since, until=today)
    views = pacing_views_for(plan, today=today)
    flare_plan = FlarePlan.objects.filter(plan=plan).select_related("updated_by").first()
    pacing_rows = [
        {
            "view": view,
            "chart": view.chart(since=max(since, view.pacing_plan.starts_on), until=today),
            "adherence": view.adherence(since=since, until=today),
            "rows": view.rows(days=14),
        }
        for view in views
    ]
    return {
        "plan": plan,
        "weeks": weeks,
        "since": since,
        "until": today,
        "charts": log_charts(points, since=since, until=today, prefix=f"plan-{plan.public_id}"),
        "pacing": pacing_rows,
        "flare_plan": flare_plan,
    }


# --------------------------------------------------------------------------- the patient's view


def flare_plan_for(plan: CarePlan) -> FlarePlan:
    """The plan's flare-up plan, or an unsaved one with the clinic's defaults (version 0: not saved yet)."""
    found = FlarePlan.objects.filter(plan=plan).first()
    return found or FlarePlan(plan=plan, version=0)


def patient_plan_parts(plan: CarePlan, *, today: date | None = None) -> dict:
    """The flare-up plan and the running pacing plans, for the portal and the printable plan.

    The printable plan's partials take these names:
    ``{% include "careplans/flare/_print.html" with flare_plan=parts.flare_plan %}`` and
    ``{% include "careplans/pacing/_print.html" with pacing=parts.pacing %}``. Three queries.
    """
    today = today or timezone.localdate()
    return {"flare_plan": flare_plan_for(plan), "pacing": pacing_views_for(plan, today=today, active_only=True)}
