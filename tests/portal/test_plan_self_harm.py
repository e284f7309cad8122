"""Self-harm words in what the patient writes on their plan pages (a check-in, a goal comment, an activity
session note): the page returned by that save shows the crisis resources at once, and an urgent task for a
named person is saved in the same transaction, once per saved text, with none of the patient's words in it."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans.models import DailyLog, Goal, GoalComment, PacingSession
from clinic.models import TeamTask
from tests.careplans.logkit import active_plan, walking_plan
from tests.clock import AFTER_HOURS_WORDS, IN_HOURS_WORDS, UNSAFE_MEANWHILE
from tests.portal.journey import open_link

CHECK_IN = reverse("portal:plan_check_in")
THANKS = reverse("portal:plan_check_in_thanks")
SUPPORT = reverse("portal:plan_support")
CARD = "Support is here for you, any time"
WORDS = "Honestly I don't want to be alive any more"


@pytest.fixture
def opened(client, patient_link):
    open_link(client, patient_link[1])
    return client


@pytest.fixture
def plan(patient, physician):
    return active_plan(patient, physician)


def check_in(client, **fields):
    data = {"entry_id": str(uuid.uuid4()), "pain_interference": "6", **fields}
    return client.post(CHECK_IN, data)


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_check_in_note_with_self_harm_words_shows_the_crisis_resources_at_once(
    in_clinic_hours, opened, patient, physician
):
    response = check_in(opened, note=WORDS)
    assert response["Location"] == f"{SUPPORT}?saved=check-in"
    page = text(opened.get(response["Location"]))
    assert "Your check-in is saved" in page
    assert CARD in page and "Some of the words you wrote make us want to check that you are safe." in page
    assert IN_HOURS_WORDS in page and 'href="tel:988"' in page and 'href="tel:911"' in page
    assert WORDS not in page
    log = DailyLog.objects.get()
    task = TeamTask.objects.get()
    assert task.source_key == f"self-harm:checkin:{log.public_id}"
    assert (task.priority, task.source, task.assignee, task.patient) == (
        TeamTask.Priority.URGENT,
        TeamTask.Source.ALERT,
        physician,
        patient,
    )
    assert task.title == "Possible self-harm words in the patient's check-in note: contact the patient today"
    assert "alive" not in task.title + task.details
    assert task.link == reverse("careplans:log_trends", args=[patient.public_id])


def test_after_hours_the_support_page_says_when_the_clinic_will_see_it(after_hours, opened, physician):
    page = text(opened.get(check_in(opened, note="I keep thinking about suicide")["Location"]))
    assert AFTER_HOURS_WORDS in page and UNSAFE_MEANWHILE in page and IN_HOURS_WORDS not in page


@pytest.mark.parametrize("field", ["mood_own", "activity"])
def test_any_words_the_patient_writes_in_a_check_in_are_checked(opened, physician, field):
    response = check_in(opened, **{field: "suicidal"})
    assert response["Location"] == f"{SUPPORT}?saved=check-in"
    assert TeamTask.objects.count() == 1


def test_everyday_pain_words_just_thank_the_patient(opened, physician):
    response = check_in(opened, note="My back is killing me and I am dead tired", mood_own="rough")
    assert response["Location"] == THANKS
    assert not TeamTask.objects.exists()


def test_the_same_check_in_sent_twice_raises_one_task(opened, physician):
    entry = str(uuid.uuid4())
    first = check_in(opened, note=WORDS, entry_id=entry)
    second = check_in(opened, note=WORDS, entry_id=entry)
    assert first["Location"] == second["Location"] == f"{SUPPORT}?saved=check-in"
    assert DailyLog.objects.count() == 1 and TeamTask.objects.count() == 1


def test_two_check_ins_with_such_words_raise_a_task_each(opened, physician):
    check_in(opened, note=WORDS)
    check_in(opened, note="I want to end it all")
    assert TeamTask.objects.count() == 2


def test_the_check_in_and_the_task_are_saved_together_or_not_at_all(opened, physician, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the task could not be created")

    monkeypatch.setattr("patients.self_harm_services.raise_routed_task", broken)
    with pytest.raises(RuntimeError):
        check_in(opened, note=WORDS)
    assert not DailyLog.objects.exists()


def test_a_goal_comment_with_self_harm_words_shows_the_crisis_resources(in_clinic_hours, opened, plan, physician):
    goal = Goal.objects.create(
        plan=plan, words="Walk the dog again", metric=Goal.Metric.WALKING_MINUTES, baseline=Decimal(5),
        target=Decimal(30), target_date=timezone.localdate() + timedelta(days=60),
    )  # fmt: skip
    response = opened.post(reverse("portal:plan_goal_comment", args=[goal.public_id]), {"text": WORDS})
    assert response["Location"] == f"{SUPPORT}?saved=comment"
    page = text(opened.get(response["Location"]))
    assert "Your comment is saved" in page and CARD in page and IN_HOURS_WORDS in page
    comment = GoalComment.objects.get()
    task = TeamTask.objects.get()
    assert task.source_key == f"self-harm:goal-comment:{comment.pk}"
    assert task.title == "Possible self-harm words in the patient's comment on a goal: contact the patient today"


def test_an_activity_session_note_with_self_harm_words_shows_the_crisis_resources(opened, plan, physician):
    walking = walking_plan(plan, starts_on=timezone.localdate() - timedelta(days=3), by=physician)
    url = reverse("portal:plan_pacing", args=[walking.public_id])
    response = opened.post(url, {"outcome": "flare", "note": "I wish I was dead"})
    assert response["Location"] == f"{SUPPORT}?saved=session"
    assert "Today&#x27;s session is saved" in text(opened.get(response["Location"]))
    session = PacingSession.objects.get()
    assert TeamTask.objects.get().source_key == f"self-harm:pacing:{session.pk}"


def test_the_support_page_promises_no_call_when_no_such_task_is_open(in_clinic_hours, opened, physician):
    page = text(opened.get(SUPPORT))
    assert CARD in page and "988" in page
    assert IN_HOURS_WORDS not in page


def test_the_support_page_needs_a_patient_session(client):
    assert b"This link is no longer open" in client.get(SUPPORT).content
