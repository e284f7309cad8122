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
        INSURANCE = "insurance", "Insurance limit"
        CONFERENCE = "conference", "Case conference decision"
        ESCALATION = "escalation", "Escalation early warning"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        REASSIGNED = "reassigned", "Reassigned"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    # More words for whoever picks the task up (a mention's message, a sweep's finding); no patient data
    # beyond what the chart shows.
    details = models.TextField(blank=True)
    # Where the work is: a path inside the app (the alert, the referral, the sprint review ...).
    link = models.CharField(max_length=300, blank=True)
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


# --------------------------------------------------------------------------- team coordination (issue 7)


class TeamTaskEvent(models.Model):
    """The history of a team task: created, reassigned, done, reopened; who, when and why."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        REASSIGNED = "reassigned", "Reassigned"
        DONE = "done", "Done"
        REOPENED = "reopened", "Reopened"

    task = models.ForeignKey(TeamTask, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    # For a reassignment: to whom (a person, or everyone in a role).
    to_assignee = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_role = models.CharField(max_length=20, choices=Role.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["task", "at"], name="task_event_by_task")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} task {self.task_id}"


class TeamMessage(models.Model):
    """An internal message about a patient for the team; never visible to the patient.

    Mentioning a colleague (``mentions``) creates a task for them.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="team_messages")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    mentions = models.ManyToManyField(User, blank=True, related_name="mentioned_in")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["patient", "-created_at"], name="team_message_by_patient")]

    def __str__(self) -> str:
        return f"Team message {self.public_id}"


class Referral(models.Model):
    """A referral to an internal discipline or an external service, tracked to closure.

    Every state change goes through a model method that stamps who and when and writes a
    ReferralEvent; illegal transitions are refused.
    """

    class Service(models.TextChoices):
        PHYSICAL_THERAPY = "physical_therapy", "Physical therapy"
        OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy"
        BEHAVIOURAL_HEALTH = "behavioural_health", "Behavioural health"
        PAIN_PSYCHOLOGY = "pain_psychology", "Pain psychology"
        PAIN_MEDICINE = "pain_medicine", "Pain medicine"
        INTERVENTIONAL = "interventional", "Interventional procedures"
        SLEEP_MEDICINE = "sleep_medicine", "Sleep medicine"
        ADDICTION_MEDICINE = "addiction_medicine", "Addiction medicine"
        SOCIAL_WORK = "social_work", "Social work"
        SURGERY = "surgery", "Surgery"
        OTHER = "other", "Other"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        SOON = "soon", "Soon (within 2 weeks)"
        URGENT = "urgent", "Urgent"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        SCHEDULED = "scheduled", "Scheduled"
        ATTENDED = "attended", "Attended"
        REPORT_RECEIVED = "report_received", "Report received"
        CLOSED = "closed", "Closed"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "Did not attend"

    class PriorAuthorisation(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed"
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="referrals")
    service = models.CharField(max_length=30, choices=Service.choices)
    service_other = models.CharField("other service", max_length=120, blank=True)
    is_internal = models.BooleanField("to our own clinic's team", default=False)
    receiving_provider = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    question = models.TextField("the question being asked", blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Stamps of each stage (who is on the ReferralEvent rows).
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    appointment_on = models.DateField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    report_received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Declined, cancelled or no-show: why.
    ended_reason = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    state_changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Insurance.
    prior_authorisation = models.CharField(
        max_length=12, choices=PriorAuthorisation.choices, default=PriorAuthorisation.NOT_NEEDED
    )
    authorisation_reference = models.CharField(max_length=80, blank=True)
    visits_authorised = models.PositiveSmallIntegerField(null=True, blank=True)
    visits_used = models.PositiveSmallIntegerField(default=0)
    # The wait, and what the patient does meanwhile (required when the wait is over 2 weeks).
    expected_wait_days = models.PositiveSmallIntegerField(null=True, blank=True)
    bridge_plan = models.TextField("what to do while waiting", blank=True)
    bridge_contact = models.CharField("who to call while waiting", max_length=200, blank=True)
    bridge_updated_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: a change based on an older version is refused, not merged.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="referral_by_patient"),
            models.Index(fields=["state", "state_changed_at"], name="referral_by_state"),
            # The tracking sweep's three questions, each a partial index.
            models.Index(fields=["sent_at"], condition=Q(state="sent"), name="referral_sent_unacknowledged"),
            models.Index(fields=["appointment_on"], condition=Q(state="scheduled"), name="referral_scheduled"),
            models.Index(fields=["attended_at"], condition=Q(state="attended"), name="referral_attended_no_report"),
        ]

    def __str__(self) -> str:
        return f"Referral {self.public_id} ({self.get_state_display()})"


class ReferralEvent(models.Model):
    """One step in a referral's life: from which state to which, who, when, and any note."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=Referral.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=Referral.State.choices)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_by_referral")]

    def __str__(self) -> str:
        return f"Referral {self.referral_id}: {self.from_state or 'new'} -> {self.to_state}"


class CaseConference(models.Model):
    """A scheduled team review of several patients."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200, default="Case conference")
    scheduled_for = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    attendees = models.ManyToManyField(User, blank=True, related_name="case_conferences")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["-scheduled_for"], name="conference_by_date")]

    def __str__(self) -> str:
        return f"{self.title} on {self.scheduled_for:%Y-%m-%d}"


class ConferenceItem(models.Model):
    """One patient on a conference's agenda: why they are there, the discussion, and the decisions."""

    class Reason(models.TextChoices):
        COMPLEX = "complex", "Flagged complex"
        NOT_IMPROVING = "not_improving", "Not improving after two sprints"
        ESCALATION = "escalation", "Treatment escalating while function is not improving"
        ADDED = "added", "Added by the team"

    conference = models.ForeignKey(CaseConference, on_delete=models.CASCADE, related_name="items")
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="conference_items")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    reason_detail = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    added_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    discussion = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    discussed_at = models.DateTimeField(null=True, blank=True)
    discussed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "patient"], name="one_agenda_item_per_patient"),
        ]
        indexes = [models.Index(fields=["patient"], name="conference_item_by_patient")]

    def __str__(self) -> str:
        return f"Patient {self.patient_id} at conference {self.conference_id}"


class EscalationFlag(models.Model):
    """The early-warning rule found treatment rising while function is not improving.

    ``facts`` are the rule's findings (clinic/escalation.py), kept as they were when flagged.
    One open flag per patient; a reviewed flag stays as history.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="escalation_flags")
    flagged_at = models.DateTimeField(default=timezone.now)
    facts = models.JSONField(default=list)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review_note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(reviewed_at__isnull=True), name="one_open_escalation_flag"
            ),
        ]
        indexes = [models.Index(fields=["-flagged_at"], condition=Q(reviewed_at__isnull=True), name="escalation_open")]

    def __str__(self) -> str:
        return f"Escalation flag for patient {self.patient_id}"
