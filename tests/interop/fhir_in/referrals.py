"""FHIR referrals for the tests: a Patient, and a Bundle with its Condition and MedicationStatement."""

import copy
import json

MRN_TYPE = {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}


def fhir_patient(**changes) -> dict:
    resource = {
        "resourceType": "Patient",
        "identifier": [
            {"system": "urn:oid:2.999.1", "value": "NHS-77"},
            {"type": copy.deepcopy(MRN_TYPE), "value": "300456"},
        ],
        "name": [
            {"use": "official", "given": ["Ana", "María"], "family": "Ruiz-Calderón"},
            {"use": "usual", "given": ["Anita"]},
        ],
        "gender": "female",
        "birthDate": "1958-03-02",
        "telecom": [
            {"system": "email", "value": "ana.ruiz@example.test"},
            {"system": "phone", "use": "home", "value": "617 555 0100"},
            {"system": "phone", "use": "mobile", "value": "+1 617 555 0199"},
        ],
        "communication": [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es-MX"}]}, "preferred": True}
        ],
    }
    resource.update(changes)
    return {name: value for name, value in resource.items() if value is not None}


def condition(text: str, code: str = "") -> dict:
    concept: dict = {"text": text}
    if code:
        concept["coding"] = [{"system": "urn:example:referral-codes", "code": code}]
    return {
        "resourceType": "Condition",
        "subject": {"reference": "urn:uuid:patient"},
        "code": concept,
        "clinicalStatus": {"coding": [{"code": "active"}]},
    }


def medication(text: str, dosage: str = "") -> dict:
    resource: dict = {
        "resourceType": "MedicationStatement",
        "status": "active",
        "subject": {"reference": "urn:uuid:patient"},
        "medicationCodeableConcept": {"text": text},
    }
    if dosage:
        resource["dosage"] = [{"text": dosage}]
    return resource


def bundle(*resources: dict, patient: dict | None = None) -> dict:
    entries = [{"fullUrl": "urn:uuid:patient", "resource": patient or fhir_patient()}]
    entries += [{"resource": resource} for resource in resources]
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def referral_bundle() -> dict:
    return bundle(
        condition("Fibromyalgia", "FM-1"),
        medication("Duloxetine 30 mg capsule", "1 capsule daily"),
        {"resourceType": "Practitioner", "name": [{"family": "Shah"}]},
    )


def as_text(resource: dict) -> str:
    return json.dumps(resource, indent=2, ensure_ascii=False)
