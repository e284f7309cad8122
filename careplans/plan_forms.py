"""Forms for the care plan (clinician-facing): starting it, its tier and details, goals and progress, the
treatment portfolio, sprints and their reviews.

Edit forms carry the ``version`` the editor opened; a save based on an older one is refused by the
service (careplans.plan_services.StaleEdit) and the page shows what the other person saved next to what
this person typed (``differences``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils import timezone

from careplans import sprints
from careplans.models import CarePlan, Goal, Intervention, Sprint, Tier
from clinic.form_fields import date_input, long_text, too_long
from clinic.models import User
from clinic.roles import Discipline, Role

REASON_MAX = 2000
VALUE_LIMIT = Decimal("99999.99")  # the models' DecimalField(max_digits=7, decimal_places=2)
PEG_MAX = Decimal(10)


def version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


def value_field(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=7,
        decimal_places=2,
        min_value=-VALUE_LIMIT,
        max_value=VALUE_LIMIT,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": "Enter a number, for example 10 or 7.5.",
            "max_digits": "Enter a number below 100,000 with at most two decimals.",
            "max_decimal_places": "Use at most two decimals.",
            "max_whole_digits": "Enter a number below 100,000.",
            "min_value": "Enter a number above -100,000.",
            "max_value": "Enter a number below 100,000.",
        },
        **kwargs,
    )


def reason_field(label: str, help_text: str = "", required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=REASON_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Say why: the reason is kept in the plan's history.",
            "max_length": too_long("The reason"),
        },
    )


def clinicians():
    return User.objects.filter(role=Role.CLINICIAN, is_active=True).order_by("last_name", "first_name", "id")


class ClinicianChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.get_discipline_display()})"


class TierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Tier) -> str:
        return f"Tier {obj.number}: {obj.name}"


# --------------------------------------------------------------------------- the plan


class StartPlanForm(forms.Form):
    tier = TierChoiceField(
        label="Tier",
        queryset=Tier.objects.all(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a tier.", "invalid_choice": "Choose a tier from the list."},
    )
    lead = ClinicianChoiceField(
        label="Lead clinician",
        queryset=clinicians(),
        error_messages={
            "required": "Choose the lead clinician.",
            "invalid_choice": "Choose a clinician from the list.",
        },
    )
    who_to_call = forms.CharField(
        label="Who the patient calls about the plan",
        required=False,
        max_length=CarePlan._meta.get_field("who_to_call").max_length,
        help_text="For example: Nurse line 555-0100, weekdays 8 to 5.",
        error_messages={"max_length": too_long("Who to call")},
    )
    reason = reason_field("Why this tier", required=False)


class TierForm(forms.Form):
    """Change the tier: the reason is required, and the measures on the page are kept with the change."""

    tier = TierChoiceField(
        label="New tier",
        queryset=Tier.objects.all(),
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a tier.", "invalid_choice": "Choose a tier from the list."},
    )
    reason = reason_field("Why the tier changes")
    version = version_field()

    def __init__(self, *args, plan: CarePlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_tier(self):
        tier = self.cleaned_data["tier"]
        if self.plan is not None and tier.pk == self.plan.tier_id:
            raise forms.ValidationError(f"The plan is already at tier {tier.number}. Choose another tier.")
        return tier


class PlanDetailsForm(forms.Form):
    lead = StartPlanForm.base_fields["lead"]
    who_to_call = StartPlanForm.base_fields["who_to_call"]
    reason = reason_field("Why (optional)", required=False)
    version = version_field()

    LABELS = {"lead": "Lead clinician", "who_to_call": "Who the patient calls"}

    @staticmethod
    def initial_for(plan: CarePlan) -> dict:
        return {"lead": plan.lead_id, "who_to_call": plan.who_to_call, "version": plan.version}


# --------------------------------------------------------------------------- goals


class GoalForm(forms.Form):
    words = forms.CharField(
        label="The goal, in the patient's words",
        max_length=Goal._meta.get_field("words").max_length,
        help_text='For example: "walk the dog again", "sit through a movie", "work a full shift".',
        error_messages={"required": "Write the goal in the patient's words.", "max_length": too_long("The goal")},
    )
    metric = forms.ChoiceField(
        label="How we measure it",
        choices=[("", "Choose a metric"), *Goal.Metric.choices],
        error_messages={"required": "Choose a metric.", "invalid_choice": "Choose a metric from the list."},
    )
    custom_metric = forms.CharField(
        label="Name of the metric (for Other)",
        required=False,
        max_length=Goal._meta.get_field("custom_metric").max_length,
        help_text="For example: stairs climbed without stopping.",
        error_messages={"max_length": too_long("The metric's name")},
    )
    custom_unit = forms.CharField(
        label="Unit (for Other)",
        required=False,
        max_length=Goal._meta.get_field("custom_unit").max_length,
        help_text="For example: flights.",
        error_messages={"max_length": too_long("The unit")},
    )
    lower_is_better = forms.BooleanField(
        label="Lower is better (for Other)", required=False, help_text="Tick when a lower number means progress."
    )
    baseline = value_field("Baseline", help_text="Where the patient is now.")
    target = value_field("Target")
    target_date = forms.DateField(
        label="Target date",
        widget=date_input(),
        error_messages={"required": "Choose a target date.", "invalid": "Enter a date, for example 2026-03-31."},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Goal.Status.choices,
        initial=Goal.Status.ACTIVE,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a status from the list."},
    )
    from_intake = forms.BooleanField(widget=forms.HiddenInput, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    LABELS = {
        "words": "The goal",
        "metric": "Metric",
        "custom_metric": "Metric name",
        "custom_unit": "Unit",
        "lower_is_better": "Lower is better",
        "baseline": "Baseline",
        "target": "Target",
        "target_date": "Target date",
        "status": "Status",
    }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if not editing:
            del self.fields["status"]
            del self.fields["version"]
        else:
            del self.fields["from_intake"]
            self.fields["version"].required = True

    def clean(self):
        data = super().clean()
        metric = data.get("metric")
        if metric == Goal.Metric.CUSTOM and not data.get("custom_metric", "").strip():
            self.add_error("custom_metric", "Name the metric, or choose one from the list.")
        baseline, target = data.get("baseline"), data.get("target")
        if metric == Goal.Metric.PEG:
            for name in ("baseline", "target"):
                value = data.get(name)
                if value is not None and not 0 <= value <= PEG_MAX:
                    self.add_error(name, "A PEG score is from 0 to 10.")
        if baseline is not None and target is not None and baseline == target:
            self.add_error("target", "The target should differ from the baseline.")
        return data

    def fields_to_save(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name != "version"}
        if data.get("metric") != Goal.Metric.CUSTOM:
            data.update(custom_metric="", custom_unit="", lower_is_better=False)
        return data

    @staticmethod
    def initial_for(goal: Goal) -> dict:
        return {name: getattr(goal, name) for name in GoalForm.LABELS} | {"version": goal.version}


class ProgressForm(forms.Form):
    value = value_field("Value")
    recorded_on = forms.DateField(
        label="On",
        widget=date_input(),
        initial=timezone.localdate,
        error_messages={"required": "Choose the day.", "invalid": "Enter a date, for example 2026-03-31."},
    )

    def __init__(self, *args, goal: Goal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.goal = goal
        if goal is not None:
            unit = f" ({goal.unit})" if goal.metric == Goal.Metric.CUSTOM and goal.unit else ""
            self.fields["value"].label = f"{goal.metric_name}{unit}"

    def clean_recorded_on(self):
        day = self.cleaned_data["recorded_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Progress is recorded for today or an earlier day.")
        return day

    def clean_value(self):
        value = self.cleaned_data["value"]
        if self.goal is not None and self.goal.metric == Goal.Metric.PEG and not 0 <= value <= PEG_MAX:
            raise forms.ValidationError("A PEG score is from 0 to 10.")
        return value


# --------------------------------------------------------------------------- the treatment portfolio


class InterventionForm(forms.Form):
    name = forms.CharField(
        label="Treatment",
        max_length=Intervention._meta.get_field("name").max_length,
        help_text="For example: graded walking programme, CBT for insomnia, duloxetine trial.",
        error_messages={"required": "Name the treatment.", "max_length": too_long("The treatment's name")},
    )
    category = forms.ChoiceField(
        label="Category",
        choices=[("", "Choose a category"), *Intervention.Category.choices],
        error_messages={"required": "Choose a category.", "invalid_choice": "Choose a category from the list."},
    )
    owner_discipline = forms.ChoiceField(
        label="Owner discipline",
        choices=[("", "Choose a discipline"), *Discipline.choices],
        error_messages={"required": "Choose the discipline that owns it.", "invalid_choice": "Choose from the list."},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Intervention.Status.choices,
        initial=Intervention.Status.PROPOSED,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status.", "invalid_choice": "Choose a status from the list."},
    )
    stopped_reason = long_text("Why it was stopped", help_text="Needed when the status is Stopped.")
    expected_benefit = long_text("1. Expected size and duration of benefit")
    risks = long_text("2. Main risks or side effects")
    how_it_helps = long_text("3. How it helps the patient do more of what matters")
    how_measured = long_text("4. How we will measure it, and when we decide to continue or stop")
    patient_preference = forms.ChoiceField(
        label="The patient's preference",
        choices=Intervention.Preference.choices,
        required=False,
        error_messages={"invalid_choice": "Choose from the list."},
    )
    preference_note = long_text("What the patient said (optional)")
    started_on = forms.DateField(
        label="Started on",
        required=False,
        widget=date_input(),
        help_text="Filled in with today when it becomes active, if left empty.",
        error_messages={"invalid": "Enter a date, for example 2026-03-31."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    LABELS = {
        "name": "Treatment",
        "category": "Category",
        "owner_discipline": "Owner discipline",
        "status": "Status",
        "stopped_reason": "Why it was stopped",
        "expected_benefit": "Expected benefit",
        "risks": "Risks or side effects",
        "how_it_helps": "How it helps",
        "how_measured": "How we measure it",
        "patient_preference": "Patient's preference",
        "preference_note": "What the patient said",
        "started_on": "Started on",
    }
    FOUR_QUESTIONS = ("expected_benefit", "risks", "how_it_helps", "how_measured")

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["version"].required = True
        else:
            del self.fields["version"]

    def clean(self):
        data = super().clean()
        if data.get("status") == Intervention.Status.STOPPED and not data.get("stopped_reason", "").strip():
            self.add_error("stopped_reason", "Say why the treatment was stopped.")
        return data

    def fields_to_save(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    @property
    def questions_missing(self) -> bool:
        return self.is_bound and not all(str(self.data.get(name, "")).strip() for name in self.FOUR_QUESTIONS)

    @staticmethod
    def initial_for(intervention: Intervention) -> dict:
        return {name: getattr(intervention, name) for name in InterventionForm.LABELS} | {
            "version": intervention.version
        }


# --------------------------------------------------------------------------- sprints


class SprintForm(forms.Form):
    starts_on = forms.DateField(
        label="Starts on",
        widget=date_input(),
        error_messages={"required": "Choose the first day.", "invalid": "Enter a date, for example 2026-03-02."},
    )
    ends_on = forms.DateField(
        label="Ends on",
        widget=date_input(),
        help_text=f"{sprints.MIN_WEEKS} to {sprints.MAX_WEEKS} weeks after the start.",
        error_messages={"required": "Choose the last day.", "invalid": "Enter a date, for example 2026-03-30."},
    )
    metrics = forms.MultipleChoiceField(
        label="What we measure",
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Choose at least one metric: a goal or a questionnaire.",
            "invalid_choice": "Choose metrics from the list.",
        },
    )
    interventions = forms.ModelMultipleChoiceField(
        label="Treatments this sprint tests",
        queryset=Intervention.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={
            "invalid_choice": "Choose treatments from the list.",
            "invalid_pk_value": "Choose treatments from the list.",
        },
    )

    def __init__(self, *args, metric_choices: list[tuple[str, str]], plan: CarePlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["metrics"].choices = metric_choices
        self.fields["interventions"].queryset = (
            Intervention.objects.filter(plan=plan).exclude(status=Intervention.Status.STOPPED).order_by("name")
        )

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on:
            problem = sprints.sprint_length_problem(starts_on, ends_on)
            if problem:
                self.add_error("ends_on", problem)
        return data


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=Sprint.Decision.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a decision.", "invalid_choice": "Choose a decision from the list."},
    )
    reason = reason_field("Why", help_text="Kept in the plan's history with the measures on this page.")
    plan_version = version_field()

    def __init__(self, *args, tier_number: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier_number = tier_number

    def clean_decision(self):
        decision = self.cleaned_data["decision"]
        moves = decision in (Sprint.Decision.STEP_UP, Sprint.Decision.STEP_DOWN)
        if moves and sprints.tier_after(decision, self.tier_number) is None:
            way = "up" if decision == Sprint.Decision.STEP_UP else "down"
            raise forms.ValidationError(
                f"The plan is at tier {self.tier_number}: there is no tier to step {way} to. Choose another decision."
            )
        return decision


# --------------------------------------------------------------------------- what changed meanwhile


@dataclass(frozen=True)
class Difference:
    label: str
    saved: str
    yours: str


def shown(value) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date):
        return f"{value:%b} {value.day}, {value.year}"
    if isinstance(value, User):
        return value.display_name
    return str(value)


def differences(form: forms.Form, current, labels: dict[str, str], *, display=None) -> list[Difference]:
    """Field by field, where what was saved meanwhile differs from what this person typed.

    ``display`` maps a field name to a function turning a stored value into words (choices, people).
    """
    display = display or {}
    found = []
    if not form.is_valid():
        return found
    for name, label in labels.items():
        if name not in form.cleaned_data:
            continue
        saved, yours = getattr(current, name), form.cleaned_data[name]
        if isinstance(yours, str):
            yours = yours.strip()
        if isinstance(yours, User):
            yours_compare = yours.pk
            saved_compare = getattr(current, f"{name}_id", saved)
        else:
            yours_compare, saved_compare = yours, saved
        if saved_compare == yours_compare:
            continue
        words = display.get(name, shown)
        found.append(Difference(label=label, saved=words(saved), yours=words(yours)))
    return found


def choice_words(choices) -> callable:
    labels = dict(choices)
    return lambda value: labels.get(value, shown(value)) if value != "" else "(empty)"
