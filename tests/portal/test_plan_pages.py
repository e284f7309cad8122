"""The portal's "my plan": goals (and the patient's comments), the flare-up plan, today's pacing session.

Only inside a live patient session, only the session patient's objects, every view audited as the patient,
and opening a page changes nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans.models import FlarePlan, Goal, GoalComment, PacingPlan
from portal.services import issue_link
from tests.careplans.logkit import active_plan, session, walking_plan
from tests.portal.journey import open_link, page_events

PLAN = reverse("portal:plan")
CLOSED = b"This link is no longer open"


@pytest.fixture
def opened(client, patient_link):
    _, token = patient_link
    open_link(client, token)
    return client


@pytest.fixture
def plan(patient, physician):
    return active_plan(patient, physician)


def goal(plan, words="Walk the dog again", **fields) -> Goal:
    values = dict(
        metric=Goal.Metric.WALKING_MINUTES, baseline=Decimal(5), target=Decimal(30), target_date=date(2026, 9, 1)
    )
    return Goal.objects.create(plan=plan, words=words, **{**values, **fields})


def test_it_shows_the_calm_page_without_a_patient_session(client, plan):
    response = client.get(PLAN)
    assert CLOSED in response.content
    assert not AuditEvent.objects.exists()


def test_it_shows_the_goals_in_the_patients_words_and_records_the_view_as_the_patient(opened, plan, patient):
    goal(plan)
    goal(plan, words="Sit through a movie", status=Goal.Status.DROPPED)
    response = opened.get(PLAN)
    assert response.status_code == 200
    assert "&ldquo;Walk the dog again&rdquo;" in response.text
    assert "Sit through a movie" not in response.text  # set aside: not shown
    event = page_events().get()
    assert (event.actor, event.patient, event.action, event.target) == (None, patient, Action.VIEW, "portal: my plan")


def test_it_says_the_plan_is_on_its_way_when_there_is_none(opened, patient):
    response = opened.get(PLAN)
    assert response.status_code == 200
    assert "Your plan is on its way" in response.text
    assert "Check in now" in response.text


def test_it_shows_the_flare_up_plan_in_plain_words_with_the_clinics_defaults(opened, plan):
    response = opened.get(PLAN)
    assert "A flare is not a reason to change your whole plan." in response.text
    assert "Do about 25% less for 48 hours. Then build back up to your plan." in response.text


def test_it_shows_the_flare_up_plan_the_team_wrote(opened, plan):
    FlarePlan.objects.create(plan=plan, reduce_by_percent=30, warning_signs="My hip aches by noon", version=2)
    response = opened.get(PLAN)
    assert "Do about 30% less for 48 hours." in response.text
    assert "My hip aches by noon" in response.text


def test_it_shows_todays_pacing_session_and_the_next_step(opened, plan, physician):
    today = timezone.localdate()
    walking_plan(plan, starts_on=today, by=physician)
    response = opened.get(PLAN)
    assert "Your walking plan" in response.text
    assert "Today: <strong>4 minutes</strong>" in response.text
    assert f"Next: 5 minutes from {today + timedelta(days=3):%A, %B} {(today + timedelta(days=3)).day}" in response.text
    assert "Log today's walking" in response.text


def test_it_says_when_a_flare_holds_the_plan(opened, plan, physician):
    today = timezone.localdate()
    walking = walking_plan(plan, starts_on=today - timedelta(days=5), by=physician)
    session(walking, today - timedelta(days=1), "flare")
    response = opened.get(PLAN)
    assert "Your plan is paused since your flare-up." in response.text
    assert "picks up where it left off" in response.text


def test_it_leaves_out_stopped_pacing_plans(opened, plan, physician):
    walking_plan(plan, starts_on=timezone.localdate(), by=physician, status=PacingPlan.Status.STOPPED)
    assert "Your walking plan" not in opened.get(PLAN).text


def test_opening_the_page_changes_nothing(opened, plan, physician):
    walking_plan(plan, starts_on=timezone.localdate(), by=physician)
    goal(plan)
    opened.get(PLAN)
    assert not FlarePlan.objects.exists()
    assert not GoalComment.objects.exists()
    assert page_events().count() == 1


def test_the_patient_comments_on_a_goal(opened, plan, patient):
    walk = goal(plan)
    response = opened.post(
        reverse("portal:plan_goal_comment", args=[walk.public_id]), {"text": "  I walked to the gate!  "}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PLAN}#goal-{walk.public_id}"
    comment = GoalComment.objects.get()
    assert (comment.goal, comment.text, comment.by_patient, comment.author) == (
        walk,
        "I walked to the gate!",
        True,
        None,
    )
    event = AuditEvent.objects.filter(action=Action.CREATE).get()
    assert (event.actor, event.patient, event.target) == (None, patient, "portal: goal comment")
    assert "I walked to the gate!" in opened.get(PLAN).text


@pytest.mark.parametrize(("text", "words"), [("   ", "Please write a few words first."), ("x" * 1001, "1000 letters")])
def test_an_empty_or_huge_comment_is_refused_kindly(opened, plan, text, words):
    walk = goal(plan)
    response = opened.post(reverse("portal:plan_goal_comment", args=[walk.public_id]), {"text": text})
    assert response.status_code == 400
    assert words in response.text
    assert not GoalComment.objects.exists()


def test_a_comment_on_another_patients_goal_is_not_found(opened, plan, other_patient, physician):
    theirs = goal(active_plan(other_patient, physician))
    response = opened.post(reverse("portal:plan_goal_comment", args=[theirs.public_id]), {"text": "Hello"})
    assert response.status_code == 404
    assert not GoalComment.objects.exists()


def test_the_comment_url_needs_a_patient_session(client, plan):
    walk = goal(plan)
    response = client.post(reverse("portal:plan_goal_comment", args=[walk.public_id]), {"text": "Hello"})
    assert CLOSED in response.content
    assert not GoalComment.objects.exists()


def test_another_patients_session_sees_their_own_plan_only(client, plan, other_patient, physician):
    goal(plan)
    goal(active_plan(other_patient, physician), words="Work a full shift")
    _, token = issue_link(patient=other_patient)
    open_link(client, token)
    response = client.get(PLAN)
    assert "Work a full shift" in response.text
    assert "Walk the dog again" not in response.text


def test_the_home_page_offers_the_plan_and_the_check_in_when_there_is_a_plan(opened, plan):
    response = opened.get(reverse("portal:home"))
    assert "Daily check-in (30 seconds)" in response.text
    assert reverse("portal:plan") in response.text


def test_the_home_page_offers_no_plan_card_without_a_plan(opened):
    assert "Daily check-in (30 seconds)" not in opened.get(reverse("portal:home")).text


@pytest.mark.parametrize("many", [False, True])
def test_the_page_runs_a_constant_number_of_queries(opened, plan, physician, many, django_assert_max_num_queries):
    today = timezone.localdate()
    days = 60 if many else 1
    for n in range(5 if many else 1):
        walk = goal(plan, words=f"Goal {n}")
        for m in range(8 if many else 1):
            GoalComment.objects.create(goal=walk, text=f"Comment {m}", by_patient=bool(m % 2))
    for n in range(3 if many else 1):
        walking = walking_plan(plan, activity=f"Walking {n}", starts_on=today - timedelta(days=days), by=physician)
        for d in range(days):
            session(walking, today - timedelta(days=d), "flare" if d == 7 else "done")
    # 15: one of them asks whether a confirmed taper schedule exists (a link to it).
    with django_assert_max_num_queries(15):
        response = opened.get(PLAN)
    assert response.status_code == 200
