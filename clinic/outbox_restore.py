"""After a restore from backup: messages that may already have gone out are held for a coordinator.

A backup is a point in time. Outbox rows that were waiting (pending, retries included) or being sent when
it was taken may have been delivered afterwards, before whatever forced the restore; the restored database
cannot know. Sending them again blindly could send a patient the same message twice, or a stale one. So the
first step after a restore, before any worker or beat starts (README, "Restore runbook"), is
``manage.py hold_outbox_after_restore``: every not-yet-sent row becomes HELD, which the outbox sweep never
picks up (it claims PENDING rows only, clinic/services.py). A care coordinator or clinic admin then looks at
each held message on "Messages held after a restore" and chooses:

- "Send": back to PENDING, due now; the next sweep sends it (with the same Message-ID / SMS reference).
- "Don't send": CANCELLED; its body is forgotten like that of a message given up on.

Both decisions are audited and take effect once (a conditional UPDATE on the HELD state).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action, AuditEvent
from audit.services import record_event
from clinic.models import OutboxMessage, User
from clinic.outbox_secrets import GAVE_UP_NOTE, forget_secrets
from clinic.roles import Role

State = OutboxMessage.State
UNSENT = (State.PENDING, State.SENDING)
HOLD_ACTOR = "Restore procedure (hold_outbox_after_restore)"
HELD_SHOWN = 200


def may_review_held(user) -> bool:
    """Care coordinators and clinic admins decide what happens to held messages."""
    return bool(
        user.is_authenticated and user.is_active and (user.role in (Role.COORDINATOR, Role.ADMIN) or user.is_superuser)
    )


@transaction.atomic
def hold_unsent_messages(*, now=None) -> dict[str, int]:
    """Hold every outbox row that has not been sent (pending, retrying or being sent); returns counts.

    Precondition: no worker or beat runs against this database (the runbook stops them first); the rows are
    locked anyway, so a sender that still runs cannot claim one half-way. One audit event per held message to
    a patient. Safe to run again: held, sent, failed and cancelled rows are left alone.
    """
    now = now or timezone.now()
    rows = list(
        OutboxMessage.objects.select_for_update()
        .filter(state__in=UNSENT)
        .order_by("id")
        .values_list("id", "state", "patient_id")
    )
    ids = [row_id for row_id, _, _ in rows]
    OutboxMessage.objects.filter(id__in=ids).update(state=State.HELD, held_at=now)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=now,
            actor=None,
            actor_label=HOLD_ACTOR,
            patient_id=patient_id,
            action=Action.UPDATE,
            target="outbox message held after a restore",
        )
        for _, _, patient_id in rows
        if patient_id is not None
    )
    return {"held": len(rows), "were_sending": sum(1 for _, state, _ in rows if state == State.SENDING)}


def held_messages() -> QuerySet[OutboxMessage]:
    """Held messages, oldest first, with their recipient (bounded by the caller)."""
    return (
        OutboxMessage.objects.filter(state=State.HELD).select_related("patient", "staff").order_by("created_at", "id")
    )


def held_count() -> int:
    """How many messages wait for a decision (a partial index keeps this cheap; normally none)."""
    return OutboxMessage.objects.filter(state=State.HELD).count()


def release_held_message(*, message: OutboxMessage, by: User, audit: AuditContext | None = None) -> bool:
    """ "Send": the held message goes back to the outbox, due now. False if it was no longer held."""
    return _decide(
        message=message,
        by=by,
        audit=audit,
        target="outbox message released after a restore: send",
        fields={"state": State.PENDING, "next_attempt_at": timezone.now(), "claimed_at": None},
    )


def cancel_held_message(*, message: OutboxMessage, by: User, audit: AuditContext | None = None) -> bool:
    """ "Don't send": the held message is cancelled and its link forgotten. False if it was no longer held."""
    return _decide(
        message=message,
        by=by,
        audit=audit,
        target="outbox message cancelled after a restore: not sent",
        fields={"state": State.CANCELLED, "claimed_at": None, **forget_secrets(message, note=GAVE_UP_NOTE)},
    )


@transaction.atomic
def _decide(*, message: OutboxMessage, by: User, audit: AuditContext | None = None, target: str, fields: dict) -> bool:
    if not may_review_held(by):
        raise PermissionDenied("Only care coordinators and clinic admins decide about held messages.")
    changed = OutboxMessage.objects.filter(id=message.id, state=State.HELD).update(**fields)
    if not changed:
        return False
    record_event(actor=by, context=audit, patient=message.patient, action=Action.UPDATE, target=target)
    return True
