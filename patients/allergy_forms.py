"""The forms for allergies and intolerances: recording one, ending one with its reason."""

from django import forms

from clinic.form_fields import too_long
from patients.models import PatientAllergy


def _field(name: str):
    return PatientAllergy._meta.get_field(name)


class AllergyForm(forms.Form):
    substance = forms.CharField(
        label="Substance",
        max_length=_field("substance").max_length,
        help_text="The medicine, food or other substance, for example: penicillin.",
        error_messages={"required": "Name the substance.", "max_length": too_long("The substance")},
    )
    kind = forms.ChoiceField(
        label="Allergy or intolerance",
        choices=PatientAllergy.Kind.choices,
        initial=PatientAllergy.Kind.ALLERGY,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose allergy or intolerance.", "invalid_choice": "Choose from the list."},
    )
    reaction = forms.CharField(
        label="Reaction",
        required=False,
        max_length=_field("reaction").max_length,
        help_text="What happens, for example: rash.",
        error_messages={"max_length": too_long("The reaction")},
    )
    severity = forms.ChoiceField(
        label="Severity",
        choices=PatientAllergy.Severity.choices,
        initial=PatientAllergy.Severity.UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the severity.", "invalid_choice": "Choose a severity from the list."},
    )
    source = forms.ChoiceField(
        label="Source",
        choices=PatientAllergy.Source.choices,
        widget=forms.RadioSelect,
        help_text="Who says so.",
        error_messages={"required": "Choose the source.", "invalid_choice": "Choose a source from the list."},
    )

    def clean_substance(self) -> str:
        substance = " ".join(self.cleaned_data["substance"].split())
        if not substance:
            raise forms.ValidationError("Name the substance.", code="required")
        return substance


class EndAllergyForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why end this entry",
        choices=PatientAllergy.EndReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose why this entry ends.", "invalid_choice": "Choose a reason from the list."},
    )
