"""Forms for referrals: writing or editing one, taking a step, and filtering the referral list.

They check what a person typed and how fields fit together; the steps allowed from a state are
the model's to refuse (clinic/referrals.py), so the view shows its message.
"""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from clinic import referrals as rules
from clinic.form_fields import date_input
from clinic.models import Referral
from clinic.referral_services import DETAIL_FIELDS

MAX_WAIT_DAYS = 730
MAX_VISITS = 365
# An appointment is recorded at most this far back (late paperwork) or ahead.
APPOINTMENT_PAST_DAYS = 365
APPOINTMENT_FUTURE_DAYS = 2 * 365


def count_field(label: str, *, low: int, high: int, help_text: str = "", too_low: str = "") -> forms.IntegerField:
    """An optional whole number between `low` and `high`, with messages that name the field."""
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        help_text=help_text,
        error_messages={
            "invalid": f"{label}: enter a whole number.",
            "min_value": too_low or f"{label}: at least {low}.",
            "max_value": f"{label}: at most {high}.",
        },
    )


class ReferralForm(forms.ModelForm):
    """The referral's details, for a new referral and for an edit (`version` guards the edit)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    visits_authorised = count_field(
        "Visits authorised", low=1, high=MAX_VISITS, help_text="Leave empty when the insurer sets no limit."
    )
    visits_used = count_field("Visits used", low=0, high=MAX_VISITS, too_low="Used visits cannot be negative.")
    expected_wait_days = count_field(
        "Expected wait (days)", low=0, high=MAX_WAIT_DAYS, help_text="Over 14 days needs a plan for the wait, below."
    )

    class Meta:
        model = Referral
        fields = DETAIL_FIELDS
        labels = {
            "service_other": "Other service",
            "is_internal": "To our own clinic's team (internal referral)",
            "reason": "Reason for the referral",
            "question": "The question being asked",
            "prior_authorisation": "Prior authorisation",
            "authorisation_reference": "Authorisation reference",
            "bridge_plan": "While waiting: what the patient can do",
            "bridge_contact": "While waiting: who the patient can call",
        }
        help_texts = {
            "service_other": "Only when the service is Other: its name, for example Rheumatology.",
            "receiving_provider": "Who receives the referral, for example Harbourview Physical Therapy.",
            "question": "What you want the receiving provider to answer or do.",
            "authorisation_reference": "Needed once the authorisation is approved.",
            "bridge_plan": (
                "The patient reads this in their portal, in these words: plain language, one step per line "
                "(for example self-management steps from their care plan)."
            ),
            "bridge_contact": "A name and a phone number, for example Sofia at the clinic, 555-0100.",
        }
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "question": forms.Textarea(attrs={"rows": 2}),
            "bridge_plan": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "service": {"required": "Choose the service.", "invalid_choice": "Choose a service from the list."},
            "reason": {"required": "Write the reason for the referral."},
            "urgency": {"invalid_choice": "Choose routine, soon or urgent."},
            "prior_authorisation": {"invalid_choice": "Choose the prior authorisation status from the list."},
        }

    def clean_visits_used(self):
        return self.cleaned_data.get("visits_used") or 0

    def clean(self):
        data = super().clean()
        if data.get("service") == Referral.Service.OTHER and not (data.get("service_other") or "").strip():
            self.add_error("service_other", "Name the service (the service chosen is Other).")
        if data.get("service") != Referral.Service.OTHER:
            data["service_other"] = ""
        if (
            data.get("prior_authorisation") == Referral.PriorAuthorisation.APPROVED
            and not (data.get("authorisation_reference") or "").strip()
        ):
            self.add_error("authorisation_reference", "An approved prior authorisation needs its reference.")
        wait = data.get("expected_wait_days")
        missing = rules.missing_bridge_parts(wait, data.get("bridge_plan") or "", data.get("bridge_contact") or "")
        if "plan" in missing:
            self.add_error(
                "bridge_plan", f"The wait is {wait} days (over 2 weeks): write what the patient can do while waiting."
            )
        if "contact" in missing:
            self.add_error("bridge_contact", f"The wait is {wait} days (over 2 weeks): say who the patient can call.")
        return data

    def details(self) -> dict:
        return {name: self.cleaned_data[name] for name in DETAIL_FIELDS}


class ReferralStepForm(forms.Form):
    """One step (clinic/referrals.py STEPS): the version the page showed, and a date or a reason."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    on = forms.DateField(
        label="Appointment date",
        required=False,
        widget=date_input(),
        error_messages={"invalid": "Enter the appointment date as a date, for example 2026-03-03."},
    )
    reason = forms.CharField(label="Why", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)

    def __init__(self, *args, step: rules.Step, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.step, self.today = step, today or timezone.localdate()

    def clean(self):
        data = super().clean()
        day = data.get("on")
        if self.step.needs_date:
            if day is None and "on" not in self.errors:
                self.add_error("on", "Give the appointment date.")
            elif day and day < self.today - timedelta(days=APPOINTMENT_PAST_DAYS):
                self.add_error("on", "The appointment date is more than a year ago: check the year.")
            elif day and day > self.today + timedelta(days=APPOINTMENT_FUTURE_DAYS):
                self.add_error("on", "The appointment date is more than two years ahead: check the year.")
        if self.step.needs_reason and not (data.get("reason") or "").strip():
            self.add_error("reason", f"Say why the referral is {self.step.verb}.")
        return data


class ReferralFilterForm(forms.Form):
    """The referral list's filters (GET); anything unreadable is ignored rather than refused."""

    OPEN = "open"
    STATE_CHOICES = [("", "Any state"), (OPEN, "Open (not ended)"), *Referral.State.choices]

    state = forms.ChoiceField(choices=STATE_CHOICES, required=False)
    service = forms.ChoiceField(choices=[("", "Any service"), *Referral.Service.choices], required=False)
    overdue = forms.BooleanField(label="Late only", required=False)
    after = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, data):
        if "state" not in data:  # the list opens on the open referrals
            data = data.copy()
            data["state"] = self.OPEN
        super().__init__(data)

    def filters(self) -> dict:
        """The cleaned filters; a field that does not validate counts as not given."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "state": data.get("state", self.OPEN),
            "service": data.get("service", ""),
            "overdue": bool(data.get("overdue")),
            "after": data.get("after"),
        }
