"""What a client reads: only the resource types in its scopes (403 otherwise), only its patients (404 for
anyone else, the same answer as an id that does not exist), and refusals are audited."""

import uuid

from audit.models import Action, AuditEvent
from tests.factories import CareTeamMemberFactory


def test_a_type_outside_the_scopes_gets_403(issue, fhir, patient):
    issued = issue(["Patient"], patients=[patient])

    response = fhir("/fhir/CareTeam", issued.token)

    assert response.status_code == 403
    assert response.json()["issue"][0]["code"] == "forbidden"


def test_a_type_in_the_scopes_is_read(issue, fhir, patient, physician):
    issued = issue(["CareTeam"], patients=[patient])

    response = fhir("/fhir/CareTeam", issued.token)

    assert response.status_code == 200
    assert [entry["resource"]["resourceType"] for entry in response.json()["entry"]] == ["CareTeam"]


def test_an_unknown_type_gets_404_not_supported(issue, fhir, patient):
    issued = issue(["Patient"], patients=[patient])

    response = fhir("/fhir/Spaceship", issued.token)

    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_a_patient_outside_the_clients_patients_looks_like_one_that_does_not_exist(issue, fhir, patient, other_patient):
    issued = issue(["Patient"], patients=[patient])

    outside = fhir(f"/fhir/Patient/{other_patient.public_id}", issued.token)
    missing = fhir(f"/fhir/Patient/{uuid.uuid4()}", issued.token)

    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_a_search_naming_a_patient_outside_gets_404(issue, fhir, patient, other_patient):
    issued = issue(["CareTeam"], patients=[patient])

    response = fhir("/fhir/CareTeam", issued.token, patient=str(other_patient.public_id))

    assert response.status_code == 404


def test_a_search_naming_a_patient_inside_reads_only_theirs(issue, fhir, patient, other_patient, physician):
    issued = issue(["CareTeam"], patients=[patient, other_patient])

    response = fhir("/fhir/CareTeam", issued.token, patient=f"Patient/{patient.public_id}")

    subjects = [entry["resource"]["subject"]["reference"] for entry in response.json()["entry"]]
    assert subjects == [f"Patient/{patient.public_id}"]


def test_a_search_without_a_patient_reads_only_the_clients_patients(issue, fhir, patient, other_patient):
    issued = issue(["Patient"], patients=[patient])

    response = fhir("/fhir/Patient", issued.token)

    assert [entry["resource"]["id"] for entry in response.json()["entry"]] == [str(patient.public_id)]


def test_a_whole_clinic_client_reads_every_patient(issue, fhir, patient, other_patient):
    issued = issue(["Patient"])

    response = fhir("/fhir/Patient", issued.token)

    ids = {entry["resource"]["id"] for entry in response.json()["entry"]}
    assert ids == {str(patient.public_id), str(other_patient.public_id)}


def test_practitioners_are_those_the_clients_patients_name(issue, fhir, patient, physician, other_team_lead):
    issued = issue(["Practitioner"], patients=[patient])

    response = fhir("/fhir/Practitioner", issued.token)

    names = [entry["resource"]["name"][0]["family"] for entry in response.json()["entry"]]
    assert names == ["Okafor"]


def test_an_unsupported_search_parameter_is_refused_not_ignored(issue, fhir, patient):
    issued = issue(["CareTeam"], patients=[patient])

    response = fhir("/fhir/CareTeam", issued.token, status="active")

    assert response.status_code == 400
    assert response.json()["issue"][0]["code"] == "invalid"


def test_a_refused_patient_is_audited_on_that_patients_record(issue, fhir, patient, other_patient):
    issued = issue(["Patient"], patients=[patient], name="Northside GP Practice")

    fhir(f"/fhir/Patient/{other_patient.public_id}", issued.token)

    event = AuditEvent.objects.get(action=Action.REFUSED)
    assert event.patient == other_patient
    assert event.actor_label == "FHIR client: Northside GP Practice"
    assert event.target == "FHIR API refused (404)"


def test_a_type_outside_the_scopes_is_audited_as_refused(issue, fhir, patient):
    issued = issue(["Patient"], patients=[patient])

    fhir("/fhir/CareTeam", issued.token)

    assert AuditEvent.objects.get(action=Action.REFUSED).target == "FHIR API refused (403)"


def test_a_malformed_id_is_not_found(issue, fhir, patient):
    issued = issue(["Patient"], patients=[patient])

    response = fhir("/fhir/Patient/" + "é" * 70, issued.token)

    assert response.status_code == 404


def test_care_team_members_outside_the_cast_do_not_widen_a_client(issue, fhir, patient, outsider, other_patient):
    CareTeamMemberFactory(patient=other_patient, member=outsider)
    issued = issue(["Practitioner"], patients=[patient])

    response = fhir("/fhir/Practitioner", issued.token)

    assert "entry" not in response.json()


def test_anything_else_under_fhir_is_an_operation_outcome(issue, fhir, patient):
    issued = issue(["Patient"], patients=[patient])

    for path in ("/fhir/", f"/fhir/Patient/{patient.public_id}/_history", "/fhir/Patient/"):
        response = fhir(path, issued.token)
        assert response.status_code == 404, path
        assert response.json()["resourceType"] == "OperationOutcome"


def test_odd_input_gets_an_operation_outcome_never_an_error(issue, fhir, patient):
    issued = issue(["Patient", "CareTeam"], patients=[patient])
    odd = [
        ("/fhir/CareTeam", {"patient": "Patient/" + "x" * 500}),
        ("/fhir/CareTeam", {"patient": "../../etc"}),
        ("/fhir/CareTeam", {"_count": "9" * 5000}),
        ("/fhir/CareTeam", {"_count": "²"}),
        ("/fhir/CareTeam", {"_page": "x" * 3000}),
        ("/fhir/Patient", {"_id": "\x00"}),
        ("/fhir/" + "Ü" * 300, {}),
        (f"/fhir/Patient/{patient.public_id}/$everything", {"patient": "x"}),
    ]
    for path, params in odd:
        response = fhir(path, issued.token, **params)
        assert 400 <= response.status_code < 500, (path, params)
        assert response.json()["resourceType"] == "OperationOutcome", (path, params)
