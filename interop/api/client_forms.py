"""The admin's form to issue a FHIR API client: a name, the resource types it may read, and its patients (the
whole clinic, or a list of MRNs). Every choice is checked again on submit; nothing typed is lost on an error."""

from __future__ import annotations

import re

from django import forms
from django.db.models.functions import Upper

from clinic.form_fields import too_long
from interop.fhir import registry
from interop.models import FhirClient
from patients.models import Patient

WHOLE_CLINIC, LISTED = "whole_clinic", "listed"
MAX_LISTED = 5000  # the app's own bound: a GP practice's patients at this clinic, with room to spare
MRN_SEPARATORS = re.compile(r"[\s,;]+")


class IssueClientForm(forms.Form):
    name = forms.CharField(
        label="Client name",
        max_length=120,
        help_text="Who will use it, as the audit trail should name them: for example Northside GP Practice.",
        error_messages={"required": "Give the client a name.", "max_length": too_long("The name")},
    )
    scopes = forms.MultipleChoiceField(
        label="Resource types it may read",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one resource type.", "invalid_choice": "Choose from the list."},
    )
    reach = forms.ChoiceField(
        label="Patients it may read",
        widget=forms.RadioSelect,
        choices=[(LISTED, "Only the patients listed below"), (WHOLE_CLINIC, "Every patient of the clinic")],
        initial=LISTED,
        error_messages={"required": "Choose which patients it may read.", "invalid_choice": "Choose from the list."},
    )
    mrns = forms.CharField(
        label="MRNs of its patients",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One MRN per line (commas and spaces also separate them). Only used for a list of patients.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(name, name) for name in sorted(registry.type_names())]

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if FhirClient.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError(
                "A client with this name exists already (revoked ones count: the audit trail names clients by "
                "name). Choose another, for example with the year."
            )
        return name

    def clean(self):
        cleaned = super().clean()
        cleaned["patients"] = None
        if cleaned.get("reach") == LISTED:
            cleaned["patients"] = self.listed_patients(self.cleaned_data.get("mrns", ""))
        return cleaned

    def listed_patients(self, typed: str) -> list[Patient] | None:
        mrns = list(dict.fromkeys(mrn.upper() for mrn in MRN_SEPARATORS.split(typed) if mrn))
        if not mrns:
            self.add_error("mrns", "List at least one MRN, or choose every patient of the clinic.")
            return None
        if len(mrns) > MAX_LISTED:
            self.add_error("mrns", f"List at most {MAX_LISTED:,} MRNs (there are {len(mrns):,}).")
            return None
        found = list(Patient.objects.annotate(upper_mrn=Upper("mrn")).filter(upper_mrn__in=mrns).order_by("id"))
        missing = sorted(set(mrns) - {patient.mrn.upper() for patient in found})
        if missing:
            shown = ", ".join(missing[:20]) + (f" and {len(missing) - 20} more" if len(missing) > 20 else "")
            self.add_error("mrns", f"No patient has the MRN {shown}. Check the list; nothing was issued.")
            return None
        return found
