"""Which non-patient rows a set of patients' resources refer to: the staff they name (Practitioner and
PractitionerRole) and the instruments they answered (Questionnaire). Each is one set-based condition, so the
rows come in one query however many patients are asked for."""

from django.db.models import Q, QuerySet

from clinic.models import CareTeamMember
from patients.models import Patient


def staff_named_by(patients: QuerySet[Patient]) -> Q:
    """Staff on the patients' care teams, or named as the author, lead, prescriber, assignee or clinician of
    any of the patients' exported resources."""
    named = Q(pk__in=CareTeamMember.objects.filter(patient__in=patients).values("member_id"))
    for model, field in staff_fields():
        named |= Q(pk__in=model.objects.filter(**{f"{patient_path(model)}__in": patients}).values(field))
    return named


def staff_fields() -> list[tuple[type, str]]:
    """(model, staff column) for every staff reference the mappings write."""
    return []


def patient_path(model) -> str:
    return "patient"
