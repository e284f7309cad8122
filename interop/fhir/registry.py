"""Every FHIR resource type Haven emits, with the rows it is made from and the function that maps one row.

The bulk export and the read API both read RESOURCE_TYPES, so they emit the same resources. `rows(patients)`
gives the rows of a type for a set of patients (the whole clinic for None), ordered by pk and loaded with what
`to_fhir` reads, so mapping a row costs no query. Types that are not about one patient (Practitioner,
PractitionerRole, Questionnaire) give, for a set of patients, the rows those patients' resources refer to.

Some FHIR types are made from more than one table: Condition (the problem list, and the registry's pain
conditions), Observation (questionnaire scores, and daily check-ins) and Provenance (five history tables). Each
source is its own entry: the entry keyed by the type's name is its main source, the others are keyed
"<name>:<source>" (same `name`). `entries_of(name)` lists all of a type's entries; `find` searches them all.
Ids never collide across a type's entries: each is a row's own UUID or built from one.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from patients.models import Patient

from . import conditions, measures, medications, people, plans, provenance, work
from .values import as_uuid, staff_fhir_id


@dataclass(frozen=True)
class ResourceType:
    name: str  # "Patient", "Observation", ...
    # The rows of this type for these patients (the whole clinic when None), ordered by pk, with the
    # select_related/prefetch_related that to_fhir needs (no N+1).
    rows: Callable[[QuerySet[Patient] | None], QuerySet]
    to_fhir: Callable[[Any], dict]  # one row -> one FHIR resource as a JSON-ready dict
    fhir_id: Callable[[Any], str]  # the resource's id (a UUID or a stable string, never a sequential integer)
    patient_of: Callable[[Any], Patient | None] | None  # None for types not about one patient


def public_id(row) -> str:
    return str(row.public_id)


def itself(row) -> Patient:
    return row


def of_patient(row) -> Patient:
    return row.patient


def of_plan(row) -> Patient:
    return row.plan.patient


def practitioner_id(user) -> str:
    return staff_fhir_id(user.pk)


def history_entry(history: provenance.History) -> ResourceType:
    return ResourceType("Provenance", history.rows, history.to_fhir, history.fhir_id, history.patient_of)


# Export order: people first, then what refers to them, then the history of it all.
RESOURCE_TYPES: dict[str, ResourceType] = {
    "Patient": ResourceType("Patient", people.patient_rows, people.patient_to_fhir, public_id, itself),
    "Practitioner": ResourceType("Practitioner", people.staff_rows, people.practitioner_to_fhir, practitioner_id, None),
    "PractitionerRole": ResourceType(
        "PractitionerRole", people.staff_rows, people.practitioner_role_to_fhir, people.role_fhir_id, None
    ),
    "CareTeam": ResourceType("CareTeam", people.care_team_rows, people.care_team_to_fhir, public_id, itself),
    "Condition": ResourceType("Condition", conditions.problem_rows, conditions.problem_to_fhir, public_id, of_patient),
    "Condition:pain-condition": ResourceType(
        "Condition",
        conditions.pain_condition_rows,
        conditions.pain_condition_to_fhir,
        conditions.pain_condition_id,
        itself,
    ),
    "AllergyIntolerance": ResourceType(
        "AllergyIntolerance", conditions.allergy_rows, conditions.allergy_to_fhir, public_id, of_patient
    ),
    "MedicationStatement": ResourceType(
        "MedicationStatement", medications.medication_rows, medications.medication_to_fhir, public_id, of_patient
    ),
    "Questionnaire": ResourceType(
        "Questionnaire", measures.questionnaire_rows, measures.questionnaire_to_fhir, measures.questionnaire_id, None
    ),
    "QuestionnaireResponse": ResourceType(
        "QuestionnaireResponse",
        measures.questionnaire_response_rows,
        measures.questionnaire_response_to_fhir,
        public_id,
        of_patient,
    ),
    "Observation": ResourceType("Observation", measures.score_rows, measures.score_to_fhir, public_id, of_patient),
    "Observation:daily-log": ResourceType(
        "Observation", measures.daily_log_rows, measures.daily_log_to_fhir, public_id, of_patient
    ),
    "CarePlan": ResourceType("CarePlan", plans.care_plan_rows, plans.care_plan_to_fhir, public_id, of_patient),
    "Goal": ResourceType("Goal", plans.goal_rows, plans.goal_to_fhir, public_id, of_plan),
    "ServiceRequest": ResourceType("ServiceRequest", work.referral_rows, work.referral_to_fhir, public_id, of_patient),
    "Task": ResourceType("Task", work.task_rows, work.task_to_fhir, public_id, of_patient),
    "Appointment": ResourceType("Appointment", work.appointment_rows, work.appointment_to_fhir, public_id, of_patient),
    "Encounter": ResourceType("Encounter", work.encounter_rows, work.encounter_to_fhir, public_id, of_patient),
    "Provenance": history_entry(provenance.REFERRAL_HISTORY),
    "Provenance:task": history_entry(provenance.TASK_HISTORY),
    "Provenance:appointment": history_entry(provenance.APPOINTMENT_HISTORY),
    "Provenance:care-plan": history_entry(provenance.PLAN_HISTORY),
    "Provenance:medication": history_entry(provenance.MEDICATION_HISTORY),
}

HISTORY_BY_KEY = {
    "Provenance": provenance.REFERRAL_HISTORY,
    "Provenance:task": provenance.TASK_HISTORY,
    "Provenance:appointment": provenance.APPOINTMENT_HISTORY,
    "Provenance:care-plan": provenance.PLAN_HISTORY,
    "Provenance:medication": provenance.MEDICATION_HISTORY,
}


def type_names() -> list[str]:
    """The FHIR types emitted, each once, in export order."""
    return list(dict.fromkeys(resource.name for resource in RESOURCE_TYPES.values()))


def entries_of(name: str) -> list[ResourceType]:
    """Every entry that makes resources of FHIR type `name` (one for most types, several for a few)."""
    return [resource for resource in RESOURCE_TYPES.values() if resource.name == name]


# --------------------------------------------------------------------------- finding one row by its FHIR id


def candidates(key: str, rows: QuerySet, fhir_id: str) -> QuerySet | None:
    """The few rows of entry `key` that could have this id, or None when the id cannot be one of its ids."""
    if key in HISTORY_BY_KEY:
        return HISTORY_BY_KEY[key].narrow(rows, fhir_id)
    if key == "Condition:pain-condition":
        wanted = as_uuid(fhir_id[:36])
        return None if wanted is None else rows.filter(public_id=wanted)
    if key in ("Practitioner", "PractitionerRole", "Questionnaire"):
        # Ids derived from names (values.staff_fhir_id, measures.questionnaire_id): compared row by row. Staff
        # and instrument versions are small tables, and a malformed id reads nothing.
        return rows if as_uuid(fhir_id) is not None else None
    wanted = as_uuid(fhir_id)
    return None if wanted is None else rows.filter(public_id=wanted)


def find(name: str, fhir_id: str, patients: QuerySet[Patient] | None) -> Any | None:
    """The row of resource type `name` whose FHIR id is `fhir_id`, among these patients' rows (the whole
    clinic's for None); None for an unknown type or id, or one outside those patients."""
    for key, resource in RESOURCE_TYPES.items():
        if resource.name != name:
            continue
        rows = candidates(key, resource.rows(patients), fhir_id)
        if rows is None:
            continue
        for row in rows:
            if resource.fhir_id(row) == fhir_id:
                return row
    return None
