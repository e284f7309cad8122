"""Helpers for the daily-log, pacing and flare-up plan tests: a care plan, a pacing plan, check-ins."""

from datetime import datetime, time
from decimal import Decimal

from django.utils import timezone

from careplans.models import CarePlan, DailyLog, PacingPlan, PacingSession, Tier


def active_plan(patient, lead) -> CarePlan:
    """The patient's active care plan (tier 1), as the plan engineer's service would leave it."""
    return CarePlan.objects.create(patient=patient, lead=lead, tier=Tier.objects.get(number=1), created_by=lead)


def walking_plan(plan: CarePlan, *, starts_on, by=None, **overrides) -> PacingPlan:
    """Walking: 5 minutes before pain climbs, start at 80% (4 minutes), +1 minute every 3 days, up to 10."""
    fields = dict(
        activity="Walking",
        unit="minutes",
        baseline=Decimal(5),
        start_percent=80,
        increment_kind=PacingPlan.Increment.FIXED,
        increment_value=Decimal(1),
        every_days=3,
        target=Decimal(10),
        rests="Sit for 2 minutes half-way",
        starts_on=starts_on,
        created_by=by,
    )
    return PacingPlan.objects.create(plan=plan, **{**fields, **overrides})


def session(pacing_plan: PacingPlan, on, outcome: str, *, planned="4", actual=None) -> PacingSession:
    return PacingSession.objects.create(
        pacing_plan=pacing_plan,
        on=on,
        outcome=outcome,
        planned_amount=Decimal(planned),
        actual_amount=None if actual is None else Decimal(actual),
    )


def at(day, hour: int = 9, minute: int = 0) -> datetime:
    """A moment on a day in the clinic's time zone."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def check_in(patient, day, *, hour: int = 9, minute: int = 0, pain: int = 5, **fields) -> DailyLog:
    return DailyLog.objects.create(patient=patient, logged_at=at(day, hour, minute), pain_interference=pain, **fields)
