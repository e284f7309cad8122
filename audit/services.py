"""The one helper every patient view calls to record an access."""

from django.http import HttpRequest

from audit.models import Action, AuditEvent

PORTAL_ACTOR = "Patient (portal link)"


def record_access(
    *, request: HttpRequest, patient, action: Action, target: str, by_patient: bool = False
) -> AuditEvent:
    """Write one audit event for this request, now (not queued), in the request's transaction.

    `target` names the page or object in words and must not contain patient data. Portal pages
    pass `by_patient=True`: the actor is then the patient, even in a browser a staff member uses.
    """
    return AuditEvent.objects.create(
        **event_fields(request, by_patient=by_patient), action=action, target=target, patient=patient
    )


def record_access_each(*, request: HttpRequest, patients, action: Action, target: str) -> None:
    """One event per patient shown (a list of people on one page), written in one INSERT."""
    fields = event_fields(request, by_patient=False)
    AuditEvent.objects.bulk_create(
        [AuditEvent(**fields, patient=patient, action=action, target=target) for patient in patients]
    )


def event_fields(request: HttpRequest, *, by_patient: bool) -> dict:
    """Who and from where, as every event of this request records them."""
    user = request.user if request.user.is_authenticated and not by_patient else None
    return {
        "actor": user,
        "actor_label": user.display_name if user else PORTAL_ACTOR,
        "path": request.path[:300],
        "ip": request.META.get("REMOTE_ADDR") or None,
    }
