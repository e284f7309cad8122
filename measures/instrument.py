"""The instrument definition objects: an instrument's items, options, scoring, bands, screen, alerts and change
rules, as :func:`measures.definitions.load_definition` builds them from a definition file (its format is in
measures/definition_format.py). Pure code: no ORM, no Django settings.
"""

from __future__ import annotations

import dataclasses
import datetime
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

Number = int | float


class DefinitionError(ValueError):
    """A definition file is malformed. ``problems`` lists every problem found at the failing stage."""

    def __init__(self, problems: Iterable[str], code: str | None = None):
        self.problems = tuple(problems)
        self.code = code
        where = f"Instrument definition {code!r}" if code else "Instrument definition"
        super().__init__(f"{where} refused: " + "; ".join(self.problems))


class UnknownInstrumentError(LookupError):
    """No instrument with that code is known. Never guessed."""


# --------------------------------------------------------------------------- the definition objects


@dataclass(frozen=True)
class Option:
    value: Number
    label: str
    anchor: str | None = None
    loinc: str | None = None


@dataclass(frozen=True)
class Item:
    code: str
    text: str
    scored: bool
    options: tuple[Option, ...]
    uses_stem: bool = True
    loinc: str | None = None

    @property
    def values(self) -> tuple[Number, ...]:
        return tuple(option.value for option in self.options)

    def option_for(self, value: Any) -> Option | None:
        """The option with exactly this value (ints for integer options; bools and strings never match)."""
        for option in self.options:
            if same_number(value, option.value):
                return option
        return None


@dataclass(frozen=True)
class Gate:
    """A screening question that stops the instrument: when ``item`` is answered ``stop_when``, the total is
    ``total_when_stopped`` and the scored items are ignored (PC-PTSD-5 exposure question)."""

    item: str
    stop_when: Number
    total_when_stopped: Number


@dataclass(frozen=True)
class Band:
    label: str
    min: Number
    max: Number

    def contains(self, total: Fraction) -> bool:
        return exact_fraction(self.min) <= total <= exact_fraction(self.max)


@dataclass(frozen=True)
class Screen:
    """Positive when total >= cut-off. Either one ``cutoff`` or ``cutoffs`` by a context key (``cutoff_by``)."""

    cutoff: Number | None = None
    cutoff_by: str | None = None
    cutoffs: tuple[tuple[str, Number], ...] = ()
    alternatives: tuple[Number, ...] = ()

    def cutoff_for(self, context: Mapping[str, Any] | None) -> Number | None:
        """The cut-off that applies, or None when it depends on a context value that is missing or unknown."""
        if self.cutoff_by is None:
            return self.cutoff
        raw = (context or {}).get(self.cutoff_by)
        if not isinstance(raw, str):
            return None
        return dict(self.cutoffs).get(raw.strip().lower())


@dataclass(frozen=True)
class Alert:
    flag: str
    item: str
    above: Number
    note: str | None = None


@dataclass(frozen=True)
class ChangeRules:
    """How to judge change over time. ``better`` is "lower" for every shipped instrument."""

    better: str = "lower"
    responder_min_percent: Number | None = None
    responder_status: str | None = None
    remission_below: Number | None = None
    remission_above: Number | None = None
    remission_status: str | None = None
    meaningful_points: Number | None = None
    meaningful_status: str | None = None

    @property
    def lower_is_better(self) -> bool:
        return self.better == "lower"


@dataclass(frozen=True)
class Licence:
    holder: str
    reference: str
    status: str | None = None
    terms: str | None = None
    urls: tuple[str, ...] = ()
    expires: datetime.date | None = None
    permitted_languages: tuple[str, ...] = ()
    no_modification: bool = False


@dataclass(frozen=True)
class Translation:
    """The publisher's official wording in another language (measures/definition_translations.py): the
    original's items and answers, same codes and values, in that language's words, with its source."""

    language: str
    stem: str | None
    items: tuple[Item, ...]
    source_citation: str
    source_urls: tuple[str, ...] = ()


@dataclass(frozen=True)
class InstrumentDefinition:
    code: str
    name: str
    version: str
    items: tuple[Item, ...]
    method: str
    licence: Licence
    attribution_text: str
    source_citation: str
    title: str | None = None
    language: str = "en"
    stem: str | None = None
    patient_subject: str | None = None
    gate: Gate | None = None
    display_decimals: int = 0
    bands: tuple[Band, ...] = ()
    screen: Screen | None = None
    alerts: tuple[Alert, ...] = ()
    change: ChangeRules = ChangeRules()
    loinc_panel: str | None = None
    loinc_total: str | None = None
    source_urls: tuple[str, ...] = ()
    verified_on: datetime.date | None = None
    verified_against: str | None = None
    notes: tuple[str, ...] = ()
    checksum: str = ""
    min_total: Number = 0
    max_total: Number = 0
    translations: tuple[Translation, ...] = ()
    #: Set on a definition worded in one of its translations: where that wording comes from.
    translation_source: str | None = None

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages its questions can be given in: its own, then its official translations'."""
        return (self.language, *(translation.language for translation in self.translations))

    def worded_in(self, language: str) -> InstrumentDefinition:
        """The same instrument (scoring, bands, alerts, answer keys) in the words of ``language`` when an
        official translation is loaded for it; otherwise itself, in its own language."""
        translation = next((t for t in self.translations if t.language == language), None)
        if translation is None:
            return self
        return dataclasses.replace(
            self,
            language=translation.language,
            stem=translation.stem,
            items=translation.items,
            translations=(),
            translation_source=translation.source_citation,
        )

    @property
    def item_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.items)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scored)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(f"{self.code} has no item {code!r}")

    def band_for(self, total: Number | Fraction | None) -> str | None:
        if total is None:
            return None
        exact = exact_fraction(total)
        for band in self.bands:
            if band.contains(exact):
                return band.label
        return None

    def with_cutoff(
        self, cutoff: Number | None = None, *, cutoffs: Mapping[str, Number] | None = None
    ) -> InstrumentDefinition:
        """The same instrument with a clinic-configured screen cut-off (e.g. PC-PTSD-5 at 4), validated."""
        if self.screen is None:
            raise DefinitionError([f"{self.code} is not a screen, so it has no cut-off to configure"], self.code)
        if (cutoff is None) == (cutoffs is None):
            raise DefinitionError(["give exactly one of cutoff or cutoffs"], self.code)
        if cutoff is not None:
            if self.screen.cutoff_by is not None:
                raise DefinitionError([f"the cut-off depends on {self.screen.cutoff_by!r}: give cutoffs"], self.code)
            screen = dataclasses.replace(self.screen, cutoff=cutoff)
        else:
            if self.screen.cutoff_by is None:
                raise DefinitionError(["this screen has a single cut-off: give cutoff"], self.code)
            screen = dataclasses.replace(self.screen, cutoffs=tuple(sorted(dict(cutoffs or {}).items())))
        problems = check_screen_values(screen, self.min_total, self.max_total)
        if problems:
            raise DefinitionError(problems, self.code)
        return dataclasses.replace(self, screen=screen)


def check_screen_values(screen: Screen, lowest: Number, highest: Number) -> list[str]:
    problems = []
    values = [("cut-off", screen.cutoff)] if screen.cutoff_by is None else list(screen.cutoffs)
    values += [("alternative cut-off", value) for value in screen.alternatives]
    for name, value in values:
        if value is None or not is_number(value):
            problems.append(f"screen {name} must be a number, not {value!r}")
        elif not lowest < value <= highest:
            problems.append(
                f"screen {name} {value} must be above the lowest possible total {lowest} "
                f"and at most the highest {highest}"
            )
    return problems


# --------------------------------------------------------------------------- numbers


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


def normalise_number(value: Number) -> Number:
    """1.0 in a definition file means the whole number 1 (so answers must then be ints)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def exact_fraction(value: Number | Fraction) -> Fraction:
    """Exact value; a float is read as its shortest decimal form (3.9 is 39/10, not the binary approximation)."""
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(value)


def plain_number(value: Fraction) -> Number:
    return int(value) if value.denominator == 1 else float(value)


def same_number(answer: Any, value: Number) -> bool:
    """An answer matches an option only as the same kind of number: 2 matches 2; 2.0, "2" and True do not.
    A non-integer option (0.5) is matched by the float 0.5."""
    if isinstance(value, int):
        return is_int(answer) and answer == value
    return isinstance(answer, float) and answer == value
