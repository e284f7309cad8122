"""Clients of the FHIR API for the tests: issued through the real service by the cast's clinic admin."""

import pytest

from interop.api.clients import issue_client


@pytest.fixture
def issue(clinic_admin):
    """Issue a client: `issue(["Patient"], patients=[...])` (patients None: the whole clinic); returns the
    IssuedClient (the client and its raw token)."""

    def issue_for(scopes, *, patients=None, name="Northside GP Practice"):
        return issue_client(name=name, scopes=scopes, patients=patients, by=clinic_admin, audit=None)

    return issue_for


@pytest.fixture
def fhir(client):
    """GET an API path with a bearer token: `fhir("/fhir/Patient", token, patient=...)`."""

    def get(path, token=None, **params):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.get(path, params, headers=headers)

    return get
