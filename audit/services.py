"""The one writer of audit events: record_event for services (an actor and an AuditContext), record_access for
views (who and where from the request)."""

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.core.exceptions import FieldDoesNotExist

from audit.context import NO_REQUEST, AuditContext, context_of
from audit.models import Action, AuditEvent

PORTAL_ACTOR = "Patient (portal link)"


class ViewRequest(Protocol):
    """What record_access reads of a view's request (a Django request): services never see one.
    Read-only members, so that an HttpRequest (whose META is a dict) fits."""

    @property
    def user(self) -> Any: ...

    @property
    def path(self) -> str: ...

    @property
    def META(self) -> Mapping[str, Any]: ...


def record_event(
    *,
    actor,
    context: AuditContext | None,
    patient,
    action: Action,
    target: str,
    shown: Iterable = (),
    actor_label: str | None = None,
) -> AuditEvent:
    """Write one audit event now (not queued), in the caller's transaction.

    `actor` is the user who did it, or None for the patient on a portal page. `context` says where from (the
    request's page and address); None, for a task, a command or the admin without a request, records neither.
    `patient` is a Patient, or only its id where that is all the caller read (a refused attempt reads just the
    patient column of the object asked for, audit/refusals.py). `target` names the page or object in words and
    must not contain patient data; `shown` as for record_access. `actor_label` names an actor with no staff
    account and no portal session (a command run on the server), with `actor` None.
    """
    return AuditEvent.objects.create(
        **(actor_fields(actor) if actor_label is None else {"actor": actor, "actor_label": actor_label}),
        **where_fields(context or NO_REQUEST),
        **patient_field(patient),
        action=action,
        target=target,
        shown=shown_patient_ids(shown),
    )


def record_access(
    *,
    request: ViewRequest,
    patient,
    action: Action,
    target: str,
    by_patient: bool = False,
    shown: Iterable = (),
) -> AuditEvent:
    """A view's event: the signed-in user (if any) from the request's page and address.

    Portal pages pass `by_patient=True`: the actor is then the patient, even in a browser a staff member uses.
    A list page passes the rows it shows as `shown` (patients, or rows with their patient loaded):
    the event keeps those patients' public ids, so one INSERT names everyone on the page.
    """
    return record_event(
        actor=request_actor(request, by_patient=by_patient),
        context=context_of(request),
        patient=patient,
        action=action,
        target=target,
        shown=shown,
    )


def record_access_each(*, request: ViewRequest, patients, action: Action, target: str) -> None:
    """One event per patient shown (a list of people on one page), written in one INSERT."""
    fields = event_fields(request, by_patient=False)
    AuditEvent.objects.bulk_create(
        [AuditEvent(**fields, patient=patient, action=action, target=target) for patient in patients]
    )


def event_fields(request: ViewRequest, *, by_patient: bool) -> dict:
    """Who and from where, as every event of this request records them (a patient link's token never)."""
    return {**actor_fields(request_actor(request, by_patient=by_patient)), **where_fields(context_of(request))}


def request_actor(request: ViewRequest, *, by_patient: bool):
    user = request.user
    return user if user.is_authenticated and not by_patient else None


def patient_field(patient) -> dict:
    return {"patient_id": patient} if isinstance(patient, int) else {"patient": patient}


def actor_fields(actor) -> dict:
    return {"actor": actor, "actor_label": actor.display_name if actor else PORTAL_ACTOR}


def where_fields(context: AuditContext) -> dict:
    return {"path": context.path, "ip": context.ip}


def shown_patient_ids(rows: Iterable) -> list[str]:
    """The public ids of the patients in `rows`, in order, each once, with no query.

    A row is a patient, or anything with a `patient` (a task, a referral, an alert, a caseload entry). A
    model row's patient counts only if it was loaded with the row (select_related): reading it here would
    cost a query per row, so a list page that shows patients loads them with its rows anyway.
    """
    ids: dict[str, None] = {}
    for row in rows:
        patient = row if is_patient(row) else patient_of(row)
        if patient is not None:
            ids[str(patient.public_id)] = None
    return list(ids)


def is_patient(row) -> bool:
    meta = getattr(row, "_meta", None)
    return meta is not None and meta.label == "patients.Patient"


def patient_of(row):
    meta = getattr(row, "_meta", None)
    if meta is None:
        return getattr(row, "patient", None)
    try:
        field = meta.get_field("patient")
    except FieldDoesNotExist:
        return None
    return field.get_cached_value(row) if field.is_cached(row) else None


def record_client_reads(
    *, client_label: str, context: AuditContext | None, patients: Iterable, action: Action, target: str
) -> None:
    """A FHIR API client's request (interop/api/): one event per patient it touched (a Patient or its id), or one
    with no patient when it read nothing about one (a Practitioner), in one INSERT. The actor is the client,
    named by `client_label`: it has no staff account."""
    fields = {"actor": None, "actor_label": client_label, **where_fields(context or NO_REQUEST)}
    about = [patient_field(patient) for patient in patients] or [{"patient": None}]
    AuditEvent.objects.bulk_create([AuditEvent(**fields, **patient, action=action, target=target) for patient in about])
