"""Forms for appointments: booking, moving, the details, cancelling, attendance, and the day's filter.

They check what a person typed (a day, a time, a length in bounds); the booking rules that need the database
(a clash, an inactive clinician) are the service's to refuse, and the view puts its message on the form.
The day and time typed are the clinic's wall clock (CLINIC_TIME_ZONE), whatever the browser's zone.
"""

from datetime import date, datetime

from django import forms
from django.utils import timezone

from clinic import appointments as rules
from clinic.form_fields import date_input, long_text
from clinic.models import Appointment, User
from clinic.roles import Discipline, Role


def clinicians():
    return User.objects.filter(is_active=True, role=Role.CLINICIAN).order_by("last_name", "first_name", "id")


class ClinicianChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.display_name} ({obj.get_discipline_display()})"


def minutes_field() -> forms.IntegerField:
    label = "Length (minutes)"
    return forms.IntegerField(
        label=label,
        initial=30,
        min_value=rules.MIN_MINUTES,
        max_value=rules.MAX_MINUTES,
        error_messages={
            "required": "Give the length in minutes.",
            "invalid": f"{label}: enter a whole number.",
            "min_value": f"An appointment lasts at least {rules.MIN_MINUTES} minutes.",
            "max_value": f"An appointment lasts at most {rules.MAX_MINUTES} minutes.",
        },
    )


class WhenForm(forms.Form):
    """A day and a time on the clinic's clock, and a length."""

    day = forms.DateField(label="Day", widget=date_input(), error_messages={"required": "Choose the day."})
    time = forms.TimeField(
        label="Start time (clinic time)",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": "Give the start time.", "invalid": "Enter a time such as 10:30."},
    )
    minutes = minutes_field()

    def starts_at(self) -> datetime:
        """The start as an aware moment in the clinic's zone (after is_valid())."""
        return timezone.make_aware(datetime.combine(self.cleaned_data["day"], self.cleaned_data["time"]))


class BookingForm(WhenForm):
    kind = forms.ChoiceField(
        label="Kind of visit", choices=Appointment.Kind.choices, initial=Appointment.Kind.FOLLOW_UP
    )
    clinician = ClinicianChoice(
        label="Clinician",
        queryset=clinicians(),
        required=False,
        empty_label="Choose a clinician",
        help_text="A group session may have a facilitator or none.",
    )
    group_name = forms.CharField(
        label="Group session", max_length=120, required=False, help_text="Only for a group session: its name."
    )
    discipline = forms.ChoiceField(
        label="Discipline",
        choices=[("", "The clinician's own"), *Discipline.choices],
        required=False,
    )
    place = forms.CharField(
        label="Place", max_length=200, required=False, help_text="For a visit in person, for example Room 3."
    )
    video_link = forms.CharField(
        label="Video link", max_length=500, required=False, help_text="For telehealth: a link starting https://."
    )
    note_for_patient = long_text(
        "How to prepare (shown to the patient)",
        help_text="Plain words the patient reads in their portal, for example: bring your medicines.",
        rows=3,
    )
    field_order = ["kind", "clinician", "group_name", "discipline", "day", "time", "minutes", "place", "video_link"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians()  # read when the form is shown, not at import


class OnePageForm(forms.Form):
    """The appointment's page holds several forms: each has its own id prefix, so no two fields share an id."""

    prefix_id = "form"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.prefix_id}-%s")
        super().__init__(*args, **kwargs)


class MoveForm(OnePageForm, WhenForm):
    prefix_id = "move"
    version = forms.IntegerField(widget=forms.HiddenInput)


class DetailsForm(OnePageForm):
    prefix_id = "details"
    place = forms.CharField(label="Place", max_length=200, required=False)
    video_link = forms.CharField(label="Video link", max_length=500, required=False)
    note_for_patient = long_text("How to prepare (shown to the patient)", rows=3)
    version = forms.IntegerField(widget=forms.HiddenInput)


class CancelForm(OnePageForm):
    prefix_id = "cancel"
    reason = forms.CharField(
        label="Why is it cancelled?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why the appointment is cancelled."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class AttendanceForm(OnePageForm):
    prefix_id = "attendance"
    status = forms.ChoiceField(
        label="What happened",
        choices=[(status.value, status.label) for status in Appointment.ATTENDANCE],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happened."},
    )
    note = forms.CharField(label="Note (optional)", max_length=500, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)


class DayForm(forms.Form):
    """The clinic-wide page's filter: a day (default today) and a clinician (default everyone)."""

    on = forms.DateField(label="Day", required=False, widget=date_input())
    # By username in the URL: staff have no public id, and a sequential id never goes in a URL.
    clinician = ClinicianChoice(
        label="Clinician", queryset=clinicians(), required=False, empty_label="Everyone", to_field_name="username"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians()

    def chosen(self, *, today: date) -> tuple[date, User | None]:
        """The day and clinician asked for; a value that does not parse is ignored (today, everyone)."""
        if not self.is_valid():
            return today, None
        return self.cleaned_data["on"] or today, self.cleaned_data["clinician"]
