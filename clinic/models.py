"""Staff, care teams, the message outbox and the worker heartbeat."""

import uuid
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.roles import PRESCRIBING_DISCIPLINES, Discipline, Role


class User(AbstractUser):
    """A member of staff. Patients never have accounts; they use links."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    discipline = models.CharField(max_length=30, choices=Discipline.choices, default=Discipline.NURSE)
    credentials = models.CharField(max_length=40, blank=True, help_text="For example MD, RN, DPT.")
    # Receives urgent work for patients whose team has no lead clinician.
    is_on_duty = models.BooleanField("on duty", default=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [
            ("chart_clinical_notes", "Chart clinical notes"),
            ("coordinate_care", "Coordinate referrals, waits and team tasks"),
            ("send_patient_links", "Send patient links"),
            ("manage_staff", "Manage staff accounts"),
            ("prescribe_controlled_substances", "Start or change opioid and benzodiazepine regimens"),
            ("annotate_medications", "Annotate medication entries"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        name = self.get_full_name() or self.username
        return f"{name}, {self.credentials}" if self.credentials else name

    @property
    def is_clinic_admin(self) -> bool:
        return self.is_active and (self.role == Role.ADMIN or self.is_superuser)

    @property
    def is_prescriber(self) -> bool:
        return self.role == Role.CLINICIAN and self.discipline in PRESCRIBING_DISCIPLINES

    @property
    def sees_every_patient(self) -> bool:
        """Coordinators register and route every patient; admins answer for the whole record."""
        return self.role in (Role.COORDINATOR, Role.ADMIN) or self.is_superuser


class CareTeamMember(models.Model):
    """One person on one patient's care team; clinicians see the patients whose team they are on."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="care_team")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="team_memberships")
    is_lead = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "member"], name="one_membership_per_person"),
            models.UniqueConstraint(fields=["patient"], condition=Q(is_lead=True), name="one_lead_per_patient"),
        ]
        indexes = [models.Index(fields=["member", "patient"])]

    def __str__(self) -> str:
        return f"{self.member} on the team of {self.patient}"


class TeamTaskQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=TeamTask.Status.OPEN)

    def for_person(self, user):
        """Tasks assigned to this person, or to their role as a whole."""
        return self.filter(Q(assignee=user) | Q(assignee__isnull=True, assignee_role=user.role))

    def most_pressing_first(self):
        urgency = models.Case(
            *(models.When(priority=value, then=rank) for rank, value in enumerate(TeamTask.Priority.values)),
            output_field=models.IntegerField(),
        )
        return self.order_by(urgency, "due_on", "created_at")


class TeamTask(models.Model):
    """A piece of work for one person or for everyone in a role ("any coordinator")."""

    class Priority(models.TextChoices):
        URGENT = "urgent", "Urgent"
        HIGH = "high", "High"
        NORMAL = "normal", "Normal"

    class Source(models.TextChoices):
        ALERT = "alert", "Safety or screening alert"
        NOT_REACHED = "not_reached", "Patient not reached"
        REFERRAL = "referral", "Referral"
        SPRINT_REVIEW = "sprint_review", "Sprint review"
        RED_FLAG = "red_flag", "Red flag"
        MONITORING = "monitoring", "Monitoring due"
        MENTION = "mention", "Mention"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    patient = models.ForeignKey(
        "patients.Patient", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    assignee = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    assignee_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    source = models.CharField(max_length=20, choices=Source.choices)
    # Whoever creates tasks from a sweep or an event passes a key, so a re-run creates nothing twice.
    source_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_on = models.DateField(default=timezone.localdate)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = TeamTaskQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "due_on"], condition=Q(status="open"), name="task_open_by_assignee"),
            models.Index(fields=["assignee_role", "due_on"], condition=Q(status="open"), name="task_open_by_role"),
            models.Index(fields=["patient", "-created_at"], name="task_by_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | ~Q(assignee_role=""), name="task_has_someone_to_do_it"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def mark_done(self, *, by: User) -> None:
        self.status, self.done_at, self.done_by = self.Status.DONE, timezone.now(), by
        self.save(update_fields=["status", "done_at", "done_by"])


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

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(state="pending"), name="outbox_pending_due"),
            models.Index(fields=["claimed_at"], condition=Q(state="sending"), name="outbox_sending_claimed"),
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
