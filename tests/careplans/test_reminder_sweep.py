"""The check-in reminder sweep: set-based, idempotent (a reminder is claimed by a conditional UPDATE on its
due time, so running twice sends one message), consent and channel from Patient.contact_channel(), no health
information in the message, at most one reminder a day."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from careplans.logs.reminders import REMINDER_TIME, set_log_reminder, sweep_log_reminders
from careplans.models import CarePlan, LogReminder
from careplans.tasks import sweep_log_reminders_task
from clinic.models import OutboxMessage
from portal.models import PatientLink
from portal.services import find_link
from tests.careplans.logkit import active_plan
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def evening(day, minutes_after: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, REMINDER_TIME)) + timedelta(minutes=minutes_after)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def morning(today):
    return evening(today) - timedelta(hours=9)


@pytest.fixture
def daily(patient, physician, morning):
    active_plan(patient, physician)
    return set_log_reminder(patient=patient, frequency="daily", now=morning)


def test_it_sends_a_due_reminder_once_with_a_fresh_check_in_link(daily, patient, today):
    result = sweep_log_reminders(now=evening(today, 5))
    assert (result.due, result.claimed, result.sent) == (1, 1, 1)
    message = OutboxMessage.objects.get()
    assert (message.patient, message.channel, message.to_address) == (patient, "email", patient.email)
    assert message.subject == f"A message from {settings.MESSAGE_SENDER}"
    token = message.body.rsplit("/p/", 1)[1].strip("/")
    link = find_link(token)
    assert (link.patient, link.purpose) == (patient, PatientLink.Purpose.CHECK_IN)
    assert link.is_usable()
    daily.refresh_from_db()
    assert (daily.last_sent_on, timezone.localtime(daily.next_due_at)) == (today, evening(today + timedelta(days=1)))


def test_running_it_twice_sends_one_message(daily, today):
    sweep_log_reminders(now=evening(today, 5))
    second = sweep_log_reminders(now=evening(today, 6))
    assert (second.due, second.sent) == (0, 0)
    assert OutboxMessage.objects.count() == 1
    assert PatientLink.objects.count() == 1


def test_a_sweep_that_read_a_reminder_another_sweep_claimed_sends_nothing(daily, today, monkeypatch):
    """Two sweeps at once: the second read the row before the first claimed it; its claim no longer matches."""
    from careplans.logs import reminders as log_reminders

    first_read = list(LogReminder.objects.all())
    sweep_log_reminders(now=evening(today, 5))
    real_filter = LogReminder.objects.filter

    class StaleRead:
        """The second sweep's view of the table: what it read before the first sweep's claim."""

        def __init__(self, *args, **kwargs):
            self.rows = first_read

        def __getattr__(self, name):
            return lambda *args, **kwargs: self

        def __iter__(self):
            return iter(self.rows)

        def __getitem__(self, item):
            return self.rows[item]

    monkeypatch.setattr(log_reminders.LogReminder.objects, "filter", StaleRead)
    for row in first_read:
        row.has_plan, row.messaged_today = True, False
    second = sweep_log_reminders(now=evening(today, 5))
    monkeypatch.setattr(log_reminders.LogReminder.objects, "filter", real_filter)
    assert (second.due, second.claimed, second.sent) == (1, 0, 0)
    assert OutboxMessage.objects.count() == 1


def test_nothing_is_due_before_the_reminder_time(daily, today):
    assert sweep_log_reminders(now=evening(today, -1)).due == 0
    assert not OutboxMessage.objects.exists()


def test_it_sends_again_the_next_day(daily, today):
    sweep_log_reminders(now=evening(today, 5))
    sweep_log_reminders(now=evening(today + timedelta(days=1), 5))
    assert OutboxMessage.objects.count() == 2


def test_a_late_sweep_sends_the_missed_reminder_once_and_no_second_one_that_day(daily, today):
    next_morning = evening(today + timedelta(days=1)) - timedelta(hours=10)
    assert sweep_log_reminders(now=next_morning).sent == 1  # yesterday's, found by the first sweep of the day
    assert sweep_log_reminders(now=evening(today + timedelta(days=1), 5)).sent == 0
    assert OutboxMessage.objects.count() == 1


def test_a_weekly_reminder_comes_once_a_week_on_its_day(patient, physician, today, morning):
    active_plan(patient, physician)
    reminder = set_log_reminder(patient=patient, frequency="weekly", weekday=today.weekday(), now=morning)
    assert sweep_log_reminders(now=evening(today, 5)).sent == 1
    reminder.refresh_from_db()
    assert timezone.localtime(reminder.next_due_at) == evening(today + timedelta(days=7))
    for day in range(1, 7):
        assert sweep_log_reminders(now=evening(today + timedelta(days=day), 5)).sent == 0
    assert sweep_log_reminders(now=evening(today + timedelta(days=7), 5)).sent == 1


def test_no_consent_no_message_and_the_reminder_moves_on(daily, patient, today):
    patient.consents_to_email = False
    patient.save(update_fields=["consents_to_email"])
    result = sweep_log_reminders(now=evening(today, 5))
    assert (result.no_channel, result.sent) == (1, 0)
    assert not OutboxMessage.objects.exists() and not PatientLink.objects.exists()
    daily.refresh_from_db()
    assert timezone.localtime(daily.next_due_at) == evening(today + timedelta(days=1))
    assert daily.last_sent_on is None


def test_it_uses_the_patients_consented_channel(daily, patient, today):
    patient.consents_to_email, patient.mobile, patient.consents_to_sms = False, "+1 555 0100", True
    patient.save(update_fields=["consents_to_email", "mobile", "consents_to_sms"])
    sweep_log_reminders(now=evening(today, 5))
    message = OutboxMessage.objects.get()
    assert (message.channel, message.to_address) == ("sms", "+1 555 0100")


def test_no_reminder_without_an_active_care_plan(daily, patient, today):
    CarePlan.objects.filter(patient=patient).update(status=CarePlan.Status.CLOSED)
    result = sweep_log_reminders(now=evening(today, 5))
    assert (result.no_plan, result.sent) == (1, 0)
    assert not OutboxMessage.objects.exists()


def test_a_patient_who_had_a_message_today_gets_the_reminder_tomorrow(daily, patient, today):
    OutboxMessage.objects.create(channel="email", to_address=patient.email, body="Earlier", patient=patient)
    result = sweep_log_reminders(now=evening(today, 5))
    assert (result.held_for_tomorrow, result.sent) == (1, 0)
    assert OutboxMessage.objects.count() == 1


def test_no_reminders_chosen_means_none_sent(patient, physician, today, morning):
    active_plan(patient, physician)
    set_log_reminder(patient=patient, frequency="none", now=morning)
    assert sweep_log_reminders(now=evening(today + timedelta(days=3))).due == 0


def test_the_message_carries_no_health_information(daily, patient, today):
    sweep_log_reminders(now=evening(today, 5))
    message = OutboxMessage.objects.get()
    assert message.body.endswith(f"{settings.SITE_URL}/p/{message.body.rsplit('/p/', 1)[1]}")
    words = f"{message.subject} {message.body.split(settings.SITE_URL)[0]}".lower()  # the words, not the token
    for word in ("pain", "plan", "log", "flare", "pacing", "clinic", patient.given_name.lower(), patient.mrn):
        assert word not in words.replace(settings.MESSAGE_SENDER.lower(), ""), word


def test_the_task_runs_the_sweep_and_returns_counts_only(daily, today, monkeypatch):
    from careplans.logs import reminders as log_reminders

    real = log_reminders.sweep_log_reminders
    monkeypatch.setattr(log_reminders, "sweep_log_reminders", lambda: real(now=evening(today, 5)))
    with time_machine.travel(evening(today, 5), tick=False):
        counts = sweep_log_reminders_task()
    assert counts == {"due": 1, "claimed": 1, "sent": 1, "held_for_tomorrow": 0, "no_channel": 0, "no_plan": 0}


def test_a_reminder_due_at_night_waits_for_the_morning(settings, daily, today):
    settings.MESSAGE_HOURS_END = 18  # the patient's 18:00 reminder now falls outside message hours
    with time_machine.travel(evening(today, 5), tick=False):
        assert sweep_log_reminders_task() == {"outside_message_hours": True}
    assert not OutboxMessage.objects.exists()
    with time_machine.travel(evening(today + timedelta(days=1), 5) - timedelta(hours=10), tick=False):  # 08:05
        assert sweep_log_reminders_task()["sent"] == 1
    assert OutboxMessage.objects.count() == 1


@pytest.mark.parametrize("patients", [1, 30])
def test_the_sweep_runs_a_constant_number_of_queries(physician, today, morning, patients, django_assert_num_queries):
    for _ in range(patients):
        someone = PatientFactory()
        active_plan(someone, physician)
        set_log_reminder(patient=someone, frequency="daily", now=morning)
    with django_assert_num_queries(6):  # transaction aside: find, claim, links, messages (+ savepoints)
        result = sweep_log_reminders(now=evening(today, 5))
    assert result.sent == patients
    assert OutboxMessage.objects.count() == patients
