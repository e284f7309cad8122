"""careplans/logs/services.py: pacing sessions get the schedule's planned amount (a flare holds it), and
what cannot be logged is refused in the patient's words."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from careplans.logs.services import SessionRefused, log_pacing_session, save_daily_log
from careplans.models import DailyLog, PacingPlan
from tests.careplans.logkit import active_plan, walking_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def walking(patient, physician, today):
    """Started 6 days ago: 4 minutes for days 1-3, 5 minutes for days 4-6, 6 minutes from today."""
    return walking_plan(active_plan(patient, physician), starts_on=today - timedelta(days=6), by=physician)


def test_a_session_gets_the_planned_amount_of_its_day(walking, today):
    session, created = log_pacing_session(pacing_plan=walking, on=today, outcome="done")
    assert created
    assert (session.planned_amount, session.actual_amount) == (Decimal(6), Decimal(6))


def test_a_flare_holds_the_planned_amount_until_a_done_session(walking, today):
    log_pacing_session(pacing_plan=walking, on=today - timedelta(days=3), outcome="flare")  # day 4: 5 minutes
    held, _ = log_pacing_session(pacing_plan=walking, on=today, outcome="done")
    assert held.planned_amount == Decimal(5)  # still step 2: the flare held it


def test_a_partly_done_session_keeps_its_amount_and_a_flare_none(walking, today):
    partly, _ = log_pacing_session(
        pacing_plan=walking, on=today - timedelta(days=1), outcome="partly", actual_amount=Decimal("2.5")
    )
    flare, _ = log_pacing_session(pacing_plan=walking, on=today, outcome="flare", actual_amount=Decimal(3))
    assert partly.actual_amount == Decimal("2.5")
    assert flare.actual_amount is None


def test_logging_a_day_again_replaces_it(walking, today):
    log_pacing_session(pacing_plan=walking, on=today, outcome="flare")
    session, created = log_pacing_session(pacing_plan=walking, on=today, outcome="done", note="Felt better by noon")
    assert not created
    assert (session.outcome, session.note) == ("done", "Felt better by noon")
    assert walking.sessions.count() == 1


@pytest.mark.parametrize(
    ("days", "status", "words"),
    [
        (1, PacingPlan.Status.ACTIVE, "on the day you do it"),
        (-7, PacingPlan.Status.ACTIVE, "starts on"),
        (0, PacingPlan.Status.STOPPED, "has ended"),
    ],
)
def test_what_cannot_be_logged_is_refused_kindly(walking, today, days, status, words):
    PacingPlan.objects.filter(id=walking.id).update(status=status)
    with pytest.raises(SessionRefused, match=words):
        log_pacing_session(pacing_plan=walking, on=today + timedelta(days=days), outcome="done")
    assert not walking.sessions.exists()


def test_a_check_in_sent_twice_with_its_form_id_is_saved_once(patient):
    entry_id = "5b0c8a4e-8c1f-4a63-9d7e-0c2f0b7e6a11"
    first, created = save_daily_log(patient=patient, pain_interference=4, entry_id=entry_id)
    again, created_again = save_daily_log(patient=patient, pain_interference=9, entry_id=entry_id)
    assert (created, created_again) == (True, False)
    assert again == first and again.pain_interference == 4
    assert DailyLog.objects.count() == 1
