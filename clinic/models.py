"""Staff, care teams, the message outbox and the worker heartbeat."""

import uuid
from datetime import datetime, time, timedelta

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from clinic import referrals as referral_rules
from clinic.roles import PRESCRIBING_DISCIPLINES, Discipline, Role


class User(AbstractUser):
    """A member of staff. Patients never have accounts; they use links."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CLINICIAN)
    discipline = models.CharField(max_length=30, choices=Discipline.choices, default=Discipline.NURSE)
    credentials = models.CharField(max_length=40, blank=True, help_text="For example MD, RN, DPT.")

    class Notify(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        BOTH = "both", "Email and text message"

    # How urgent work reaches this person outside the app (clinic/safety_net.py): no patient data is sent.
    mobile_phone = models.CharField(max_length=30, blank=True, help_text="For texts about urgent tasks.")
    notify_by = models.CharField(
        "tell me about urgent tasks by", max_length=10, choices=Notify.choices, default=Notify.EMAIL
    )
    # The clinic's medical lead: urgent work reaches them when the lead is away and the rota has a gap.
    is_medical_lead = models.BooleanField("medical lead", default=False)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_medical_lead"], condition=Q(is_medical_lead=True), name="one_medical_lead"
            )
        ]
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
        return self.order_by(self.urgency(), "due_on", "created_at", "id")

    def by_due_date(self):
        """Due date first; urgent still before the rest on the same day."""
        return self.order_by("due_on", self.urgency(), "created_at", "id")

    def urgent(self):
        return self.filter(priority=TeamTask.Priority.URGENT)

    def not_urgent(self):
        return self.exclude(priority=TeamTask.Priority.URGENT)

    def unassigned(self):
        """Tasks for a role as a whole ("any coordinator"), waiting for a person to take them."""
        return self.filter(assignee__isnull=True)

    def due_by(self, when: str, *, today):
        """``when``: "overdue" (before today), "today" (today or before), "week" (within 7 days); else all."""
        if when == "overdue":
            return self.filter(due_on__lt=today)
        if when == "today":
            return self.filter(due_on__lte=today)
        if when == "week":
            return self.filter(due_on__lte=today + timedelta(days=6))
        return self

    @staticmethod
    def urgency():
        return models.Case(
            *(models.When(priority=value, then=rank) for rank, value in enumerate(TeamTask.Priority.values)),
            output_field=models.IntegerField(),
        )


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
    # The safety net (clinic/safety_net.py): an urgent task escalates at ``escalate_at`` until acknowledged.
    escalation_step = models.PositiveSmallIntegerField(default=0)
    escalate_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_action = models.CharField(max_length=20, blank=True)
    acknowledgement = models.TextField(blank=True)

    objects = TeamTaskQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["assignee", "due_on"], condition=Q(status="open"), name="task_open_by_assignee"),
            models.Index(fields=["assignee_role", "due_on"], condition=Q(status="open"), name="task_open_by_role"),
            models.Index(fields=["patient", "-created_at"], name="task_by_patient"),
            models.Index(fields=["escalate_at"], condition=Q(status="open"), name="task_escalation_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(assignee__isnull=False) | ~Q(assignee_role=""), name="task_has_someone_to_do_it"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def assigned_to(self) -> str:
        """Who is to do it, in words: the person, or "Any care coordinator"."""
        if self.assignee_id:
            return self.assignee.display_name
        return f"Any {Role(self.assignee_role).label.lower()}" if self.assignee_role else "Nobody yet"

    # A reassigned task stays the same open row: the REASSIGNED event keeps who had it before, and
    # the task's link, source key and history stay in one place. (Status.REASSIGNED is therefore not
    # used for rows; it is kept for data imported from elsewhere.)

    def mark_done(self, *, by: User, note: str = "") -> bool:
        """Close the task; returns False (and changes nothing) when it was no longer open."""
        now = timezone.now()
        with transaction.atomic():
            closed = TeamTask.objects.filter(pk=self.pk, status=self.Status.OPEN).update(
                status=self.Status.DONE, done_at=now, done_by=by
            )
            if not closed:
                return False
            TeamTaskEvent.objects.create(task=self, kind=TeamTaskEvent.Kind.DONE, by=by, at=now, note=note)
        self.status, self.done_at, self.done_by = self.Status.DONE, now, by
        return True

    def reopen(self, *, by: User, note: str = "") -> bool:
        """Open a closed task again (for the same assignee); returns False when it was already open."""
        now = timezone.now()
        with transaction.atomic():
            opened = (
                TeamTask.objects.filter(pk=self.pk)
                .exclude(status=self.Status.OPEN)
                .update(status=self.Status.OPEN, done_at=None, done_by=None)
            )
            if not opened:
                return False
            TeamTaskEvent.objects.create(task=self, kind=TeamTaskEvent.Kind.REOPENED, by=by, at=now, note=note)
        self.status, self.done_at, self.done_by = self.Status.OPEN, None, None
        return True

    def reassign(self, *, to: "User | None" = None, to_role: str = "", by: User, note: str = "") -> bool:
        """Give the open task to another person, or to everyone in a role (``to_role``); the row stays open.

        Precondition: exactly one of ``to`` and ``to_role``. Returns False when the task is not open or
        already belongs to exactly that person or role.
        """
        if (to is None) == (not to_role):
            raise ValueError("Reassign to a person or to a role, not both or neither.")
        new_role = "" if to is not None else Role(to_role).value
        new_assignee_id = to.pk if to is not None else None
        with transaction.atomic():
            moved = (
                TeamTask.objects.filter(pk=self.pk, status=self.Status.OPEN)
                .exclude(
                    Q(assignee_id=new_assignee_id)
                    if to is not None
                    else Q(assignee__isnull=True, assignee_role=new_role)
                )
                .update(assignee=to, assignee_role=new_role)
            )
            if not moved:
                return False
            TeamTaskEvent.objects.create(
                task=self, kind=TeamTaskEvent.Kind.REASSIGNED, by=by, to_assignee=to, to_role=new_role, note=note
            )
        self.assignee, self.assignee_role = to, new_role
        return True


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


# --------------------------------------------------------------------------- team coordination (issue 7)


class TeamTaskEvent(models.Model):
    """The history of a team task: created, reassigned, done, reopened; who, when and why."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        REASSIGNED = "reassigned", "Reassigned"
        DONE = "done", "Done"
        REOPENED = "reopened", "Reopened"
        ESCALATED = "escalated", "Escalated: not acknowledged in time"
        NOTIFIED = "notified", "Told outside the app"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"

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


class TeamMessageQuerySet(models.QuerySet):
    def for_chart(self, patient):
        """The patient's team messages, newest first, with their authors (mentions: prefetch_related)."""
        return self.filter(patient=patient).select_related("author").order_by("-created_at", "-id")


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

    objects = TeamMessageQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["patient", "-created_at"], name="team_message_by_patient")]

    def __str__(self) -> str:
        return f"Team message {self.public_id}"


class ReferralQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=referral_rules.OPEN)

    @staticmethod
    def ended_last():
        """An ordering: open referrals before closed, declined and cancelled ones."""
        ended = models.When(state__in=referral_rules.ENDED, then=models.Value(1))
        return models.Case(ended, default=models.Value(0), output_field=models.IntegerField())

    @staticmethod
    def overdue_conditions(now: datetime) -> dict[str, Q]:
        """The tracking rules (clinic/referrals.py) as one condition each; each has a partial index."""
        today = timezone.localdate(now)
        sent_by = timezone.make_aware(datetime.combine(referral_rules.unacknowledged_if_sent_before(today), time.min))
        return {
            referral_rules.OVERDUE_UNACKNOWLEDGED: Q(state=Referral.State.SENT, sent_at__lt=sent_by),
            referral_rules.OVERDUE_APPOINTMENT: Q(state=Referral.State.SCHEDULED, appointment_on__lt=today),
            referral_rules.OVERDUE_REPORT: Q(
                state=Referral.State.ATTENDED, attended_at__lt=referral_rules.report_overdue_if_attended_before(now)
            ),
        }

    def overdue(self, *, now: datetime | None = None):
        conditions = self.overdue_conditions(now or timezone.now()).values()
        either = Q()
        for condition in conditions:
            either |= condition
        return self.filter(either)

    def with_overdue(self, *, now: datetime | None = None):
        """Annotate `overdue_stage`: which tracking rule the referral is late on ("" when none)."""
        conditions = self.overdue_conditions(now or timezone.now())
        return self.annotate(
            overdue_stage=models.Case(
                *(models.When(condition, then=models.Value(stage)) for stage, condition in conditions.items()),
                default=models.Value(""),
                output_field=models.CharField(),
            )
        )

    def for_portal(self, patient, *, now: datetime | None = None):
        """What the patient sees: sent referrals that are open, or ended in the last PORTAL_ENDED_DAYS."""
        since = (now or timezone.now()) - timedelta(days=Referral.PORTAL_ENDED_DAYS)
        shown = Q(state__in=referral_rules.OPEN) | Q(state_changed_at__gte=since)
        return self.filter(shown, patient=patient).exclude(state=Referral.State.DRAFT)


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

    objects = ReferralQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="referral_by_patient"),
            models.Index(fields=["state", "state_changed_at"], name="referral_by_state"),
            # The tracking sweep's three questions, each a partial index.
            models.Index(fields=["sent_at"], condition=Q(state="sent"), name="referral_sent_unacknowledged"),
            models.Index(fields=["appointment_on"], condition=Q(state="scheduled"), name="referral_scheduled"),
            models.Index(fields=["attended_at"], condition=Q(state="attended"), name="referral_attended_no_report"),
        ]

    # The portal keeps showing a closed, declined or cancelled referral for this long.
    PORTAL_ENDED_DAYS = 90
    # Which column each step stamps with the time it happened.
    STAMPS = {
        "send": "sent_at",
        "acknowledge": "acknowledged_at",
        "schedule": "scheduled_at",
        "attended": "attended_at",
        "report": "report_received_at",
        "close": "closed_at",
    }

    def __str__(self) -> str:
        return f"Referral {self.public_id} ({self.get_state_display()})"

    @property
    def service_name(self) -> str:
        if self.service == self.Service.OTHER and self.service_other:
            return self.service_other
        return self.get_service_display()

    @property
    def is_open(self) -> bool:
        return self.state in referral_rules.OPEN

    @property
    def allowed_steps(self) -> list[referral_rules.Step]:
        return referral_rules.steps_from(self.state)

    @property
    def visits_warning(self) -> str | None:
        return referral_rules.visits_warning(self.visits_authorised, self.visits_used)

    @property
    def needs_bridge_plan(self) -> bool:
        return referral_rules.needs_bridge_plan(self.expected_wait_days)

    @property
    def overdue_words(self) -> str:
        """Why the tracking sweep would chase it (needs the `with_overdue()` annotation)."""
        return referral_rules.OVERDUE_WORDS.get(getattr(self, "overdue_stage", ""), "")

    # --- Steps: each checks the table, stamps who and when, and writes a ReferralEvent ---------

    def mark_sent(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        self._take_step("send", by=by, note=note, expected_version=expected_version)

    def acknowledge(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        self._take_step("acknowledge", by=by, note=note, expected_version=expected_version)

    def schedule(self, *, on, by, note: str = "", expected_version: int | None = None) -> None:
        """Record the appointment date (again to move it, or after a missed visit to rebook)."""
        if self.state == self.State.SCHEDULED and self.appointment_on:
            note = " ".join(filter(None, [f"Moved from {self.appointment_on:%b} {self.appointment_on.day}.", note]))
        self._take_step(
            "schedule", by=by, note=note, expected_version=expected_version, appointment_on=on, ended_reason=""
        )

    def mark_attended(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        """The patient went to the appointment: one more insurance visit used."""
        self._take_step(
            "attended", by=by, note=note, expected_version=expected_version, visits_used=self.visits_used + 1
        )

    def record_report(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        self._take_step("report", by=by, note=note, expected_version=expected_version)

    def close(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        self._take_step("close", by=by, note=note, expected_version=expected_version)

    def decline(self, *, reason: str, by, expected_version: int | None = None) -> None:
        self._take_step("decline", by=by, note=reason, expected_version=expected_version, ended_reason=reason)

    def cancel(self, *, reason: str, by, expected_version: int | None = None) -> None:
        self._take_step("cancel", by=by, note=reason, expected_version=expected_version, ended_reason=reason)

    def mark_no_show(self, *, reason: str, by, expected_version: int | None = None) -> None:
        self._take_step("no_show", by=by, note=reason, expected_version=expected_version, ended_reason=reason)

    def _take_step(self, action: str, *, by, note: str = "", expected_version: int | None = None, **changes) -> None:
        """Move to the step's state if the table allows it from here; raise ReferralTransitionError if not,
        ReferralChanged if the referral changed since `expected_version` (nothing is written then)."""
        self._check_version(expected_version)
        refused = referral_rules.refusal(action, self.state)
        if refused:
            raise referral_rules.ReferralTransitionError(refused)
        step = referral_rules.STEPS[action]
        if step.needs_reason and not (changes.get("ended_reason") or "").strip():
            raise referral_rules.ReferralTransitionError(f"Say why the referral is {step.verb}.")
        if step.needs_date and not changes.get("appointment_on"):
            raise referral_rules.ReferralTransitionError("Give the appointment date.")
        now = timezone.now()
        if action in self.STAMPS:
            changes[self.STAMPS[action]] = now
        changes.update(state=step.target, state_changed_at=now, state_changed_by=by)
        self._write_versioned(changes, by=by, at=now, to_state=step.target, note=note)

    def update_details(self, *, by, changes: dict, expected_version: int | None = None) -> list[str]:
        """Change fields that are not the state (who, why, insurance, wait, bridge plan); returns the
        names of the fields that changed, and writes an event naming them (nothing when none did)."""
        self._check_version(expected_version)
        changed = {name: value for name, value in changes.items() if getattr(self, name) != value}
        if not changed:
            return []
        now = timezone.now()
        if {"bridge_plan", "bridge_contact"} & changed.keys():
            changed["bridge_updated_at"] = now
        names = [str(self._meta.get_field(name).verbose_name) for name in changes if name in changed]
        self._write_versioned(changed, by=by, at=now, to_state=self.state, note="Changed: " + ", ".join(names) + ".")
        return [name for name in changes if name in changed]

    def _check_version(self, expected_version: int | None) -> None:
        if expected_version is not None and expected_version != self.version:
            raise referral_rules.ReferralChanged()

    def _write_versioned(self, changes: dict, *, by, at, to_state: str, note: str) -> None:
        """Save `changes` only if nobody saved since this copy was read (the version), with its event."""
        with transaction.atomic():
            saved = Referral.objects.filter(pk=self.pk, version=self.version).update(
                version=self.version + 1, **changes
            )
            if not saved:
                raise referral_rules.ReferralChanged()
            ReferralEvent.objects.create(
                referral=self, from_state=self.state, to_state=to_state, by=by, at=at, note=note
            )
        for name, value in changes.items():
            setattr(self, name, value)
        self.version += 1


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

    @property
    def is_step(self) -> bool:
        """A change of state (the others are the referral being written or its details changed)."""
        return bool(self.from_state) and self.from_state != self.to_state


class CaseConferenceQuerySet(models.QuerySet):
    def upcoming(self, now):
        return self.filter(scheduled_for__gte=now - timedelta(hours=12), status=CaseConference.Status.PLANNED).order_by(
            "scheduled_for", "id"
        )

    def past(self, now):
        """Held, cancelled, or planned for a time more than 12 hours ago; newest first."""
        return self.exclude(
            scheduled_for__gte=now - timedelta(hours=12), status=CaseConference.Status.PLANNED
        ).order_by("-scheduled_for", "-id")


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

    objects = CaseConferenceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["-scheduled_for"], name="conference_by_date")]

    def __str__(self) -> str:
        return f"{self.title} on {timezone.localdate(self.scheduled_for):%Y-%m-%d}"  # the clinic's date

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    def mark_held(self) -> bool:
        """A planned conference took place; returns False when it was not planned."""
        changed = CaseConference.objects.filter(pk=self.pk, status=self.Status.PLANNED).update(status=self.Status.HELD)
        if changed:
            self.status = self.Status.HELD
        return bool(changed)


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

    @property
    def is_discussed(self) -> bool:
        return self.discussed_at is not None

    def record_discussion(self, *, discussion: str, decisions: str, by: User) -> None:
        """Keep what the team said and decided about this patient (a later save replaces the text)."""
        self.discussion, self.decisions = discussion, decisions
        self.discussed_at, self.discussed_by = timezone.now(), by
        self.save(update_fields=["discussion", "decisions", "discussed_at", "discussed_by"])


class EscalationFlagQuerySet(models.QuerySet):
    def open(self):
        return self.filter(reviewed_at__isnull=True)


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

    objects = EscalationFlagQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(reviewed_at__isnull=True), name="one_open_escalation_flag"
            ),
        ]
        indexes = [models.Index(fields=["-flagged_at"], condition=Q(reviewed_at__isnull=True), name="escalation_open")]

    def __str__(self) -> str:
        return f"Escalation flag for patient {self.patient_id}"

    @property
    def is_open(self) -> bool:
        return self.reviewed_at is None

    def mark_reviewed(self, *, by: User, note: str) -> bool:
        """The team has reviewed the flag (at a case conference or otherwise); returns False when it already was.

        Signals dated up to the review do not raise a new flag (clinic/escalation.py).
        """
        now = timezone.now()
        changed = EscalationFlag.objects.filter(pk=self.pk, reviewed_at__isnull=True).update(
            reviewed_at=now, reviewed_by=by, review_note=note
        )
        if changed:
            self.reviewed_at, self.reviewed_by, self.review_note = now, by, note
        return bool(changed)


# The safety net's rota, absences and care-team history live in their own module.
from clinic.safety_models import CareTeamChange, DutyShift, StaffAbsence  # noqa: E402, F401
