"""The "New task" form: a task someone creates by hand, about a patient (typed by MRN) or about nobody.

Every value is checked again on submit: the MRN against the patients the person may see, the person against
those offered to them for that patient, the due date against the clinic's today. A bad value is a form error
that keeps what was typed, never a 500.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils import timezone

from clinic.access import patients_visible_to
from clinic.form_fields import date_input
from clinic.models import TeamTask, User
from clinic.selectors import assignable_people
from clinic.team_forms import NOTE_MAX, AssigneeField
from clinic.team_services import URGENT_NEEDS_A_PERSON

NOT_FOUND = "No patient with this MRN that you may see. Check the number, or leave it empty for a task about nobody."


class OwnTaskForm(forms.Form):
    title = forms.CharField(
        label="What is to be done", max_length=200, error_messages={"required": "Say what is to be done."}
    )
    details = forms.CharField(
        label="Details (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Staff only: the patient never sees team tasks.",
    )
    mrn = forms.CharField(
        label="Patient's MRN (optional)",
        required=False,
        max_length=20,
        help_text="Leave empty for a task about nobody in particular.",
    )
    priority = forms.ChoiceField(
        label="Priority",
        choices=TeamTask.Priority.choices,
        initial=TeamTask.Priority.NORMAL,
        help_text="Urgent: for a named person only, who is told at once (the clinic's safety-net rule).",
    )
    due_on = forms.DateField(
        label="Due",
        widget=date_input(),
        error_messages={"invalid": "Enter a date, for example 2026-05-14."},
    )
    # One token per form shown: submitting the same form twice creates one task (clinic.team_services). A form
    # posted without one (hand-made) gets a fresh one rather than an error nobody could see on the page.
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by
        self.patient = None
        self.mrn_refused = False  # the view audits a refused MRN (it may name a patient the person may not see)
        # Any clinician or coordinator is offered; a person not offered for the patient is refused in clean().
        self.fields["to"] = AssigneeField(label="Who does it", people=list(assignable_people(patient=None, by=by)))
        self.order_fields(["title", "details", "mrn", "to", "priority", "due_on", "token"])
        if not self.is_bound:
            self.initial.setdefault("due_on", timezone.localdate())
            self.initial.setdefault("token", uuid.uuid4())

    def clean_token(self):
        return self.cleaned_data["token"] or uuid.uuid4()

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Say what is to be done.")
        return title

    def clean_mrn(self):
        mrn = self.cleaned_data["mrn"].strip()
        if mrn:
            self.patient = patients_visible_to(self.by).filter(mrn__iexact=mrn).first()
            if self.patient is None:
                self.mrn_refused = True
                raise forms.ValidationError(NOT_FOUND)
        return mrn

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        today = timezone.localdate()  # the clinic's date (TIME_ZONE is CLINIC_TIME_ZONE)
        if due < today:
            raise forms.ValidationError("Choose a due date from today on.")
        if due.year > today.year + 2:
            raise forms.ValidationError("Choose a due date within two years.")
        return due

    def clean(self):
        cleaned = super().clean()
        if "to" not in cleaned or "mrn" not in cleaned:
            return cleaned
        person, _role = self.assignee()
        if person is None and cleaned.get("priority") == TeamTask.Priority.URGENT:
            self.add_error("to", URGENT_NEEDS_A_PERSON)
        elif person is not None and self.patient is not None and not self.offered_for_patient(person):
            self.add_error("to", f"{person.display_name} is not on this patient's care team: choose someone who is.")
        return cleaned

    def offered_for_patient(self, person: User) -> bool:
        """A clinician gives a patient's task to its care team or a coordinator (``assignable_people``)."""
        return assignable_people(patient=self.patient, by=self.by).filter(pk=person.pk).exists()

    def assignee(self) -> tuple[User | None, str]:
        return self.fields["to"].assignee(self.cleaned_data["to"])
