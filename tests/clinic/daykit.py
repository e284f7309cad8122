"""Builders for the clinic-day tests (Today, the pre-visit summary, the note started from it): appointments made
with Appointment.objects.create (booking has its own services and tests), and a patient history built through
the app's real services where they exist."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from careplans.models import DailyLog, GoalComment, PacingSession
from clinic.dates import start_of_day
from clinic.models import Appointment, Referral
from measures.models import MeasureSummary
from tests.careplans.logkit import session, walking_plan
from tests.careplans.plan_builders import goal_for, plan_for, progress, sprint_for
from tests.factories import EncounterFactory, referral_in_state
from tests.measures.responses import peg, phq9
from tests.medications.medkit import oxycodone_60


def at_local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return start_of_day(day) + datetime.timedelta(hours=hour, minutes=minute)


def appointment(patient, clinician, starts_at, *, minutes=30, **fields) -> Appointment:
    return Appointment.objects.create(
        patient=patient,
        clinician=clinician,
        discipline=clinician.discipline,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=minutes),
        place=fields.pop("place", "Room 3"),
        created_by=clinician,
        **fields,
    )


def signed_note(patient, author, *, days_ago: int):
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return EncounterFactory(
        patient=patient, author=author, occurred_on=timezone.localdate(when), signed_at=when, status="signed"
    )


def full_history(patient, clinician, *, last_visit_days_ago: int = 14) -> dict:
    """Everything the summary shows, on both sides of a signed visit note ``last_visit_days_ago`` days ago: PEG
    8 (baseline), 7 before the visit and 4 since (a responder now); a PHQ-9 with a severe score since (an alert);
    a plan with a sprint ending in 3 days, a goal with progress, pacing with a flare and notes, check-ins with the
    patient's words, an overdue referral and an opioid line added since."""
    today = timezone.localdate()
    peg(patient, 8, days_ago=60)
    peg(patient, 7, days_ago=last_visit_days_ago + 5)
    signed_note(patient, clinician, days_ago=last_visit_days_ago)
    peg(patient, 4, days_ago=2)
    phq9(patient, 3, days_ago=1)  # 24: severe, an alert the banner and Today show
    plan = plan_for(patient, clinician)
    sprint_for(plan, clinician, starts_on=today - datetime.timedelta(days=25), weeks=4)
    goal = goal_for(plan, clinician, words="Walk the dog again", baseline=5, target=30)
    progress(goal, clinician, 15, on=today - datetime.timedelta(days=3))
    GoalComment.objects.create(goal=goal, text="I walked to the park on Sunday", by_patient=True)
    pacing = walking_plan(plan, starts_on=today - datetime.timedelta(days=10), by=clinician)
    session(pacing, today - datetime.timedelta(days=4), PacingSession.Outcome.FLARE)
    for days in range(1, 9):
        DailyLog.objects.create(
            patient=patient,
            logged_at=timezone.now() - datetime.timedelta(days=days),
            pain_interference=5,
            sleep_hours=Decimal("6.5"),
            note="Knees ached after the stairs" if days == 2 else "",
        )
    referral = referral_in_state(Referral.State.SENT, patient=patient, by=clinician)
    Referral.objects.filter(pk=referral.pk).update(sent_at=timezone.now() - datetime.timedelta(days=20))
    oxycodone_60(patient, clinician)
    return {"plan": plan, "goal": goal, "pacing": pacing, "referral": referral}


def summaries_dated(patient, *, latest_days_ago: int) -> None:
    """Date the patient's measure summaries' latest score (the responses helper moves responses, not these)."""
    when = timezone.now() - datetime.timedelta(days=latest_days_ago)
    MeasureSummary.objects.filter(patient=patient).update(latest_at=when)
