"""The clinician's day for the benchmark: today's appointments for the bench physician, made once per clinic day
(idempotent), so "Today" and the pre-visit summary have a real day to show at any clinic size."""

from __future__ import annotations

import datetime

APPOINTMENTS = 8  # a clinic morning: the demo patient first, then seven more of the physician's patients
FIRST_HOUR = 9


def prepare_today(demo, clinician_username: str) -> tuple[str, datetime.datetime, datetime.datetime]:
    """(the demo patient's appointment's public id, start and end of the clinic day): today's appointments for
    the clinician, booked now unless the day has some already. Needs Django set up (bench.run.demo_data)."""
    from clinic.dates import start_of_day, today
    from clinic.models import Appointment, CareTeamMember, User

    clinician = User.objects.get(username=clinician_username)
    day = today()
    start, end = start_of_day(day), start_of_day(day + datetime.timedelta(days=1))
    booked = Appointment.objects.filter(clinician=clinician, starts_at__gte=start, starts_at__lt=end)
    if not booked.exists():
        patient = demo.demo_patient()
        others = (
            CareTeamMember.objects.filter(member=clinician)
            .exclude(patient=patient)
            .order_by("patient_id")
            .values_list("patient_id", flat=True)[: APPOINTMENTS - 1]
        )
        for n, patient_id in enumerate([patient.pk, *others]):
            starts_at = start + datetime.timedelta(hours=FIRST_HOUR, minutes=30 * n)
            Appointment.objects.create(
                patient_id=patient_id,
                clinician=clinician,
                discipline=clinician.discipline,
                kind=Appointment.Kind.FOLLOW_UP,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=30),
                place="Room 2",
                created_by=clinician,
            )
    first = booked.filter(patient=demo.demo_patient()).order_by("starts_at").values_list("public_id", flat=True)
    return str(first.first()), start, end
