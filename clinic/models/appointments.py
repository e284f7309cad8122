"""Appointments: who sees the patient when and where, and what happened. Every change is an AppointmentEvent.

A booking never disappears: cancelling or recording attendance changes `status` and writes an event, so the
patient's timeline keeps the history. Double-booking a clinician is refused by
clinic.appointment_services.book_appointment under a lock on the clinician's row (group sessions share a
slot by design).
"""

import uuid
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.models.people import User
from clinic.roles import Discipline


class AppointmentQuerySet(models.QuerySet):
    def booked(self):
        """Still expected to happen or waiting for its attendance (not cancelled)."""
        return self.filter(status=Appointment.Status.BOOKED)

    def upcoming(self, *, now: datetime | None = None):
        """Booked and not yet ended, soonest first."""
        return self.booked().filter(ends_at__gt=now or timezone.now()).order_by("starts_at")

    def overlapping(self, starts_at: datetime, ends_at: datetime):
        """Booked appointments whose time overlaps [starts_at, ends_at)."""
        return self.booked().filter(starts_at__lt=ends_at, ends_at__gt=starts_at)

    def between(self, start: datetime, end: datetime):
        """Appointments (of any status) that start in [start, end), in time order."""
        return self.filter(starts_at__gte=start, starts_at__lt=end).order_by("starts_at", "id")


class Appointment(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", "New patient"
        FOLLOW_UP = "follow_up", "Follow-up"
        GROUP = "group", "Group session"
        TELEHEALTH = "telehealth", "Telehealth (video)"

    class Status(models.TextChoices):
        BOOKED = "booked", "Booked"
        ATTENDED = "attended", "Attended"
        NO_SHOW = "no_show", "Did not attend"
        CANCELLED_LATE = "cancelled_late", "Cancelled late"
        CANCELLED = "cancelled", "Cancelled"

    # Attendance is recorded only on or after the day (clinic.appointment_services.record_attendance).
    ATTENDANCE = (Status.ATTENDED, Status.NO_SHOW, Status.CANCELLED_LATE)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="appointments")
    # The clinician seen; a group session may have a facilitator or none.
    clinician = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments")
    group_name = models.CharField("group session", max_length=120, blank=True)
    discipline = models.CharField(max_length=30, choices=Discipline.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FOLLOW_UP)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    place = models.CharField("place", max_length=200, blank=True)
    video_link = models.URLField("video link", max_length=500, blank=True)
    note_for_patient = models.TextField("how to prepare (shown to the patient)", blank=True)
    # Booked through a referral to the clinic's own team: shown with it in the patient's timeline.
    referral = models.ForeignKey(
        "clinic.Referral", null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.BOOKED)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    # The day-before reminder to the patient, claimed once (clinic.appointment_services).
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Optimistic locking: a change based on an older version is refused, not merged.
    version = models.PositiveIntegerField(default=1)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "starts_at"], name="appointment_by_patient"),
            models.Index(fields=["clinician", "starts_at"], name="appointment_by_clinician"),
            # The visit-questionnaire sweep's question (measures/visits.py): booked, starting in the next days.
            models.Index(fields=["starts_at"], condition=Q(status="booked"), name="appointment_booked_by_start"),
            # The reminder sweep's question: booked, not reminded, starting soon.
            models.Index(
                fields=["starts_at"],
                condition=Q(status="booked", reminder_sent_at__isnull=True),
                name="appointment_to_remind",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"),
            models.CheckConstraint(
                condition=Q(clinician__isnull=False) | ~Q(group_name=""), name="appointment_has_clinician_or_group"
            ),
        ]

    def __str__(self) -> str:
        return f"Appointment {self.public_id} ({self.get_status_display()})"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at) / timedelta(minutes=1))

    @property
    def with_whom(self) -> str:
        """Who the patient sees: the clinician, or the group session's name."""
        if self.kind == self.Kind.GROUP and self.group_name:
            return self.group_name
        return self.clinician.display_name if self.clinician else self.group_name

    @property
    def is_telehealth(self) -> bool:
        return self.kind == self.Kind.TELEHEALTH


class AppointmentEvent(models.Model):
    """One change to an appointment: booked, moved, cancelled or its attendance, with who, when and why."""

    class Kind(models.TextChoices):
        BOOKED = "booked", "Booked"
        MOVED = "moved", "Moved"
        CANCELLED = "cancelled", "Cancelled"
        ATTENDANCE = "attendance", "Attendance recorded"
        CHANGED = "changed", "Details changed"

    appointment = models.ForeignKey(Appointment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    # What the event changed (for a move: the old and new start), for the timeline.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["appointment", "at"], name="appointment_event_by_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
