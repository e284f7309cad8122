"""Forms for measurement schedules (clinicians change how often, from when, and pause/resume)."""

from django import forms
from django.utils import timezone

from clinic.form_fields import date_input
from measures.scheduling import MAX_EVERY_DAYS, MIN_EVERY_DAYS


class ScheduleForm(forms.Form):
    every_days = forms.IntegerField(
        label="Ask every (days)",
        min_value=MIN_EVERY_DAYS,
        max_value=MAX_EVERY_DAYS,
        help_text=f"Between {MIN_EVERY_DAYS} days (weekly) and {MAX_EVERY_DAYS} days (yearly).",
        error_messages={
            "required": "Enter how many days apart to ask this questionnaire.",
            "invalid": "Enter a whole number of days, for example 14.",
            "min_value": f"Ask at most once a week: enter {MIN_EVERY_DAYS} days or more.",
            "max_value": f"Ask at least once a year: enter {MAX_EVERY_DAYS} days or fewer.",
        },
    )
    next_due_on = forms.DateField(
        label="Next due on",
        widget=date_input(),
        error_messages={
            "required": "Enter the date this questionnaire is next due.",
            "invalid": "Enter a date such as 2026-03-14.",
        },
    )
    active = forms.BooleanField(
        label="Active (untick to pause this questionnaire)",
        required=False,
        help_text="A paused questionnaire is not sent until it is resumed.",
    )

    def __init__(self, *args, today=None, **kwargs):
        self.today = today or timezone.localdate()
        super().__init__(*args, **kwargs)

    def clean_next_due_on(self):
        day = self.cleaned_data["next_due_on"]
        if day < self.today:
            raise forms.ValidationError(
                "The next due date cannot be in the past. Choose today (%(today)s) or a later date.",
                code="in_the_past",
                params={"today": self.today.strftime("%b %-d, %Y")},
            )
        return day
