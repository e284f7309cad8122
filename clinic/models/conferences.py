"""Case conferences, their items, and the early-warning escalation flags they review."""

import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.models.people import User


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
