"""Referrals tracked to closure, and their events."""

import uuid
from datetime import datetime, time, timedelta

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from clinic import referrals as referral_rules
from clinic.models.people import User


class ReferralQuerySet(models.QuerySet):
    def open(self):
        return self.filter(state__in=referral_rules.OPEN)

    @staticmethod
    def ended_last():
        """An ordering: open referrals before closed, declined and cancelled ones."""
        ended = models.When(state__in=referral_rules.ENDED, then=models.Value(1))
        return models.Case(ended, default=models.Value(0), output_field=models.IntegerField())

    @staticmethod
    def overdue_conditions(now: datetime) -> dict[str, Q]:
        """The tracking rules (clinic/referrals.py) as one condition each; each has a partial index."""
        today = timezone.localdate(now)
        sent_by = timezone.make_aware(datetime.combine(referral_rules.unacknowledged_if_sent_before(today), time.min))
        return {
            referral_rules.OVERDUE_UNACKNOWLEDGED: Q(state=Referral.State.SENT, sent_at__lt=sent_by),
            referral_rules.OVERDUE_APPOINTMENT: Q(state=Referral.State.SCHEDULED, appointment_on__lt=today),
            referral_rules.OVERDUE_REPORT: Q(
                state=Referral.State.ATTENDED, attended_at__lt=referral_rules.report_overdue_if_attended_before(now)
            ),
        }

    def overdue(self, *, now: datetime | None = None):
        conditions = self.overdue_conditions(now or timezone.now()).values()
        either = Q()
        for condition in conditions:
            either |= condition
        return self.filter(either)

    def with_overdue(self, *, now: datetime | None = None):
        """Annotate `overdue_stage`: which tracking rule the referral is late on ("" when none)."""
        conditions = self.overdue_conditions(now or timezone.now())
        return self.annotate(
            overdue_stage=models.Case(
                *(models.When(condition, then=models.Value(stage)) for stage, condition in conditions.items()),
                default=models.Value(""),
                output_field=models.CharField(),
            )
        )

    def for_portal(self, patient, *, now: datetime | None = None):
        """What the patient sees: sent referrals that are open, or ended in the last PORTAL_ENDED_DAYS."""
        since = (now or timezone.now()) - timedelta(days=Referral.PORTAL_ENDED_DAYS)
        shown = Q(state__in=referral_rules.OPEN) | Q(state_changed_at__gte=since)
        return self.filter(shown, patient=patient).exclude(state=Referral.State.DRAFT)


class Referral(models.Model):
    """A referral to an internal discipline or an external service, tracked to closure.

    Every state change goes through a model method that stamps who and when and writes a
    ReferralEvent; illegal transitions are refused.
    """

    class Service(models.TextChoices):
        PHYSICAL_THERAPY = "physical_therapy", "Physical therapy"
        OCCUPATIONAL_THERAPY = "occupational_therapy", "Occupational therapy"
        BEHAVIOURAL_HEALTH = "behavioural_health", "Behavioural health"
        PAIN_PSYCHOLOGY = "pain_psychology", "Pain psychology"
        PAIN_MEDICINE = "pain_medicine", "Pain medicine"
        INTERVENTIONAL = "interventional", "Interventional procedures"
        SLEEP_MEDICINE = "sleep_medicine", "Sleep medicine"
        ADDICTION_MEDICINE = "addiction_medicine", "Addiction medicine"
        SOCIAL_WORK = "social_work", "Social work"
        SURGERY = "surgery", "Surgery"
        OTHER = "other", "Other"

    class Urgency(models.TextChoices):
        ROUTINE = "routine", "Routine"
        SOON = "soon", "Soon (within 2 weeks)"
        URGENT = "urgent", "Urgent"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        SCHEDULED = "scheduled", "Scheduled"
        ATTENDED = "attended", "Attended"
        REPORT_RECEIVED = "report_received", "Report received"
        CLOSED = "closed", "Closed"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        NO_SHOW = "no_show", "Did not attend"

    class PriorAuthorisation(models.TextChoices):
        NOT_NEEDED = "not_needed", "Not needed"
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="referrals")
    service = models.CharField(max_length=30, choices=Service.choices)
    service_other = models.CharField("other service", max_length=120, blank=True)
    is_internal = models.BooleanField("to our own clinic's team", default=False)
    receiving_provider = models.CharField(max_length=200, blank=True)
    reason = models.TextField()
    question = models.TextField("the question being asked", blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # Stamps of each stage (who is on the ReferralEvent rows).
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    appointment_on = models.DateField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    report_received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Declined, cancelled or no-show: why.
    ended_reason = models.TextField(blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    state_changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Insurance.
    prior_authorisation = models.CharField(
        max_length=12, choices=PriorAuthorisation.choices, default=PriorAuthorisation.NOT_NEEDED
    )
    authorisation_reference = models.CharField(max_length=80, blank=True)
    visits_authorised = models.PositiveSmallIntegerField(null=True, blank=True)
    visits_used = models.PositiveSmallIntegerField(default=0)
    # The wait, and what the patient does meanwhile (required when the wait is over 2 weeks).
    expected_wait_days = models.PositiveSmallIntegerField(null=True, blank=True)
    bridge_plan = models.TextField("what to do while waiting", blank=True)
    bridge_contact = models.CharField("who to call while waiting", max_length=200, blank=True)
    bridge_updated_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: a change based on an older version is refused, not merged.
    version = models.PositiveIntegerField(default=1)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="referral_by_patient"),
            models.Index(fields=["state", "state_changed_at"], name="referral_by_state"),
            # The tracking sweep's three questions, each a partial index.
            models.Index(fields=["sent_at"], condition=Q(state="sent"), name="referral_sent_unacknowledged"),
            models.Index(fields=["appointment_on"], condition=Q(state="scheduled"), name="referral_scheduled"),
            models.Index(fields=["attended_at"], condition=Q(state="attended"), name="referral_attended_no_report"),
        ]

    # The portal keeps showing a closed, declined or cancelled referral for this long.
    PORTAL_ENDED_DAYS = 90
    # Which column each step stamps with the time it happened.
    STAMPS = {
        "send": "sent_at",
        "acknowledge": "acknowledged_at",
        "schedule": "scheduled_at",
        "attended": "attended_at",
        "report": "report_received_at",
        "close": "closed_at",
    }

    def __str__(self) -> str:
        return f"Referral {self.public_id} ({self.get_state_display()})"

    @property
    def service_name(self) -> str:
        if self.service == self.Service.OTHER and self.service_other:
            return self.service_other
        return self.get_service_display()

    @property
    def is_open(self) -> bool:
        return self.state in referral_rules.OPEN

    @property
    def allowed_steps(self) -> list[referral_rules.Step]:
        return referral_rules.steps_from(self.state)

    @property
    def visits_warning(self) -> str | None:
        return referral_rules.visits_warning(self.visits_authorised, self.visits_used)

    @property
    def needs_bridge_plan(self) -> bool:
        return referral_rules.needs_bridge_plan(self.expected_wait_days)

    @property
    def overdue_words(self) -> str:
        """Why the tracking sweep would chase it (needs the `with_overdue()` annotation)."""
        return referral_rules.OVERDUE_WORDS.get(getattr(self, "overdue_stage", ""), "")

    # --- Steps: each checks the table, stamps who and when, and writes a ReferralEvent ---------

    def mark_sent(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        self._take_step("send", by=by, note=note, expected_version=expected_version)

    def acknowledge(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        self._take_step("acknowledge", by=by, note=note, expected_version=expected_version)

    def schedule(self, *, on, by, note: str = "", expected_version: int | None = None) -> None:
        """Record the appointment date (again to move it, or after a missed visit to rebook)."""
        if self.state == self.State.SCHEDULED and self.appointment_on:
            note = " ".join(filter(None, [f"Moved from {self.appointment_on:%b} {self.appointment_on.day}.", note]))
        self._take_step(
            "schedule", by=by, note=note, expected_version=expected_version, appointment_on=on, ended_reason=""
        )

    def mark_attended(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        """The patient went to the appointment: one more insurance visit used."""
        self._take_step(
            "attended", by=by, note=note, expected_version=expected_version, visits_used=self.visits_used + 1
        )

    def record_report(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        self._take_step("report", by=by, note=note, expected_version=expected_version)

    def close(self, *, by, note: str = "", expected_version: int | None = None) -> None:
        self._take_step("close", by=by, note=note, expected_version=expected_version)

    def decline(self, *, reason: str, by, expected_version: int | None = None) -> None:
        self._take_step("decline", by=by, note=reason, expected_version=expected_version, ended_reason=reason)

    def cancel(self, *, reason: str, by, expected_version: int | None = None) -> None:
        self._take_step("cancel", by=by, note=reason, expected_version=expected_version, ended_reason=reason)

    def mark_no_show(self, *, reason: str, by, expected_version: int | None = None) -> None:
        self._take_step("no_show", by=by, note=reason, expected_version=expected_version, ended_reason=reason)

    def _take_step(self, action: str, *, by, note: str = "", expected_version: int | None = None, **changes) -> None:
        """Move to the step's state if the table allows it from here; raise ReferralTransitionError if not,
        ReferralChanged if the referral changed since `expected_version` (nothing is written then)."""
        self._check_version(expected_version)
        refused = referral_rules.refusal(action, self.state)
        if refused:
            raise referral_rules.ReferralTransitionError(refused)
        step = referral_rules.STEPS[action]
        if step.needs_reason and not (changes.get("ended_reason") or "").strip():
            raise referral_rules.ReferralTransitionError(f"Say why the referral is {step.verb}.")
        if step.needs_date and not changes.get("appointment_on"):
            raise referral_rules.ReferralTransitionError("Give the appointment date.")
        now = timezone.now()
        if action in self.STAMPS:
            changes[self.STAMPS[action]] = now
        changes.update(state=step.target, state_changed_at=now, state_changed_by=by)
        self._write_versioned(changes, by=by, at=now, to_state=step.target, note=note)

    def update_details(self, *, by, changes: dict, expected_version: int | None = None) -> list[str]:
        """Change fields that are not the state (who, why, insurance, wait, bridge plan); returns the
        names of the fields that changed, and writes an event naming them (nothing when none did)."""
        self._check_version(expected_version)
        changed = {name: value for name, value in changes.items() if getattr(self, name) != value}
        if not changed:
            return []
        now = timezone.now()
        if {"bridge_plan", "bridge_contact"} & changed.keys():
            changed["bridge_updated_at"] = now
        names = [str(self._meta.get_field(name).verbose_name) for name in changes if name in changed]
        self._write_versioned(changed, by=by, at=now, to_state=self.state, note="Changed: " + ", ".join(names) + ".")
        return [name for name in changes if name in changed]

    def _check_version(self, expected_version: int | None) -> None:
        if expected_version is not None and expected_version != self.version:
            raise referral_rules.ReferralChanged()

    def _write_versioned(self, changes: dict, *, by, at, to_state: str, note: str) -> None:
        """Save `changes` only if nobody saved since this copy was read (the version), with its event."""
        with transaction.atomic():
            saved = Referral.objects.filter(pk=self.pk, version=self.version).update(
                version=self.version + 1, **changes
            )
            if not saved:
                raise referral_rules.ReferralChanged()
            ReferralEvent.objects.create(
                referral=self, from_state=self.state, to_state=to_state, by=by, at=at, note=note
            )
        for name, value in changes.items():
            setattr(self, name, value)
        self.version += 1


class ReferralEvent(models.Model):
    """One step in a referral's life: from which state to which, who, when, and any note."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, choices=Referral.State.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=Referral.State.choices)
    by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["referral", "at"], name="referral_event_by_referral")]

    def __str__(self) -> str:
        return f"Referral {self.referral_id}: {self.from_state or 'new'} -> {self.to_state}"

    @property
    def is_step(self) -> bool:
        """A change of state (the others are the referral being written or its details changed)."""
        return bool(self.from_state) and self.from_state != self.to_state
