"""Appointments: an appointment is visible with its patient (the patient's rule, clinic.access.patients), for
lists and single objects alike; outsiders get a 404 (audited by audit.refusals)."""

from django.db.models import QuerySet

from audit.refusals import NotVisible
from clinic.access.patients import VISIBLE_TO, patients_visible_to
from clinic.models import Appointment


def appointments_visible_to(user) -> QuerySet[Appointment]:
    return Appointment.objects.filter(patient__in=patients_visible_to(user))


def get_appointment_for_user(user, appointment_id, *, queryset: QuerySet[Appointment] | None = None) -> Appointment:
    """The appointment if its patient is visible to ``user`` (``queryset``: the caller's annotations), else 404."""
    rows = appointments_visible_to(user) if queryset is None else queryset.filter(patient__in=patients_visible_to(user))
    try:
        appointment = rows.get(public_id=appointment_id)
    except Appointment.DoesNotExist:
        raise NotVisible("appointment", appointment_id, "No such appointment.") from None
    setattr(appointment.patient, VISIBLE_TO, user.pk)  # the proof clinic.access reads: no second query
    return appointment
