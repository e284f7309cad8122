"""Forms for the problem list, pain classification, complexity rating and red flags (clinician-facing)."""

from datetime import datetime

from django import forms

from clinic.form_fields import too_long
from clinic.roles import Discipline
from clinic.safety_forms import ACTION_NEEDED, AcknowledgeUrgentForm
from patients import redflags
from patients.models import Complexity, PainCondition, PainType, Problem

NOTES_MAX = 5000
NOTE_MAX = 2000
ACKNOWLEDGEMENT_NEEDED = ACTION_NEEDED
OUT_OF_DATE = "This form is out of date. Open the page again and redo your change."


class ProblemForm(forms.Form):
    """Add a problem, or change one (then with the ``updated_at`` the editor saw, to refuse a stale save)."""

    domain = forms.ChoiceField(
        label="Domain",
        choices=[("", "Choose a domain"), *Problem.Domain.choices],
        error_messages={
            "required": "Choose the domain this problem belongs to.",
            "invalid_choice": "Choose a domain from the list.",
        },
    )
    title = forms.CharField(
        label="Problem",
        max_length=Problem._meta.get_field("title").max_length,
        help_text="A short name, for example: poor sleep because of night pain.",
        error_messages={"required": "Name the problem.", "max_length": too_long("The problem")},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=Problem.Status.choices,
        initial=Problem.Status.ACTIVE,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a status.", "invalid_choice": "Choose a status from the list."},
    )
    owner_discipline = forms.ChoiceField(
        label="Owner discipline",
        choices=[("", "No owner yet"), *Discipline.choices],
        required=False,
        help_text="The discipline that leads on this problem.",
        error_messages={"invalid_choice": "Choose a discipline from the list."},
    )
    notes = forms.CharField(
        label="Notes",
        required=False,
        max_length=NOTES_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": too_long("Notes")},
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["updated_at"] = forms.CharField(
                widget=forms.HiddenInput, error_messages={"required": OUT_OF_DATE}
            )

    @classmethod
    def initial_for(cls, problem: Problem) -> dict:
        return {name: getattr(problem, name) for name in Problem.EDITABLE} | {
            "updated_at": problem.updated_at.isoformat()
        }

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Name the problem.", code="required")
        return title

    def clean_updated_at(self) -> datetime:
        try:
            seen = datetime.fromisoformat(self.cleaned_data["updated_at"])
        except ValueError:
            raise forms.ValidationError(OUT_OF_DATE, code="out_of_date") from None
        if seen.tzinfo is None:
            raise forms.ValidationError(OUT_OF_DATE, code="out_of_date")
        return seen

    def fields_to_save(self) -> dict:
        return {name: self.cleaned_data[name] for name in Problem.EDITABLE}


class PainClassificationForm(forms.Form):
    pain_type = forms.ChoiceField(
        label="Pain type",
        choices=[(value, label) for value, label in PainType.choices if value],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the pain type.", "invalid_choice": "Choose a pain type from the list."},
    )
    main_condition = forms.ChoiceField(
        label="Main condition",
        choices=PainCondition.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the main condition.",
            "invalid_choice": "Choose the main condition from the list.",
        },
    )
    other_conditions = forms.MultipleChoiceField(
        label="Other conditions",
        choices=PainCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Any further conditions (the main one is always included).",
        error_messages={"invalid_choice": "Choose other conditions from the list."},
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: what the classification rests on.",
        error_messages={"max_length": too_long("The note")},
    )

    @classmethod
    def initial_for(cls, patient) -> dict:
        return {
            "pain_type": patient.pain_type or None,
            "main_condition": patient.primary_condition,
            "other_conditions": list(patient.other_conditions),
        }


class ComplexityForm(forms.Form):
    level = forms.ChoiceField(
        label="Complexity",
        choices=[(value, label) for value, label in Complexity.choices if value],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose simple or complex.",
            "invalid_choice": "Choose simple or complex.",
        },
    )
    reason = forms.CharField(
        label="Reason",
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the rating rests on: for example how function, treatment and the number of providers changed.",
        error_messages={"required": "Give the reason for this rating.", "max_length": too_long("The reason")},
    )


def red_flag_choices() -> list:
    """Examination findings (the table's words), then the screen's items found from the history."""
    return [
        ("Found at examination", [(item.code, item.text) for item in redflags.EXAM_ITEMS]),
        ("From the history", [(item.code, item.text) for item in redflags.ITEMS]),
    ]


class ExamRedFlagForm(forms.Form):
    code = forms.ChoiceField(
        label="Red flag",
        choices=red_flag_choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the red flag you found.",
            "invalid_choice": "Choose a red flag from the list.",
        },
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: details of the finding.",
        error_messages={"max_length": too_long("The note")},
    )
    # A fresh key per form: a double submit or a retried request records the flag once.
    submission = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE},
    )

    def groups(self) -> list[tuple[str, list]]:
        """The radio buttons in their two groups, for a fieldset each."""
        by_code = {choice.data["value"]: choice for choice in self["code"]}
        return [(label, [by_code[code] for code, _ in options]) for label, options in red_flag_choices()]


class RedFlagAcknowledgeForm(AcknowledgeUrgentForm):
    """What was done about a red flag: the safety net's short list and a note (clinic/safety_forms.py)."""
