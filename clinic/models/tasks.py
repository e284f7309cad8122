"""The team's work list: tasks, with who has them, their urgency and escalation, and each task's history."""

import uuid
from datetime import timedelta

from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from clinic.models.people import User
from clinic.roles import Role


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
        return urgency_rank()


def urgency_rank() -> models.Case:
    """0 for urgent, 1 for high, 2 for normal: the worklists' first sort key (and their indexes')."""
    return models.Case(
        *(models.When(priority=value, then=rank) for rank, value in enumerate(TaskPriority.values)),
        output_field=models.IntegerField(),
    )


class TaskPriority(models.TextChoices):
    URGENT = "urgent", "Urgent"
    HIGH = "high", "High"
    NORMAL = "normal", "Normal"


class TeamTask(models.Model):
    """A piece of work for one person or for everyone in a role ("any coordinator")."""

    Priority = TaskPriority

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
            # The worklists' sections, most pressing first: a page of them read in index order, not every open task
            # sorted (a coordinator's "nobody has taken" list, a person's own tasks).
            models.Index(
                urgency_rank(),
                F("due_on"),
                F("created_at"),
                F("id"),
                condition=Q(status="open", assignee__isnull=True),
                name="task_open_unassigned_pressing",
            ),
            models.Index(
                F("assignee"),
                urgency_rank(),
                F("due_on"),
                F("created_at"),
                F("id"),
                condition=Q(status="open"),
                name="task_open_by_person_pressing",
            ),
            # The top bar's urgent count on every staff page: only the open urgent tasks, never every open task.
            models.Index(
                fields=["assignee"], condition=Q(status="open", priority="urgent"), name="task_open_urgent_by_person"
            ),
            models.Index(
                fields=["assignee_role"],
                condition=Q(status="open", priority="urgent", assignee__isnull=True),
                name="task_open_urgent_for_role",
            ),
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
