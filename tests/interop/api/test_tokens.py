"""Bearer tokens: only a SHA-256 hash at rest; no token, an unknown one and a revoked one all get a 401
OperationOutcome; the endpoints take no cookies, so no CSRF and no session."""

import hashlib

import pytest
from django.test import Client

from audit.models import Action, AuditEvent
from interop.api import bearer
from interop.api.clients import revoke_client
from interop.models import FhirClient


def test_the_token_is_stored_only_as_its_sha256_hash(issue, patient):
    issued = issue(["Patient"], patients=[patient])

    stored = FhirClient.objects.filter(pk=issued.client.pk).values().get()
    assert stored["token_hash"] == hashlib.sha256(issued.token.encode()).hexdigest()
    assert issued.token not in str(stored)
    assert len(issued.token) >= 43  # 256 random bits, url-safe base64


def test_a_valid_token_reads(issue, fhir, patient):
    issued = issue(["Patient"], patients=[patient])

    response = fhir(f"/fhir/Patient/{patient.public_id}", issued.token)

    assert response.status_code == 200
    assert response.json()["id"] == str(patient.public_id)
    assert response["Cache-Control"] == "no-store, private"


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Basic dXNlcjpwYXNz", "Bearer not-a-token", "Bearer " + "x" * 500]
)
def test_no_token_or_a_bad_one_gets_401_with_an_operation_outcome(client, patient, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get(f"/fhir/Patient/{patient.public_id}", headers=headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["resourceType"] == "OperationOutcome"
    assert response.json()["issue"][0]["code"] == "login"


def test_a_revoked_token_gets_401_from_its_next_request(issue, fhir, patient, clinic_admin):
    issued = issue(["Patient"], patients=[patient])
    assert fhir(f"/fhir/Patient/{patient.public_id}", issued.token).status_code == 200

    revoke_client(client=issued.client, by=clinic_admin, audit=None)
    response = fhir(f"/fhir/Patient/{patient.public_id}", issued.token)

    assert response.status_code == 401
    assert response.json()["issue"][0]["code"] == "login"


def test_a_revoked_token_is_audited_under_its_client_and_never_its_token(issue, fhir, patient, clinic_admin):
    issued = issue(["Patient"], patients=[patient], name="Old Registry")
    revoke_client(client=issued.client, by=clinic_admin, audit=None)

    fhir(f"/fhir/Patient/{patient.public_id}", issued.token)

    event = AuditEvent.objects.filter(action=Action.REFUSED).get()
    assert event.actor is None
    assert event.actor_label == "FHIR client: Old Registry (revoked)"
    assert not AuditEvent.objects.filter(target__contains=issued.token).exists()
    assert not AuditEvent.objects.filter(path__contains=issued.token).exists()


def test_an_unknown_token_is_audited_and_a_request_without_one_is_not(client, fhir, patient):
    client.get(f"/fhir/Patient/{patient.public_id}")
    assert not AuditEvent.objects.filter(action=Action.REFUSED).exists()

    fhir(f"/fhir/Patient/{patient.public_id}", "guessed-token")

    assert AuditEvent.objects.filter(action=Action.REFUSED).get().actor_label == "FHIR API: unknown token"


def test_post_needs_no_csrf_token_and_is_refused_as_read_only(issue, patient):
    issued = issue(["Patient"], patients=[patient])
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/fhir/Patient", {}, headers={"Authorization": f"Bearer {issued.token}"})

    assert response.status_code == 405
    assert response.json()["resourceType"] == "OperationOutcome"


def test_the_api_sets_no_cookie(issue, fhir, patient):
    issued = issue(["Patient"], patients=[patient])

    response = fhir(f"/fhir/Patient/{patient.public_id}", issued.token)

    assert not response.cookies


def test_a_client_over_its_rate_limit_gets_429(issue, fhir, patient, monkeypatch):
    monkeypatch.setattr(bearer, "REQUESTS_PER_MINUTE", 2)
    issued = issue(["Patient"], patients=[patient])

    statuses = [fhir(f"/fhir/Patient/{patient.public_id}", issued.token).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_an_address_trying_many_bad_tokens_gets_429(fhir, patient, monkeypatch):
    monkeypatch.setattr(bearer, "BAD_TOKENS_PER_WINDOW", 2)

    statuses = [fhir(f"/fhir/Patient/{patient.public_id}", f"guess-{n}").status_code for n in range(3)]

    assert statuses == [401, 401, 429]


def test_no_token_reaches_the_logs(issue, fhir, patient, other_patient, clinic_admin, caplog):
    issued = issue(["Patient"], patients=[patient])
    revoked = issue(["Patient"], patients=[patient], name="Old Registry")
    revoke_client(client=revoked.client, by=clinic_admin, audit=None)

    with caplog.at_level("DEBUG"):
        fhir(f"/fhir/Patient/{patient.public_id}", issued.token)
        fhir(f"/fhir/Patient/{other_patient.public_id}", issued.token)
        fhir(f"/fhir/Patient/{patient.public_id}", revoked.token)

    assert "Unauthorized" in caplog.text  # Django logs the refused requests (paths only)
    assert issued.token not in caplog.text and revoked.token not in caplog.text
