"""The one helper every patient view calls to record an access."""

from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.http import HttpRequest

from audit.models import Action, AuditEvent
from clinic.log_filters import redact_patient_links

PORTAL_ACTOR = "Patient (portal link)"


def record_access(
    *,
    request: HttpRequest,
    patient,
    action: Action,
    target: str,
    by_patient: bool = False,
    shown: Iterable = (),
) -> AuditEvent:
    """Write one audit event for this request, now (not queued), in the request's transaction.

    `target` names the page or object in words and must not contain patient data. Portal pages
    pass `by_patient=True`: the actor is then the patient, even in a browser a staff member uses.
    A list page passes the rows it shows as `shown` (patients, or rows with their patient loaded):
    the event keeps those patients' public ids, so one INSERT names everyone on the page.
    """
    return AuditEvent.objects.create(
        **event_fields(request, by_patient=by_patient),
        action=action,
        target=target,
        patient=patient,
        shown=shown_patient_ids(shown),
    )


def record_access_each(*, request: HttpRequest, patients, action: Action, target: str) -> None:
    """One event per patient shown (a list of people on one page), written in one INSERT."""
    fields = event_fields(request, by_patient=False)
    AuditEvent.objects.bulk_create(
        [AuditEvent(**fields, patient=patient, action=action, target=target) for patient in patients]
    )


def event_fields(request: HttpRequest, *, by_patient: bool) -> dict:
    """Who and from where, as every event of this request records them (a patient link's token never)."""
    user = request.user if request.user.is_authenticated and not by_patient else None
    return {
        "actor": user,
        "actor_label": user.display_name if user else PORTAL_ACTOR,
        "path": redact_patient_links(request.path)[:300],
        "ip": request.META.get("REMOTE_ADDR") or None,
    }


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
