"""Patient links: one patient, one purpose, a hashed token, an expiry, closed once completed."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class PatientLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(expires_at__gt=now, completed_at__isnull=True, revoked_at__isnull=True)


class PatientLink(models.Model):
    class Purpose(models.TextChoices):
        CHECK_IN = "check_in", "Check-in"
        QUESTIONNAIRES = "questionnaires", "Questionnaires"
        INTAKE = "intake", "Pre-visit intake"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="links")
    purpose = models.CharField(max_length=20, choices=Purpose.choices, default=Purpose.CHECK_IN)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    first_opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    renewal_requested_at = models.DateTimeField(null=True, blank=True)

    objects = PatientLinkQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["patient", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} link for patient {self.patient_id}"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.expires_at > now and self.completed_at is None and self.revoked_at is None
