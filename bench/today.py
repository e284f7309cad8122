"""The clinician's day for the benchmark: today's appointments for the bench physician (demo/appointments.py,
written once per clinic day by seed_demo and again here in case the day changed since), so "Today" and the
pre-visit summary have a real day to show at any clinic size."""

from __future__ import annotations

import datetime


def prepare_today(demo, clinician_username: str) -> tuple[str, datetime.datetime, datetime.datetime]:
    """(the demo patient's appointment's public id, start and end of the clinic day). Needs Django set up
    (bench.run.demo_data)."""
    from clinic.dates import today
    from clinic.models import Appointment
    from demo.appointments import day_bounds, seed_appointments

    seed_appointments()
    start, end = day_bounds(today())
    first = Appointment.objects.filter(
        clinician__username=clinician_username, patient=demo.demo_patient(), starts_at__gte=start, starts_at__lt=end
    ).order_by("starts_at")
    return str(first.values_list("public_id", flat=True).first()), start, end
