"""Stepped-care plans: the plan and its tier, goals in the patient's words, the treatment portfolio,
sprints and their reviews, the flare-up plan, pacing plans and the patient's daily logs.

Every change to a plan is kept as history (PlanChange). Plans, flare-up plans and goals carry a
version for optimistic locking: a save based on an older version is refused and the person is told
what changed, never silently overwritten.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy

from clinic.roles import Discipline


class Tier(models.Model):
    """A step of stepped care. Names and descriptions are clinic data (edited in the admin)."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField()

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"Tier {self.number}: {self.name}"


class CarePlanQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=CarePlan.Status.ACTIVE)

    def not_improving(self):
        """Active plans whose last two reviewed sprints both did not improve: case-conference candidates.

        One query, set-based (two subqueries per plan on the sprint_number_per_plan index).
        """
        reviewed = Sprint.objects.filter(plan=OuterRef("pk"), reviewed_at__isnull=False).order_by("-number")
        return (
            self.active()
            .annotate(
                last_sprint_improved=Subquery(reviewed.values("improved")[:1]),
                sprint_before_improved=Subquery(reviewed.values("improved")[1:2]),
            )
            .filter(last_sprint_improved=False, sprint_before_improved=False)
        )

    def for_banner(self):
        """With the tier, the lead, the open sprint's number, end and id, and the active goals' count."""
        open_sprint = Sprint.objects.filter(plan=OuterRef("pk"), reviewed_at__isnull=True)
        active_goals = (
            Goal.objects.filter(plan=OuterRef("pk"), status=Goal.Status.ACTIVE)
            .order_by()
            .values("plan")
            .annotate(n=models.Count("id"))
            .values("n")
        )
        return (
            self.active()
            .select_related("tier", "lead")
            .annotate(
                open_sprint_number=Subquery(open_sprint.values("number")[:1]),
                open_sprint_ends_on=Subquery(open_sprint.values("ends_on")[:1]),
                open_sprint_public_id=Subquery(open_sprint.values("public_id")[:1]),
                active_goal_count=Coalesce(Subquery(active_goals), 0),
            )
        )


class CarePlan(models.Model):
    """The one living plan per patient that the whole team works to and the patient can see."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="care_plans")
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="led_plans")
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="plans")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    # Who the patient calls about the plan (shown on the printable plan and in the portal).
    who_to_call = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    objects = CarePlanQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=Q(status="active"), name="one_active_plan_per_patient"
            ),
        ]
        indexes = [models.Index(fields=["lead"], condition=Q(status="active"), name="active_plan_by_lead")]

    def __str__(self) -> str:
        return f"Care plan {self.public_id}"


class PlanChange(models.Model):
    """History: every change to a plan or its parts, who, when, why, and what was in front of them."""

    class Kind(models.TextChoices):
        CREATED = "created", "Plan started"
        TIER = "tier", "Tier changed"
        LEAD = "lead", "Lead clinician changed"
        GOAL = "goal", "Goal"
        INTERVENTION = "intervention", "Treatment"
        SPRINT = "sprint", "Sprint"
        FLARE_PLAN = "flare_plan", "Flare-up plan"
        PACING = "pacing", "Pacing plan"
        OTHER = "other", "Other"

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=14, choices=Kind.choices)
    summary = models.CharField(max_length=300)
    reason = models.TextField(blank=True)
    # Before/after values of what changed, for "what changed since you opened it".
    details = models.JSONField(default=dict, blank=True)
    # For tier changes and sprint decisions: the measures in front of the clinician (latest scores).
    measures_snapshot = models.JSONField(default=list, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["plan", "-at"], name="plan_change_by_plan")]

    def __str__(self) -> str:
        return self.summary


class Goal(models.Model):
    """A goal in the patient's own words, with a metric, a baseline, a target and a date."""

    class Metric(models.TextChoices):
        WALKING_MINUTES = "walking_minutes", "Walking (minutes)"
        SITTING_MINUTES = "sitting_minutes", "Sitting (minutes)"
        SLEEP_HOURS = "sleep_hours", "Sleep (hours)"
        LIFTING_KG = "lifting_kg", "Lifting (kg)"
        SHIFT_HOURS = "shift_hours", "Work shift (hours)"
        PEG = "peg", "PEG score"
        CUSTOM = "custom", "Other (name it)"

    class Status(models.TextChoices):
        ACTIVE = "active", "Working on it"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Set aside"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="goals")
    words = models.CharField("in the patient's words", max_length=300)
    metric = models.CharField(max_length=20, choices=Metric.choices)
    custom_metric = models.CharField("metric name", max_length=80, blank=True)
    custom_unit = models.CharField(max_length=30, blank=True)
    # For a custom metric: whether a lower value is better (a PEG score is always lower-is-better).
    lower_is_better = models.BooleanField(default=False)
    baseline = models.DecimalField(max_digits=7, decimal_places=2)
    target = models.DecimalField(max_digits=7, decimal_places=2)
    target_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # True when the words came from the intake's "three things I want back".
    from_intake = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["plan", "status"], name="goal_by_plan")]

    def __str__(self) -> str:
        return self.words

    @property
    def metric_name(self) -> str:
        return self.custom_metric if self.metric == self.Metric.CUSTOM else self.get_metric_display()

    @property
    def unit(self) -> str:
        return self.custom_unit if self.metric == self.Metric.CUSTOM else GOAL_UNITS.get(self.metric, "")

    @property
    def better_is_lower(self) -> bool:
        """A PEG score is better lower; a custom metric says which way it is better; the rest are better higher."""
        if self.metric == self.Metric.PEG:
            return True
        return self.metric == self.Metric.CUSTOM and self.lower_is_better


GOAL_UNITS = {
    "walking_minutes": "min",
    "sitting_minutes": "min",
    "sleep_hours": "h",
    "lifting_kg": "kg",
    "shift_hours": "h",
}


class GoalProgress(models.Model):
    """A value of a goal's metric on a day (recorded by a clinician, or by the patient in the portal)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress")
    value = models.DecimalField(max_digits=7, decimal_places=2)
    recorded_on = models.DateField(default=timezone.localdate)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_patient = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["goal", "recorded_on"], name="goal_progress_by_goal")]

    def __str__(self) -> str:
        return f"{self.value} on {self.recorded_on}"


class GoalComment(models.Model):
    """A comment on a goal: the patient's (from the portal) or a clinician's reply."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField()
    by_patient = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment on goal {self.goal_id}"


class Intervention(models.Model):
    """One treatment in the plan's portfolio, with the four questions of shared decision-making."""

    class Category(models.TextChoices):
        EDUCATION = "education", "Education and self-management"
        REHABILITATION = "rehabilitation", "Rehabilitation"
        PSYCHOLOGICAL = "psychological", "Psychological"
        MEDICATION = "medication", "Medication"
        PROCEDURE = "procedure", "Procedure"
        LIFESTYLE = "lifestyle", "Lifestyle"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        STOPPED = "stopped", "Stopped"

    class Preference(models.TextChoices):
        NOT_ASKED = "", "Not asked yet"
        WANTS = "wants", "Wants to try it"
        OPEN = "open", "Open to it"
        UNSURE = "unsure", "Unsure"
        PREFERS_NOT = "prefers_not", "Would rather not"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="interventions")
    category = models.CharField(max_length=16, choices=Category.choices)
    name = models.CharField(max_length=200)
    owner_discipline = models.CharField(max_length=30, choices=Discipline.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    stopped_reason = models.TextField(blank=True)
    # The four questions.
    expected_benefit = models.TextField("expected size and duration of benefit", blank=True)
    risks = models.TextField("main risks or side effects", blank=True)
    how_it_helps = models.TextField("how it helps the patient do more of what matters", blank=True)
    how_measured = models.TextField("how we will measure it and when we decide to continue or stop", blank=True)
    patient_preference = models.CharField(max_length=12, choices=Preference.choices, blank=True, default="")
    preference_note = models.TextField(blank=True)
    started_on = models.DateField(null=True, blank=True)
    stopped_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["plan", "status"], name="intervention_by_plan")]

    def __str__(self) -> str:
        return self.name

    @property
    def four_questions_answered(self) -> bool:
        return all(s.strip() for s in (self.expected_benefit, self.risks, self.how_it_helps, self.how_measured))


class Sprint(models.Model):
    """A 4-6 week test of some interventions against chosen metrics, ending in a review and a decision."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue"
        STEP_UP = "step_up", "Step up a tier"
        STEP_DOWN = "step_down", "Step down a tier"
        PIVOT = "pivot", "Pivot (change interventions)"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="sprints")
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    # Chosen metrics: codes such as "goal:<goal public id>" or "measure:peg" (careplans/sprints.py).
    metrics = models.JSONField(default=list)
    interventions = models.ManyToManyField(Intervention, blank=True, related_name="sprints")
    review_task_created_at = models.DateTimeField(null=True, blank=True)
    # The review: what the rule suggested, what the clinician decided and why.
    suggestion = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    suggestion_reason = models.CharField(max_length=300, blank=True)
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True)
    # Whether the sprint's metrics improved (None until reviewed); two False in a row: conference candidate.
    improved = models.BooleanField(null=True, blank=True)
    review_snapshot = models.JSONField(default=list, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="sprint_number_per_plan"),
            models.UniqueConstraint(
                fields=["plan"], condition=Q(reviewed_at__isnull=True), name="one_open_sprint_per_plan"
            ),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="sprint_ends_after_start"),
        ]
        indexes = [
            models.Index(
                fields=["ends_on"],
                condition=Q(reviewed_at__isnull=True, review_task_created_at__isnull=True),
                name="sprint_review_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Sprint {self.number} of plan {self.plan_id}"


class FlarePlan(models.Model):
    """What the patient does in a flare-up: a flare is not a reason to change the whole plan."""

    plan = models.OneToOneField(CarePlan, on_delete=models.CASCADE, related_name="flare_plan")
    warning_signs = models.TextField(blank=True)
    # Default from the issue: activity down 20-30% for 48 hours, then back up.
    reduce_by_percent = models.PositiveSmallIntegerField(default=25)
    reduce_for_hours = models.PositiveSmallIntegerField(default=48)
    what_to_reduce = models.TextField(blank=True)
    what_helps = models.TextField(blank=True)
    when_to_call = models.TextField(blank=True)
    when_urgent = models.TextField("when to seek urgent care", blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"Flare-up plan of plan {self.plan_id}"


class PacingPlan(models.Model):
    """Graded activity: from a tolerance baseline, start at about 80% with rests, and build up to a target.

    The dated schedule is computed by a pure function (careplans/logs/pacing.py) from these fields and the
    sessions logged so far (a flare holds the schedule).
    """

    class Increment(models.TextChoices):
        PERCENT = "percent", "Percent of the previous step"
        FIXED = "fixed", "Fixed amount"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DONE = "done", "Target reached"
        STOPPED = "stopped", "Stopped"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="pacing_plans")
    activity = models.CharField(max_length=120)
    unit = models.CharField(max_length=30, default="minutes")
    baseline = models.DecimalField("tolerance baseline", max_digits=7, decimal_places=2)
    start_percent = models.PositiveSmallIntegerField(default=80)
    increment_kind = models.CharField(max_length=8, choices=Increment.choices, default=Increment.PERCENT)
    increment_value = models.DecimalField(max_digits=6, decimal_places=2, default=10)
    every_days = models.PositiveSmallIntegerField(default=3)
    target = models.DecimalField(max_digits=7, decimal_places=2)
    rests = models.CharField("planned rests", max_length=200, blank=True)
    starts_on = models.DateField(default=timezone.localdate)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Pacing: {self.activity}"


class PacingSession(models.Model):
    """The patient's log of one planned session: done, partly done, or skipped because of a flare."""

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        PARTLY = "partly", "Partly done"
        FLARE = "flare", "Skipped because of a flare"

    pacing_plan = models.ForeignKey(PacingPlan, on_delete=models.CASCADE, related_name="sessions")
    on = models.DateField()
    planned_amount = models.DecimalField(max_digits=7, decimal_places=2)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    actual_amount = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["on", "id"]
        constraints = [models.UniqueConstraint(fields=["pacing_plan", "on"], name="one_pacing_log_per_day")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on {self.on}"


class DailyLog(models.Model):
    """A quick daily check-in from the portal (several a day allowed)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="daily_logs")
    logged_at = models.DateTimeField(default=timezone.now)
    pain_interference = models.PositiveSmallIntegerField()
    sleep_hours = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    sleep_quality = models.PositiveSmallIntegerField(null=True, blank=True)
    activity = models.CharField(max_length=200, blank=True)
    pacing_session = models.ForeignKey(
        PacingSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="daily_logs"
    )
    steps = models.PositiveIntegerField(null=True, blank=True)
    mood_word = models.CharField(max_length=40, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["patient", "-logged_at"], name="daily_log_by_patient")]
        constraints = [
            models.CheckConstraint(condition=Q(pain_interference__lte=10), name="log_interference_0_to_10"),
            models.CheckConstraint(
                condition=Q(sleep_quality__isnull=True) | Q(sleep_quality__lte=10), name="log_sleep_quality_0_to_10"
            ),
        ]

    def __str__(self) -> str:
        return f"Daily log {self.public_id}"


class LogReminder(models.Model):
    """How often the patient asked to be reminded to log: daily, weekly, or never."""

    class Frequency(models.TextChoices):  # labels translated: the patient's plan page shows them
        NONE = "none", gettext_lazy("No reminders")
        DAILY = "daily", gettext_lazy("Every day")
        WEEKLY = "weekly", gettext_lazy("Once a week")

    patient = models.OneToOneField("patients.Patient", on_delete=models.CASCADE, related_name="log_reminder")
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.NONE)
    # For weekly reminders: 0 = Monday ... 6 = Sunday.
    weekday = models.PositiveSmallIntegerField(default=0)
    next_due_at = models.DateTimeField(null=True, blank=True)
    last_sent_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["next_due_at"], condition=~Q(frequency="none"), name="log_reminder_due"),
        ]

    def __str__(self) -> str:
        return f"Log reminders for patient {self.patient_id}: {self.get_frequency_display()}"
