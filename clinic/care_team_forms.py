"""The care-team page's four forms (add, remove, make lead, end lead) and the registration form's choices.

Each select offers the people it makes sense to choose now, but accepts any member of staff: a choice
that a colleague made stale meanwhile (someone already removed, already lead) reaches the service,
which says calmly what changed instead of a bare "not a valid choice". Whether a reason is required is
decided by clinic.care_team_services (the team as it is when the change is made); the forms say it.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError

from clinic.care_team_services import REASON_MAX_LENGTH
from clinic.form_fields import too_long
from clinic.models import CareTeamMember, User


def clinician_label(user: User) -> str:
    """A person in a list of clinicians: name, credentials and discipline."""
    return f"{user.display_name} · {user.get_discipline_display()}"


class StaffChoiceField(forms.ChoiceField):
    """A select of staff: shows the choices given, cleans to the User with the posted id (any member of staff)."""

    def __init__(self, *, people: Iterable[User] = (), empty_label: str = "Choose a clinician", **kwargs):
        kwargs.setdefault(
            "error_messages", {"required": "Choose a clinician.", "invalid_choice": "Choose a clinician from the list."}
        )
        super().__init__(**kwargs)
        self.set_people(people, empty_label=empty_label)

    def set_people(self, people: Iterable[User], *, empty_label: str = "Choose a clinician") -> None:
        self.choices = [("", empty_label), *((person.pk, clinician_label(person)) for person in people)]

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return User.objects.get(pk=int(value))
        except (TypeError, ValueError, OverflowError, User.DoesNotExist):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def validate(self, value) -> None:
        forms.Field.validate(self, value)  # required only: what may be chosen is the service's question

    def has_changed(self, initial, data) -> bool:
        return str(initial or "") != str(data or "")


def reason_field(*, required: bool, help_text: str) -> forms.CharField:
    """Why: kept in the care team's history with who and when."""
    return forms.CharField(
        label="Reason",
        required=required,
        max_length=REASON_MAX_LENGTH,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why.", "max_length": too_long("The reason")},
    )


class CareTeamForm(forms.Form):
    """The shared part: the team as the page showed it decides what is offered and what is required."""

    def __init__(self, *args, team: list[CareTeamMember], clinicians: list[User] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team
        self.on_team = {membership.member_id for membership in team}
        self.lead = next((membership.member for membership in team if membership.is_lead), None)
        self.clinicians = clinicians or []


class AddMemberForm(CareTeamForm):
    member = StaffChoiceField(label="Clinician to add")
    reason = reason_field(required=False, help_text="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="add", **kwargs)
        self.fields["member"].set_people(person for person in self.clinicians if person.pk not in self.on_team)
        self.fields["member"].help_text = "Active clinicians not on the team yet."
        if self.team:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = "Required: why they join the team. Kept in the history."
        else:
            self.fields["reason"].help_text = "Optional for the first member of the team. Kept in the history."


class RemoveMemberForm(CareTeamForm):
    member = StaffChoiceField(label="Member to remove", empty_label="Choose a member")
    reason = reason_field(required=True, help_text="Required: why they leave the team. Kept in the history.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="remove", **kwargs)
        self.fields["member"].set_people((m.member for m in self.team), empty_label="Choose a member")
        self.fields["member"].error_messages["required"] = "Choose the member to remove."
        self.fields["member"].help_text = "Removing the lead clinician also ends their lead role."


class MakeLeadForm(CareTeamForm):
    member = StaffChoiceField(label="New lead clinician")
    # The lead the page showed (empty: none), so a lead changed meanwhile is not replaced unseen.
    replacing = forms.CharField(widget=forms.HiddenInput, required=False)
    reason = reason_field(required=False, help_text="")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="lead", **kwargs)
        lead_id = self.lead.pk if self.lead else None
        self.fields["member"].set_people(person for person in self.clinicians if person.pk != lead_id)
        self.fields["member"].help_text = "Any active clinician; someone not on the team joins it."
        self.initial.setdefault("replacing", lead_id or "")
        if self.team:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = (
                "Required: why the lead clinician changes. Kept in the history."
                if self.lead
                else "Required: why they lead the team. Kept in the history."
            )
        else:
            self.fields["reason"].help_text = "Optional for the first lead of the team. Kept in the history."

    def clean_replacing(self) -> User | None:
        value = self.cleaned_data["replacing"]
        if not value:
            return None
        try:
            return User.objects.get(pk=int(value))
        except (TypeError, ValueError, OverflowError, User.DoesNotExist):
            raise ValidationError("The page was out of date: reload it and try again.") from None


class EndLeadForm(CareTeamForm):
    # The lead the page showed; a lead changed meanwhile is not ended unseen.
    member = StaffChoiceField(widget=forms.HiddenInput)
    reason = reason_field(
        required=True,
        help_text="Required: why their lead role ends. They stay on the team; the patient then waits for a new lead.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="end", **kwargs)
        self.fields["member"].error_messages["required"] = "The patient has no lead clinician now."
        if self.lead:
            self.initial.setdefault("member", self.lead.pk)
