"""Logging today's pacing session from the portal: done, partly done (how much), or skipped because of a
flare (which holds the schedule)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans.logs.selectors import pacing_view
from careplans.models import PacingPlan, PacingSession
from tests.careplans.logkit import active_plan, session, walking_plan
from tests.portal.journey import open_link, page_events

CLOSED = b"This link is no longer open"


@pytest.fixture
def opened(client, patient_link):
    _, token = patient_link
    open_link(client, token)
    return client


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def walking(patient, physician, today):
    """Started 3 days ago: today is the first day of step 2 (5 minutes)."""
    return walking_plan(active_plan(patient, physician), starts_on=today - timedelta(days=3), by=physician)


def url(pacing_plan) -> str:
    return reverse("portal:plan_pacing", args=[pacing_plan.public_id])


def test_it_shows_todays_planned_amount_and_the_flare_up_plan(opened, walking, patient):
    response = opened.get(url(walking))
    assert response.status_code == 200
    assert "Today's plan: <strong>5 minutes</strong>" in response.text
    assert "Planned rests: Sit for 2 minutes half-way" in response.text
    assert "do about 25% less for 48 hours, so about 4 minutes instead of 5" in response.text
    assert not PacingSession.objects.exists()
    event = page_events().get()
    assert (event.actor, event.patient, event.action, event.target) == (
        None,
        patient,
        Action.VIEW,
        "portal: pacing session",
    )


def test_a_done_session_is_saved_with_the_planned_amount(opened, walking, patient, today):
    response = opened.post(url(walking), {"outcome": "done"})
    assert response.status_code == 302 and response["Location"] == reverse("portal:plan")
    logged = PacingSession.objects.get()
    assert (logged.on, logged.outcome, logged.planned_amount, logged.actual_amount) == (
        today,
        "done",
        Decimal(5),
        Decimal(5),
    )
    event = AuditEvent.objects.filter(action=Action.CREATE).get()
    assert (event.patient, event.target) == (patient, "portal: pacing session")


def test_a_partly_done_session_needs_how_much(opened, walking):
    response = opened.post(url(walking), {"outcome": "partly", "actual_amount": ""})
    assert response.status_code == 400
    assert "Please write how much you did" in response.text
    assert not PacingSession.objects.exists()
    opened.post(url(walking), {"outcome": "partly", "actual_amount": "2.5", "note": "Knee ached"})
    logged = PacingSession.objects.get()
    assert (logged.outcome, logged.actual_amount, logged.note) == ("partly", Decimal("2.5"), "Knee ached")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Please choose how today&#x27;s session went."),
        ({"outcome": "boom"}, "Please choose how today&#x27;s session went."),
        ({"outcome": "partly", "actual_amount": "5"}, "That is the whole session."),
        ({"outcome": "partly", "actual_amount": "-1"}, "Please write a number from 0 up."),
        ({"outcome": "partly", "actual_amount": "abc"}, "Please write a number, for example 2 or 2.5."),
        ({"outcome": "partly", "actual_amount": "1" * 30}, "That number is too big"),
        ({"outcome": "done", "note": "n" * 301}, "300 letters or fewer"),
    ],
)
def test_it_refuses_bad_input_kindly(opened, walking, data, message):
    response = opened.post(url(walking), data)
    assert response.status_code == 400
    assert message in response.text
    assert not PacingSession.objects.exists()


def test_a_flare_holds_the_schedule_and_points_to_the_flare_up_plan(opened, walking, today):
    response = opened.post(url(walking), {"outcome": "flare"})
    assert response["Location"] == reverse("portal:plan") + "#flare-up-plan"
    page = opened.get(reverse("portal:plan"))
    assert "Go easy on yourself today" in page.text
    view = pacing_view(walking, today=today + timedelta(days=10))
    assert view.schedule.on_hold
    assert view.today_amount == Decimal(5)  # still step 2, ten days later


def test_logging_the_same_day_again_replaces_that_days_log(opened, walking):
    opened.post(url(walking), {"outcome": "partly", "actual_amount": "2"})
    opened.post(url(walking), {"outcome": "done"})
    assert list(PacingSession.objects.values_list("outcome", flat=True)) == ["done"]
    assert "Logged today: done" in opened.get(reverse("portal:plan")).text


def test_another_patients_pacing_plan_is_not_found(opened, other_patient, physician, today):
    theirs = walking_plan(active_plan(other_patient, physician), starts_on=today, by=physician)
    assert opened.get(url(theirs)).status_code == 404
    assert opened.post(url(theirs), {"outcome": "done"}).status_code == 404
    assert not PacingSession.objects.exists()


def test_a_stopped_pacing_plan_is_not_found(opened, walking):
    PacingPlan.objects.filter(id=walking.id).update(status=PacingPlan.Status.STOPPED)
    assert opened.post(url(walking), {"outcome": "done"}).status_code == 404
    assert not PacingSession.objects.exists()


def test_a_plan_that_starts_later_says_when(opened, patient, physician, today):
    later = walking_plan(active_plan(patient, physician), starts_on=today + timedelta(days=2), by=physician)
    response = opened.post(url(later), {"outcome": "done"}, follow=True)
    assert "Your walking plan starts on" in response.text
    assert not PacingSession.objects.exists()


def test_the_page_needs_a_patient_session(client, walking):
    assert CLOSED in client.post(url(walking), {"outcome": "done"}).content
    assert not PacingSession.objects.exists()


@pytest.mark.parametrize("days", [1, 90])
def test_the_page_runs_a_constant_number_of_queries(
    opened, patient, physician, today, days, django_assert_max_num_queries
):
    long = walking_plan(active_plan(patient, physician), starts_on=today - timedelta(days=days), by=physician)
    for n in range(1, days):
        session(long, today - timedelta(days=n), "done")
    with django_assert_max_num_queries(12):
        assert opened.get(url(long)).status_code == 200
