"""Forms for visit notes (with their functional tests), addenda, signing and psychotherapy notes.

The functional tests are a small formset: blank rows are skipped; every other row is checked by
patients.encounters.clean_functional_test, whose messages say what to fix. Every note textarea carries
``data-language-check`` so static/js/language_check.js offers kinder phrasing while the clinician writes.
"""

import datetime

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone

from clinic.form_fields import date_input
from patients.encounters import CHOICES, LABEL_MAX, MAX_ENTRIES, NOTE_MAX, UNIT_MAX, FunctionalTestError
from patients.encounters import clean_functional_test as clean_entry
from patients.models import DATE_FORMATS, Encounter

TEXT_MAX = 20_000
PSYCHOTHERAPY_TEXT_MAX = 50_000
BLANK_ROWS = 3


def note_area(rows: int = 3, **attrs) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "data-language-check": reverse_lazy("patients:language_check"), **attrs})


def note_field(label: str, *, help_text: str = "", required: bool = False, limit: int = TEXT_MAX, rows: int = 3):
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        help_text=help_text,
        widget=note_area(rows),
        error_messages={
            "max_length": f"{label} can be at most %(limit_value)d characters (it has %(show_value)d).",
            "required": f"Write the {label.lower()}.",
        },
    )


def date_field(label: str, required: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        input_formats=DATE_FORMATS,
        widget=date_input(),
        error_messages={
            "required": required,
            "invalid": "Enter the date as a date, for example 2025-03-14.",
        },
    )


def check_visit_date(value: datetime.date, patient) -> datetime.date:
    if value > timezone.localdate():
        raise forms.ValidationError("The date cannot be in the future.")
    if patient is not None and value < patient.date_of_birth:
        raise forms.ValidationError("The date is before the patient was born: check the date.")
    return value


class EncounterForm(forms.Form):
    occurred_on = date_field("Date of the visit", "Enter the date of the visit.")
    kind = forms.ChoiceField(
        label="Type of visit",
        choices=Encounter.Kind.choices,
        error_messages={"required": "Choose the type of visit.", "invalid_choice": "Choose a type from the list."},
    )
    priorities = note_field("The patient's priorities today", help_text="In the patient's words where possible.")
    findings = note_field("Findings", rows=4)
    assessment = note_field("Assessment", rows=4)
    plan = note_field("Plan", rows=4)
    free_text = note_field("Other notes")
    # The version the clinician opened; a save based on an older one is refused (optimistic locking).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    def __init__(self, *args, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_occurred_on(self):
        return check_visit_date(self.cleaned_data["occurred_on"], self.patient)

    def note_fields(self) -> dict:
        """The cleaned fields of the note itself (not the version)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}

    @staticmethod
    def initial_for(encounter: Encounter) -> dict:
        return {
            "occurred_on": encounter.occurred_on,
            "kind": encounter.kind,
            "priorities": encounter.priorities,
            "findings": encounter.findings,
            "assessment": encounter.assessment,
            "plan": encounter.plan,
            "free_text": encounter.free_text,
            "version": encounter.version,
        }


class FunctionalTestForm(forms.Form):
    test = forms.ChoiceField(
        label="Test",
        choices=[("", "Choose a test"), *CHOICES],
        required=False,
        error_messages={"invalid_choice": "Choose a test from the list."},
    )
    label = forms.CharField(label="Other test: its name", required=False, max_length=LABEL_MAX)
    value = forms.CharField(label="Result", required=False, max_length=30)
    unit = forms.CharField(label="Other test: unit", required=False, max_length=UNIT_MAX)
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX)

    def clean(self):
        data = super().clean()
        self.entry = None
        if self.errors or not any((data.get(name) or "").strip() for name in self.fields):
            return data
        try:
            self.entry = clean_entry({name: data.get(name) or None for name in self.fields})
        except FunctionalTestError as refused:
            self.add_error(refused.field if refused.field in self.fields else "value", refused.message)
        return data


class BaseFunctionalTestFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": "The functional tests could not be read. Reload the page and try again.",
        "too_many_forms": f"A visit can record at most {MAX_ENTRIES} functional tests.",
    }

    def entries(self) -> list[dict]:
        """The cleaned entries of the filled rows, in order (call after is_valid())."""
        return [form.entry for form in self.forms if getattr(form, "entry", None)]

    @staticmethod
    def initial_for(encounter: Encounter) -> list[dict]:
        return [
            {
                "test": entry.get("test", ""),
                "label": entry.get("label", ""),
                "value": "" if entry.get("value") is None else str(entry["value"]),
                "unit": entry.get("unit", ""),
                "note": entry.get("note", ""),
            }
            for entry in encounter.functional_tests or []
        ]


FunctionalTestFormSet = forms.formset_factory(
    FunctionalTestForm,
    formset=BaseFunctionalTestFormSet,
    extra=BLANK_ROWS,
    max_num=MAX_ENTRIES,
    validate_max=True,
    absolute_max=MAX_ENTRIES,
)

FUNCTIONAL_TESTS_PREFIX = "tests"


def functional_test_formset(data=None, *, encounter: Encounter | None = None) -> BaseFunctionalTestFormSet:
    initial = BaseFunctionalTestFormSet.initial_for(encounter) if encounter is not None else None
    return FunctionalTestFormSet(data, initial=initial, prefix=FUNCTIONAL_TESTS_PREFIX)


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class AddendumForm(forms.Form):
    text = note_field(
        "Addendum", required=True, rows=3, help_text="Added under the signed note with your name and time."
    )


class PsychotherapyNoteForm(forms.Form):
    occurred_on = date_field("Date of the session", "Enter the date of the session.")
    text = note_field("Note", required=True, limit=PSYCHOTHERAPY_TEXT_MAX, rows=10)

    def __init__(self, *args, patient=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_occurred_on(self):
        return check_visit_date(self.cleaned_data["occurred_on"], self.patient)
