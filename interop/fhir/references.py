"""Which staff a set of patients' resources name (the Practitioner and PractitionerRole rows to send with them).
One set-based condition, so the rows come in one query however many patients are asked for."""

from django.db.models import Model, Q, QuerySet

from careplans.models import CarePlan, PlanChange
from clinic.models import (
    Appointment,
    AppointmentEvent,
    CareTeamMember,
    Referral,
    ReferralEvent,
    TeamTask,
    TeamTaskEvent,
)
from measures.models import Response
from medications.models import Medication, MedicationChange
from patients.models import Encounter, Patient, PatientAllergy, Problem

# (model, the staff column a mapping references, the path from the model to its patient). Keep in step with
# the mappings: every practitioner_reference they write reads one of these.
STAFF_COLUMNS: tuple[tuple[type[Model], str, str], ...] = (
    (CareTeamMember, "member_id", "patient"),
    (Problem, "created_by_id", "patient"),
    (PatientAllergy, "recorded_by_id", "patient"),
    (Response, "entered_by_id", "patient"),
    (CarePlan, "lead_id", "patient"),
    (Medication, "prescriber_id", "patient"),
    (Referral, "created_by_id", "patient"),
    (TeamTask, "assignee_id", "patient"),
    (Appointment, "clinician_id", "patient"),
    (Encounter, "author_id", "patient"),
    (ReferralEvent, "by_id", "referral__patient"),
    (TeamTaskEvent, "by_id", "task__patient"),
    (AppointmentEvent, "by_id", "appointment__patient"),
    (PlanChange, "by_id", "plan__patient"),
    (MedicationChange, "by_id", "medication__patient"),
)


def staff_named_by(patients: QuerySet[Patient]) -> Q:
    """Staff named as a member, author, lead, prescriber, assignee, clinician or changer in the patients'
    resources."""
    named = Q(pk__in=[])
    for model, column, patient_path in STAFF_COLUMNS:
        named |= Q(pk__in=model._default_manager.filter(**{f"{patient_path}__in": patients}).values(column))
    return named
