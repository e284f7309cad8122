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


class PatientSessionQuerySet(models.QuerySet):
    def live(self, now=None):
        now = now or timezone.now()
        return self.filter(ended_at__isnull=True, expires_at__gt=now)


class PatientSession(models.Model):
    """A patient signed in on one device: started by a link's "Continue", ended by signing out, by the care
    team, or by time (idle for PortalSessions.IDLE, or at most REMEMBER days with "Remember this phone").

    Only the SHA-256 hash of the session's random key is stored; the key itself lives in the device's
    Django session (server side), never in a URL."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="portal_sessions")
    link = models.ForeignKey(PatientLink, on_delete=models.CASCADE, related_name="sessions")
    key_hash = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    remember = models.BooleanField(default=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = PatientSessionQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient"], condition=models.Q(ended_at__isnull=True), name="portal_session_open"),
        ]

    def __str__(self) -> str:
        return f"Portal session of patient {self.patient_id}"

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.ended_at is None and self.expires_at > now
