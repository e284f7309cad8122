"""Appointments: one rule for seeing, booking and recording what happened.

- Seeing: an appointment is visible with its patient (clinic.access.patients): coordinators and clinic admins
  see every patient's, a clinician those of the patients they may see. Outsiders get a 404 (audited).
- Booking, moving, changing the details and cancelling: coordinators and clinic admins, for every patient
  (they run the clinic's diary). Clinicians do not book.
- Recording attendance (attended, did not attend, cancelled late): coordinators and clinic admins, and the
  clinician the appointment is with, for their own appointments.
"""

from django.db.models import QuerySet

from audit.refusals import NotVisible
from clinic.access.patients import VISIBLE_TO, may_see_patient, patients_visible_to
from clinic.models import Appointment
from clinic.roles import Role

BOOKERS_ONLY = "Coordinators and clinic admins book, move and cancel appointments."
ATTENDANCE_ONLY = "Coordinators, clinic admins and the appointment's own clinician record attendance."


def appointments_visible_to(user) -> QuerySet[Appointment]:
    return Appointment.objects.filter(patient__in=patients_visible_to(user))


def may_see_appointment(user, appointment: Appointment) -> bool:
    return may_see_patient(user, appointment.patient)


def may_book(user) -> bool:
    """The role half of the rule (the clinic-wide page offers booking before a patient is chosen)."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.role in (Role.COORDINATOR, Role.ADMIN) or user.is_superuser


def may_book_for(user, patient) -> bool:
    """Book, move, change or cancel an appointment of this patient."""
    return may_book(user) and may_see_patient(user, patient)


def may_record_attendance(user, appointment: Appointment) -> bool:
    if not may_see_appointment(user, appointment):
        return False
    return may_book(user) or (
        user.role == Role.CLINICIAN and appointment.clinician_id is not None and appointment.clinician_id == user.pk
    )


def get_appointment_for_user(user, appointment_id, *, queryset: QuerySet[Appointment] | None = None) -> Appointment:
    """The appointment if its patient is visible to ``user`` (``queryset``: the caller's annotations), else 404."""
    if queryset is None:
        rows = appointments_visible_to(user).select_related("patient", "clinician", "referral")
    else:
        rows = queryset.filter(patient__in=patients_visible_to(user))
    try:
        appointment = rows.get(public_id=appointment_id)
    except Appointment.DoesNotExist:
        raise NotVisible("appointment", appointment_id, "No such appointment.") from None
    setattr(appointment.patient, VISIBLE_TO, user.pk)  # the proof clinic.access reads: no second query
    return appointment
