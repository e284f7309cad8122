"""The clinic admin's FHIR API client pages: only admins; issuing shows the token once (the list never shows
it) and is audited; a bad form keeps what was typed; revoking asks first, is audited, and stops the token."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from interop.models import FhirClient
from portal.tokens import token_hash

LIST = reverse("fhir_clients:list")
ISSUE = reverse("fhir_clients:issue")


def issue_form(**fields):
    return {"name": "Northside GP Practice", "scopes": ["Patient", "CareTeam"], "reach": "listed", **fields}


@pytest.mark.parametrize("who", ["physician", "coordinator", "outsider"])
def test_only_clinic_admins_reach_the_pages(request, signed_in, who, clinic_admin, patient):
    client = signed_in(request.getfixturevalue(who))
    issued_by_admin = FhirClient.objects.create(
        name="Registry", scopes=["Patient"], token_hash="0" * 64, issued_by=clinic_admin
    )

    assert client.get(LIST).status_code == 403
    assert client.post(ISSUE, issue_form(mrns=patient.mrn)).status_code == 403
    assert client.post(reverse("fhir_clients:revoke", args=[issued_by_admin.public_id])).status_code == 403
    assert not FhirClient.objects.exclude(pk=issued_by_admin.pk).exists()
    assert FhirClient.objects.get().revoked_at is None
    assert AuditEvent.objects.filter(action=Action.REFUSED).count() == 3


def test_signed_out_people_are_sent_to_sign_in(client, db):
    assert client.get(LIST)["Location"].startswith(reverse("login"))


def test_the_team_page_links_admins_to_the_clients(signed_in, clinic_admin, coordinator):
    assert LIST in signed_in(clinic_admin).get(reverse("team:team")).content.decode()
    assert LIST not in signed_in(coordinator).get(reverse("team:team")).content.decode()


def test_issuing_shows_the_token_once_and_stores_only_its_hash(signed_in, clinic_admin, patient, other_patient):
    client = signed_in(clinic_admin)

    page = client.post(ISSUE, issue_form(mrns=f"{patient.mrn}\n{other_patient.mrn.lower()}"))

    assert page.status_code == 200
    token = page.context["token"]
    assert token in page.content.decode()
    issued = FhirClient.objects.get()
    assert issued.token_hash == token_hash(token)
    assert set(issued.patients.all()) == {patient, other_patient}
    assert (issued.scopes, issued.whole_clinic, issued.issued_by) == (["CareTeam", "Patient"], False, clinic_admin)
    assert token not in client.get(LIST).content.decode()


def test_issuing_for_the_whole_clinic_needs_no_mrns(signed_in, clinic_admin):
    page = signed_in(clinic_admin).post(ISSUE, issue_form(reach="whole_clinic", mrns=""))

    assert page.status_code == 200
    assert FhirClient.objects.get().whole_clinic


def test_issuing_is_audited_naming_the_clients_patients(signed_in, clinic_admin, patient):
    signed_in(clinic_admin).post(ISSUE, issue_form(mrns=patient.mrn))

    event = AuditEvent.objects.get(action=Action.CREATE)
    assert event.actor == clinic_admin
    assert event.target.startswith("FHIR API client issued: Northside GP Practice")
    assert event.shown == [str(patient.public_id)]


def test_an_unknown_mrn_is_named_and_nothing_typed_is_lost(signed_in, clinic_admin, patient):
    page = signed_in(clinic_admin).post(ISSUE, issue_form(mrns=f"{patient.mrn}, NOPE-1"))

    assert page.status_code == 400
    body = page.content.decode()
    assert "No patient has the MRN NOPE-1" in body
    assert "Northside GP Practice" in body and "NOPE-1" in body
    assert not FhirClient.objects.exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Give the client a name."),
        ({"scopes": []}, "Choose at least one resource type."),
        ({"scopes": ["Spaceship"]}, "Choose from the list."),
        ({"mrns": ""}, "List at least one MRN"),
    ],
)
def test_a_bad_form_says_what_is_wrong(signed_in, clinic_admin, fields, message):
    page = signed_in(clinic_admin).post(ISSUE, issue_form(**fields))

    assert page.status_code == 400
    assert message in page.content.decode()
    assert not FhirClient.objects.exists()


def test_revoking_asks_first_then_stops_the_token_and_is_audited(signed_in, clinic_admin, patient, fhir, issue):
    issued = issue(["Patient"], patients=[patient])
    client = signed_in(clinic_admin)
    url = reverse("fhir_clients:revoke", args=[issued.client.public_id])

    assert "Revoke Northside GP Practice?" in client.get(url).content.decode()
    assert FhirClient.objects.get().revoked_at is None
    response = client.post(url)

    assert response["Location"] == LIST
    revoked = FhirClient.objects.get()
    assert revoked.revoked_at is not None and revoked.revoked_by == clinic_admin
    assert AuditEvent.objects.get(action=Action.UPDATE).target.startswith("FHIR API client revoked")
    client.logout()
    assert fhir(f"/fhir/Patient/{patient.public_id}", issued.token).status_code == 401


def test_revoking_twice_changes_nothing_the_second_time(signed_in, clinic_admin, patient, issue):
    issued = issue(["Patient"], patients=[patient])
    client = signed_in(clinic_admin)
    url = reverse("fhir_clients:revoke", args=[issued.client.public_id])
    client.post(url)
    first = FhirClient.objects.get().revoked_at

    client.post(url)

    assert FhirClient.objects.get().revoked_at == first
    assert AuditEvent.objects.filter(action=Action.UPDATE).count() == 1


def test_the_list_costs_the_same_queries_whatever_it_holds(
    signed_in, clinic_admin, patient, issue, django_assert_num_queries
):
    client = signed_in(clinic_admin)
    issue(["Patient"], patients=[patient])
    client.get(LIST)  # warm the session and the user
    with django_assert_num_queries(6) as measured:
        client.get(LIST)
    for n in range(10):
        issue(["Patient"], patients=[patient], name=f"Practice {n}")

    with django_assert_num_queries(len(measured.captured_queries)):
        page = client.get(LIST)

    assert page.content.decode().count("Revoke<span") == 11


def test_a_second_client_of_the_same_name_is_refused_revoked_ones_included(signed_in, clinic_admin, patient, issue):
    issue(["Patient"], patients=[patient], name="Northside GP Practice").client.revoke(by=clinic_admin)

    page = signed_in(clinic_admin).post(ISSUE, issue_form(name="northside  GP practice", mrns=patient.mrn))

    assert page.status_code == 400
    assert "A client with this name exists already" in page.content.decode()
    assert FhirClient.objects.count() == 1
