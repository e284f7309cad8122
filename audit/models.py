"""The append-only record of every access to patient data.

Rows are only ever inserted: the admin offers no change or delete, and a database trigger
(migration 0002) refuses UPDATE and DELETE for everyone, the app included.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Action(models.TextChoices):
    VIEW = "view", "Viewed"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    EXPORT = "export", "Exported"
    PRINT = "print", "Printed"
    REFUSED = "refused", "Refused"  # a 404 or 403 on a patient's object: who tried what (audit/refusals.py)


class AuditEventQuerySet(models.QuerySet):
    def for_patient(self, patient):
        return self.filter(patient=patient).select_related("actor").order_by("-at", "-id")

    def refused(self):
        return self.filter(action=Action.REFUSED)


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Who it was, as shown at the time (staff names change; patients have no account).
    actor_label = models.CharField(max_length=200)
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    target = models.CharField(max_length=200, help_text="The page or object, in words: 'chart', 'patient list'.")
    path = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # A list page: the public ids of the patients it showed (never names), in one event per page view.
    shown = models.JSONField(default=list, db_default=[], blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "-at"], name="audit_patient_recent"),
            models.Index(fields=["actor", "-at"], name="audit_actor_recent"),
            models.Index(fields=["-at"], name="audit_recent"),
            # Refused attempts are few among years of views: the privacy officer's lists stay small reads.
            models.Index(fields=["patient", "-at"], name="audit_refused_by_patient", condition=Q(action="refused")),
            models.Index(fields=["-at"], name="audit_refused_recent", condition=Q(action="refused")),
        ]
        permissions = [("view_access_report", "See who has looked at a patient's record")]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.get_action_display().lower()} {self.target} at {self.at:%Y-%m-%d %H:%M}"
