"""Visit notes: who may see, write, change and sign them.

- Everyone who may see the patient reads the patient's visit notes (``visit_notes_visible_to``).
- Clinicians with access who may chart (``clinic.chart_clinical_notes``) start a visit note and add addenda
  to a signed one. Coordinators and clinic admins read the chart, never chart (even a superuser's admin role).
- Only the author changes or signs their draft.
"""

from django.db.models import QuerySet

from clinic.access.patients import CHART_PERMISSION, may_chart, may_see_patient, patients_visible_to
from clinic.roles import Role
from patients.models import Encounter

CLINICIANS_CHART = "Clinicians chart visits; coordinators and clinic admins read the chart."
AUTHOR_ONLY = "Only the clinician who wrote this draft can change or sign it."


def visit_notes_visible_to(user) -> QuerySet[Encounter]:
    return Encounter.objects.filter(patient__in=patients_visible_to(user))


def may_see_visit_note(user, note: Encounter) -> bool:
    return may_see_patient(user, note.patient)


def may_chart_visits(user) -> bool:
    """The role half of the rule, for pages that offer charting before a patient is chosen."""
    return bool(user.is_active and user.role == Role.CLINICIAN and user.has_perm(CHART_PERMISSION))


def may_write_visit_note(user, patient) -> bool:
    """Start a visit note about this patient, or add an addendum to one of theirs."""
    return may_chart(user, patient)


def may_change_visit_note(user, note: Encounter) -> bool:
    """Save or sign a draft: its author, while they may still chart for the patient."""
    return note.author_id == user.pk and may_chart(user, note.patient)
