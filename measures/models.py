"""Instruments, measurement schedules, invitations (one link per bundle), responses and alerts.

Scoring is pure (measures/scoring.py); these rows keep every answer, the instrument version and
the computed score, so a score can always be recomputed.
"""

import functools
import json
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from measures.definitions import InstrumentDefinition, load_definition


@functools.lru_cache(maxsize=256)
def _parsed(checksum: str, text: str) -> InstrumentDefinition:
    return load_definition(json.loads(text))


def definition_for(checksum: str, definition: dict) -> InstrumentDefinition:
    """The validated definition, parsed once per process for each checksum (it never changes)."""
    return _parsed(checksum, json.dumps(definition, sort_keys=True))


class InstrumentQuerySet(models.QuerySet):
    def newest_active(self) -> dict[str, "Instrument"]:
        """Code -> the newest active version of each instrument (one query)."""
        return {instrument.code: instrument for instrument in self.filter(active=True).order_by("loaded_at", "id")}


class Instrument(models.Model):
    """One version of a questionnaire: shipped with the app or loaded by a clinic under its licence."""

    code = models.SlugField(max_length=40)
    version = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    definition = models.JSONField(help_text="The validated definition file (measures/definitions.py format).")
    checksum = models.CharField(max_length=64)
    shipped = models.BooleanField(default=True)
    active = models.BooleanField(default=True, help_text="Offered for new schedules and entries.")
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_at = models.DateTimeField(default=timezone.now)

    objects = InstrumentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="one_instrument_per_version")]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"

    @property
    def spec(self) -> InstrumentDefinition:
        return definition_for(self.checksum, self.definition)


class MeasurementSchedule(models.Model):
    """How often one patient is asked one instrument; the due sweep reads `next_due_on`.

    Few indexes on purpose: the due sweep rewrites next_due_on for every due row, and each index
    is one more write per row. The unique (patient, instrument_code) index serves lookups by patient.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="measurement_schedules", db_index=False
    )
    instrument_code = models.CharField(max_length=40)
    every_days = models.PositiveSmallIntegerField()
    next_due_on = models.DateField()
    active = models.BooleanField(default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "instrument_code"], name="one_schedule_per_instrument")
        ]
        indexes = [models.Index(fields=["next_due_on"], condition=Q(active=True), name="schedule_due")]

    def __str__(self) -> str:
        return f"{self.instrument_code} every {self.every_days} days"


class Invitation(models.Model):
    """The questionnaires due for one patient on one day, sent together as one link."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="invitations")
    due_on = models.DateField()
    instrument_codes = models.JSONField(default=list)
    link = models.OneToOneField(
        "portal.PatientLink", null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    next_reminder_at = models.DateTimeField(null=True, blank=True)
    not_reached_at = models.DateTimeField(null=True, blank=True)
    # Set when a visit asked for it (measures/visits.py): not answerable from this moment on (the end of the
    # visit's day; its link expires then too), and no reminder after it. Empty for the interval schedule alone.
    closes_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["patient", "due_on"], name="one_invitation_per_day")]
        indexes = [
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(completed_at__isnull=True, next_reminder_at__isnull=False),
                name="invitation_reminder_due",
            ),
            models.Index(fields=["due_on"], condition=Q(completed_at__isnull=True), name="invitation_open_due"),
            # The visit sweep's re-timing pass: open invitations a visit asked for.
            models.Index(
                fields=["closes_at"],
                condition=Q(completed_at__isnull=True, closes_at__isnull=False),
                name="invitation_visit_open",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for patient {self.patient_id} due {self.due_on}"


class ResponseQuerySet(models.QuerySet):
    def completed(self):
        return self.filter(completed_at__isnull=False)

    def scored(self):
        return self.filter(completed_at__isnull=False, total__isnull=False)

    def for_trends(self, *, latest: int = 60):
        """Scored responses for trend charts: per instrument code, the first one ever (the baseline)
        and the latest ``latest``, oldest first. One query, whatever the length of the history."""
        by_code = {"partition_by": [F("instrument__code")]}
        return (
            self.scored()
            .annotate(
                number_from_first=Window(RowNumber(), order_by=[F("completed_at").asc(), F("id").asc()], **by_code),
                number_from_latest=Window(RowNumber(), order_by=[F("completed_at").desc(), F("id").desc()], **by_code),
            )
            .filter(Q(number_from_first=1) | Q(number_from_latest__lte=latest))
            .order_by("instrument__code", "completed_at", "id")
        )


class Response(models.Model):
    """One patient's answers to one instrument version, and the score computed from them."""

    class Source(models.TextChoices):
        PORTAL = "portal", "Patient, by link"
        KIOSK = "kiosk", "Patient, on a clinic tablet"
        ON_BEHALF = "on_behalf", "Entered by staff for the patient"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.PORTAL)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict)
    context = models.JSONField(default=dict, blank=True, help_text="Scoring context, e.g. {'sex': 'female'}.")
    total = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    band = models.CharField(max_length=60, blank=True)
    positive = models.BooleanField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True)
    valid = models.BooleanField(default=False)
    # The language the questions were given in (the instrument definition's own, or one of its publisher's
    # official translations: nothing else is ever shown, so a Spanish-speaking patient with no official
    # Spanish loaded answers the English wording, and the care team sees "answered in English").
    language = models.CharField(max_length=10, default="en", db_default="en")  # db_default: bulk COPY loads

    objects = ResponseQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "instrument", "completed_at"], name="response_trend"),
            models.Index(fields=["patient", "-completed_at"], name="response_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "instrument"],
                condition=Q(invitation__isnull=False),
                name="one_response_per_invited_instrument",
            )
        ]

    def __str__(self) -> str:
        return f"{self.instrument.name} response {self.public_id}"

    @property
    def worded_spec(self):
        """The instrument in the words its questions are given in (Response.language): its own, or the
        official translation the response was started in. Scoring is the same whatever the words."""
        return self.instrument.spec.worded_in(self.language)

    @property
    def language_name(self) -> str:
        """English, Spanish, ... (the registry's names; the code itself for one it does not list)."""
        from patients.models import Language

        return dict(Language.choices).get(self.language, self.language)


class AlertQuerySet(models.QuerySet):
    def unacknowledged(self):
        return self.filter(acknowledged_at__isnull=True)

    def for_banner(self, patient):
        """The patient's open alerts, urgent (safety) ones first, with what the banner shows."""
        urgent_first = models.Case(
            models.When(kind=Alert.Kind.SAFETY, then=0), default=1, output_field=models.IntegerField()
        )
        return (
            self.unacknowledged()
            .filter(patient=patient)
            .select_related("response")
            .annotate(
                instrument_name=F("response__instrument__name"),
                instrument_code=F("response__instrument__code"),
                urgency=urgent_first,
            )
            .defer("response__answers", "response__context")
            .order_by("urgency", "-created_at", "-id")
        )

    def history_for(self, patient, *, code: str):
        """Every alert raised by the patient's responses to one instrument, newest first."""
        return (
            self.filter(patient=patient, response__instrument__code=code)
            .select_related("response", "acknowledged_by")
            .defer("response__answers", "response__context")
            .order_by("-created_at", "-id")
        )


class Alert(models.Model):
    """A safety or review alert from a response; shown on the chart until a clinician acknowledges it."""

    class Kind(models.TextChoices):
        SAFETY = "safety", "Safety: thoughts of self-harm (PHQ-9 item 9)"
        POSITIVE_SCREEN = "positive_screen", "Positive screen"
        SEVERE = "severe", "Severe range"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="alerts")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now)
    task = models.ForeignKey("clinic.TeamTask", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledgement = models.CharField(max_length=500, blank=True, help_text="What was done.")

    objects = AlertQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "kind"], name="one_alert_per_kind_per_response")]
        indexes = [
            models.Index(fields=["patient"], condition=Q(acknowledged_at__isnull=True), name="alert_open_by_patient")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for patient {self.patient_id}"

    @property
    def is_urgent(self) -> bool:
        return self.kind == self.Kind.SAFETY


class MeasureSummaryQuerySet(models.QuerySet):
    def not_improving(self):
        return self.filter(not_improving=True)


class MeasureSummary(models.Model):
    """Per patient and instrument code: the first (baseline) and the latest scored response, how many
    scored responses there are, and whether the caseload's rule (measures.caseload.not_improving) judges
    the patient not improving. Kept in step by measures.services when a response is submitted, so the
    caseload reads a few small rows instead of every response of every patient."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="measure_summaries")
    instrument_code = models.SlugField(max_length=40)
    baseline_total = models.DecimalField(max_digits=8, decimal_places=4)
    baseline_at = models.DateTimeField()
    latest_total = models.DecimalField(max_digits=8, decimal_places=4)
    latest_at = models.DateTimeField()
    responses_count = models.PositiveIntegerField()
    not_improving = models.BooleanField(default=False)

    objects = MeasureSummaryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "instrument_code"], name="one_summary_per_instrument")
        ]
        indexes = [
            models.Index(fields=["patient"], condition=Q(not_improving=True), name="summary_not_improving"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_code} summary for patient {self.patient_id}"


class VisitProtocol(models.Model):
    """One line of the clinic's visit protocol: "N days before a booked appointment of these kinds, ask these
    instruments" (measures/visits.py), besides the interval schedules. Clinic data, edited in the admin site;
    the default line is seeded by a migration (measures.visits.DEFAULT_VISIT_PROTOCOL)."""

    name = models.CharField(max_length=120)
    days_before = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(14)], help_text="1 to 14 days."
    )
    instrument_codes = models.JSONField(default=list, help_text='Instrument codes, e.g. ["peg"].')
    appointment_kinds = models.JSONField(default=list, help_text='Appointment kinds, e.g. ["follow_up"].')
    with_due_schedules = models.BooleanField(
        default=True,
        help_text="Also ask what the patient's interval schedule has due by the day of the visit.",
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["days_before", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(days_before__gte=1, days_before__lte=14), name="visit_days_before_1_14")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.days_before} days before)"


class VisitAsk(models.Model):
    """The claim that one protocol line has asked for one appointment: written once (unique), so a redelivered
    sweep, a second worker or a coordinator's "send what is due now" never asks twice. `instrument_codes` are
    the instruments the visit asked for (a cancelled visit closes an invitation made only of those)."""

    appointment = models.ForeignKey("clinic.Appointment", on_delete=models.CASCADE, related_name="+")
    protocol = models.ForeignKey(VisitProtocol, on_delete=models.CASCADE, related_name="asks")
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="visit_asks"
    )
    instrument_codes = models.JSONField(default=list)
    asked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["appointment", "protocol"], name="one_ask_per_visit_and_line")]

    def __str__(self) -> str:
        return f"Visit ask {self.protocol_id} for appointment {self.appointment_id}"
