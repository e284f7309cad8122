"""Psychotherapy notes: kept apart from the chart, for psychologists only.

- Psychologists with access to the patient write, list and read the patient's psychotherapy notes.
- Everyone else who may see the chart sees that a note exists (its date and author), never what it says:
  the chart's timeline reads only those two columns.
"""

from django.db.models import QuerySet

from clinic.access.patients import may_see_patient, patients_visible_to
from clinic.roles import Discipline, Role
from patients.models import PsychotherapyNote

PSYCHOLOGISTS_ONLY = "Only psychologists write and read psychotherapy notes."


def may_use_psychotherapy_notes(user) -> bool:
    """Psychologists only: not physicians, not coordinators, not clinic admins."""
    return bool(user.is_active and user.role == Role.CLINICIAN and user.discipline == Discipline.PSYCHOLOGIST)


def psychotherapy_notes_visible_to(user) -> QuerySet[PsychotherapyNote]:
    if not may_use_psychotherapy_notes(user):
        return PsychotherapyNote.objects.none()
    return PsychotherapyNote.objects.filter(patient__in=patients_visible_to(user))


def may_read_psychotherapy_notes(user, patient) -> bool:
    """Write, list and read this patient's psychotherapy notes."""
    return may_use_psychotherapy_notes(user) and may_see_patient(user, patient)


def may_see_psychotherapy_note(user, note: PsychotherapyNote) -> bool:
    return may_read_psychotherapy_notes(user, note.patient)
