"""The patient's reminder choice (daily, weekly on a weekday, none) and the printable flare-up plan."""

from datetime import datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans.logs.reminders import REMINDER_TIME
from careplans.models import FlarePlan, LogReminder
from tests.careplans.logkit import active_plan
from tests.portal.journey import open_link, page_events

REMINDERS = reverse("portal:plan_reminders")
PRINT = reverse("portal:plan_flare_print")
CLOSED = b"This link is no longer open"


@pytest.fixture
def opened(client, patient_link):
    _, token = patient_link
    open_link(client, token)
    return client


def test_it_offers_the_choice_and_changes_nothing_on_opening(opened, patient):
    response = opened.get(REMINDERS)
    assert response.status_code == 200
    assert "Yes, every day" in response.text and "No reminders, thank you" in response.text
    assert not LogReminder.objects.exists()
    event = page_events().get()
    assert (event.patient, event.action, event.target) == (patient, Action.VIEW, "portal: check-in reminders")


def test_the_patient_chooses_daily_reminders(opened, patient):
    response = opened.post(REMINDERS, {"frequency": "daily"}, follow=True)
    assert "We will remind you every day at about 6 pm." in response.text
    reminder = LogReminder.objects.get(patient=patient)
    assert reminder.frequency == "daily"
    due = timezone.localtime(reminder.next_due_at)
    assert due.time() == REMINDER_TIME and due > timezone.now()
    assert AuditEvent.objects.filter(action=Action.UPDATE, target="portal: check-in reminders").count() == 1


def test_the_patient_chooses_a_weekly_reminder_on_a_weekday(opened, patient):
    response = opened.post(REMINDERS, {"frequency": "weekly", "weekday": "3"}, follow=True)
    assert "We will remind you every Thursday at about 6 pm." in response.text
    reminder = LogReminder.objects.get(patient=patient)
    assert (reminder.frequency, reminder.weekday) == ("weekly", 3)
    assert timezone.localtime(reminder.next_due_at).weekday() == 3


def test_a_weekly_reminder_needs_a_weekday(opened):
    response = opened.post(REMINDERS, {"frequency": "weekly", "weekday": ""})
    assert response.status_code == 400
    assert "Please choose the day of the week for your reminder." in response.text
    assert not LogReminder.objects.exists()


@pytest.mark.parametrize("data", [{}, {"frequency": "hourly"}, {"frequency": "weekly", "weekday": "9"}])
def test_it_refuses_anything_else_kindly(opened, data):
    response = opened.post(REMINDERS, data)
    assert response.status_code == 400
    assert not LogReminder.objects.exists()


def test_choosing_none_stops_reminders(opened, patient):
    opened.post(REMINDERS, {"frequency": "daily"})
    response = opened.post(REMINDERS, {"frequency": "none"}, follow=True)
    assert "We will not send you reminders." in response.text
    reminder = LogReminder.objects.get(patient=patient)
    assert (reminder.frequency, reminder.next_due_at) == ("none", None)


def test_it_says_so_when_there_is_no_way_to_message_the_patient(opened, patient):
    patient.consents_to_email = False
    patient.save(update_fields=["consents_to_email"])
    assert "We do not have a way to send you messages yet." in opened.get(REMINDERS).text


def test_the_page_needs_a_patient_session(client, db):
    assert CLOSED in client.post(REMINDERS, {"frequency": "daily"}).content
    assert not LogReminder.objects.exists()


def test_the_printable_flare_up_plan_is_one_plain_page_and_printing_is_audited(opened, patient, physician):
    plan = active_plan(patient, physician)
    FlarePlan.objects.create(
        plan=plan, what_helps="A warm shower, then a short rest", when_to_call="Pain wakes me 3 nights running"
    )
    response = opened.get(PRINT)
    assert response.status_code == 200
    assert "If you have a flare-up" in response.text
    assert "A flare is not a reason to change your whole plan." in response.text
    assert "A warm shower, then a short rest" in response.text
    assert "Pain wakes me 3 nights running" in response.text
    assert "for Mari" in response.text
    assert 'src="/static/js/print-button.js"' in response.text
    event = page_events().get()
    assert (event.actor, event.patient, event.action, event.target) == (
        None,
        patient,
        Action.PRINT,
        "portal: printable flare-up plan",
    )


def test_the_printable_flare_up_plan_needs_a_plan(opened):
    response = opened.get(PRINT)
    assert response.status_code == 302 and response["Location"] == reverse("portal:plan")
    assert not AuditEvent.objects.filter(action=Action.PRINT).exists()


def test_reminders_are_due_at_the_reminder_time_in_the_clinic_time_zone():
    from careplans.logs.reminders import next_reminder_at

    tz = timezone.get_current_timezone()
    monday_morning = datetime(2026, 3, 2, 9, 0, tzinfo=tz)
    monday_evening = datetime(2026, 3, 2, 18, 0, tzinfo=tz)
    assert next_reminder_at("daily", 0, after=monday_morning) == datetime.combine(monday_morning.date(), time(18), tz)
    assert next_reminder_at("daily", 0, after=monday_evening) == datetime(2026, 3, 3, 18, 0, tzinfo=tz)
    assert next_reminder_at("weekly", 0, after=monday_morning) == datetime(2026, 3, 2, 18, 0, tzinfo=tz)
    assert next_reminder_at("weekly", 0, after=monday_evening) == datetime(2026, 3, 9, 18, 0, tzinfo=tz)
    assert next_reminder_at("weekly", 6, after=monday_evening) == datetime(2026, 3, 8, 18, 0, tzinfo=tz)
    assert next_reminder_at("none", 0, after=monday_morning) is None
