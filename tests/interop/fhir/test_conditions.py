"""Condition and AllergyIntolerance: FHIR's own status codes, conditions in words (no code guessed), and an
allergy entered in error sent as such, without a clinical status."""

import pytest
from django.utils import timezone

from interop.fhir.registry import RESOURCE_TYPES
from patients.models import PatientAllergy
from tests.factories import PatientFactory, ProblemFactory

from .validation import validate

pytestmark = pytest.mark.django_db


def emitted(key: str) -> list[dict]:
    resource = RESOURCE_TYPES[key]
    return [resource.to_fhir(row) for row in resource.rows(None)]


def test_problems_are_problem_list_conditions_with_fhirs_clinical_status():
    patient = PatientFactory()
    ProblemFactory(patient=patient, title="Low mood", domain="mood", status="monitoring")
    ProblemFactory(patient=patient, title="Knee pain", status="resolved")
    statuses = {}
    for condition in emitted("Condition"):
        validate(condition)
        assert condition["category"][0]["coding"][0]["code"] == "problem-list-item"
        assert "coding" not in condition["code"]
        statuses[condition["code"]["text"]] = condition["clinicalStatus"]["coding"][0]["code"]
    assert statuses == {"Low mood": "active", "Knee pain": "resolved"}


def test_pain_conditions_are_one_condition_each_with_the_primary_once():
    PatientFactory(primary_condition="fibromyalgia", other_conditions=["fibromyalgia", "migraine"])
    conditions = emitted("Condition:pain-condition")
    for condition in conditions:
        validate(condition)
    assert sorted(c["code"]["text"] for c in conditions) == ["Chronic migraine", "Fibromyalgia"]
    assert len({c["id"] for c in conditions}) == 2


def test_allergies_carry_fhirs_status_codes_and_one_entered_in_error_has_no_clinical_status():
    patient = PatientFactory()
    PatientAllergy.objects.create(
        patient=patient, substance="Codeine", reaction="Nausea", severity="mild", source="patient_reported"
    )
    PatientAllergy.objects.create(
        patient=patient,
        substance="Latex",
        source="records",
        ended_at=timezone.now(),
        ended_reason="entered_in_error",
    )
    codeine, latex = emitted("AllergyIntolerance")
    validate(codeine)
    validate(latex)
    assert codeine["clinicalStatus"]["coding"][0]["code"] == "active"
    assert codeine["verificationStatus"]["coding"][0]["code"] == "unconfirmed"
    assert codeine["reaction"] == [{"manifestation": [{"text": "Nausea"}], "severity": "mild"}]
    assert "clinicalStatus" not in latex
    assert latex["verificationStatus"]["coding"][0]["code"] == "entered-in-error"
