"""Clinic workflows: the message outbox, the worker heartbeat and team tasks."""

import inspect
import logging
import threading
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone

from clinic.access.refusals import refuse_unless
from clinic.access.tasks import PATIENTS_WORKERS_ONLY, may_coordinate_for
from clinic.dates import next_message_hours_start
from clinic.models import CareTeamMember, OutboxMessage, TeamTask, TeamTaskEvent, User, WorkerHeartbeat
from clinic.outbox_secrets import GAVE_UP_NOTE, forget_secrets
from clinic.roles import Role
from clinic.sms import sms_backend

logger = logging.getLogger(__name__)

# A sender's claim on a row (state SENDING, `claimed_at`) lasts CLAIM_LEASE (OUTBOX_CLAIM_LEASE_SECONDS, 60 s)
# and the sender renews it every CLAIM_RENEW_EVERY while it sends, so a live sender is never overtaken,
# however slow the mail server. Renewal stops after CELERY_TASK_TIME_LIMIT (120 s, when the worker kills a
# task anyway), so a sender stuck for good loses its claim too. A claim whose sender vanished (worker killed)
# is released by the first sweep after its last renewal + CLAIM_LEASE, 40 to 60 s after the kill, and the
# row is sent again at that sweep (OUTBOX_SWEEP_SECONDS, 30 s): within 40 to 90 s. If the provider had
# accepted the first copy before the kill, the SMS backend is asked first (`accepted(reference)`), and a
# copy it has is marked sent, not resent; otherwise the second copy carries the same Message-ID / SMS
# reference, so the far side can drop it (README, "The outbox").
CLAIM_LEASE = timedelta(seconds=settings.OUTBOX_CLAIM_LEASE_SECONDS)
CLAIM_RENEW_EVERY = CLAIM_LEASE / 3
# A queued message the broker lost is queued again by the sweep after this long.
REQUEUE_AFTER = timedelta(seconds=settings.OUTBOX_REQUEUE_SECONDS)
SWEEP_BATCH = 500


def queue_message(
    *,
    channel: str,
    to_address: str,
    body: str,
    subject: str = "",
    patient=None,
    staff=None,
    dedupe_key: str | None = None,
    patient_asked: bool = False,
) -> OutboxMessage:
    """Write a message to the outbox in the caller's transaction; the outbox sweep sends it.

    A message to a patient written outside message hours waits until they open (clinic.dates), unless the
    patient asked for it just now (``patient_asked``: a new link they requested, which they are waiting for);
    messages to staff go at once. With a `dedupe_key`, writing the same logical message twice keeps the first one.
    """
    fields = dict(channel=channel, to_address=to_address, body=body, subject=subject, patient=patient, staff=staff)
    if patient is not None and not patient_asked:
        fields["next_attempt_at"] = next_message_hours_start(timezone.now())
    if dedupe_key is None:
        return OutboxMessage.objects.create(**fields)
    message, _ = OutboxMessage.objects.get_or_create(dedupe_key=dedupe_key, defaults=fields)
    return message


def claim_due_messages(*, now=None, limit: int = SWEEP_BATCH) -> list[int]:
    """Find due messages in one set-based pass and push their next attempt back, returning ids.

    Pushing `next_attempt_at` forward means the next sweep does not queue them again unless the
    broker lost the task; claiming for sending happens in `deliver_message`.
    """
    now = now or timezone.now()
    with transaction.atomic():
        release_abandoned_claims(now=now)
        due = OutboxMessage.objects.due(now).order_by("next_attempt_at").select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        OutboxMessage.objects.filter(id__in=ids).update(next_attempt_at=now + REQUEUE_AFTER)
    return ids


def release_abandoned_claims(*, now) -> int:
    return OutboxMessage.objects.filter(state=OutboxMessage.State.SENDING, claimed_at__lt=now - CLAIM_LEASE).update(
        state=OutboxMessage.State.PENDING, next_attempt_at=now, claimed_at=None
    )


def deliver_message(*, message_id: int) -> bool:
    """Send one outbox message if nobody else has; returns True when this call sent it.

    Not atomic on purpose: the claim commits before the network call, and the network call
    (SMTP, SMS) never runs inside a database transaction. The claim is renewed while the send runs.
    """
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(id=message_id, state=OutboxMessage.State.PENDING).update(
        state=OutboxMessage.State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False  # already sent, being sent by another worker, or given up on
    message = OutboxMessage.objects.get(id=message_id)
    try:
        with ClaimRenewal(message_id, claimed_at=now):
            if message.attempts > 1 and provider_has(message):
                # An earlier attempt was accepted, and its sender died before marking the row sent.
                logger.info("outbox %s: already accepted by the provider; marked sent", message_reference(message))
            else:
                send_now(message)
    except Exception as error:  # any transport failure: record its type, back off, try later
        record_failure(message, error)
        return False
    # Sent, so never again: marked sent even if this sender's claim was lost meanwhile (released to PENDING).
    OutboxMessage.objects.filter(
        id=message_id, state__in=(OutboxMessage.State.SENDING, OutboxMessage.State.PENDING)
    ).update(state=OutboxMessage.State.SENT, sent_at=timezone.now(), **forget_secrets(message))
    return True


class ClaimRenewal:
    """While a sender sends, a thread pushes its claim's `claimed_at` forward every CLAIM_RENEW_EVERY (a
    conditional UPDATE on the value this sender last wrote, so it never renews someone else's claim), for
    at most CELERY_TASK_TIME_LIMIT. The thread dies with the process: a killed worker renews nothing."""

    def __init__(self, message_id: int, *, claimed_at):
        self.message_id, self.claimed_at = message_id, claimed_at
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.renew, name=f"outbox-claim-{message_id}", daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stop.set()
        self.thread.join()

    def renew(self) -> None:
        give_up_at = self.claimed_at + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        try:
            while not self.stop.wait(CLAIM_RENEW_EVERY.total_seconds()):
                now = timezone.now()
                if now >= give_up_at:
                    return
                renewed = OutboxMessage.objects.filter(
                    id=self.message_id, state=OutboxMessage.State.SENDING, claimed_at=self.claimed_at
                ).update(claimed_at=now)
                if not renewed:
                    return  # the claim is no longer this sender's
                self.claimed_at = now
        except Exception:  # the database is unreachable: the claim runs out, which is what it is for
            logger.warning("outbox: could not renew a claim", exc_info=True)
        finally:
            close_old_connections()
            connection.close()


def provider_has(message: OutboxMessage) -> bool:
    """Whether the SMS provider already accepted this row's reference (backends that can look it up
    implement ``accepted(reference)``; email cannot be asked, and relies on its stable Message-ID)."""
    if message.channel != OutboxMessage.Channel.SMS:
        return False
    lookup = getattr(sms_backend(), "accepted", None)
    return bool(lookup and lookup(message_reference(message)))


def message_reference(message: OutboxMessage) -> str:
    """The outbox row's identity for the far side, the same on every attempt: a resend after a lost
    "sent" update can be recognised and dropped (SMS providers' client reference / idempotency key)."""
    return f"outbox-{message.public_id}"


def message_id_header(message: OutboxMessage) -> str:
    """A stable RFC 5322 Message-ID for an email outbox row (make_msgid() would differ on each attempt):
    receiving servers and clients can de-duplicate a resent copy. The domain is the site's, not the
    worker's host name, so every worker gives the same id."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<{message_reference(message)}@{domain}>"


def send_now(message: OutboxMessage) -> None:
    if message.channel == OutboxMessage.Channel.EMAIL:
        EmailMessage(
            subject=message.subject,
            body=message.body,
            to=[message.to_address],
            headers={"Message-ID": message_id_header(message)},
        ).send()
    else:
        backend = sms_backend()
        if takes_reference(backend):
            backend.send(to=message.to_address, body=message.body, reference=message_reference(message))
        else:  # a backend written before ``reference`` existed still works, without de-duplication
            backend.send(to=message.to_address, body=message.body)


def takes_reference(backend) -> bool:
    parameters = inspect.signature(backend.send).parameters.values()
    return any(p.name == "reference" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def record_failure(message: OutboxMessage, error: Exception) -> None:
    gave_up = message.attempts >= OutboxMessage.MAX_ATTEMPTS
    OutboxMessage.objects.filter(id=message.id, state=OutboxMessage.State.SENDING).update(
        state=OutboxMessage.State.FAILED if gave_up else OutboxMessage.State.PENDING,
        next_attempt_at=timezone.now() + OutboxMessage.retry_delay(message.attempts),
        claimed_at=None,
        last_error=type(error).__name__[:200],
        **(forget_secrets(message, note=GAVE_UP_NOTE) if gave_up else {}),
    )


def record_heartbeat(*, name: str = "worker") -> None:
    WorkerHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def take_sweep_lock(key: int) -> bool:
    """One sweep of a kind at a time: this transaction's advisory lock on ``key``; False when another
    sweep holds it. The embedded SQLite demo runs in one process and needs none."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [key])
        return cursor.fetchone()[0]


def team_lead(patient) -> User | None:
    """The patient's lead clinician (an active one), or None."""
    lead = CareTeamMember.objects.filter(patient=patient, is_lead=True, member__is_active=True).first()
    return lead.member if lead else None


def create_task(
    *,
    title: str,
    source: str,
    source_key: str,
    patient=None,
    assignee=None,
    assignee_role: str = "",
    priority: str = "normal",
    due_on=None,
    details: str = "",
    link: str = "",
    by=None,
    note: str = "",
):
    """Create a team task once per `source_key` (a re-run or a retried request creates nothing new),
    with its CREATED history event (`by`: who created it; None for the app's own sweeps).

    With no assignee the task goes to everyone in `assignee_role` (clinicians when none is given).

    A member of staff (`by`) may give a task only if they may work on the patient's tasks
    (clinic.access.tasks.may_coordinate_for), else ``Refused``. The app's own tasks have no `by` and are
    never refused: the safety net's urgent tasks for the on-duty clinician, the sweeps', an alert's task
    raised in the transaction of a patient's answer.
    """
    if by is not None:
        refuse_unless(may_coordinate_for(by, patient), PATIENTS_WORKERS_ONLY)
    if assignee is None and not assignee_role:
        assignee_role = Role.CLINICIAN
    with transaction.atomic():
        task, created = TeamTask.objects.get_or_create(
            source_key=source_key,
            defaults=dict(
                title=title,
                source=source,
                patient=patient,
                assignee=assignee,
                assignee_role=assignee_role,
                priority=priority,
                due_on=due_on or timezone.localdate(),
                details=details,
                link=link,
            ),
        )
        if created:
            TeamTaskEvent.objects.create(
                task=task,
                kind=TeamTaskEvent.Kind.CREATED,
                by=by,
                at=task.created_at,
                to_assignee=assignee,
                to_role=task.assignee_role,
                note=note,
            )
    return task
