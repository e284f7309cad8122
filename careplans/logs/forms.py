"""Forms for the daily check-in, pacing sessions and reminders (the patient's, plain words), and for the
flare-up plan and pacing plans (the clinician's).

Every field says what went wrong in words the person can act on, and nothing anyone types (huge or
negative numbers, text in a number, a date that does not exist) gets past the form or raises an error.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from careplans.logs import pacing
from careplans.models import FlarePlan, LogReminder, PacingPlan, PacingSession
from clinic.form_fields import date_input, long_text

SCALE = [(n, str(n)) for n in range(11)]
# App wording: a few quick choices for the mood word; the patient can write their own instead.
MOOD_WORDS = ("hopeful", "calm", "okay", "tired", "low", "worried")
# The words are saved as written here (English); the patient's page shows them in the page's language.
MOOD_LABELS = {
    "hopeful": _("Hopeful"),
    "calm": _("Calm"),
    "okay": _("Okay"),
    "tired": _("Tired"),
    "low": _("Low"),
    "worried": _("Worried"),
}
WEEKDAYS = [
    (0, pgettext_lazy("weekday", "Monday")),
    (1, pgettext_lazy("weekday", "Tuesday")),
    (2, pgettext_lazy("weekday", "Wednesday")),
    (3, pgettext_lazy("weekday", "Thursday")),
    (4, pgettext_lazy("weekday", "Friday")),
    (5, pgettext_lazy("weekday", "Saturday")),
    (6, pgettext_lazy("weekday", "Sunday")),
]
MAX_STEPS_PER_DAY = 200_000


def scale_field(label: str, *, required: str = "") -> forms.TypedChoiceField:
    problem = _("Choose a number from 0 to 10.")
    return forms.TypedChoiceField(
        label=label,
        choices=SCALE,
        coerce=int,
        empty_value=None,
        required=bool(required),
        widget=forms.RadioSelect,
        error_messages={"required": required or problem, "invalid_choice": problem},
    )


# --------------------------------------------------------------------------- the patient's forms


class DailyLogForm(forms.Form):
    # The id the form was opened with (a double tap saves once); anything else is ignored, never an error.
    entry_id = forms.CharField(required=False, widget=forms.HiddenInput)
    pain_interference = scale_field(
        _("How much did pain get in the way of your day?"),
        required=_("Please tap a number from 0 to 10 for how much pain got in the way today."),
    )
    sleep_hours = forms.DecimalField(
        label=_("Hours slept last night"),
        required=False,
        min_value=0,
        max_value=24,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5", "min": "0", "max": "24"}),
        error_messages={
            "invalid": _("Please write the hours as a number, for example 7 or 6.5."),
            "min_value": _("Please write a number from 0 to 24."),
            "max_value": _("A day has 24 hours: please write a number from 0 to 24."),
            "max_digits": _("Please write a number from 0 to 24."),
            "max_whole_digits": _("Please write a number from 0 to 24."),
            "max_decimal_places": _("Please use one number after the point at most, for example 6.5."),
        },
    )
    sleep_quality = scale_field(_("How well did you sleep?"))
    activity = forms.CharField(
        label=_("What activity or exercise did you do?"),
        required=False,
        max_length=200,
        error_messages={
            "max_length": _("Please keep this to %(limit_value)d letters or fewer (it has %(show_value)d).")
        },
    )
    steps = forms.IntegerField(
        label=_("Steps today (if you track them)"),
        required=False,
        min_value=0,
        max_value=MAX_STEPS_PER_DAY,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
        error_messages={
            "invalid": _("Please write your steps as a whole number, for example 4500."),
            "min_value": _("Please write a number of steps from 0 up."),
            "max_value": _("That is more steps than we can save. Please check the number."),
        },
    )
    mood_choice = forms.ChoiceField(
        label=_("One word for your mood"),
        required=False,
        choices=[(word, MOOD_LABELS[word]) for word in MOOD_WORDS],
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Please choose one of the words, or write your own.")},
    )
    mood_own = forms.CharField(
        label=_("Or your own word"),
        required=False,
        max_length=40,
        error_messages={"max_length": _("Please keep your word to %(limit_value)d letters or fewer.")},
    )
    note = forms.CharField(
        label=_("Anything else you want your care team to know? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Please keep your note to %(limit_value)d letters or fewer (it has %(show_value)d).")
        },
    )

    def clean_entry_id(self) -> uuid.UUID | None:
        try:
            return uuid.UUID(self.cleaned_data["entry_id"])
        except ValueError:
            return None

    def clean(self):
        data = super().clean()
        own = (data.get("mood_own") or "").strip()
        data["mood_word"] = own or data.get("mood_choice") or ""
        data["activity"] = (data.get("activity") or "").strip()
        data["note"] = (data.get("note") or "").strip()
        return data

    def log_values(self) -> dict:
        data = self.cleaned_data
        names = ("pain_interference", "sleep_hours", "sleep_quality", "activity", "steps", "mood_word", "note")
        return {name: data[name] for name in names}


class PacingSessionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did today's session go?"),
        choices=[
            (PacingSession.Outcome.DONE, _("I did it")),
            (PacingSession.Outcome.PARTLY, _("I did part of it")),
            (PacingSession.Outcome.FLARE, _("I skipped it because of a flare-up")),
        ],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose how today's session went."),
            "invalid_choice": _("Please choose how today's session went."),
        },
    )
    actual_amount = forms.DecimalField(
        label=_("How much did you do?"),
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.5", "min": "0"}),
        error_messages={
            "invalid": _("Please write a number, for example 2 or 2.5."),
            "min_value": _("Please write a number from 0 up."),
            "max_digits": _("That number is too big for this plan. Please check it."),
            "max_whole_digits": _("That number is too big for this plan. Please check it."),
            "max_decimal_places": _("Please use two numbers after the point at most."),
        },
    )
    note = forms.CharField(
        label=_("A note (optional)"),
        required=False,
        max_length=300,
        error_messages={
            "max_length": _("Please keep your note to %(limit_value)d letters or fewer (it has %(show_value)d).")
        },
    )

    def __init__(self, *args, planned: Decimal | None = None, unit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.planned, self.unit = planned, unit
        if unit:
            self.fields["actual_amount"].label = _("How much did you do? (%(unit)s)") % {"unit": unit}

    def clean(self):
        data = super().clean()
        outcome, amount = data.get("outcome"), data.get("actual_amount")
        if outcome == PacingSession.Outcome.PARTLY and "actual_amount" not in self.errors:
            if amount is None or amount <= 0:
                self.add_error("actual_amount", _("Please write how much you did, for example 2."))
            elif self.planned is not None and amount >= self.planned:
                self.add_error(
                    "actual_amount",
                    _("That is the whole session. Please choose “I did it” instead."),
                )
        if outcome != PacingSession.Outcome.PARTLY:
            data["actual_amount"] = None
        data["note"] = (data.get("note") or "").strip()
        return data


class ReminderForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("Would you like a reminder to check in?"),
        choices=[
            (LogReminder.Frequency.DAILY, _("Yes, every day")),
            (LogReminder.Frequency.WEEKLY, _("Yes, once a week")),
            (LogReminder.Frequency.NONE, _("No reminders, thank you")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose one."), "invalid_choice": _("Please choose one.")},
    )
    weekday = forms.TypedChoiceField(
        label=_("Which day of the week?"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Please choose a day of the week.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("frequency") == LogReminder.Frequency.WEEKLY and data.get("weekday") is None:
            self.add_error("weekday", _("Please choose the day of the week for your reminder."))
        if data.get("weekday") is None:
            data["weekday"] = 0
        return data


class GoalCommentForm(forms.Form):
    text = forms.CharField(
        label=_("Your comment"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Please write a few words first."),
            "max_length": _("Please keep your comment to %(limit_value)d letters or fewer (it has %(show_value)d)."),
        },
    )

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Please write a few words first."))
        return text


# --------------------------------------------------------------------------- the clinician's forms


class FlarePlanForm(forms.Form):
    """The flare-up plan, in words the patient will read (plain, kind; a flare is not a reason to change
    the whole plan). `version` is the version the editor opened (optimistic locking)."""

    version = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={
            key: "This form is out of date: open the flare-up plan again."
            for key in ("required", "invalid", "min_value")
        },
    )
    warning_signs = long_text(
        "Early warning signs",
        rows=3,
        help_text="In the patient's words, for example: pain spreads to my hip, I sleep badly.",
    )
    reduce_by_percent = forms.IntegerField(
        label="Reduce activity by (%)",
        min_value=5,
        max_value=75,
        help_text="The clinic's default: activity down 20-30% for 48 hours, then back up.",
        error_messages={
            "required": "Enter by how much to reduce activity, in percent.",
            "invalid": "Enter a whole number of percent, for example 25.",
            "min_value": "Enter at least %(limit_value)s%%.",
            "max_value": "Enter at most %(limit_value)s%%: a flare is not a reason to stop everything.",
        },
    )
    reduce_for_hours = forms.IntegerField(
        label="For (hours)",
        min_value=6,
        max_value=168,
        help_text="Then back up to the plan.",
        error_messages={
            "required": "Enter for how many hours to reduce activity.",
            "invalid": "Enter a whole number of hours, for example 48.",
            "min_value": "Enter at least %(limit_value)s hours.",
            "max_value": "Enter at most %(limit_value)s hours (a week).",
        },
    )
    what_to_reduce = long_text(
        "What to reduce", rows=3, help_text="For example: walks shorter, no lifting, rest breaks."
    )
    what_helps = long_text("What helps", rows=3, help_text="For example: heat, breathing exercise, gentle stretches.")
    when_to_call = long_text("When to call the clinic", rows=3)
    when_urgent = long_text("When to seek urgent care", rows=3)
    reason = forms.CharField(
        label="Why the change (optional, kept in the plan's history)", required=False, max_length=500
    )

    @classmethod
    def initial_for(cls, flare_plan: FlarePlan) -> dict:
        names = ("warning_signs", "reduce_by_percent", "reduce_for_hours", "what_to_reduce", "what_helps")
        names += ("when_to_call", "when_urgent", "version")
        return {name: getattr(flare_plan, name) for name in names}

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields if name not in ("version", "reason")}


def amount_field(label: str, *, help_text: str = "", max_digits: int = 7) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0.5"),
        max_digits=max_digits,
        decimal_places=2,
        help_text=help_text,
        error_messages={
            "required": f"Enter the {label.lower()}.",
            "invalid": f"Enter the {label.lower()} as a number, for example 5.",
            "min_value": "Enter at least %(limit_value)s.",
            "max_digits": "That number is too large.",
            "max_whole_digits": "That number is too large.",
            "max_decimal_places": "Use at most two decimals.",
        },
    )


class PacingPlanForm(forms.Form):
    activity = forms.CharField(
        label="Activity",
        max_length=120,
        help_text="For example: walking, sitting, gardening.",
        error_messages={"required": "Enter the activity."},
    )
    unit = forms.CharField(
        label="Unit",
        max_length=30,
        initial="minutes",
        help_text="For example: minutes, steps, kg.",
        error_messages={"required": "Enter the unit the amounts are in."},
    )
    baseline = amount_field("Tolerance baseline", help_text="How much the patient can do before pain climbs.")
    start_percent = forms.IntegerField(
        label="Start at (% of the baseline)",
        initial=80,
        min_value=50,
        max_value=100,
        help_text="About 80% is usual.",
        error_messages={
            "required": "Enter where to start, in percent of the baseline.",
            "invalid": "Enter a whole number of percent, for example 80.",
            "min_value": "Start at %(limit_value)s%% of the baseline or more.",
            "max_value": "Start at %(limit_value)s%% of the baseline or less.",
        },
    )
    increment_kind = forms.ChoiceField(
        label="Increase by",
        choices=PacingPlan.Increment.choices,
        initial=PacingPlan.Increment.PERCENT,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how the amount increases."},
    )
    increment_value = amount_field("Increment", help_text="For example 10 (percent) or 1 (minute).", max_digits=6)
    every_days = forms.IntegerField(
        label="Every (days)",
        initial=3,
        min_value=1,
        max_value=28,
        error_messages={
            "required": "Enter how many days each step lasts.",
            "invalid": "Enter a whole number of days, for example 3.",
            "min_value": "Each step lasts at least %(limit_value)s day.",
            "max_value": "Each step lasts at most %(limit_value)s days.",
        },
    )
    target = amount_field("Target")
    rests = forms.CharField(
        label="Planned rests",
        required=False,
        max_length=200,
        help_text="For example: sit for 2 minutes half-way.",
        error_messages={"max_length": "Planned rests can be at most %(limit_value)d characters."},
    )
    starts_on = forms.DateField(
        label="Starts on",
        widget=date_input(),
        error_messages={
            "required": "Enter the start date.",
            "invalid": "Enter the start date, for example 2026-03-02.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()

    def clean_starts_on(self):
        starts_on = self.cleaned_data["starts_on"]
        today = timezone.localdate()
        if starts_on < today - timedelta(days=30):
            raise forms.ValidationError("Start at most 30 days ago.")
        if starts_on > today + timedelta(days=365):
            raise forms.ValidationError("Start within a year from today.")
        return starts_on

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data["increment_kind"] == PacingPlan.Increment.PERCENT and data["increment_value"] > 100:
            self.add_error("increment_value", "Increase by at most 100% a step.")
            return data
        if data["target"] < data["baseline"] * data["start_percent"] / 100:
            self.add_error("target", "The target is below where the plan starts: enter a higher target.")
            return data
        try:
            pacing.step_amounts(self.spec())
        except pacing.PacingError as refused:
            raise forms.ValidationError(str(refused)) from None
        return data

    def spec(self) -> pacing.PacingSpec:
        data = self.cleaned_data
        return pacing.PacingSpec(
            baseline=data["baseline"],
            target=data["target"],
            starts_on=data["starts_on"],
            start_percent=data["start_percent"],
            increment_kind=data["increment_kind"],
            increment_value=data["increment_value"],
            every_days=data["every_days"],
        )


class StopPacingForm(forms.Form):
    status = forms.ChoiceField(
        label="How the plan ends",
        choices=[(PacingPlan.Status.DONE, "Target reached"), (PacingPlan.Status.STOPPED, "Stop this plan")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why the plan ends.", "invalid_choice": "Choose why the plan ends."},
    )
    reason = forms.CharField(label="Why (kept in the plan's history)", required=False, max_length=500)
