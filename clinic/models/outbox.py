"""The message outbox, the worker heartbeat and the daily-sweep record (clinic/sweeps.py)."""

import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.models.people import User


class OutboxMessageQuerySet(models.QuerySet):
    def due(self, now):
        return self.filter(state=OutboxMessage.State.PENDING, next_attempt_at__lte=now)


class OutboxMessage(models.Model):
    """A message to a patient or a member of staff, written in the caller's transaction.

    The outbox sweep queues due rows; the delivery task claims a row (PENDING -> SENDING) with a
    conditional UPDATE before it sends, so a redelivered or repeated task sends nothing twice.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Could not be sent"
        # After a restore from backup: not sent until a coordinator decides (clinic/outbox_restore.py).
        HELD = "held", "Held after a restore"
        CANCELLED = "cancelled", "Not sent (cancelled)"

    MAX_ATTEMPTS = 5

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    to_address = models.CharField(max_length=254)
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    staff = models.ForeignKey(User, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    # Callers that may write the same logical message twice (a sweep re-run) pass a key.
    dedupe_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True, help_text="The error's type only; never message content.")
    created_at = models.DateTimeField(default=timezone.now)
    held_at = models.DateTimeField(null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="outbox_pending_due"),
            models.Index(fields=["claimed_at"], condition=Q(state="sending"), name="outbox_sending_claimed"),
            models.Index(fields=["created_at"], condition=Q(state="held"), name="outbox_held"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(patient__isnull=True) | Q(staff__isnull=True), name="outbox_one_kind_of_recipient"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} message {self.public_id} ({self.get_state_display()})"

    @staticmethod
    def retry_delay(attempts: int) -> timedelta:
        """Back off 1, 4, 16, 64 minutes between attempts."""
        return timedelta(minutes=4 ** max(attempts - 1, 0))


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task (read by /health/)."""

    name = models.CharField(max_length=50, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.beat_at:%Y-%m-%d %H:%M:%S}"


class SweepRun(models.Model):
    """The last run of a daily sweep (settings.DAILY_SWEEPS; clinic/sweeps.py): the clinic-local date it ran
    for, so a run beat could not queue (Redis down) happens at the next check, and only once a day."""

    name = models.CharField(max_length=80, unique=True)
    ran_for = models.DateField(null=True, blank=True, help_text="The clinic's local date of the last run.")
    last_ran_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (last ran for {self.ran_for or 'never'})"
