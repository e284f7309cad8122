"""Visit notes as data and pure rules (no ORM): the functional test catalogue, cleaning a functional test
entry, and the exceptions the charting workflow raises.

    >>> clean_functional_test({"test": "timed_10m_walk", "value": "12.5"})
    {'test': 'timed_10m_walk', 'value': 12.5}
    >>> describe({"test": "sit_to_stand_30s", "value": 9})
    '30-second sit-to-stand: 9 repetitions'

An entry is stored in ``Encounter.functional_tests`` as ``{"test": code, "value": number}``, plus ``"note"``
when the clinician wrote one, and ``"label"`` and ``"unit"`` for ``other`` (a test not in the catalogue).
Cleaning is idempotent: a cleaned entry cleans to itself.

The ranges are the app's plausibility limits for catching typing mistakes (a 10-metre walk in 0 seconds,
-3 repetitions, 5000 kg), not clinical norms or cut-offs: REFERENCE.md gives none for these tests, and the
app judges no result. The test names are the tests' usual names; the unit words are the app's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "CATALOGUE",
    "MAX_ENTRIES",
    "OTHER",
    "EditConflict",
    "FunctionalTest",
    "FunctionalTestError",
    "NotTheAuthor",
    "NoteLocked",
    "clean_functional_test",
    "clean_functional_tests",
    "describe",
]

OTHER = "other"
MAX_ENTRIES = 20
LABEL_MAX = 100
UNIT_MAX = 20
NOTE_MAX = 200
# What a clinician types: digits with an optional sign and decimal point or comma, no exponent.
PLAIN_NUMBER = re.compile(r"[-+]?(\d{1,12}(\.\d{0,6})?|\.\d{1,6})")


@dataclass(frozen=True)
class FunctionalTest:
    """One test of the catalogue: what is measured, in which unit, and the plausible range of a result."""

    code: str
    label: str
    unit: str  # plural unit word, as shown after the value
    minimum: Decimal
    maximum: Decimal
    #: A timed test: a result of 0 is a typing mistake, never a result.
    timed: bool = False
    whole_number: bool = False
    decimals: int = 1
    unit_singular: str = ""

    def unit_for(self, value: int | float) -> str:
        return self.unit_singular if value == 1 and self.unit_singular else self.unit


CATALOGUE: dict[str, FunctionalTest] = {
    test.code: test
    for test in (
        FunctionalTest(
            "timed_10m_walk",
            "Timed 10-metre walk",
            "seconds",
            Decimal(1),
            Decimal(300),
            timed=True,
            unit_singular="second",
        ),
        FunctionalTest(
            "six_minute_walk",
            "Six-minute walk distance",
            "metres",
            Decimal(0),
            Decimal(1200),
            decimals=0,
            unit_singular="metre",
        ),
        FunctionalTest(
            "sit_to_stand_30s",
            "30-second sit-to-stand",
            "repetitions",
            Decimal(0),
            Decimal(60),
            whole_number=True,
            decimals=0,
            unit_singular="repetition",
        ),
        FunctionalTest(
            "five_times_sit_to_stand",
            "Five times sit-to-stand",
            "seconds",
            Decimal(1),
            Decimal(300),
            timed=True,
            unit_singular="second",
        ),
        FunctionalTest(
            "lift_floor_to_waist",
            "Lift, floor to waist",
            "kg",
            Decimal(0),
            Decimal(200),
        ),
        FunctionalTest(OTHER, "Other test", "", Decimal(0), Decimal(100000), decimals=2),
    )
}

CHOICES: list[tuple[str, str]] = [(test.code, test.label) for test in CATALOGUE.values()]


class FunctionalTestError(ValueError):
    """An entry that cannot be saved; ``field`` names the part to fix ("test", "value", "label", ...)."""

    def __init__(self, message: str, *, field: str = "value"):
        super().__init__(message)
        self.message = message
        self.field = field


# --------------------------------------------------------------------------- the charting workflow's refusals


class ChartingRefused(Exception):
    """A change to a visit note that cannot be made (the subclass says why)."""


class NotTheAuthor(ChartingRefused):
    def __init__(self):
        super().__init__("Only the clinician who wrote this draft can change or sign it.")


class NoteLocked(ChartingRefused):
    def __init__(self, current=None):
        super().__init__("This note is signed, so it can no longer be changed. Add an addendum instead.")
        self.current = current


class EditConflict(ChartingRefused):
    """A save based on an older version: refused, not merged. ``current`` is the note as saved now."""

    def __init__(self, current=None):
        super().__init__("Someone saved this note after you opened it.")
        self.current = current


# --------------------------------------------------------------------------- cleaning


def clean_functional_test(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One entry, checked and normalised; raises FunctionalTestError with a message for the clinician."""
    if not isinstance(entry, Mapping):
        raise FunctionalTestError("A functional test entry must name a test and its result.", field="test")
    code = entry.get("test")
    test = CATALOGUE.get(code) if isinstance(code, str) else None
    if test is None:
        raise FunctionalTestError("Choose a test from the list.", field="test")
    cleaned: dict[str, Any] = {"test": test.code}
    if test.code == OTHER:
        label = _text(entry.get("label"), LABEL_MAX, "the test's name")
        if not label:
            raise FunctionalTestError("Name the test, for example: single-leg stance.", field="label")
        cleaned["label"] = label
    value = _number(entry.get("value"), test)
    cleaned["value"] = value
    if test.code == OTHER:
        unit = _text(entry.get("unit"), UNIT_MAX, "the unit", field="unit")
        if unit:
            cleaned["unit"] = unit
    note = _text(entry.get("note"), NOTE_MAX, "the note", field="note")
    if note:
        cleaned["note"] = note
    return cleaned


def clean_functional_tests(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Every entry cleaned, in order; at most MAX_ENTRIES. Raises FunctionalTestError on the first bad one."""
    entries = list(entries)
    if len(entries) > MAX_ENTRIES:
        raise FunctionalTestError(f"A visit can record at most {MAX_ENTRIES} functional tests.", field="test")
    return [clean_functional_test(entry) for entry in entries]


def describe(entry: Mapping[str, Any]) -> str:
    """An entry in words: "Timed 10-metre walk: 12.5 seconds"; "Single-leg stance (other): 20 s"."""
    code = entry.get("test")
    test = CATALOGUE.get(code) if isinstance(code, str) else None
    value = entry.get("value")
    if test is None or not isinstance(value, int | float) or isinstance(value, bool):
        return "Functional test (not readable)"
    shown = format_value(value, test)
    if test.code == OTHER:
        unit = entry.get("unit") or ""
        words = f"{entry.get('label') or 'Other test'}: {shown}{f' {unit}' if unit else ''}"
    else:
        words = f"{test.label}: {shown} {test.unit_for(value)}"
    note = entry.get("note")
    return f"{words} ({note})" if note else words


def format_value(value: int | float, test: FunctionalTest) -> str:
    if test.whole_number or float(value).is_integer():
        return str(int(value))
    return f"{Decimal(str(value)).normalize():f}"


def _number(raw: Any, test: FunctionalTest) -> int | float:
    if isinstance(raw, bool) or raw is None or (isinstance(raw, str) and not raw.strip()):
        raise FunctionalTestError(f"Enter the result of the {test.label.lower()}.")
    if isinstance(raw, str):
        written = raw.strip().replace(",", ".")
        if not PLAIN_NUMBER.fullmatch(written):
            raise FunctionalTestError("Enter the result as a number, for example 12.5.")
    elif isinstance(raw, int | float | Decimal):
        written = str(raw)
    else:
        raise FunctionalTestError("Enter the result as a number, for example 12.5.")
    try:
        number = Decimal(written)
    except (InvalidOperation, ValueError):
        raise FunctionalTestError("Enter the result as a number, for example 12.5.") from None
    if not number.is_finite():
        raise FunctionalTestError("Enter the result as a number, for example 12.5.")
    unit = f" {test.unit}" if test.unit else ""
    if number < 0:
        raise FunctionalTestError("A result cannot be negative.")
    if test.timed and number == 0:
        raise FunctionalTestError(f"A {test.label.lower()} cannot take 0{unit}: check the result.")
    if number < test.minimum:
        least = test.unit_for(int(test.minimum)) if test.unit else ""
        raise FunctionalTestError(f"The result must be at least {test.minimum}{f' {least}' if least else ''}.")
    if number > test.maximum:
        raise FunctionalTestError(f"That is more than the {test.maximum}{unit} this test allows: check the result.")
    if test.whole_number:
        if number != number.to_integral_value():
            raise FunctionalTestError(f"Count whole {test.unit} (no decimals).")
        return int(number)
    rounded = round(number, test.decimals)
    if rounded != number:
        if test.decimals == 0:
            raise FunctionalTestError(f"Enter the result as a whole number{f' of{unit}' if unit else ''}.")
        places = "1 decimal place" if test.decimals == 1 else f"{test.decimals} decimal places"
        raise FunctionalTestError(f"Enter the result with at most {places}.")
    return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)


def _text(raw: Any, limit: int, what: str, *, field: str = "label") -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise FunctionalTestError(f"Write {what} as text.", field=field)
    text = " ".join(raw.split())
    if "\x00" in text:
        raise FunctionalTestError(f"{what.capitalize()} contains a character that cannot be saved.", field=field)
    if len(text) > limit:
        raise FunctionalTestError(f"Keep {what} to {limit} characters (it has {len(text)}).", field=field)
    return text
