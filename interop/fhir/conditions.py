"""Condition (the problem list, and the pain conditions the registry records) and AllergyIntolerance.

Haven records conditions in words, without SNOMED CT or ICD-10-CM codes, so every Condition's code is `text`
alone: a code is never guessed (issue 17). FHIR's own code systems give the status and category codes.
"""

from typing import Any

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from patients.models import PainCondition, Patient, PatientAllergy, Problem

from .values import coding, concept, instant, patient_reference, practitioner_reference, without_empty

CLINICAL_STATUS = "http://terminology.hl7.org/CodeSystem/condition-clinical"
VERIFICATION_STATUS = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"

PROBLEM_LIST_ITEM = coding(CATEGORY, "problem-list-item", "Problem List Item")

# "Monitoring" is a problem the team still watches: still active in FHIR's terms (the app's own choice).
PROBLEM_CLINICAL_STATUS = {
    Problem.Status.ACTIVE: "active",
    Problem.Status.MONITORING: "active",
    Problem.Status.RESOLVED: "resolved",
}


def fhir_safe(code: str) -> str:
    """A FHIR id may hold letters, digits, "-" and "." only."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-.") else "-" for c in code)[:27]


# --------------------------------------------------------------------------- the problem list


def problem_rows(patients: QuerySet[Patient] | None) -> QuerySet[Problem]:
    rows = Problem.objects.select_related("patient", "created_by")
    return (rows if patients is None else rows.filter(patient__in=patients)).order_by("pk")


def problem_to_fhir(problem: Problem) -> dict:
    status = PROBLEM_CLINICAL_STATUS[Problem.Status(problem.status)]
    return without_empty(
        {
            "resourceType": "Condition",
            "id": str(problem.public_id),
            "clinicalStatus": concept(problem.get_status_display(), coding(CLINICAL_STATUS, status)),
            "category": [concept("Problem list item", PROBLEM_LIST_ITEM), concept(problem.get_domain_display())],
            "code": concept(problem.title),
            "subject": patient_reference(problem.patient),
            "recordedDate": instant(problem.created_at),
            "recorder": practitioner_reference(problem.created_by) if problem.created_by else None,
            "note": [{"text": problem.notes}] if problem.notes.strip() else [],
        }
    )


# --------------------------------------------------------------------------- the registry's pain conditions

# One row per (patient, pain condition): the primary condition and the others, each once. A set-returning
# function in the select list gives the rows in one query; DISTINCT ON drops a primary repeated among others.
PAIN_CONDITION_SQL = (
    'jsonb_array_elements_text(jsonb_build_array("patients_patient"."primary_condition") '
    '|| "patients_patient"."other_conditions")'
)


def pain_condition_rows(patients: QuerySet[Patient] | None) -> QuerySet[Patient]:
    rows = Patient.objects.all() if patients is None else Patient.objects.filter(pk__in=patients.values("pk"))
    return (
        rows.annotate(pain_condition=RawSQL(PAIN_CONDITION_SQL, ()))
        .order_by("pk", "pain_condition")
        .distinct("pk", "pain_condition")
    )


def pain_condition_id(row: Patient) -> str:
    return f"{row.public_id}-{fhir_safe(row.pain_condition)}"  # type: ignore[attr-defined]


def pain_condition_to_fhir(row: Patient) -> dict:
    code: str = row.pain_condition  # type: ignore[attr-defined]
    label = dict(PainCondition.choices).get(code, code)
    primary = code == row.primary_condition
    return {
        "resourceType": "Condition",
        "id": pain_condition_id(row),
        # The registry lists the conditions the patient is in the clinic for now.
        "clinicalStatus": concept("Active", coding(CLINICAL_STATUS, "active")),
        "category": [
            concept("Problem list item", PROBLEM_LIST_ITEM),
            concept("Primary pain condition" if primary else "Other pain condition"),
        ],
        "code": concept(label),
        "subject": patient_reference(row),
        "recordedDate": instant(row.created_at),
    }


# --------------------------------------------------------------------------- AllergyIntolerance

ALLERGY_VERIFIED = {
    PatientAllergy.Source.CLINICIAN_VERIFIED: "confirmed",
    PatientAllergy.Source.PATIENT_REPORTED: "unconfirmed",
    PatientAllergy.Source.RECORDS: "unconfirmed",
}


def allergy_rows(patients: QuerySet[Patient] | None) -> QuerySet[PatientAllergy]:
    rows = PatientAllergy.objects.select_related("patient", "recorded_by")
    return (rows if patients is None else rows.filter(patient__in=patients)).order_by("pk")


def allergy_status(allergy: PatientAllergy) -> dict:
    """An entry ended as wrong is "entered-in-error" with no clinical status (FHIR's rule ait-2); one that no
    longer applies is inactive; the rest are active, verified as their source says."""
    if allergy.ended_reason == PatientAllergy.EndReason.ENTERED_IN_ERROR:
        return {"verificationStatus": concept("Entered in error", coding(ALLERGY_VERIFICATION, "entered-in-error"))}
    clinical = "active" if allergy.is_active else "inactive"
    verified = ALLERGY_VERIFIED[PatientAllergy.Source(allergy.source)]
    return {
        "clinicalStatus": concept(clinical.capitalize(), coding(ALLERGY_CLINICAL, clinical)),
        "verificationStatus": concept(allergy.get_source_display(), coding(ALLERGY_VERIFICATION, verified)),
    }


def allergy_reaction(allergy: PatientAllergy) -> list[dict]:
    # FHIR needs a manifestation for a reaction: without the reaction in words there is none to send.
    if not allergy.reaction.strip():
        return []
    reaction: dict[str, Any] = {"manifestation": [concept(allergy.reaction)]}
    if allergy.severity != PatientAllergy.Severity.UNKNOWN:
        reaction["severity"] = allergy.severity  # mild | moderate | severe: FHIR's reaction-event-severity
    return [reaction]


def allergy_to_fhir(allergy: PatientAllergy) -> dict:
    return without_empty(
        {
            "resourceType": "AllergyIntolerance",
            "id": str(allergy.public_id),
            **allergy_status(allergy),
            "type": allergy.kind,  # allergy | intolerance: FHIR's allergy-intolerance-type
            "code": concept(allergy.substance),
            "patient": patient_reference(allergy.patient),
            "recordedDate": instant(allergy.recorded_at),
            "recorder": practitioner_reference(allergy.recorded_by) if allergy.recorded_by else None,
            "reaction": allergy_reaction(allergy),
        }
    )
