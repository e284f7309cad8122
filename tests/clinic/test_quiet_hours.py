"""Quiet hours (clinic.dates message hours, 08:00 to 21:00 clinic time by default): a message to a patient written
at night waits in the outbox until the hours open; messages to staff and links the patient just asked for go at
once. The clock is pinned in the clinic's own time zone, whatever CLINIC_TIME_ZONE is."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from clinic.dates import held_for_message_hours_words, next_message_hours_start
from clinic.models import OutboxMessage
from clinic.services import claim_due_messages, queue_message
from portal.models import PatientLink

pytestmark = pytest.mark.django_db

DAY = date(2026, 12, 9)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(settings.TIME_ZONE))


def to_patient(patient) -> OutboxMessage:
    return queue_message(channel="email", to_address="maria@example.test", body="A check-in.", patient=patient)


def claimed_at(moment: datetime) -> bool:
    with time_machine.travel(moment, tick=False):
        return bool(claim_due_messages())


@pytest.fixture(autouse=True)
def default_message_hours(settings):
    settings.MESSAGE_HOURS_START, settings.MESSAGE_HOURS_END = 8, 21


@pytest.mark.parametrize(
    "written, opens",
    [
        (at(DAY, 21, 0), at(DAY + timedelta(days=1), 8)),
        (at(DAY, 23, 30), at(DAY + timedelta(days=1), 8)),
        (at(DAY, 0, 1), at(DAY, 8)),  # the intake text once sent at 00:01
        (at(DAY, 7, 59), at(DAY, 8)),
    ],
    ids=["21:00", "23:30", "00:01", "07:59"],
)
def test_a_message_to_a_patient_written_at_night_waits_for_eight_oclock(patient, written, opens):
    with time_machine.travel(written, tick=False):
        message = to_patient(patient)

    assert message.next_attempt_at == opens
    assert not claimed_at(opens - timedelta(minutes=1))
    assert claimed_at(opens)


@pytest.mark.parametrize("hour, minute", [(8, 0), (12, 0), (20, 59)])
def test_a_message_to_a_patient_in_message_hours_goes_at_once(patient, hour, minute):
    written = at(DAY, hour, minute)
    with time_machine.travel(written, tick=False):
        message = to_patient(patient)

    assert message.next_attempt_at == written
    assert claimed_at(written)


def test_urgent_work_reaches_staff_at_night(physician):
    night = at(DAY, 2, 30)
    with time_machine.travel(night, tick=False):
        queue_message(channel="email", to_address="dr@example.test", body="Urgent work.", staff=physician)

    assert claimed_at(night)


def test_a_new_link_the_patient_asks_for_at_night_is_sent_at_once(client, patient, patient_link):
    link, token = patient_link
    night = at(DAY, 23, 0)
    PatientLink.objects.filter(pk=link.pk).update(expires_at=night - timedelta(days=1))
    with time_machine.travel(night, tick=False):
        client.post(reverse("portal:new_link", args=[token]))

    message = OutboxMessage.objects.get(patient=patient)
    assert message.next_attempt_at == night
    assert claimed_at(night)


def test_the_coordinator_who_sends_an_intake_link_at_night_is_told_when_it_goes(signed_in, coordinator, patient):
    with time_machine.travel(at(DAY, 22, 15), tick=False):
        client = signed_in(coordinator)  # at that hour: the session's age limits follow the clock
        response = client.post(reverse("patients:intake_send", args=[patient.public_id]), follow=True)

    assert "It will go at 8:00 am, when message hours begin" in response.text
    assert OutboxMessage.objects.get(patient=patient).next_attempt_at == at(DAY + timedelta(days=1), 8)


def test_in_message_hours_the_coordinator_is_told_nothing_about_waiting():
    assert held_for_message_hours_words(at(DAY, 10)) == ""
    assert held_for_message_hours_words(at(DAY, 21)).startswith(" It will go at 8:00 am")


def test_the_next_opening_is_eight_oclock_clinic_time_on_a_daylight_saving_day(settings):
    settings.TIME_ZONE = "America/New_York"
    with timezone.override("America/New_York"):
        spring_forward = datetime(2026, 3, 8, 1, 30, tzinfo=ZoneInfo("America/New_York"))  # 23-hour day
        assert next_message_hours_start(spring_forward) == datetime(2026, 3, 8, 8, tzinfo=ZoneInfo("America/New_York"))
        fall_back_night = datetime(2026, 10, 31, 22, 0, tzinfo=ZoneInfo("America/New_York"))  # 25-hour night
        assert next_message_hours_start(fall_back_night) == datetime(
            2026, 11, 1, 8, tzinfo=ZoneInfo("America/New_York")
        )
