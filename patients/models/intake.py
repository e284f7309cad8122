"""The pre-visit intake (the patient's story, told through a portal link) and red flags."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from patients.models.charting import PERSON_FIELDS
from patients.redflags import ALL_ITEMS_BY_CODE, EMERGENCY, REVIEW


class Intake(models.Model):
    """One patient's story before the first visit, saved section by section as they go.

    ``answers`` holds each section's answers under the section's code (patients/intake.py defines
    the sections and their fields); ``red_flag_answers`` holds the red-flag screen's answers
    (item code -> true/false, patients/redflags.py) apart, because they raise tasks as they are saved.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="intakes")
    link = models.OneToOneField(
        "portal.PatientLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="intake"
    )
    answers = models.JSONField(default=dict, blank=True)
    red_flag_answers = models.JSONField(default=dict, blank=True)
    # The red-flag screen's level as last assessed (patients.redflags LEVELS), "" before any answer.
    red_flag_level = models.CharField(max_length=12, blank=True, default="")
    # Codes of the sections the patient has saved at least once, in the order they saved them.
    sections_saved = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "-created_at"], name="intake_by_patient")]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(submitted_at__isnull=True), name="one_open_intake_per_patient"
            ),
        ]

    def __str__(self) -> str:
        return f"Intake {self.public_id} for patient {self.patient_id}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class RedFlagQuerySet(models.QuerySet):
    def unacknowledged(self):
        return self.filter(acknowledged_at__isnull=True)

    def most_pressing_first(self):
        """Unacknowledged first, emergency before review, then newest first."""
        open_first = models.Case(
            models.When(acknowledged_at__isnull=True, then=0), default=1, output_field=models.IntegerField()
        )
        emergency_first = models.Case(
            models.When(level=EMERGENCY, then=0),
            models.When(level=REVIEW, then=1),
            default=2,
            output_field=models.IntegerField(),
        )
        return self.order_by(open_first, emergency_first, "-found_at", "-id")

    def with_people(self):
        """With who found and who acknowledged each flag (their names only)."""
        own = (f.name for f in RedFlag._meta.concrete_fields)
        people = (f"{who}__{name}" for who in ("found_by", "acknowledged_by") for name in PERSON_FIELDS)
        return self.select_related("found_by", "acknowledged_by").only(*own, *people)


class RedFlag(models.Model):
    """A red flag the patient reported at intake or a clinician found at examination.

    ``code`` is an item code of patients.redflags (the intake screen or the examination findings);
    ``level`` is that item's level when it was recorded (emergency or review).
    """

    class Source(models.TextChoices):
        INTAKE = "intake", "Reported by the patient at intake"
        EXAMINATION = "examination", "Found at examination"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="red_flags")
    code = models.CharField(max_length=60)
    level = models.CharField(max_length=12)
    source = models.CharField(max_length=12, choices=Source.choices)
    intake = models.ForeignKey(Intake, null=True, blank=True, on_delete=models.CASCADE, related_name="red_flags")
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)
    found_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledgement = models.TextField(blank=True)

    objects = RedFlagQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "-found_at"], name="redflag_by_patient"),
            models.Index(fields=["patient"], condition=Q(acknowledged_at__isnull=True), name="redflag_open"),
        ]
        constraints = [
            # A second submit or a retried request cannot record the same intake answer twice.
            models.UniqueConstraint(
                fields=["intake", "code"], condition=Q(intake__isnull=False), name="one_flag_per_intake_item"
            ),
        ]

    def __str__(self) -> str:
        return f"Red flag {self.code} for patient {self.patient_id}"

    @property
    def item(self):
        """The patients.redflags item this flag names (screen or examination), or None for an unknown code."""
        return ALL_ITEMS_BY_CODE.get(self.code)

    @property
    def text(self) -> str:
        return self.item.text if self.item else self.code

    @property
    def text_in_sentence(self) -> str:
        """The item's words to follow "Red flag: " (first letter in lower case)."""
        text = self.text
        return text[:1].lower() + text[1:]

    @property
    def is_emergency(self) -> bool:
        return self.level == EMERGENCY

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None

    def acknowledge(self, *, by, note: str) -> bool:
        """Stamp who acknowledged the flag, when, and what was done; False if someone already had.

        A conditional update, so two clinicians acknowledging at once leave the first one's note.
        """
        now = timezone.now()
        done = RedFlag.objects.filter(pk=self.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=now, acknowledged_by=by, acknowledgement=note.strip()
        )
        if done:
            self.acknowledged_at, self.acknowledged_by, self.acknowledgement = now, by, note.strip()
        return bool(done)
