"""The day-before appointment reminder (clinic/appointment_reminders.py): one message per appointment however often
the sweep runs, in message hours only, only on a consented channel, in the patient's language, with no health
information; a move before or after it went out reminds the patient of the new time; a cancelled one never."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings

from clinic import appointment_services as services
from clinic import tasks
from clinic.appointment_reminders import send_appointment_reminders
from clinic.models import Appointment, OutboxMessage
from clinic.roles import Discipline
from tests.clock import clinic_time
from tests.factories import AppointmentFactory

MONDAY_9 = clinic_time(2026, 12, 7, 9, 0)
TUESDAY_1030 = clinic_time(2026, 12, 8, 10, 30)
# Words that would say something about the patient's health or who treats them.
HEALTH_WORDS = ["pain", "psycholog", "physician", "Okafor", "Lindqvist", "therap", "group", "self-management", "Dr"]


def sweep(at=MONDAY_9):
    with time_machine.travel(at, tick=False):
        return send_appointment_reminders()


@pytest.fixture
def appointment(patient, physician):
    return AppointmentFactory(patient=patient, clinician=physician, starts_at=TUESDAY_1030, place="Room 3, 2nd floor")


def test_the_day_before_the_patient_gets_one_reminder_with_the_time_and_place(patient, appointment):
    result = sweep()
    message = OutboxMessage.objects.get()
    assert (message.channel, message.to_address, message.patient) == ("email", patient.email, patient)
    assert message.body == (
        f"{settings.MESSAGE_SENDER}: a reminder of your appointment tomorrow, Tuesday, December 8 at 10:30 a.m., "
        "at Room 3, 2nd floor."
    )
    assert message.subject == f"A message from {settings.MESSAGE_SENDER}"
    assert (result.claimed, result.sent) == (1, 1)
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at == MONDAY_9


def test_running_the_sweep_twice_sends_one_reminder(appointment):
    sweep()
    second = sweep(MONDAY_9 + timedelta(minutes=15))
    assert OutboxMessage.objects.count() == 1
    assert (second.claimed, second.sent) == (0, 0)


def test_only_appointments_starting_tomorrow_are_reminded(patient, physician):
    AppointmentFactory(patient=patient, clinician=physician, starts_at=MONDAY_9 + timedelta(hours=3))  # today
    AppointmentFactory(patient=patient, clinician=physician, starts_at=clinic_time(2026, 12, 9, 0, 0))  # Wednesday
    AppointmentFactory(patient=patient, clinician=physician, starts_at=clinic_time(2026, 12, 8, 23, 59))  # Tuesday
    assert sweep().sent == 1
    assert "at 11:59 p.m." in OutboxMessage.objects.get().body


def test_in_quiet_hours_nothing_is_claimed_or_written(appointment):
    late = clinic_time(2026, 12, 7, 21, 30)
    result = sweep(late)
    assert result.outside_message_hours and not OutboxMessage.objects.exists()
    assert Appointment.objects.get(pk=appointment.pk).reminder_sent_at is None
    with time_machine.travel(late, tick=False):
        assert tasks.send_appointment_reminders() == tasks.OUTSIDE_MESSAGE_HOURS


def test_without_consent_no_message_is_written(patient, appointment):
    patient.consents_to_email = False
    patient.save(update_fields=["consents_to_email"])
    result = sweep()
    assert (result.claimed, result.sent, result.no_channel) == (1, 0, 1)
    assert not OutboxMessage.objects.exists()


def test_a_patient_who_chose_texts_gets_a_text(patient, appointment):
    patient.mobile, patient.consents_to_sms, patient.preferred_channel = "+15555550123", True, "sms"
    patient.save(update_fields=["mobile", "consents_to_sms", "preferred_channel"])
    sweep()
    message = OutboxMessage.objects.get()
    assert (message.channel, message.to_address) == ("sms", "+15555550123")


def test_the_reminder_carries_no_health_information(patient, psychologist):
    AppointmentFactory(
        patient=patient,
        clinician=psychologist,
        kind=Appointment.Kind.GROUP,
        group_name="Pain self-management group",
        discipline=Discipline.PSYCHOLOGIST,
        starts_at=TUESDAY_1030,
        place="Room 3",
        note_for_patient="Bring your pain diary.",
    )
    AppointmentFactory(
        patient=patient,
        clinician=psychologist,
        kind=Appointment.Kind.TELEHEALTH,
        place="",
        video_link="https://video.example.test/dr-lindqvist-psychology",
        starts_at=TUESDAY_1030 + timedelta(hours=3),
    )
    sweep()
    bodies = [message.subject + " " + message.body for message in OutboxMessage.objects.order_by("id")]
    assert len(bodies) == 2
    for body in bodies:
        for word in HEALTH_WORDS:
            assert word.lower() not in body.lower()
        assert "https://" not in body
    assert any(body.endswith("at 1:30 p.m., by video.") for body in bodies)


def test_a_spanish_speaking_patient_gets_it_in_spanish(patient, appointment):
    patient.preferred_language = "es"
    patient.save(update_fields=["preferred_language"])
    sweep()
    assert OutboxMessage.objects.get().body == (
        f"{settings.MESSAGE_SENDER}: le recordamos su cita de mañana, martes 8 de diciembre a las 10:30, "
        "en Room 3, 2nd floor."
    )


def test_a_cancelled_appointment_is_never_reminded(coordinator, appointment):
    with time_machine.travel(MONDAY_9 - timedelta(hours=1), tick=False):
        services.cancel_appointment(appointment=appointment, by=coordinator, reason="Unwell", expected_version=1)
    assert sweep().claimed == 0 and not OutboxMessage.objects.exists()


def test_a_move_before_the_reminder_reminds_of_the_new_time(coordinator, appointment):
    with time_machine.travel(MONDAY_9 - timedelta(hours=1), tick=False):
        services.move_appointment(
            appointment=appointment,
            by=coordinator,
            starts_at=clinic_time(2026, 12, 8, 15, 0),
            minutes=30,
            expected_version=1,
        )
    sweep()
    assert "at 3 p.m." in OutboxMessage.objects.get().body


def test_a_move_after_the_reminder_reminds_again_of_the_new_time(coordinator, appointment):
    sweep()
    with time_machine.travel(MONDAY_9 + timedelta(hours=2), tick=False):
        services.move_appointment(
            appointment=appointment,
            by=coordinator,
            starts_at=clinic_time(2026, 12, 8, 15, 0),
            minutes=30,
            expected_version=1,
        )
    sweep(MONDAY_9 + timedelta(hours=2, minutes=15))
    bodies = list(OutboxMessage.objects.order_by("id").values_list("body", flat=True))
    assert len(bodies) == 2 and "at 10:30 a.m." in bodies[0] and "at 3 p.m." in bodies[1]


def test_a_move_to_a_later_day_waits_for_the_day_before_it(coordinator, appointment):
    sweep()
    with time_machine.travel(MONDAY_9 + timedelta(hours=2), tick=False):
        services.move_appointment(
            appointment=appointment,
            by=coordinator,
            starts_at=clinic_time(2026, 12, 10, 9, 0),
            minutes=30,
            expected_version=1,
        )
    assert sweep(MONDAY_9 + timedelta(hours=3)).claimed == 0
    assert sweep(clinic_time(2026, 12, 9, 9, 0)).sent == 1
    assert "tomorrow, Thursday, December 10 at 9 a.m." in OutboxMessage.objects.latest("id").body


def test_the_sweep_runs_a_constant_number_of_queries(patient, physician, django_assert_max_num_queries):
    for n in range(12):
        AppointmentFactory(patient=patient, clinician=physician, starts_at=TUESDAY_1030 + timedelta(minutes=30 * n))
    with time_machine.travel(MONDAY_9, tick=False), django_assert_max_num_queries(6):
        assert send_appointment_reminders().sent == 12


def test_beat_runs_the_sweep_in_message_hours():
    entry = settings.CELERY_BEAT_SCHEDULE["appointment-reminder-sweep"]
    assert entry["task"] == "clinic.tasks.send_appointment_reminders"
    assert set(entry["schedule"].hour) == set(range(settings.MESSAGE_HOURS_START, settings.MESSAGE_HOURS_END))
