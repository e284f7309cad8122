"""The in-clinic questionnaire form (kiosk and on the patient's behalf), one radio group per item,
and the alert acknowledgement form."""

from collections.abc import Mapping

from django import forms

from measures.definitions import InstrumentDefinition, Item
from measures.entry import not_asked

NEEDS_ANSWER = "Please choose an answer for this question."
NOT_AN_OPTION = "Please choose one of the answers shown."
NOTE_NEEDED = "Please say what was done before acknowledging the alert."


class InstrumentChoiceField(forms.ChoiceField):
    """A radio group whose cleaned value is the option's value as the instrument defines it (an int,
    or a float for non-integer options), or None when left unanswered."""

    def __init__(self, *, item: Item, **kwargs):
        self.item = item
        choices = [(str(option.value), option.label) for option in item.options]
        super().__init__(choices=choices, widget=forms.RadioSelect, required=False, label=item.text, **kwargs)
        self.error_messages["invalid_choice"] = NOT_AN_OPTION

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        for option in self.item.options:
            if str(option.value) == text:
                return option.value
        raise forms.ValidationError(NOT_AN_OPTION, code="invalid_choice")

    def validate(self, value):
        if value is not None and self.item.option_for(value) is None:
            raise forms.ValidationError(NOT_AN_OPTION, code="invalid_choice")


class ResponseEntryForm(forms.Form):
    """Every item of one instrument. Scored items (and a gate question) need an answer, except the
    items a gate skips (PC-PTSD-5: no exposure, no more questions); unscored items are optional."""

    def __init__(self, *args, definition: InstrumentDefinition, recorded: Mapping | None = None, **kwargs):
        """``recorded``: the patient's scoring context from their record (measures.scoring_context), which
        pre-selects the cut-off choice; left at "Not given", measures.entry falls back on the record too."""
        super().__init__(*args, **kwargs)
        self.definition = definition
        gate_item = definition.gate.item if definition.gate else None
        for item in definition.items:
            field = InstrumentChoiceField(item=item)
            field.needs_answer = item.scored or item.code == gate_item
            self.fields[item.code] = field
        screen = definition.screen
        self.context_field = None
        if screen is not None and screen.cutoff_by:
            self.context_field = f"context_{screen.cutoff_by}"
            self.fields[self.context_field] = forms.ChoiceField(
                label=f"{screen.cutoff_by.capitalize()} (sets the screening cut-off)",
                choices=[("", "Not given")] + [(value, value.capitalize()) for value, _ in screen.cutoffs],
                required=False,
                initial=(recorded or {}).get(screen.cutoff_by, ""),
            )

    def context_bound_field(self):
        return self[self.context_field] if self.context_field else None

    def item_fields(self):
        return [self[item.code] for item in self.definition.items]

    def clean(self):
        cleaned = super().clean()
        skipped = not_asked(self.definition, cleaned)
        for item in self.definition.items:
            if item.code in skipped:
                # The screen stopped at its gate (PC-PTSD-5: "No" to the exposure question): these items were
                # not asked, so whatever was ticked is dropped, and nothing about them needs fixing.
                self._errors.pop(item.code, None)
                cleaned[item.code] = None
                continue
            if item.code in self.errors:
                continue
            if self.fields[item.code].needs_answer and cleaned.get(item.code) is None:
                self.add_error(item.code, NEEDS_ANSWER)
        return cleaned

    @property
    def gate_item(self) -> str:
        """The gate question's code ("" without a gate): the items after it are asked only past the gate."""
        return self.definition.gate.item if self.definition.gate else ""

    @property
    def gate_number(self) -> int | None:
        """The gate question's number on the form (1-based), None without a gate."""
        codes = [item.code for item in self.definition.items]
        return codes.index(self.gate_item) + 1 if self.gate_item else None

    @property
    def gate_stop(self) -> str:
        """The gate's stop value as the form posts it (its radio is marked, so the page can hide the rest)."""
        return str(self.definition.gate.stop_when) if self.definition.gate else ""

    @property
    def answers(self) -> dict:
        return {item.code: self.cleaned_data.get(item.code) for item in self.definition.items}

    @property
    def scoring_context(self) -> dict | None:
        if not self.context_field:
            return None
        value = self.cleaned_data.get(self.context_field)
        return {self.definition.screen.cutoff_by: value} if value else None


class AcknowledgeForm(forms.Form):
    note = forms.CharField(
        label="What was done",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: phoned the patient, safety plan reviewed, appointment booked.",
        error_messages={"required": NOTE_NEEDED},
    )
