"""The chart: visits (encounters) with addenda, psychotherapy notes, the problem list, and the
clinician's pain classification and complexity rating (kept as history)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinic.roles import Discipline
from patients.encounters import EditConflict, NoteLocked, NotTheAuthor, describe
from patients.models.registry import Complexity, PainCondition, PainType


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
    # The appointment this note was started from (clinic.previsit_services.start_note_from_summary), if any:
    # a second "Start the visit note" for the same appointment opens this draft instead of making another.
    appointment = models.ForeignKey(
        "clinic.Appointment", null=True, blank=True, on_delete=models.SET_NULL, related_name="visit_notes"
    )
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

    # What the author may change while the note is a draft (patients/visit_services.py).
    DRAFT_FIELDS = (
        "occurred_on",
        "kind",
        "priorities",
        "findings",
        "functional_tests",
        "assessment",
        "plan",
        "free_text",
    )

    @property
    def functional_test_lines(self) -> list[str]:
        return [describe(entry) for entry in self.functional_tests or []]

    def save_draft(self, *, by, based_on_version: int, **changes) -> None:
        """Save the author's changes to a draft, only if nobody saved it since ``based_on_version``.

        One conditional UPDATE: raises NotTheAuthor, NoteLocked (signed meanwhile) or EditConflict
        (``current`` is the note as saved now); nothing is written then.
        """
        unknown = set(changes) - set(self.DRAFT_FIELDS)
        if unknown:
            raise TypeError(f"not draft fields: {sorted(unknown)}")
        if by.pk != self.author_id:
            raise NotTheAuthor()
        now = timezone.now()
        saved = Encounter.objects.filter(pk=self.pk, status=self.Status.DRAFT, version=based_on_version).update(
            **changes, version=models.F("version") + 1, updated_at=now
        )
        if not saved:
            self._refuse_change()
        for name, value in changes.items():
            setattr(self, name, value)
        self.version, self.updated_at = based_on_version + 1, now

    def sign(self, *, by, based_on_version: int) -> None:
        """Sign the draft as the author read it (``based_on_version``); a signed note is locked."""
        if by.pk != self.author_id:
            raise NotTheAuthor()
        now = timezone.now()
        signed = Encounter.objects.filter(pk=self.pk, status=self.Status.DRAFT, version=based_on_version).update(
            status=self.Status.SIGNED, signed_at=now, updated_at=now, version=models.F("version") + 1
        )
        if not signed:
            self._refuse_change()
        self.status, self.signed_at, self.updated_at, self.version = self.Status.SIGNED, now, now, based_on_version + 1

    def add_addendum(self, *, by, text: str) -> "Addendum":
        """A change to a signed note, kept apart from it with its author and time."""
        if not self.is_signed:
            raise ValueError("Addenda are for signed notes; the author changes a draft directly.")
        return Addendum.objects.create(encounter=self, author=by, text=text)

    def _refuse_change(self):
        current = Encounter.objects.select_related("author").get(pk=self.pk)
        if current.is_signed:
            raise NoteLocked(current)
        raise EditConflict(current)


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


# What a page shows of the person who made a change (User.display_name).
PERSON_FIELDS = ("username", "first_name", "last_name", "credentials")


class ProblemQuerySet(models.QuerySet):
    def unresolved(self):
        return self.exclude(status=Problem.Status.RESOLVED)

    def for_chart(self):
        """With who changed each problem last (their name only); the chart groups and orders them."""
        own = (f.name for f in Problem._meta.concrete_fields)
        return self.select_related("updated_by").only(*own, *(f"updated_by__{name}" for name in PERSON_FIELDS))


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

    objects = ProblemQuerySet.as_manager()

    #: The fields a clinician changes (Problem.change).
    EDITABLE = ("domain", "title", "status", "owner_discipline", "notes")

    class Meta:
        indexes = [models.Index(fields=["patient", "status", "domain"], name="problem_by_patient")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_resolved(self) -> bool:
        return self.status == self.Status.RESOLVED

    def change(self, *, by, **fields) -> list[str]:
        """Set the fields given (of EDITABLE) and save; returns the names of those that changed.

        Nothing changed: nothing is saved and updated_by/updated_at stay as they were.
        """
        if unknown := set(fields) - set(self.EDITABLE):
            raise TypeError(f"Not a problem field: {', '.join(sorted(unknown))}")
        changed = [name for name in self.EDITABLE if name in fields and getattr(self, name) != fields[name]]
        if changed:
            for name in changed:
                setattr(self, name, fields[name])
            self.updated_by, self.updated_at = by, timezone.now()
            self.save(update_fields=[*changed, "updated_by", "updated_at"])
        return changed


class RecordedHistoryQuerySet(models.QuerySet):
    """Pain classifications and complexity ratings: a patient's history, newest first, with who recorded it."""

    def newest_first(self):
        own = (f.name for f in self.model._meta.concrete_fields)
        people = (f"recorded_by__{name}" for name in PERSON_FIELDS)
        return self.select_related("recorded_by").only(*own, *people).order_by("-recorded_at", "-id")


class PainClassification(models.Model):
    """The clinician's pain type and conditions at one moment; the newest is copied onto the patient."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="pain_classifications")
    pain_type = models.CharField(max_length=20, choices=PainType.choices)
    # PainCondition values, the main one first.
    conditions = models.JSONField(default=list)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = RecordedHistoryQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="classification_by_patient")]

    def __str__(self) -> str:
        return f"{self.get_pain_type_display()} pain for patient {self.patient_id}"

    @property
    def condition_labels(self) -> list[str]:
        """The conditions in words, the main one first."""
        labels = dict(PainCondition.choices)
        return [labels.get(code, code) for code in self.conditions]


class ComplexityRating(models.Model):
    """Simple or complex, with the reason and date; the newest is copied onto the patient."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="complexity_ratings")
    level = models.CharField(max_length=10, choices=Complexity.choices)
    reason = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = RecordedHistoryQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["patient", "-recorded_at"], name="complexity_by_patient")]

    def __str__(self) -> str:
        return f"{self.get_level_display()} for patient {self.patient_id}"

    @property
    def level_word(self) -> str:
        """ "Simple" or "Complex", without the definition."""
        return self.get_level_display().split(":", 1)[0]
