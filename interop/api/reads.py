"""What a client's request may read, and the audit of every read and refusal.

The one access rule of the API: a client reads a resource type only if it is in its scopes, and only rows
about its patients (`FhirClient.readable_patients`, handed to the registry, which limits every type's rows to
them). A resource or patient outside them is "not found", the same answer as one that does not exist; the
audit trail alone records which patient it was.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from audit.context import context_of
from audit.models import Action
from audit.services import record_client_reads
from interop.api.bearer import BadToken
from interop.api.outcomes import FhirRefusal
from interop.api.paging import Source
from interop.fhir import registry
from interop.models import FhirClient
from patients.models import Patient

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")  # FHIR's id datatype
UNKNOWN_TYPE = "This server has no resource type {name}; /fhir/metadata lists the types it serves."
NOT_IN_SCOPE = "This client may not read {name} resources."
NOT_FOUND = "No {name} with that id is available to this client."
UNKNOWN_TOKEN_ACTOR = "FHIR API: unknown token"


@dataclass(frozen=True)
class FhirType:
    """One FHIR resource type as the API serves it: its registry entries, keyed (most types have one entry;
    Condition, Observation and Provenance are made from several tables, each its own entry)."""

    name: str
    entries: dict[str, registry.ResourceType]

    @property
    def main(self) -> registry.ResourceType:
        return next(iter(self.entries.values()))

    @property
    def about_one_patient(self) -> bool:
        return self.main.patient_of is not None

    def sources(self, patients) -> list[Source]:
        """Its rows for these patients (None: the whole clinic), one paging source per entry."""
        return [Source(key, entry.rows(patients)) for key, entry in self.entries.items()]

    def entry_of(self, row: Any, fhir_id: str) -> registry.ResourceType | None:
        """The entry that made `row` (found by this id): the one whose rows are of its model and give it this id."""
        return next(
            (
                entry
                for entry in self.entries.values()
                if isinstance(row, entry.rows(None).model) and entry.fhir_id(row) == fhir_id
            ),
            None,
        )


def fhir_type(name: str) -> FhirType | None:
    entries = {key: entry for key, entry in registry.RESOURCE_TYPES.items() if entry.name == name}
    return FhirType(name, entries) if entries else None


def resource_type(client: FhirClient, name: str) -> FhirType:
    """The type a request names, if this server has it (else 404) and the client may read it (else 403)."""
    found = fhir_type(name)
    if found is None:
        raise FhirRefusal(404, UNKNOWN_TYPE.format(name=name[:64]))
    if not client.may_read(name):
        raise FhirRefusal(403, NOT_IN_SCOPE.format(name=name))
    return found


def visible_row(client: FhirClient, resource: FhirType, fhir_id: str) -> tuple[registry.ResourceType, Any]:
    """The row of this type and id among the client's patients' rows, with the entry that maps it; else a
    404 refusal."""
    row = registry.find(resource.name, fhir_id, client.readable_patients()) if FHIR_ID.fullmatch(fhir_id) else None
    entry = resource.entry_of(row, fhir_id) if row is not None else None
    if entry is None:
        raise FhirRefusal(404, NOT_FOUND.format(name=resource.name), patient=patient_behind(resource, fhir_id))
    return entry, row


def patient_behind(resource: FhirType, fhir_id: str) -> Patient | None:
    """For the audit trail of a refusal only: the patient of the row asked for, when it exists at all."""
    if not resource.about_one_patient or not FHIR_ID.fullmatch(fhir_id):
        return None
    row = registry.find(resource.name, fhir_id, None)
    entry = resource.entry_of(row, fhir_id) if row is not None else None
    return entry.patient_of(row) if entry is not None and entry.patient_of else None


def patient_named(client: FhirClient, reference: str) -> Patient:
    """The patient a search names (`<id>` or `Patient/<id>`), if the client may read them; else a 404."""
    _, patient = visible_row(
        client, FhirType("Patient", {"Patient": registry.RESOURCE_TYPES["Patient"]}), reference.removeprefix("Patient/")
    )
    return patient


def patients_of(rows: Iterable[tuple[str, Any]]) -> list[Patient]:
    """The patients the (registry entry key, row) pairs are about, each once, in order (from the loaded rows:
    no query)."""
    found: dict[int, Patient] = {}
    for name, row in rows:
        patient_of = registry.RESOURCE_TYPES[name].patient_of
        patient = patient_of(row) if patient_of else None
        if patient is not None:
            found.setdefault(patient.pk, patient)
    return list(found.values())


def audit_read(request: HttpRequest, client: FhirClient, patients: Iterable[Patient], what: str) -> None:
    """One event per patient the request read (one with no patient for staff-only reads), as EXPORT: the data
    left the clinic for an outside system."""
    record_client_reads(
        client_label=client.audit_label,
        context=context_of(request),
        patients=patients,
        action=Action.EXPORT,
        target=f"FHIR API: {what}",
    )


def audit_refusal(request: HttpRequest, client: FhirClient | None, refusal: FhirRefusal) -> None:
    """A refused request with a token: who (the client, a revoked one, or an unknown token), the status, and
    the patient concerned when there is one. Requests without a token and throttled ones are not recorded:
    anyone can send those, and they read nothing."""
    if isinstance(refusal, BadToken):
        revoked = refusal.revoked_client
        actor = f"{revoked.audit_label} (revoked)"[:200] if revoked else UNKNOWN_TOKEN_ACTOR
    elif client is not None and refusal.status in (403, 404):
        actor = client.audit_label
    else:
        return
    record_client_reads(
        client_label=actor,
        context=context_of(request),
        patients=[refusal.patient] if refusal.patient is not None else [],
        action=Action.REFUSED,
        target=f"FHIR API refused ({refusal.status})",
    )
