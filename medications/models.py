"""Medications and opioid safety: the medication list and its history, opioid safety flags acknowledged,
naloxone, opioid trials, the clinic's versioned opioid policy and treatment agreements, drug screens, PDMP
checks, refill/loss/escalation events, closer monitoring plans, and tapers with the doses actually taken.

These models were first written in the careplans app and moved here without touching the database: each
keeps its table (``Meta.db_table = "careplans_<model>"``; the migrations say how), so rows, ids, indexes and
constraints are those of before. An opioid trial's goals are care-plan goals (careplans.Goal).
"""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from medications.rules import routes

ROUTE_CHOICES = [(route.value, label) for route, label in routes.ROUTE_LABELS.items()]


class MedicationQuerySet(models.QuerySet):
    def current(self):
        return self.filter(stopped_on__isnull=True)

    def past(self):
        return self.filter(stopped_on__isnull=False)

    def opioids(self):
        return self.filter(drug_class="opioid")

    def for_list(self):
        """With the prescriber (one query), in a stable order: opioids first, then by drug."""
        return self.select_related("prescriber").order_by(
            models.Case(models.When(drug_class="opioid", then=0), default=1), "drug_code", "id"
        )


def how_often(times: str) -> str:
    """ "once a day", "twice a day", "3 times a day" ("?" when not recorded)."""
    return {"1": "once a day", "2": "twice a day"}.get(times, f"{times} times a day")


class Medication(models.Model):
    """One medication line, current or past. Every change is a MedicationChange with who and why.

    ``drug_code`` is a code of medications/rules/drugs.py (the maintained list with drug classes); opioids map
    to medications.rules.mme for MME. Only prescribers add or change opioid and benzodiazepine lines.
    """

    class Form(models.TextChoices):
        TABLET = "tablet", "Tablet"
        CAPSULE = "capsule", "Capsule"
        EXTENDED_RELEASE = "extended_release", "Extended-release tablet or capsule"
        PATCH = "patch", "Patch"
        LIQUID = "liquid", "Liquid"
        INJECTION = "injection", "Injection"
        OTHER = "other", "Other"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="medications")
    drug_code = models.CharField(max_length=40)
    # Copied from the drug list when saved, so queries by class need no lookup in code.
    drug_class = models.CharField(max_length=20)
    strength = models.DecimalField(max_digits=8, decimal_places=3)
    strength_unit = models.CharField(max_length=10, default="mg")
    form = models.CharField(max_length=20, choices=Form.choices, default=Form.TABLET)
    # medications/rules/routes.py: the list and when a drug, form and route agree. Lines written before the route
    # was recorded were filled from their form (migration 0005); an injection was left "not recorded".
    route = models.CharField(max_length=20, choices=ROUTE_CHOICES, default=routes.NOT_RECORDED.value)
    units_per_dose = models.DecimalField(max_digits=6, decimal_places=2, default=1)
    # Scheduled: doses_per_day. As needed (PRN): the maximum doses a day.
    doses_per_day = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    is_prn = models.BooleanField("as needed (PRN)", default=False)
    prn_max_doses_per_day = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    prescriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A prescriber outside the clinic (primary care, a surgeon ...).
    outside_prescriber = models.CharField(max_length=200, blank=True)
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    stop_reason = models.TextField(blank=True)
    reason = models.CharField("reason for use", max_length=200, blank=True)
    pain_type_targeted = models.CharField(max_length=20, blank=True)
    benefit = models.TextField("benefit noted", blank=True)
    side_effects = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = MedicationQuerySet.as_manager()

    class Meta:
        db_table = "careplans_medication"
        indexes = [
            models.Index(fields=["patient"], condition=Q(stopped_on__isnull=True), name="medication_current"),
            models.Index(fields=["patient", "-started_on"], name="medication_by_patient"),
            models.Index(
                fields=["drug_class", "patient"], condition=Q(stopped_on__isnull=True), name="medication_current_class"
            ),
        ]

    def __str__(self) -> str:
        return f"Medication {self.public_id}"

    #: The fields a change records (history before/after) and the services set.
    TRACKED_FIELDS = (
        "drug_code",
        "strength",
        "form",
        "route",
        "units_per_dose",
        "doses_per_day",
        "is_prn",
        "prn_max_doses_per_day",
        "prescriber",
        "outside_prescriber",
        "started_on",
        "stopped_on",
        "stop_reason",
        "reason",
        "pain_type_targeted",
        "benefit",
        "side_effects",
    )

    @property
    def drug(self):
        """The medications.rules.drugs entry, or None for a code not on the maintained list."""
        from medications.rules import drugs

        try:
            return drugs.by_code(self.drug_code)
        except KeyError:
            return None

    @property
    def drug_name(self) -> str:
        drug = self.drug
        return drug.name if drug else f"{self.drug_code} (not on the drug list)"

    @property
    def is_controlled(self) -> bool:
        """Opioid and benzodiazepine lines: only prescribers add or change them."""
        return self.drug_class in ("opioid", "benzodiazepine")

    @property
    def is_current(self) -> bool:
        return self.stopped_on is None

    @property
    def form_and_route(self) -> str:
        """ "Tablet, oral (by mouth)", "Patch, transdermal (through the skin)", "Injection, route not recorded"."""
        route = self.get_route_display().lower() if self.route != routes.NOT_RECORDED else "route not recorded"
        return f"{self.get_form_display()}, {route}"

    @property
    def most_a_day(self) -> str:
        """An as-needed line's most doses a day, as written ("4", "2.5"; "?" when not recorded)."""
        return _plain(self.prn_max_doses_per_day) if self.prn_max_doses_per_day is not None else "?"

    @property
    def dose_words(self) -> str:
        """The dose in words: "5 mg x 2, 4 times a day", "25 mcg/hr x 1 worn at once", "5 mg, as needed, up to 4 a
        day"."""
        strength = f"{_plain(self.strength)} {self.strength_unit}"
        units = _plain(self.units_per_dose)
        if self.strength_unit == "mcg/hr":
            return f"{strength} x {units} worn at once"
        amount = f"{strength} x {units}" if self.units_per_dose != 1 else strength
        if self.is_prn:
            return f"{amount}, as needed, up to {self.most_a_day} a day"
        times = _plain(self.doses_per_day) if self.doses_per_day is not None else "?"
        return f"{amount}, {how_often(times)}"

    def snapshot(self) -> dict:
        """The tracked fields as JSON-safe values (for MedicationChange.before/after)."""
        values = {}
        for name in self.TRACKED_FIELDS:
            value = getattr(self, "prescriber_id" if name == "prescriber" else name)
            if isinstance(value, Decimal):
                value = f"{value.normalize():f}"  # 4.00 and 4 are the same dose
            values[name] = value if value is None or isinstance(value, (bool, int, str)) else str(value)
        return values

    def taken_on(self, day) -> bool:
        """Whether the line was being taken on that day (a line without a start date counts from always)."""
        return (self.started_on is None or self.started_on <= day) and (
            self.stopped_on is None or self.stopped_on > day
        )

    def mme_fields(self) -> dict:
        """The fields medications.rules.safety.mme_line reads."""
        return {
            "drug_code": self.drug_code,
            "drug_class": self.drug_class,
            "strength": self.strength,
            "units_per_dose": self.units_per_dose,
            "doses_per_day": self.doses_per_day,
            "is_prn": self.is_prn,
            "prn_max_doses_per_day": self.prn_max_doses_per_day,
        }


def _plain(number) -> str:
    """A Decimal without trailing zeros: 5.000 -> "5", 7.50 -> "7.5"."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class MedicationChange(models.Model):
    """History of a medication line: added, changed, stopped or annotated (pharmacists annotate)."""

    class Kind(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Changed"
        STOPPED = "stopped", "Stopped"
        ANNOTATED = "annotated", "Annotated"

    medication = models.ForeignKey(Medication, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_medicationchange"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["medication", "-at"], name="medication_change_by_line")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} medication {self.medication_id}"


class OpioidFlagAcknowledgement(models.Model):
    """A safety flag (a code of medications.rules.safety.SAFETY_FLAG_ORDER) acknowledged with a reason; it reappears
    after review_on."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="opioid_flag_acks")
    flag = models.CharField(max_length=30)
    reason = models.TextField()
    review_on = models.DateField()
    mme_at_the_time = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_opioidflagacknowledgement"
        indexes = [models.Index(fields=["patient", "flag", "-review_on"], name="opioid_flag_ack_by_patient")]

    def __str__(self) -> str:
        return f"{self.flag} acknowledged for patient {self.patient_id}"


class NaloxoneRecord(models.Model):
    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        PRESCRIBED = "prescribed", "Prescribed"
        DECLINED = "declined", "Declined"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="naloxone_records")
    status = models.CharField(max_length=12, choices=Status.choices)
    on = models.DateField(default=timezone.localdate)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_naloxonerecord"
        indexes = [models.Index(fields=["patient", "-on"], name="naloxone_by_patient")]

    def __str__(self) -> str:
        return f"Naloxone {self.status} on {self.on}"


class OpioidTrial(models.Model):
    """A time-limited opioid trial judged by function: goals, a review 1-4 weeks out, and a decision."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue"
        ADJUST = "adjust", "Adjust"
        TAPER = "taper", "Taper"
        STOP = "stop", "Stop"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="opioid_trials")
    medication = models.ForeignKey(Medication, null=True, blank=True, on_delete=models.SET_NULL, related_name="trials")
    goals = models.ManyToManyField("careplans.Goal", blank=True, related_name="opioid_trials")
    started_on = models.DateField(default=timezone.localdate)
    review_on = models.DateField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    function_vs_goals = models.TextField(blank=True)
    benefit_documented = models.BooleanField(null=True, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "careplans_opioidtrial"
        indexes = [
            models.Index(fields=["patient", "-started_on"], name="opioid_trial_by_patient"),
            models.Index(fields=["review_on"], condition=Q(reviewed_at__isnull=True), name="opioid_trial_review_due"),
        ]

    def __str__(self) -> str:
        return f"Opioid trial {self.public_id}"


class AgreementPolicy(models.Model):
    """The clinic's written opioid policy, versioned: an edit by a clinic admin is a new version.

    ``sections`` is a list of {"heading": ..., "text": ...} in plain words (drug screens, early refills and
    lost medication, self-escalation, flares, which medications, dose limits, breakthrough medication).
    The monitoring intervals drive the due dates of drug screens and PDMP checks.
    """

    version = models.PositiveIntegerField(unique=True)
    sections = models.JSONField(default=list)
    drug_screen_every_days = models.PositiveSmallIntegerField(default=365)
    pdmp_every_days = models.PositiveSmallIntegerField(default=90)
    agreement_review_every_days = models.PositiveSmallIntegerField(default=365)
    # Stopping from above this MME/day, or tapering faster than the chosen rate, needs a recorded reason.
    taper_reason_above_mme = models.DecimalField(max_digits=7, decimal_places=2, default=50)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_agreementpolicy"
        ordering = ["-version"]
        verbose_name_plural = "agreement policies"

    def __str__(self) -> str:
        return f"Opioid policy version {self.version}"


class TreatmentAgreement(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="treatment_agreements")
    policy = models.ForeignKey(AgreementPolicy, on_delete=models.PROTECT, related_name="agreements")
    signed_on = models.DateField()
    review_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_treatmentagreement"
        indexes = [models.Index(fields=["patient", "-signed_on"], name="agreement_by_patient")]

    def __str__(self) -> str:
        return f"Treatment agreement signed {self.signed_on}"


class DrugScreen(models.Model):
    """A urine drug screen: expected and unexpected findings and the action taken."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="drug_screens")
    collected_on = models.DateField()
    expected_findings = models.TextField(blank=True)
    unexpected_findings = models.TextField(blank=True)
    action_taken = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_drugscreen"
        indexes = [models.Index(fields=["patient", "-collected_on"], name="drug_screen_by_patient")]

    def __str__(self) -> str:
        return f"Drug screen on {self.collected_on}"


class PdmpCheck(models.Model):
    """A prescription drug monitoring programme check."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="pdmp_checks")
    checked_on = models.DateField()
    findings = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_pdmpcheck"
        indexes = [models.Index(fields=["patient", "-checked_on"], name="pdmp_check_by_patient")]

    def __str__(self) -> str:
        return f"PDMP check on {self.checked_on}"


class MedicationEvent(models.Model):
    class Kind(models.TextChoices):
        EARLY_REFILL = "early_refill", "Early refill request"
        LOST_OR_STOLEN = "lost_or_stolen", "Lost or stolen medication"
        SELF_ESCALATION = "self_escalation", "Took more than prescribed"

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="medication_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    on = models.DateField(default=timezone.localdate)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_medicationevent"
        indexes = [models.Index(fields=["patient", "-on"], name="medication_event_by_patient")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on}"


class MonitoringPlan(models.Model):
    """A closer monitoring plan decided by the prescriber (e.g. 1-2 week supplies, more frequent screens)."""

    patient = models.OneToOneField("patients.Patient", on_delete=models.CASCADE, related_name="monitoring_plan")
    supply_days = models.PositiveSmallIntegerField(null=True, blank=True)
    drug_screen_every_days = models.PositiveSmallIntegerField(null=True, blank=True)
    pdmp_every_days = models.PositiveSmallIntegerField(null=True, blank=True)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_monitoringplan"

    def __str__(self) -> str:
        return f"Monitoring plan for patient {self.patient_id}"


class TaperPlan(models.Model):
    """A slow, dated reduction from the current regimen; never an abrupt stop.

    ``schedule`` is the pure planner's output (medications/rules/tapering.py) when the plan was made:
    a list of {"on": date, "mme": number, "note": text}. Actual doses are TaperActual rows.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        STOPPED = "stopped", "Stopped"

    class Period(models.TextChoices):
        MONTH = "month", "per month"
        WEEK = "week", "per week"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="taper_plans")
    starting_regimen = models.JSONField(default=list)
    starting_mme = models.DecimalField(max_digits=8, decimal_places=2)
    rate_percent = models.DecimalField(max_digits=5, decimal_places=2, default=10)
    period = models.CharField(max_length=6, choices=Period.choices, default=Period.MONTH)
    target_mme = models.DecimalField(max_digits=8, decimal_places=2, default=0)
    schedule = models.JSONField(default=list)
    starts_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # While paused: the day it was paused (the steps after it are moved later when it resumes).
    paused_on = models.DateField(null=True, blank=True)
    # Required when the taper is faster than the chosen rate or stops from above the policy's MME.
    faster_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)
    # The steps as doses a person can take (medications/rules/taper_doses.py steps_to_json), or {"problem": why}
    # when the app could not work them out; {} before they are worked out.
    doses = models.JSONField(default=dict, blank=True)
    # A prescriber confirmed the rounded doses; any change to the taper clears both (the patient then sees
    # "being prepared", never a dose nobody checked).
    doses_confirmed_at = models.DateTimeField(null=True, blank=True)
    doses_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "careplans_taperplan"
        indexes = [models.Index(fields=["patient"], condition=Q(status="active"), name="taper_active")]

    def __str__(self) -> str:
        return f"Taper {self.public_id}"

    @property
    def doses_confirmed(self) -> bool:
        return self.doses_confirmed_at is not None

    @property
    def doses_for_patient(self) -> bool:
        """The patient sees the doses only of an active taper whose rounded schedule a prescriber confirmed."""
        return self.status == self.Status.ACTIVE and self.doses_confirmed


class TaperActual(models.Model):
    taper = models.ForeignKey(TaperPlan, on_delete=models.CASCADE, related_name="actuals")
    on = models.DateField()
    mme = models.DecimalField(max_digits=8, decimal_places=2)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "careplans_taperactual"
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.mme} MME on {self.on}"
