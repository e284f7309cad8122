"""Demo daily logs, pacing and flare-up plans for the first demo patients who have an active care plan.

Each gets a flare-up plan (the clinic's default of about 25% less for 48 hours, with words a clinician would
write), a pacing plan started five weeks ago with a session logged most days (some partly done, and one flare
that held the schedule for a few days), and six weeks of daily check-ins whose trend follows the patient's
course (improving, flat or slowly improving, by demo number as in demo/plans.py). Some patients
chose reminders. The demo patient (number 0) has not checked in today, so the demo can do it.

Rows are written directly with their dates in the past, not through the audited services: seeding is not
something anyone did, so it writes no audit events. The planned amounts come from the real pure schedule
(careplans/logs/pacing.py), so the pages show the same steps.

Idempotent: a patient with any daily log is left alone. Only the first LOG_PATIENTS demo patients are seeded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from careplans.logs import pacing
from careplans.logs.forms import MOOD_WORDS
from careplans.logs.reminders import next_reminder_at
from careplans.logs.selectors import logged, spec_of
from careplans.models import CarePlan, DailyLog, FlarePlan, LogReminder, PacingPlan, PacingSession

LOG_PATIENTS = 60
SEED = 2026
LOG_DAYS = 42
PACING_DAYS = 35
IMPROVING, FLAT, SLOW = "improving", "flat", "slow"

# (activity, unit, baseline, increment kind, increment, every days, target, rests)
ACTIVITIES = [
    (
        "Walking",
        "minutes",
        Decimal(5),
        PacingPlan.Increment.FIXED,
        Decimal(1),
        3,
        Decimal(20),
        "Stand still for a minute half-way",
    ),
    (
        "Sitting",
        "minutes",
        Decimal(20),
        PacingPlan.Increment.PERCENT,
        Decimal(10),
        4,
        Decimal(60),
        "Stand and stretch after",
    ),
    (
        "Gardening",
        "minutes",
        Decimal(10),
        PacingPlan.Increment.FIXED,
        Decimal(2),
        4,
        Decimal(40),
        "Sit down every 10 minutes",
    ),
    ("Stationary bike", "minutes", Decimal(6), PacingPlan.Increment.PERCENT, Decimal(10), 3, Decimal(25), ""),
]

# Demo text, as the patient's clinician would write it with them.
FLARE_WORDS = {
    "warning_signs": "Pain spreads down the leg; I sleep badly two nights running; I start skipping my walks.",
    "what_to_reduce": "Make walks and chores shorter, and keep doing a little of each. Rest before the pain climbs.",
    "what_helps": "Heat, gentle stretches, the breathing exercise from my sessions, and shorter walks more often.",
    "when_to_call": "If the flare is not settling with this plan, or you are worried: call the nurse line.",
    "when_urgent": (
        "New numbness around your bottom or groin, new trouble passing urine, or new weakness in your legs: "
        "seek emergency care now (call 911)."
    ),
}
NOTES = ("Busy day with the kids.", "Rained, so I walked indoors.", "Good day!", "Stiff in the morning.", "")


@dataclass
class LogSeedResult:
    patients: int = 0
    logs: int = 0
    sessions: int = 0


def seed_logs(count: int) -> LogSeedResult:
    """Seed demo patients 0..min(count, LOG_PATIENTS)-1 who have an active plan and no daily log yet."""
    from demo.clinic import demo_mrn  # the demo's MRN numbering (imported here: the demo imports its seeders)

    mrns = [demo_mrn(number) for number in range(min(count, LOG_PATIENTS))]
    return seed_log_batch(mrns, first_mrn=int(demo_mrn(0)))


@transaction.atomic
def seed_log_batch(mrns: list[str], *, first_mrn: int) -> LogSeedResult:
    plans = list(
        CarePlan.objects.active()
        .filter(patient__mrn__in=mrns)
        .exclude(patient__daily_logs__isnull=False)
        .select_related("patient", "lead")
        .order_by("patient__mrn")
    )
    today = timezone.localdate()
    result = LogSeedResult()
    for plan in plans:
        number = int(plan.patient.mrn) - first_mrn
        logs, sessions = DemoLogs(plan, number=number, today=today).build()
        result.patients += 1
        result.logs += logs
        result.sessions += sessions
    return result


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


class DemoLogs:
    def __init__(self, plan: CarePlan, *, number: int, today: date):
        self.plan, self.number, self.today = plan, number, today
        self.patient = plan.patient
        self.rng = random.Random(SEED * 5_000_011 + number)
        self.course = (IMPROVING, FLAT, SLOW)[number % 3] if number else SLOW
        self.tracks_steps = number % 2 == 0
        # The demo patient has not checked in or logged her session today: the demo does it.
        self.last_day = today - timedelta(days=1) if number == 0 else today
        self.flare_day = today - timedelta(days=self.rng.randint(14, 24))

    def build(self) -> tuple[int, int]:
        self.flare_plan()
        sessions = self.pacing()
        logs = self.daily_logs(sessions)
        self.reminder()
        return logs, len(sessions)

    def flare_plan(self) -> None:
        if FlarePlan.objects.filter(plan=self.plan).exists():
            return
        FlarePlan.objects.create(
            plan=self.plan,
            reduce_by_percent=self.rng.choice((20, 25, 30)),
            reduce_for_hours=48,
            updated_by=self.plan.lead,
            updated_at=at(self.today - timedelta(days=PACING_DAYS + 1), 11),
            **FLARE_WORDS,
        )

    def pacing(self) -> dict[date, PacingSession]:
        activity, unit, baseline, kind, increment, every, target, rests = ACTIVITIES[self.number % len(ACTIVITIES)]
        starts_on = self.today - timedelta(days=PACING_DAYS)
        pacing_plan = PacingPlan.objects.create(
            plan=self.plan,
            activity=activity,
            unit=unit,
            baseline=baseline,
            increment_kind=kind,
            increment_value=increment,
            every_days=every,
            target=target,
            rests=rests,
            starts_on=starts_on,
            created_by=self.plan.lead,
            created_at=at(starts_on - timedelta(days=1), 11),
        )
        spec = spec_of(pacing_plan)
        made: list[PacingSession] = []
        day = starts_on
        while day <= self.last_day:
            outcome = self.outcome_on(day)
            if outcome is not None:
                planned = pacing.schedule(spec, [logged(s) for s in made], today=day).amount_on(day)
                actual = None
                if outcome == pacing.DONE:
                    actual = planned
                elif outcome == pacing.PARTLY:
                    actual = max(pacing.round_amount(planned * Decimal("0.6")), Decimal("0.5"))
                made.append(
                    PacingSession(
                        pacing_plan=pacing_plan,
                        on=day,
                        planned_amount=planned,
                        outcome=outcome,
                        actual_amount=actual,
                        note="Flare: rested and used heat." if outcome == pacing.FLARE else "",
                        logged_at=at(day, 17, self.rng.randrange(60)),
                    )
                )
            day += timedelta(days=1)
        PacingSession.objects.bulk_create(made)
        return {s.on: s for s in PacingSession.objects.filter(pacing_plan=pacing_plan)}

    def outcome_on(self, day: date) -> str | None:
        """A flare, two days held without a log, then done again; otherwise mostly done, sometimes partly."""
        if day == self.flare_day:
            return pacing.FLARE
        if self.flare_day < day <= self.flare_day + timedelta(days=2):
            return None
        roll = self.rng.random()
        if roll < 0.12:
            return None  # not logged
        if roll < 0.22 or (self.course == FLAT and roll < 0.35):
            return pacing.PARTLY
        return pacing.DONE

    def pain_on(self, day: date) -> float:
        progress = 1 - (self.today - day).days / LOG_DAYS  # 0 six weeks ago, 1 today
        start = 7 if self.course != FLAT else 6.5
        drop = {IMPROVING: 3.0, FLAT: 0.3, SLOW: 1.5}[self.course]
        level = start - drop * progress + self.rng.uniform(-1, 1)
        if self.flare_day <= day <= self.flare_day + timedelta(days=2):
            level += 2.5
        return max(0, min(10, level))

    def daily_logs(self, sessions: dict[date, PacingSession]) -> int:
        rows = []
        for offset in range(LOG_DAYS, -1, -1):
            day = self.today - timedelta(days=offset)
            if day > self.last_day or self.rng.random() < 0.15:
                continue
            for entry in range(2 if self.rng.random() < 0.1 else 1):
                pain = round(self.pain_on(day))
                session = sessions.get(day)
                rows.append(
                    DailyLog(
                        patient=self.patient,
                        logged_at=at(day, 19 + 2 * entry, self.rng.randrange(60)),
                        pain_interference=pain,
                        sleep_hours=Decimal(str(round(self.rng.uniform(4.5, 7.5) * 2) / 2)),
                        sleep_quality=max(0, min(10, 10 - pain + self.rng.randint(-2, 1))),
                        activity=self.activity_words(session),
                        pacing_session=session if entry == 0 else None,
                        steps=self.rng.randrange(1500, 7000, 50) if self.tracks_steps else None,
                        mood_word=self.rng.choice(MOOD_WORDS),
                        note=self.rng.choice(NOTES) if self.rng.random() < 0.2 else "",
                    )
                )
        DailyLog.objects.bulk_create(rows)
        return len(rows)

    def activity_words(self, session: PacingSession | None) -> str:
        if session is None:
            return self.rng.choice(("Stretches", "Housework", "Short walk", ""))
        activity = session.pacing_plan.activity
        if session.outcome == PacingSession.Outcome.FLARE:
            return f"{activity}: rested because of a flare-up"
        amount = session.actual_amount.normalize()
        return f"{activity}, {amount:f} {session.pacing_plan.unit}"

    def reminder(self) -> None:
        frequency = (LogReminder.Frequency.DAILY, LogReminder.Frequency.WEEKLY, LogReminder.Frequency.NONE)[
            self.number % 3
        ]
        weekday = self.number % 7
        LogReminder.objects.get_or_create(
            patient=self.patient,
            defaults={
                "frequency": frequency,
                "weekday": weekday,
                "next_due_at": next_reminder_at(frequency, weekday, after=timezone.now()),
            },
        )
