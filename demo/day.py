"""The demo physician's day: appointments today, so "Today" (where clinicians land) and the pre-visit summary have
something to show. Booked once per clinic day: a second run the same day adds nothing, and earlier days'
appointments stay as they were (the booking pages, not this seeder, record what happened to them)."""

from __future__ import annotations

import datetime

from clinic.dates import start_of_day, today
from clinic.models import Appointment, CareTeamMember, User
from clinic.roles import Discipline
from demo.clinic import demo_patient, demo_staff_username

APPOINTMENTS = 8  # a clinic morning: the demo patient first, then more of the physician's patients
FIRST_HOUR = 9
MINUTES = 30


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return start_of_day(day), start_of_day(day + datetime.timedelta(days=1))


def seed_day() -> int:
    """Book today's appointments for the demo physician unless the day has some already; returns how many."""
    clinician = User.objects.filter(username=demo_staff_username(Discipline.PHYSICIAN)).first()
    patient = demo_patient()
    if clinician is None or patient is None:
        return 0
    start, end = day_bounds(today())
    if Appointment.objects.filter(clinician=clinician, starts_at__gte=start, starts_at__lt=end).exists():
        return 0
    others = (
        CareTeamMember.objects.filter(member=clinician)
        .exclude(patient=patient)
        .order_by("patient_id")
        .values_list("patient_id", flat=True)[: APPOINTMENTS - 1]
    )
    booked = []
    for n, patient_id in enumerate([patient.pk, *others]):
        starts_at = start + datetime.timedelta(hours=FIRST_HOUR, minutes=MINUTES * n)
        booked.append(
            Appointment(
                patient_id=patient_id,
                clinician=clinician,
                discipline=clinician.discipline,
                kind=Appointment.Kind.TELEHEALTH if n % 4 == 3 else Appointment.Kind.FOLLOW_UP,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=MINUTES),
                place="" if n % 4 == 3 else "Room 2",
                video_link="https://video.example.org/riverside-demo" if n % 4 == 3 else "",
                created_by=clinician,
            )
        )
    Appointment.objects.bulk_create(booked)
    return len(booked)
