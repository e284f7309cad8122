"""Issuing and revoking FHIR API clients. Only clinic admins (clinic.access.fhir_clients); both are audited.

The token is 256 random bits (portal.tokens, the code patient links use); only its SHA-256 hash is stored.
The caller shows the raw token once and keeps it nowhere.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import transaction

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.fhir_clients import may_manage_fhir_clients
from clinic.access.refusals import refuse_unless
from interop.fhir import registry
from interop.models import FhirClient
from patients.models import Patient
from portal.tokens import new_token, token_hash

ONLY_ADMINS = "Only clinic admins issue and revoke FHIR API clients."


@dataclass(frozen=True)
class IssuedClient:
    client: FhirClient
    token: str  # shown once, never stored


def unknown_scopes(scopes: Collection[str]) -> list[str]:
    return sorted(set(scopes) - set(registry.type_names()))


@transaction.atomic
def issue_client(
    *, name: str, scopes: Collection[str], patients: Sequence[Patient] | None, by, audit: AuditContext | None
) -> IssuedClient:
    """A new client reading `scopes` (resource type names) for `patients` (None: the whole clinic).

    Preconditions: `by` is a clinic admin (else Refused); the scopes are known resource types and a patient
    list is not empty (else ValueError: the form checks both first)."""
    refuse_unless(may_manage_fhir_clients(by), ONLY_ADMINS)
    if not scopes or unknown_scopes(scopes):
        raise ValueError(f"Unknown or no resource types: {', '.join(unknown_scopes(scopes))}")
    if patients is not None and not patients:
        raise ValueError("A client limited to a list of patients needs at least one patient.")
    token = new_token()
    client = FhirClient.objects.create(
        name=name,
        scopes=sorted(set(scopes)),
        whole_clinic=patients is None,
        token_hash=token_hash(token),
        issued_by=by,
    )
    if patients is not None:
        client.patients.set(patients)
    record_event(
        actor=by,
        context=audit,
        patient=None,
        action=Action.CREATE,
        target=f"FHIR API client issued: {client.name} ({client.public_id})"[:200],
        shown=patients or (),
    )
    return IssuedClient(client=client, token=token)


@transaction.atomic
def revoke_client(*, client: FhirClient, by, audit: AuditContext | None) -> bool:
    """Revoke `client`: its token is refused from the next request. False (and nothing written) when it was
    already revoked. Precondition: `by` is a clinic admin (else Refused)."""
    refuse_unless(may_manage_fhir_clients(by), ONLY_ADMINS)
    if not client.revoke(by=by):
        return False
    record_event(
        actor=by,
        context=audit,
        patient=None,
        action=Action.UPDATE,
        target=f"FHIR API client revoked: {client.name} ({client.public_id})"[:200],
    )
    return True
