"""The CapabilityStatement at /fhir/metadata: what this server reads, built from the resource registry so it
always lists exactly the types the API serves. FHIR R4B (4.3.0), the version of the models the mapping is
validated with (fhir.resources' R4B package)."""

from django.conf import settings
from django.utils import timezone

from interop.fhir import registry

FHIR_VERSION = "4.3.0"
EVERYTHING = "http://hl7.org/fhir/OperationDefinition/Patient-everything"
SECURITY = (
    "Every request but this one needs a bearer token (Authorization: Bearer <token>) that a clinic admin issues to "
    "one client, for some resource types and some patients; tokens can be revoked. Every read is audited under "
    "the client's name."
)
PAGING = (
    "Searches and $everything answer with searchset Bundles of _count entries (50 by default, 200 at "
    "most; a few more when one record makes several resources, which a page never splits), linked by next and "
    "previous."
)


def capability_statement(*, base_url: str) -> dict:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().isoformat(timespec="seconds"),
        "publisher": settings.CLINIC_NAME,
        "kind": "instance",
        "software": {"name": "Haven"},
        "implementation": {"description": f"{settings.CLINIC_NAME}: Haven FHIR read API", "url": base_url},
        "fhirVersion": FHIR_VERSION,
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": PAGING,
                "security": {"cors": False, "description": SECURITY},
                "resource": [resource_entry(name) for name in registry.type_names()],
            }
        ],
    }


def resource_entry(name: str) -> dict:
    about_one_patient = registry.entries_of(name)[0].patient_of is not None
    entry: dict = {
        "type": name,
        "interaction": [{"code": "read"}, {"code": "search-type"}],
    }
    if name == "Patient":
        entry["searchParam"] = [{"name": "_id", "type": "token", "documentation": "The patient's id."}]
        entry["operation"] = [{"name": "everything", "definition": EVERYTHING}]
    elif about_one_patient:
        entry["searchParam"] = [
            {"name": "patient", "type": "reference", "documentation": "The patient's id (Patient/<id> or <id>)."}
        ]
    return entry
