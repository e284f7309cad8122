"""Allergies and intolerances in the patient record (issue 15). Never deleted: an entry that was wrong or no longer
applies is ended, with who ended it, when and why, so the history stays readable."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from patients.models.charting import PERSON_FIELDS


class AllergyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)

    def for_chart(self):
        """Active entries first (most severe first), then ended ones newest first, with the people's names only."""
        people = (f"{who}__{name}" for who in ("recorded_by", "ended_by") for name in PERSON_FIELDS)
        own = (f.name for f in PatientAllergy._meta.concrete_fields)
        return (
            self.select_related("recorded_by", "ended_by")
            .only(*own, *people)
            .order_by(models.F("ended_at").desc(nulls_first=True), "substance", "id")
        )


class PatientAllergy(models.Model):
    """One allergy or intolerance: the substance, what happens, how severe, and who says so."""

    class Kind(models.TextChoices):
        ALLERGY = "allergy", "Allergy"
        INTOLERANCE = "intolerance", "Intolerance"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"
        UNKNOWN = "unknown", "Unknown"

    class Source(models.TextChoices):
        PATIENT_REPORTED = "patient_reported", "Reported by the patient"
        CLINICIAN_VERIFIED = "clinician_verified", "Verified by a clinician"
        RECORDS = "records", "From other records"

    class EndReason(models.TextChoices):
        ENTERED_IN_ERROR = "entered_in_error", "Entered in error"
        NO_LONGER_APPLIES = "no_longer_applies", "No longer applies"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="allergies")
    substance = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ALLERGY)
    reaction = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.UNKNOWN)
    source = models.CharField(max_length=20, choices=Source.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)

    objects = AllergyQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient"], condition=models.Q(ended_at__isnull=True), name="allergy_active"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True, ended_reason="")
                | models.Q(ended_at__isnull=False) & ~models.Q(ended_reason=""),
                name="allergy_ended_with_a_reason",
            )
        ]

    def __str__(self) -> str:
        return self.substance

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    def end(self, *, by, reason: str) -> bool:
        """End the entry with its reason, unless someone ended it first (False: their reason stays, nothing changes).

        One conditional update, so two people ending it at once cannot overwrite each other's reason."""
        now = timezone.now()
        ended = type(self).objects.filter(pk=self.pk, ended_at__isnull=True)
        if not ended.update(ended_at=now, ended_by=by, ended_reason=reason):
            return False
        self.ended_at, self.ended_by, self.ended_reason = now, by, reason
        return True

    def matches(self, *, name: str, code: str) -> bool:
        """The app's own simple rule, not a drug-allergy database: the substance, ignoring case, is the drug's code
        or appears in the drug's name ("oxycodone" matches "Oxycodone"; "penicillin" does not match "amoxicillin").
        """
        substance = self.substance.strip().casefold()
        return bool(substance) and (substance == code.strip().casefold() or substance in name.casefold())
