"""Forms for tasks, worklist filters, team messages, early-warning reviews and case conferences.

Every choice offered is checked again on submit (a forged value is a form error, never a 500); Django's
text fields refuse NUL characters (which Postgres cannot store) with a form error too.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from clinic.form_fields import date_input
from clinic.models import TeamTask, User
from clinic.roles import Role
from clinic.selectors import assignable_people, colleagues_for
from clinic.team_services import ASSIGNABLE_ROLES
from clinic.worklists import DUE_CHOICES, SORT_CHOICES, TaskFilters

NOTE_MAX = 1000
BODY_MAX = 4000


# --- Worklist filters ----------------------------------------------------------------------------


def small_select() -> forms.Select:
    return forms.Select(attrs={"class": "form-select form-select-sm"})


class WorklistFilterForm(forms.Form):
    priority = forms.ChoiceField(
        label="Priority",
        required=False,
        choices=[("", "Any priority"), (TeamTask.Priority.HIGH, "High"), (TeamTask.Priority.NORMAL, "Normal")],
        widget=small_select(),
    )
    source = forms.ChoiceField(
        label="From", required=False, choices=[("", "Anything"), *TeamTask.Source.choices], widget=small_select()
    )
    due = forms.ChoiceField(
        label="Due", required=False, choices=[("", "Any time"), *DUE_CHOICES.items()], widget=small_select()
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=list(SORT_CHOICES.items()), widget=small_select())

    def filters(self) -> TaskFilters:
        """The chosen filters; anything unreadable in the query string falls back to "all"."""
        self.is_valid()  # cleaned_data keeps only the fields that are valid
        valid = self.cleaned_data
        return TaskFilters(
            priority=valid.get("priority") or "",
            source=valid.get("source") or "",
            due=valid.get("due") or "",
            sort=valid.get("sort") or "pressing",
        )


# --- Tasks -------------------------------------------------------------------------------------


class TaskNoteForm(forms.Form):
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def person_value(user: User) -> str:
    return f"person:{user.pk}"


def role_value(role: str) -> str:
    return f"role:{role}"


class AssigneeField(forms.ChoiceField):
    """A person (the care team, coordinators) or everyone in a role, as "person:<id>" or "role:<role>"."""

    def __init__(self, *, people, **kwargs):
        self.people = {str(user.pk): user for user in people}
        choices = [("", "Choose who")]
        choices.append(
            ("Anyone in a role", [(role_value(role), f"Any {role.label.lower()}") for role in ASSIGNABLE_ROLES])
        )
        choices.append(
            ("A person", [(person_value(user), f"{user.display_name} ({label_for(user)})") for user in people])
        )
        super().__init__(choices=choices, **kwargs)

    def assignee(self, value: str) -> tuple[User | None, str]:
        kind, _, key = value.partition(":")
        if kind == "person":
            return self.people[key], ""
        return None, Role(key).value


def label_for(user: User) -> str:
    return user.get_discipline_display() if user.role == Role.CLINICIAN else user.get_role_display()


class ReassignForm(forms.Form):
    """Hand an open task to another person or to everyone in a role."""

    note = forms.CharField(
        label="Note for them (optional)",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, task: TeamTask, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "to": AssigneeField(label="Give this task to", people=list(assignable_people(patient=task.patient, by=by))),
            **self.fields,
        }

    def assignee(self) -> tuple[User | None, str]:
        return self.fields["to"].assignee(self.cleaned_data["to"])


# --- Team messages and the early warning -------------------------------------------------------


class TeamMessageForm(forms.Form):
    body = forms.CharField(
        label="Message to the team",
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only staff see team messages; the patient never does.",
        error_messages={"required": "Write the message before sending it."},
    )
    mentions = forms.ModelMultipleChoiceField(
        label="Mention colleagues (each gets a task)",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Mention only colleagues on this patient's team or coordinators."},
    )

    def __init__(self, *args, patient, author: User, **kwargs):
        super().__init__(*args, **kwargs)
        mentions = self.fields["mentions"]
        mentions.queryset = colleagues_for(patient).exclude(pk=author.pk)
        # The choices are read once here (the chart checks them and renders them: one query, not two);
        # a posted choice is still checked against the queryset.
        mentions.choices = [(user.pk, f"{user.display_name} ({label_for(user)})") for user in mentions.queryset]

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write the message before sending it.")
        return body


class FlagReviewForm(forms.Form):
    note = forms.CharField(
        label="What the team decided",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: discussed at the case conference; plan reviewed with the patient.",
        error_messages={"required": "Say what was decided, so the team can read it later."},
    )


# --- Case conferences ----------------------------------------------------------------------------


class ConferenceForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200, initial="Case conference")
    scheduled_for = forms.DateTimeField(
        label="Date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"invalid": "Enter a date and time, for example 2026-05-14 12:30."},
    )
    attendees = forms.ModelMultipleChoiceField(
        label="Attendees",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        attendees = self.fields["attendees"]
        attendees.queryset = User.objects.filter(is_active=True, role__in=(Role.CLINICIAN, Role.COORDINATOR)).order_by(
            "last_name", "first_name", "id"
        )
        attendees.label_from_instance = lambda user: f"{user.display_name} ({label_for(user)})"

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Give the conference a title.")
        return title

    def clean_scheduled_for(self):
        when = self.cleaned_data["scheduled_for"]
        if abs(when - timezone.now()) > datetime.timedelta(days=366 * 2):
            raise forms.ValidationError("Choose a date within two years of today.")
        return when


class AddPatientForm(forms.Form):
    """Add any patient the person may see, by MRN."""

    mrn = forms.CharField(label="Patient's MRN", max_length=20)
    reason_detail = forms.CharField(label="Why (optional)", max_length=300, required=False)


class AddCandidateForm(forms.Form):
    patient = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=[("complex", "complex"), ("escalation", "escalation")], widget=forms.HiddenInput)


class DiscussionForm(forms.Form):
    discussion = forms.CharField(
        label="Discussion", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 5})
    )
    decisions = forms.CharField(
        label="Decisions", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    review_flag = forms.BooleanField(
        label="The team has reviewed the early-warning flag (closes it; new signals raise a new one)",
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if not ((cleaned.get("discussion") or "").strip() or (cleaned.get("decisions") or "").strip()):
            raise forms.ValidationError("Write the discussion or the decisions before saving.")
        return cleaned


class DecisionTaskForm(forms.Form):
    """A decision that is someone's job: a task straight from the agenda item."""

    title = forms.CharField(label="Task", max_length=200)
    due_on = forms.DateField(
        label="Due",
        widget=date_input(),
        error_messages={"invalid": "Enter a date, for example 2026-05-14."},
    )
    priority = forms.ChoiceField(label="Priority", choices=TeamTask.Priority.choices, initial=TeamTask.Priority.NORMAL)

    def __init__(self, *args, patient, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "title": self.fields["title"],
            "to": AssigneeField(label="Who does it", people=list(assignable_people(patient=patient, by=by))),
            "due_on": self.fields["due_on"],
            "priority": self.fields["priority"],
        }
        if not self.is_bound:
            self.initial.setdefault("due_on", timezone.localdate() + datetime.timedelta(days=7))

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError("Say what is to be done.")
        return title

    def clean_due_on(self):
        due = self.cleaned_data["due_on"]
        if due < timezone.localdate() - datetime.timedelta(days=1) or due.year > timezone.localdate().year + 2:
            raise forms.ValidationError("Choose a due date from today on, within two years.")
        return due

    def assignee(self) -> tuple[User | None, str]:
        return self.fields["to"].assignee(self.cleaned_data["to"])
