"""Forms of the safety net: acknowledging urgent work (the task, the alert or the red flag behind it), the
rota, staff away, and how a person is told about urgent tasks. Every choice is checked again on submit."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone

from clinic.form_fields import date_input, too_long
from clinic.models import DutyShift, User
from clinic.roles import Role
from clinic.safety_net import AckAction

ACK_NOTE_MAX = 500
REASON_NEEDED = "Say why no contact with the patient is needed."
ACTION_NEEDED = "Choose what was done."


class AcknowledgeUrgentForm(forms.Form):
    """What was done about an urgent signal, from the short list, plus free text."""

    action = forms.ChoiceField(
        label="What was done",
        choices=AckAction.choices,
        widget=forms.RadioSelect,
        error_messages={"required": ACTION_NEEDED, "invalid_choice": ACTION_NEEDED},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=ACK_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: phoned at 10:15, safety plan reviewed, follow-up booked for Friday.",
        error_messages={"max_length": too_long("The note")},
    )
    note_required = False

    def clean(self):
        cleaned = super().clean()
        note = (cleaned.get("note") or "").strip()
        if cleaned.get("action") == AckAction.REVIEWED and not note:
            self.add_error("note", REASON_NEEDED)
        elif self.note_required and not note and "note" not in self.errors:
            self.add_error("note", "Add a note of what was done.")
        return cleaned


def active_clinicians():
    return User.objects.filter(role=Role.CLINICIAN, is_active=True).order_by("last_name", "first_name", "id")


class ClinicianChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name} ({obj.get_discipline_display()})"


class DutyShiftForm(forms.Form):
    """Who covers one slot of one day (empty: nobody, a gap)."""

    on = forms.DateField(label="Day", widget=date_input())
    slot = forms.ChoiceField(label="Slot", choices=DutyShift.Slot.choices)
    clinician = ClinicianChoice(
        label="Clinician",
        queryset=active_clinicians(),
        required=False,
        empty_label="Nobody (leave a gap)",
        error_messages={"invalid_choice": "Choose an active clinician."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = active_clinicians()

    def clean_on(self):
        day = self.cleaned_data["on"]
        if day < timezone.localdate() - timedelta(days=1):
            raise forms.ValidationError("The rota of past days is kept as it was.")
        return day


class AbsenceForm(forms.Form):
    """A member of staff away for a date range (both days included)."""

    staff = forms.ModelChoiceField(
        label="Who is away",
        queryset=User.objects.none(),
        error_messages={"invalid_choice": "Choose a member of staff."},
    )
    starts_on = forms.DateField(label="First day away", widget=date_input())
    ends_on = forms.DateField(label="Last day away", widget=date_input())
    note = forms.CharField(
        label="Note for the team (optional)",
        required=False,
        max_length=200,
        help_text="For example who covers. No patient details.",
        error_messages={"max_length": too_long("The note")},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = people

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", "The last day cannot be before the first day.")
        if ends_on and ends_on < timezone.localdate():
            self.add_error("ends_on", "That time is already over.")
        return cleaned


class MedicalLeadForm(forms.Form):
    clinician = ClinicianChoice(
        label="Medical lead",
        queryset=active_clinicians(),
        empty_label="Choose a clinician",
        error_messages={"invalid_choice": "Choose an active clinician.", "required": "Choose a clinician."},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = active_clinicians()


class NotifyForm(forms.ModelForm):
    """How urgent tasks reach me outside the app."""

    class Meta:
        model = User
        fields = ["notify_by", "email", "mobile_phone"]
        labels = {"email": "Email", "mobile_phone": "Mobile number"}

    def clean(self):
        cleaned = super().clean()
        notify_by = cleaned.get("notify_by")
        if notify_by in (User.Notify.EMAIL, User.Notify.BOTH) and not cleaned.get("email"):
            self.add_error("email", "Add an email address, or choose text messages.")
        if notify_by in (User.Notify.SMS, User.Notify.BOTH) and not (cleaned.get("mobile_phone") or "").strip():
            self.add_error("mobile_phone", "Add a mobile number, or choose email.")
        return cleaned
