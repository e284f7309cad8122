"""The two forms of "Register from a FHIR referral": the JSON (pasted or a file), and the confirmation.

Both carry the JSON itself; the confirmation's copy is read again from scratch (interop.fhir_import) before
anything is saved, so what is registered is exactly what was shown, checked again.
"""

from django import forms

from interop.fhir_import import MAX_CHARACTERS
from patients.models import PainCondition

MAX_FILE_BYTES = MAX_CHARACTERS  # UTF-8: never fewer bytes than characters


class ReferralTextForm(forms.Form):
    text = forms.CharField(
        label="FHIR JSON",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "font-monospace"}),
        help_text=(
            "A Patient resource, or a Bundle with one Patient and its Condition and MedicationStatement resources."
        ),
    )
    file = forms.FileField(
        label="Or choose a .json file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json,application/fhir+json"}),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file is too large: at most {MAX_FILE_BYTES // 1000} KB.")
        try:
            return upload.read(MAX_FILE_BYTES + 1).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "The file is not UTF-8 text: choose the .json file the referral came as."
            ) from None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        text, from_file = data.get("text", ""), data.get("file", "")
        if text.strip() and from_file:
            raise forms.ValidationError("Paste the JSON or choose a file, not both.")
        data["json"] = (from_file or text).replace("\x00", "")
        return data


class ConfirmReferralForm(forms.Form):
    text = forms.CharField(widget=forms.HiddenInput, strip=False)  # its length is checked on reading it
    primary_condition = forms.ChoiceField(
        label="Main pain condition",
        choices=PainCondition.choices,
        initial=PainCondition.OTHER,
        help_text="Haven does not guess it from the referral's codes: choose it, or leave Other and set it later.",
        error_messages={"invalid_choice": "Choose the main pain condition from the list."},
    )
    confirm_new_person = forms.BooleanField(
        label="I have checked: this is a different person. Register anyway.", required=False
    )
