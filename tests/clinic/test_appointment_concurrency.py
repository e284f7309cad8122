"""Two coordinators booking the same clinician at the same moment (clinic.appointment_services): the clinician's
row is locked before the clash check, so the second booking waits, sees the first and is refused."""

import threading
import time
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clinic import appointment_services as services
from clinic.appointments import AppointmentRefused
from clinic.models import Appointment
from tests.clock import clinic_time
from tests.factories import PatientFactory

NOW = clinic_time(2026, 12, 7, 9, 0)
SLOT = clinic_time(2026, 12, 8, 10, 0)


def book(patient, coordinator, clinician):
    return services.book_appointment(
        patient=patient,
        by=coordinator,
        clinician=clinician,
        kind=Appointment.Kind.FOLLOW_UP,
        starts_at=SLOT,
        minutes=30,
        place="Room 3",
    )


def test_booking_locks_the_clinicians_row_before_looking_for_a_clash(patient, physician, coordinator):
    with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
        book(patient, coordinator, physician)
    statements = [query["sql"] for query in queries.captured_queries]
    lock = next(i for i, sql in enumerate(statements) if 'FROM "clinic_user"' in sql and "FOR UPDATE" in sql)
    clash = next(i for i, sql in enumerate(statements) if 'FROM "clinic_appointment"' in sql)
    assert lock < clash


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_bookings_of_one_clinician_make_one_appointment(patient, physician, coordinator, monkeypatch):
    others = [patient, PatientFactory()]
    checked = services.refuse_clash

    def slow_check(*args, **kwargs):
        checked(*args, **kwargs)
        time.sleep(0.3)  # widen the window between the check and the insert: without the lock both would pass

    monkeypatch.setattr(services, "refuse_clash", slow_check)
    start, results = threading.Barrier(2), []

    def booking(person):
        start.wait()
        try:
            book(person, coordinator, physician)
            results.append("booked")
        except AppointmentRefused as refused:
            results.append(str(refused))
        finally:
            connection.close()

    with time_machine.travel(NOW, tick=True):
        threads = [threading.Thread(target=booking, args=(person,)) for person in others]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results.count("booked") == 1, results
    refusal = next(result for result in results if result != "booked")
    assert refusal.startswith("Ada Okafor, MD already has an appointment 10:00 am-10:30 am")
    assert Appointment.objects.filter(starts_at__lt=SLOT + timedelta(minutes=30)).count() == 1
