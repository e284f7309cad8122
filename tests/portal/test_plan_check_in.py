"""The daily check-in: one screen, saved on submit, kind thanks and "see your week"; bad input is refused
with a clear message keeping what was typed, never a 500."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans.models import DailyLog
from tests.careplans.logkit import active_plan, check_in, session, walking_plan
from tests.portal.journey import open_link, page_events

CHECK_IN = reverse("portal:plan_check_in")
THANKS = reverse("portal:plan_check_in_thanks")
WEEK = reverse("portal:plan_week")
CLOSED = b"This link is no longer open"


@pytest.fixture
def opened(client, patient_link):
    _, token = patient_link
    open_link(client, token)
    return client


def answers(**overrides) -> dict:
    values = {
        "entry_id": str(uuid.uuid4()),
        "pain_interference": "4",
        "sleep_hours": "6.5",
        "sleep_quality": "7",
        "activity": "Walked to the shop",
        "steps": "4200",
        "mood_choice": "tired",
        "mood_own": "",
        "note": "Good morning, stiff evening",
    }
    return {**values, **overrides}


def test_it_saves_a_check_in_and_thanks_the_patient(opened, patient):
    response = opened.post(CHECK_IN, answers())
    assert response.status_code == 302 and response["Location"] == THANKS
    log = DailyLog.objects.get()
    assert (log.patient, log.pain_interference, log.sleep_hours, log.sleep_quality) == (patient, 4, Decimal("6.5"), 7)
    assert (log.activity, log.steps, log.mood_word, log.note) == (
        "Walked to the shop",
        4200,
        "tired",
        "Good morning, stiff evening",
    )
    event = AuditEvent.objects.filter(action=Action.CREATE).get()
    assert (event.actor, event.patient, event.target) == (None, patient, "portal: daily check-in")
    thanks = opened.get(THANKS)
    assert "Your check-in is saved." in thanks.text
    assert "See your week" in thanks.text and WEEK in thanks.text


def test_only_the_first_question_is_needed(opened):
    response = opened.post(CHECK_IN, {"entry_id": str(uuid.uuid4()), "pain_interference": "0"})
    assert response.status_code == 302
    log = DailyLog.objects.get()
    assert (log.pain_interference, log.sleep_hours, log.sleep_quality, log.steps, log.mood_word) == (
        0,
        None,
        None,
        None,
        "",
    )


def test_the_patients_own_mood_word_wins_over_a_chosen_one(opened):
    opened.post(CHECK_IN, answers(mood_choice="okay", mood_own="  hopeful-ish "))
    assert DailyLog.objects.get().mood_word == "hopeful-ish"


def test_the_same_form_sent_twice_saves_one_check_in(opened):
    data = answers()
    opened.post(CHECK_IN, data)
    second = opened.post(CHECK_IN, data)
    assert second.status_code == 302 and second["Location"] == THANKS
    assert DailyLog.objects.count() == 1
    assert AuditEvent.objects.filter(action=Action.CREATE).count() == 1


@pytest.mark.parametrize("entry_id", ["", "not-an-id", "x" * 500])
def test_a_missing_or_odd_form_id_still_saves_the_check_in(opened, entry_id):
    response = opened.post(CHECK_IN, answers(entry_id=entry_id))
    assert response.status_code == 302
    assert DailyLog.objects.count() == 1


def test_several_check_ins_a_day_are_kept(opened):
    opened.post(CHECK_IN, answers(pain_interference="3"))
    opened.post(CHECK_IN, answers(pain_interference="6"))
    assert sorted(DailyLog.objects.values_list("pain_interference", flat=True)) == [3, 6]


def test_another_patients_entry_id_does_not_touch_their_check_in(opened, other_patient):
    theirs = check_in(other_patient, timezone.localdate(), pain=2)
    response = opened.post(CHECK_IN, answers(entry_id=str(theirs.public_id)))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.pain_interference == 2
    assert DailyLog.objects.count() == 2


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pain_interference", "", "Please tap a number from 0 to 10"),
        ("pain_interference", "11", "Choose a number from 0 to 10."),
        ("pain_interference", "-1", "Choose a number from 0 to 10."),
        ("pain_interference", "lots", "Choose a number from 0 to 10."),
        ("sleep_hours", "25", "A day has 24 hours"),
        ("sleep_hours", "-3", "Please write a number from 0 to 24."),
        ("sleep_hours", "seven", "Please write the hours as a number"),
        ("sleep_hours", "99999999999999999999", "Please write a number from 0 to 24."),
        ("sleep_hours", "6.25", "one number after the point"),
        ("sleep_hours", "NaN", "Please write the hours as a number"),
        ("sleep_hours", "1e400", "Please write"),
        ("sleep_quality", "12", "Choose a number from 0 to 10."),
        ("steps", "-5", "from 0 up"),
        ("steps", "4,500", "whole number"),
        ("steps", "999999999999999999999999", "more steps than we can save"),
        ("steps", "12.5", "whole number"),
        ("mood_choice", "furious", "choose one of the words"),
        ("mood_own", "x" * 41, "40 letters or fewer"),
        ("activity", "a" * 201, "200 letters or fewer"),
        ("note", "n" * 2001, "2000 letters or fewer"),
        ("activity", "walk\x00ed", "Null characters are not allowed."),
    ],
)
def test_it_refuses_bad_input_clearly_and_keeps_what_was_typed(opened, field, value, message):
    data = answers(**{field: value})
    response = opened.post(CHECK_IN, data)
    assert response.status_code == 400
    assert message in response.text
    assert "Everything else you wrote is still here." in response.text
    assert not DailyLog.objects.exists()
    if field != "activity":
        assert 'value="Walked to the shop"' in response.text
    if field != "note":
        assert "Good morning, stiff evening</textarea>" in response.text


def test_the_page_needs_a_patient_session(client, db):
    assert CLOSED in client.get(CHECK_IN).content
    assert CLOSED in client.post(CHECK_IN, answers()).content
    assert not DailyLog.objects.exists()


def test_opening_the_check_in_changes_nothing_but_the_audit(opened, patient):
    response = opened.get(CHECK_IN)
    assert response.status_code == 200
    assert not DailyLog.objects.exists()
    event = page_events().get()
    assert (event.patient, event.action, event.target) == (patient, Action.VIEW, "portal: daily check-in")


def test_todays_pacing_session_fills_in_the_activity_and_is_linked(opened, patient, physician):
    today = timezone.localdate()
    walking = walking_plan(active_plan(patient, physician), starts_on=today - timedelta(days=1), by=physician)
    logged = session(walking, today, "done", planned="4", actual="4")
    page = opened.get(CHECK_IN)
    assert 'value="Walking, 4 minutes"' in page.text
    assert "Filled in from today's activity plan." in page.text
    opened.post(CHECK_IN, answers(activity="Walking, 4 minutes"))
    assert DailyLog.objects.get().pacing_session == logged


def test_a_changed_activity_is_not_linked_to_the_pacing_session(opened, patient, physician):
    today = timezone.localdate()
    walking = walking_plan(active_plan(patient, physician), starts_on=today, by=physician)
    session(walking, today, "partly", planned="4", actual="2")
    assert 'value="Walking, 2 minutes (part of 4 minutes)"' in opened.get(CHECK_IN).text
    opened.post(CHECK_IN, answers(activity="Swimming"))
    assert DailyLog.objects.get().pacing_session is None


def test_it_offers_to_log_todays_pacing_session_first(opened, patient, physician):
    walking = walking_plan(active_plan(patient, physician), starts_on=timezone.localdate(), by=physician)
    page = opened.get(CHECK_IN)
    assert "Today's walking: 4 minutes." in page.text
    assert reverse("portal:plan_pacing", args=[walking.public_id]) in page.text


def test_the_week_shows_the_last_7_days_in_plain_words(opened, patient, physician, other_patient):
    today = timezone.localdate()
    check_in(patient, today, pain=3, sleep_hours=Decimal(7), sleep_quality=6, mood_word="calm", activity="Stretches")
    check_in(patient, today - timedelta(days=8), pain=9)  # older than a week
    check_in(other_patient, today, pain=8)
    walking = walking_plan(active_plan(patient, physician), starts_on=today - timedelta(days=3), by=physician)
    session(walking, today - timedelta(days=1), "flare")
    response = opened.get(WEEK)
    assert response.status_code == 200
    assert "Pain got in the way: 3 out of 10" in response.text
    assert "Sleep: 7 hours, 6 out of 10" in response.text
    assert "Mood: calm" in response.text
    assert "Walking: rested because of a flare-up" in response.text
    assert "9 out of 10" not in response.text and "8 out of 10" not in response.text
    assert response.text.count("No check-in this day.") == 5
    assert AuditEvent.objects.filter(target="portal: my week").count() == 1


@pytest.mark.parametrize("many", [False, True])
def test_the_week_runs_a_constant_number_of_queries(opened, patient, many, django_assert_max_num_queries):
    today = timezone.localdate()
    for n in range(80 if many else 1):
        check_in(patient, today - timedelta(days=n % 7), hour=n % 24)
    with django_assert_max_num_queries(9):
        assert opened.get(WEEK).status_code == 200
