"""The safety net's records: the on-duty rota, staff away, and the history of a patient's care team.

Who receives urgent work is decided
from these rows at the moment the work is raised (clinic/safety_net.py).
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic import duty


class DutyShiftQuerySet(models.QuerySet):
    def covering(self, slot: duty.DutySlot):
        return self.filter(on=slot.on, slot=slot.slot)

    def between(self, first: date, last: date):
        return self.filter(on__gte=first, on__lte=last).select_related("clinician").order_by("on", "slot")


class DutyShift(models.Model):
    """One clinician covering one slot of one day (clinic hours, or after hours up to the next opening)."""

    class Slot(models.TextChoices):
        CLINIC_HOURS = duty.CLINIC_HOURS, duty.SLOT_WORDS[duty.CLINIC_HOURS]
        AFTER_HOURS = duty.AFTER_HOURS, duty.SLOT_WORDS[duty.AFTER_HOURS]

    on = models.DateField()
    slot = models.CharField(max_length=12, choices=Slot.choices)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="duty_shifts")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    objects = DutyShiftQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["on", "slot"], name="one_clinician_per_duty_slot")]

    def __str__(self) -> str:
        return f"{self.get_slot_display()} on {self.on:%Y-%m-%d}"


class StaffAbsenceQuerySet(models.QuerySet):
    def on(self, day: date):
        return self.filter(starts_on__lte=day, ends_on__gte=day)

    def current_and_coming(self, today: date):
        return self.filter(ends_on__gte=today).select_related("staff").order_by("starts_on", "id")


class StaffAbsence(models.Model):
    """A member of staff away from ``starts_on`` to ``ends_on`` (both included): their urgent work routes on."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="absences")
    starts_on = models.DateField()
    ends_on = models.DateField()
    note = models.CharField(max_length=200, blank=True, help_text="For the team, for example who covers.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = StaffAbsenceQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["staff", "ends_on"], name="absence_by_staff")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="absence_ends_after_start")
        ]

    def __str__(self) -> str:
        return f"Away {self.starts_on:%Y-%m-%d} to {self.ends_on:%Y-%m-%d}"


class CareTeamChange(models.Model):
    """One change to a patient's care team: who was added, removed, made lead or no longer lead; who, when, why."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added to the team"
        REMOVED = "removed", "Removed from the team"
        MADE_LEAD = "made_lead", "Made lead clinician"
        LEAD_ENDED = "lead_ended", "No longer lead clinician"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="care_team_changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["patient", "-at"], name="care_team_change_by_patient")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (patient {self.patient_id})"
