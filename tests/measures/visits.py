"""Helpers for the visit-protocol tests: appointments made directly (the appointment pages are another module's)."""

import datetime

from django.utils import timezone

from clinic.models import Appointment
from clinic.roles import Discipline
from tests.factories import StaffFactory

# The visit is on Friday 13 March 2026 at 10:00 clinic time; three days before is Tuesday 10 March.
VISIT_DAY = datetime.date(2026, 3, 13)
DAY = datetime.timedelta(days=1)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """``hour:minute`` on ``day``, clinic time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def book(patient, *, starts_at=None, kind=Appointment.Kind.FOLLOW_UP, status=Appointment.Status.BOOKED):
    starts_at = starts_at or at(VISIT_DAY, 10)
    return Appointment.objects.create(
        patient=patient,
        clinician=StaffFactory(discipline=Discipline.PHYSICIAN),
        discipline=Discipline.PHYSICIAN,
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=30),
        status=status,
    )
