"""Recording attendance (clinic.appointment_services.record_attendance): only on or after the appointment's
clinic-local day (the clock pinned half an hour either side of midnight, in any clinic time zone), by the
coordinators and the appointment's own clinician; a correction is allowed, a cancelled booking has none."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from clinic import appointment_services as services
from clinic.access.refusals import Refused
from clinic.appointments import AppointmentRefused
from clinic.models import Appointment, AppointmentEvent
from tests.factories import AppointmentFactory

ZONES = ["America/New_York", "Pacific/Kiritimati", "Pacific/Honolulu"]


def at(zone: str, *wall) -> datetime:
    return datetime(*wall, tzinfo=ZoneInfo(zone))


@pytest.fixture(params=ZONES)
def zone(request, settings):
    settings.TIME_ZONE = request.param
    return request.param


@pytest.fixture
def appointment(zone, patient, physician):
    """Wednesday December 9 at 09:00, clinic time."""
    return AppointmentFactory(patient=patient, clinician=physician, starts_at=at(zone, 2026, 12, 9, 9, 0))


def test_at_23_30_the_evening_before_attendance_is_refused(zone, appointment, coordinator):
    with (
        time_machine.travel(at(zone, 2026, 12, 8, 23, 30), tick=False),
        pytest.raises(AppointmentRefused, match="on or after the day of the appointment"),
    ):
        services.record_attendance(
            appointment=appointment, by=coordinator, status=Appointment.Status.ATTENDED, expected_version=1
        )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.BOOKED and not appointment.events.exists()


def test_at_00_30_on_the_day_attendance_is_recorded(zone, appointment, coordinator):
    with time_machine.travel(at(zone, 2026, 12, 9, 0, 30), tick=False):
        services.record_attendance(
            appointment=appointment, by=coordinator, status=Appointment.Status.NO_SHOW, expected_version=1
        )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.NO_SHOW
    assert appointment.events.get().kind == AppointmentEvent.Kind.ATTENDANCE


def test_the_appointments_own_clinician_records_it_and_may_correct_it(zone, appointment, physician):
    with time_machine.travel(at(zone, 2026, 12, 10, 8, 0), tick=False):
        services.record_attendance(
            appointment=appointment, by=physician, status=Appointment.Status.NO_SHOW, expected_version=1
        )
        services.record_attendance(
            appointment=appointment,
            by=physician,
            status=Appointment.Status.ATTENDED,
            note="Arrived late",
            expected_version=2,
        )
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.ATTENDED
    assert appointment.events.last().note == "Attended: Arrived late"


def test_another_clinician_on_the_team_does_not_record_it(zone, appointment, psychologist):
    with time_machine.travel(at(zone, 2026, 12, 9, 12, 0), tick=False), pytest.raises(Refused):
        services.record_attendance(
            appointment=appointment, by=psychologist, status=Appointment.Status.ATTENDED, expected_version=1
        )


def test_a_cancelled_appointment_has_no_attendance(zone, appointment, coordinator):
    Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.CANCELLED)
    appointment.refresh_from_db()
    with (
        time_machine.travel(at(zone, 2026, 12, 9, 12, 0), tick=False),
        pytest.raises(AppointmentRefused, match="was cancelled"),
    ):
        services.record_attendance(
            appointment=appointment, by=coordinator, status=Appointment.Status.ATTENDED, expected_version=1
        )


def test_only_an_attendance_status_is_recorded(zone, appointment, coordinator):
    with (
        time_machine.travel(at(zone, 2026, 12, 9, 12, 0), tick=False),
        pytest.raises(AppointmentRefused, match="Choose attended"),
    ):
        services.record_attendance(
            appointment=appointment, by=coordinator, status=Appointment.Status.CANCELLED, expected_version=1
        )
