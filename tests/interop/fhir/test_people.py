"""Patient, Practitioner, PractitionerRole and CareTeam from the registry: valid R4, ids that are not row ids,
references between them that resolve, and rows for a set of patients limited to what they refer to."""

import pytest

from interop.fhir.registry import RESOURCE_TYPES, find
from patients.models import Patient
from tests.factories import CareTeamMemberFactory, PatientFactory, StaffFactory

from .validation import validate

pytestmark = pytest.mark.django_db


def emitted(name: str, patients=None) -> list[dict]:
    resource = RESOURCE_TYPES[name]
    return [resource.to_fhir(row) for row in resource.rows(patients)]


def test_a_patient_maps_to_a_valid_r4_patient_with_mrn_names_and_language():
    patient = PatientFactory(mrn="MRN123456", preferred_name="Mia", email="mia@example.org", preferred_language="es")
    (resource,) = emitted("Patient")
    validate(resource)
    assert resource["id"] == str(patient.public_id)
    assert resource["identifier"][0]["value"] == "MRN123456"
    assert resource["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    assert resource["name"][1] == {"use": "usual", "given": ["Mia"], "family": patient.family_name}
    assert resource["communication"][0]["language"]["coding"][0]["code"] == "es"
    assert resource["birthDate"] == patient.date_of_birth.isoformat()


def test_staff_map_to_valid_practitioners_and_roles_with_ids_that_are_not_row_ids():
    nurse = StaffFactory(first_name="Ana", last_name="Ruiz", credentials="RN", discipline="nurse")
    (practitioner,) = emitted("Practitioner")
    (role,) = emitted("PractitionerRole")
    validate(practitioner)
    validate(role)
    assert practitioner["id"] != str(nurse.pk) and len(practitioner["id"]) == 36
    assert role["practitioner"]["reference"] == f"Practitioner/{practitioner['id']}"
    assert role["code"][0]["text"] == "Nurse"
    assert find("Practitioner", practitioner["id"], None) == nurse
    assert find("PractitionerRole", role["id"], None) == nurse


def test_a_care_team_names_its_members_and_their_lead():
    patient = PatientFactory()
    lead = CareTeamMemberFactory(patient=patient, is_lead=True).member
    CareTeamMemberFactory(patient=patient)
    PatientFactory()  # no team: no CareTeam
    (team,) = emitted("CareTeam")
    validate(team)
    assert team["subject"]["reference"] == f"Patient/{patient.public_id}"
    assert (
        team["participant"][0]["member"]["reference"] == f"Practitioner/{RESOURCE_TYPES['Practitioner'].fhir_id(lead)}"
    )
    assert team["participant"][0]["role"][0]["text"].startswith("Lead clinician")


def test_for_some_patients_practitioners_are_only_those_their_resources_name():
    mine, theirs = PatientFactory(), PatientFactory()
    on_my_team = CareTeamMemberFactory(patient=mine).member
    CareTeamMemberFactory(patient=theirs)
    StaffFactory()
    rows = RESOURCE_TYPES["Practitioner"].rows(Patient.objects.filter(pk=mine.pk))
    assert list(rows) == [on_my_team]


def test_find_answers_none_for_unknown_types_malformed_ids_and_other_patients():
    mine, theirs = PatientFactory(), PatientFactory()
    only_mine = Patient.objects.filter(pk=mine.pk)
    assert find("Patient", str(mine.public_id), only_mine) == mine
    assert find("Patient", str(theirs.public_id), only_mine) is None
    assert find("Patient", "1", None) is None
    assert find("Practitioner", "not-a-uuid", None) is None
    assert find("Spaceship", str(mine.public_id), None) is None
