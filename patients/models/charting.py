"""The chart: visits (encounters) with addenda, psychotherapy notes, the problem list, and the
clinician's pain classification and complexity rating (kept as history)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.roles import Discipline
from patients.models.registry import Complexity, PainType


class EncounterQuerySet(models.QuerySet):
    def drafts(self):
        return self.filter(status=Encounter.Status.DRAFT)

    def signed(self):
        return self.filter(status=Encounter.Status.SIGNED)

    def newest_first(self):
        return self.order_by("-occurred_on", "-created_at", "-id")


class Encounter(models.Model):
    """One visit, charted by one clinician. A signed note is locked; changes are addenda."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Initial assessment"
        FOLLOW_UP = "follow_up", "Follow-up"
        GROUP = "group", "Group session"
        REMOTE = "remote", "Phone or video"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SIGNED = "signed", "Signed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="encounters")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="encounters")
    # The author's discipline when they wrote it (a person's discipline can change later).
    discipline = models.CharField(max_length=30, choices=Discipline.choices)
    occurred_on = models.DateField(default=timezone.localdate)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FOLLOW_UP)
    priorities = models.TextField("the patient's priorities today", blank=True)
    findings = models.TextField(blank=True)
    # Functional tests: a list of {"test": code, "value": number, "note": text} (patients/encounters.py).
    functional_tests = models.JSONField(default=list, blank=True)
    assessment = models.TextField(blank=True)
    plan = models.TextField(blank=True)
    free_text = models.TextField("other notes", blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    signed_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking for drafts: a save based on an older version is refused, not merged.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = EncounterQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "-occurred_on", "-created_at"], name="encounter_timeline"),
            models.Index(fields=["author"], condition=models.Q(status="draft"), name="encounter_unsigned_by_author"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on} for patient {self.patient_id}"

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED


class Addendum(models.Model):
    """A change to a signed note: the original stays as it was signed."""

    encounter = models.ForeignKey(Encounter, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Addendum to encounter {self.encounter_id}"


class PsychotherapyNote(models.Model):
    """Process notes a psychologist keeps apart from the chart; only psychologists may read them.

    The chart shows that one exists (date and author), never its content.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="psychotherapy_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    occurred_on = models.DateField(default=timezone.localdate)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["patient", "-occurred_on"], name="psychotherapy_note_by_patient")]

    def __str__(self) -> str:
        return f"Psychotherapy note {self.public_id}"


class Problem(models.Model):
    """One entry of the biopsychosocial problem list."""

    class Domain(models.TextChoices):
        PAIN = "pain", "Pain"
        SLEEP = "sleep", "Sleep"
        MOOD = "mood", "Mood"
        SUBSTANCE_USE = "substance_use", "Substance use"
        FAMILY = "family", "Family"
        FINANCIAL_VOCATIONAL = "financial_vocational", "Financial or vocational"
        RECREATIONAL_SOCIAL = "recreational_social", "Recreational or social"
        MEDICAL_OTHER = "medical_other", "Medical (other)"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        MONITORING = "monitoring", "Monitoring"
        RESOLVED = "resolved", "Resolved"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="problems")
    domain = models.CharField(max_length=24, choices=Domain.choices)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    owner_discipline = models.CharField(max_length=30, choices=Discipline.choices, blank=True)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["patient", "status", "domain"], name="problem_by_patient")]

    def __str__(self) -> str:
        return self.title


class PainClassification(models.Model):
    """The clinician's pain type and conditions at one moment; the newest is copied onto the patient."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="pain_classifications")
    pain_type = models.CharField(max_length=20, choices=PainType.choices)
    # PainCondition values, the main one first.
    conditions = models.JSONField(default=list)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="classification_by_patient")]

    def __str__(self) -> str:
        return f"{self.get_pain_type_display()} pain for patient {self.patient_id}"


class ComplexityRating(models.Model):
    """Simple or complex, with the reason and date; the newest is copied onto the patient."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="complexity_ratings")
    level = models.CharField(max_length=10, choices=Complexity.choices)
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="complexity_by_patient")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} for patient {self.patient_id}"
