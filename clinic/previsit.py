"""The pre-visit summary of one appointment: what changed since the patient's last visit (clinic.today.since_of),
on one screen, each line with the page it comes from. Reads only, a constant number of queries whatever the
length of the patient's history (tests/clinic/test_previsit_summary.py counts them as it grows).

Every part comes from the app's own reads: questionnaire trends and their change against baseline and against
the responder threshold (measures.trends, measures.change, measures.crossing: the instrument definitions' rules);
daily check-ins compared by week (portal.numbers_words.weekly_readings, the app's rule also shown to patients);
pacing adherence (careplans.logs.selectors); goals with their latest progress; flare-ups (pacing sessions skipped
for a flare); referrals with their tracking state (ReferralQuerySet.with_overdue); medication changes and the
MME/day now (medications.selectors.regimen); open tasks the viewer may see (clinic.access.tasks); and the
patient's own words from check-ins, goal comments and pacing notes. Psychotherapy notes are never part of it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from careplans.logs.selectors import DayPoint, log_series, pacing_adherence
from careplans.models import CarePlan, DailyLog, Goal, GoalComment, GoalProgress, PacingSession
from clinic import referrals as referral_rules
from clinic.access.tasks import tasks_about
from clinic.models import Appointment, Referral, TeamTask
from clinic.models.referrals import ReferralQuerySet
from clinic.today import Since, scores_before, since_of
from measures.change import Change
from measures.crossing import crossing
from measures.trends import Trend, trends_for
from medications.models import MedicationChange
from medications.selectors.regimen import OpioidSummary, opioid_summary
from patients.banner import BannerAlerts
from portal.numbers_words import weekly_readings

#: Bounds, so the page stays one screen and its reads stay small (the app's choice; each list links to the rest).
COMMENTS_SHOWN = 10
CHANGES_SHOWN = 20
TASKS_SHOWN = 10
FLARES_SHOWN = 10
REFERRALS_SHOWN = 10


@dataclass
class ScoreLine:
    trend: Trend
    at_last_visit: Decimal | None
    since_count: int  # responses completed since the last visit
    crossed: str | None

    @property
    def change(self) -> Change | None:
        return self.trend.change


@dataclass
class LogTrend:
    """Daily check-ins since the last visit, first week against latest week (weekly_readings)."""

    days_logged: int
    pain: list[tuple[datetime.date, Decimal]]
    sleep: list[tuple[datetime.date, Decimal]]


@dataclass
class GoalLine:
    goal: Goal
    latest_value: Decimal | None
    latest_on: datetime.date | None


@dataclass
class Comment:
    text: str
    source: str  # "check-in", "goal comment", "pacing note"
    at: datetime.date


@dataclass
class PrevisitSummary:
    appointment: Appointment
    since: Since
    today: datetime.date
    scores: list[ScoreLine] = field(default_factory=list)
    logs: LogTrend | None = None
    plan: CarePlan | None = None
    pacing_adherence: float | None = None
    goals: list[GoalLine] = field(default_factory=list)
    flares: list[PacingSession] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    medication_changes: list[MedicationChange] = field(default_factory=list)
    opioids: OpioidSummary | None = None
    tasks: list[TeamTask] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)

    @property
    def patient(self):
        return self.appointment.patient

    @property
    def since_day(self) -> datetime.date:
        return timezone.localdate(self.since.at)


def previsit_summary(
    appointment: Appointment, user, *, today: datetime.date | None = None, banner: BannerAlerts | None = None
) -> PrevisitSummary:
    """The summary of an appointment read through clinic.today.with_since, for ``user`` (who may see the patient:
    the caller checked it). A page passes its patient banner, which has read the active care plan already."""
    today = today or timezone.localdate()
    since = since_of(appointment)
    patient = appointment.patient
    summary = PrevisitSummary(appointment=appointment, since=since, today=today)
    summary.scores = score_lines(patient, since)
    summary.logs = log_trend(patient, since_day=timezone.localdate(since.at), today=today)
    if banner is not None:
        summary.plan = banner.care_plan
    else:
        summary.plan = CarePlan.objects.active().filter(patient=patient).first()  # one at most (a constraint)
    if summary.plan is not None:
        summary.pacing_adherence = pacing_adherence(summary.plan, since=summary.since_day, until=today)
        summary.goals = goal_lines(summary.plan, since_day=summary.since_day)
    summary.flares = flares(patient, since_day=summary.since_day)
    summary.referrals = referrals(patient, since=since.at)
    summary.medication_changes = medication_changes(patient, since=since.at)
    summary.opioids = opioid_summary(patient, today=today)
    summary.tasks = open_tasks(patient, user)
    summary.comments = patient_comments(patient, since=since.at)
    return summary


# --------------------------------------------------------------------------- questionnaires and logs


def score_lines(patient, since: Since) -> list[ScoreLine]:
    """Every instrument's trend (two queries) with its score at the last visit (one query)."""
    before = {code: total for _, code, total in scores_before({patient.pk: since.at})}
    lines = []
    for trend in trends_for(patient):
        at_last_visit = before.get(trend.code)
        latest = trend.latest.total
        lines.append(
            ScoreLine(
                trend=trend,
                at_last_visit=at_last_visit,
                since_count=sum(1 for r in trend.responses if r.completed_at >= since.at),
                crossed=crossing(trend.definition, baseline=trend.baseline.total, before=at_last_visit, latest=latest),
            )
        )
    return lines


def log_trend(patient, *, since_day: datetime.date, today: datetime.date) -> LogTrend:
    points: list[DayPoint] = log_series(patient, since=since_day, until=today)
    return LogTrend(
        days_logged=len(points),
        pain=weekly_readings([(p.day, p.pain_interference) for p in points if p.pain_interference is not None]),
        sleep=weekly_readings([(p.day, p.sleep_hours) for p in points if p.sleep_hours is not None]),
    )


# --------------------------------------------------------------------------- the plan


def goal_lines(plan: CarePlan, *, since_day: datetime.date) -> list[GoalLine]:
    """Active goals with their latest progress recorded since the last visit: one query."""
    since_then = GoalProgress.objects.filter(goal=OuterRef("pk"), recorded_on__gte=since_day).order_by(
        "-recorded_on", "-id"
    )
    goals = (
        Goal.objects.filter(plan=plan, status=Goal.Status.ACTIVE)
        .annotate(
            latest_value=Subquery(since_then.values("value")[:1]),
            latest_on=Subquery(since_then.values("recorded_on")[:1]),
        )
        .order_by("position", "id")
    )
    return [GoalLine(goal=g, latest_value=g.latest_value, latest_on=g.latest_on) for g in goals]


def flares(patient, *, since_day: datetime.date) -> list[PacingSession]:
    """Pacing sessions the patient skipped because of a flare since the last visit: one query."""
    rows = PacingSession.objects.filter(
        pacing_plan__plan__patient=patient, outcome=PacingSession.Outcome.FLARE, on__gte=since_day
    ).select_related("pacing_plan")
    return list(rows.order_by("-on", "-id")[:FLARES_SHOWN])


# --------------------------------------------------------------------------- team work and medications


def referrals(patient, *, since: datetime.datetime) -> list[Referral]:
    """Open referrals and those that ended since the last visit, with their overdue stage: one query."""
    shown = Q(state__in=referral_rules.OPEN) | Q(state_changed_at__gte=since)
    rows = Referral.objects.filter(shown, patient=patient).with_overdue()
    return list(rows.order_by(ReferralQuerySet.ended_last(), "-state_changed_at", "-id")[:REFERRALS_SHOWN])


def medication_changes(patient, *, since: datetime.datetime) -> list[MedicationChange]:
    rows = MedicationChange.objects.filter(medication__patient=patient, at__gte=since).select_related("medication")
    return list(rows.order_by("-at", "-id")[:CHANGES_SHOWN])


def open_tasks(patient, user) -> list[TeamTask]:
    rows = tasks_about(user, patient).filter(status=TeamTask.Status.OPEN)
    return list(rows.only("public_id", "title", "priority", "due_on").order_by("due_on", "id")[:TASKS_SHOWN])


def patient_comments(patient, *, since: datetime.datetime) -> list[Comment]:
    """The patient's own words since the last visit, newest first: three small queries."""
    checkins = DailyLog.objects.filter(patient=patient, logged_at__gte=since).exclude(note="")
    goal_comments = GoalComment.objects.filter(goal__plan__patient=patient, by_patient=True, created_at__gte=since)
    pacing_notes = PacingSession.objects.filter(pacing_plan__plan__patient=patient, logged_at__gte=since).exclude(
        note=""
    )
    comments = [
        *(Comment(row.note, "check-in", timezone.localdate(row.logged_at)) for row in newest(checkins, "logged_at")),
        *(
            Comment(row.text, "goal comment", timezone.localdate(row.created_at))
            for row in newest(goal_comments, "created_at")
        ),
        *(Comment(row.note, "pacing note", row.on) for row in newest(pacing_notes, "logged_at")),
    ]
    return sorted(comments, key=lambda c: c.at, reverse=True)[:COMMENTS_SHOWN]


def newest(queryset, moment: str):
    return queryset.order_by(f"-{moment}", "-id")[:COMMENTS_SHOWN]
