"""/fhir/metadata: a CapabilityStatement anyone may read, valid against the R4B models, listing exactly the
types the API serves and how."""

from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from interop.fhir.registry import type_names


def test_the_capability_statement_needs_no_token_and_is_valid_r4b(client, db):
    response = client.get("/fhir/metadata")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = CapabilityStatement.model_validate(response.json())
    assert statement.fhirVersion == "4.3.0"


def test_it_lists_every_type_the_api_serves_with_read_and_search(client, db):
    body = client.get("/fhir/metadata").json()

    resources = {entry["type"]: entry for entry in body["rest"][0]["resource"]}
    assert list(resources) == type_names()
    for entry in resources.values():
        assert {interaction["code"] for interaction in entry["interaction"]} == {"read", "search-type"}
    assert resources["Patient"]["operation"][0]["name"] == "everything"


def test_it_says_how_to_authenticate(client, db):
    body = client.get("/fhir/metadata").json()

    assert "bearer token" in body["rest"][0]["security"]["description"]
