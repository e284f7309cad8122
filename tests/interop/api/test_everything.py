"""Patient/<id>/$everything: every resource about one patient that the client may read (Patient first, then
the practitioners they name, then the rest), paged like a search, valid R4B; refused for a patient outside the
client's patients or without the Patient scope."""

from urllib.parse import urlsplit

from fhir.resources.R4B.bundle import Bundle

from tests.factories import CareTeamMemberFactory


def everything(fhir, patient, token, **params):
    return fhir(f"/fhir/Patient/{patient.public_id}/$everything", token, **params)


def types_in(bundle: dict) -> list[str]:
    return [entry["resource"]["resourceType"] for entry in bundle.get("entry", [])]


def test_it_gathers_the_patients_resources_of_every_type_in_scope(issue, fhir, patient, physician, psychologist):
    issued = issue(["Patient", "CareTeam", "Practitioner"], patients=[patient])

    response = everything(fhir, patient, issued.token)

    assert response.status_code == 200
    bundle = response.json()
    Bundle.model_validate(bundle)
    assert types_in(bundle) == ["Patient", "Practitioner", "Practitioner", "CareTeam"]
    assert bundle["entry"][0]["resource"]["id"] == str(patient.public_id)


def test_it_leaves_out_types_outside_the_scopes(issue, fhir, patient, physician):
    issued = issue(["Patient"], patients=[patient])

    bundle = everything(fhir, patient, issued.token).json()

    assert types_in(bundle) == ["Patient"]


def test_it_reads_nothing_of_another_patient(issue, fhir, patient, physician, other_patient):
    issued = issue(["Patient", "CareTeam", "Practitioner"], patients=[patient, other_patient])

    bundle = everything(fhir, patient, issued.token).json()

    subjects = {
        entry["resource"]["subject"]["reference"] for entry in bundle["entry"] if "subject" in entry["resource"]
    }
    assert subjects == {f"Patient/{patient.public_id}"}
    practitioners = [
        entry["resource"] for entry in bundle["entry"] if entry["resource"]["resourceType"] == "Practitioner"
    ]
    family_names = {practitioner["name"][0]["family"] for practitioner in practitioners}
    assert family_names == {"Okafor"}  # not the other patient's lead


def test_it_is_paged_across_types_and_the_pages_hold_every_resource_once(issue, fhir, client, patient, physician):
    CareTeamMemberFactory.create_batch(4, patient=patient)
    issued = issue(["Patient", "CareTeam", "Practitioner"], patients=[patient])
    whole = types_in(everything(fhir, patient, issued.token).json())

    pages, url = [], f"/fhir/Patient/{patient.public_id}/$everything?_count=2"
    while url:
        bundle = client.get(url, headers={"Authorization": f"Bearer {issued.token}"}).json()
        pages.append(bundle)
        after = next((item["url"] for item in bundle["link"] if item["relation"] == "next"), None)
        url = f"{urlsplit(after).path}?{urlsplit(after).query}" if after else None

    assert [len(page["entry"]) for page in pages] == [2, 2, 2, 1]
    ids = [entry["fullUrl"] for page in pages for entry in page["entry"]]
    assert len(ids) == len(set(ids)) == len(whole) == 7


def test_a_patient_outside_the_clients_patients_gets_404(issue, fhir, patient, other_patient):
    issued = issue(["Patient", "CareTeam"], patients=[patient])

    response = everything(fhir, other_patient, issued.token)

    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_it_needs_the_patient_scope(issue, fhir, patient):
    issued = issue(["CareTeam"], patients=[patient])

    assert everything(fhir, patient, issued.token).status_code == 403


def test_its_queries_do_not_grow_with_the_record(issue, fhir, patient, physician, django_assert_num_queries):
    issued = issue(["Patient", "CareTeam", "Practitioner", "PractitionerRole"], patients=[patient])
    with django_assert_num_queries(8) as measured:
        everything(fhir, patient, issued.token)
    CareTeamMemberFactory.create_batch(10, patient=patient)

    with django_assert_num_queries(len(measured.captured_queries)):
        bundle = everything(fhir, patient, issued.token).json()

    assert len(bundle["entry"]) == 1 + 1 + 11 + 11
