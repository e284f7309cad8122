"""Questionnaire scoring (Contract 1 in ../shared/clinical/README.md). Pure: no ORM, no I/O beyond the
shipped definition files, which are read once and cached.

    >>> score("phq2", {"phq2_1": 2, "phq2_2": 1}).positive
    True

Everything is driven by the definition data, so a clinic-loaded instrument scores through the same
code: ``score_with(load_definition(data), answers)``.

Rules (beyond the contract's wording):

- Answers must be the exact option value as an int (or a float for an instrument whose options are
  non-integer). ``2.0``, ``"2"``, ``True`` and ``Decimal(2)`` are invalid values, never coerced.
- Missing means ``None`` or absent. Unscored items (the PHQ-9 and GAD-7 difficulty items) may be
  missing, but an unscored item holding a value outside its options still makes the response invalid.
- Answer keys the instrument does not know are ignored.
- Gate (PC-PTSD-5): when the exposure answer is the stop value ("NO"), the total is the stopped total
  (0) and the scored items are ignored, whether answered, missing or invalid. A missing or invalid gate
  answer makes the response incomplete or invalid like any other item.
- Alerts (PHQ-9 item 9 > 0) are checked on every call, whatever else is missing or invalid, and they
  err towards alerting: an invalid item-9 answer that still reads as a number above the threshold
  (``"2"``, ``2.0``, ``True``, ``7``) raises the alert as well as ``invalid_value``.
- Screens with sex-specific cut-offs (AUDIT-C US) read ``context["sex"]`` ("male" or "female", any
  case). Without it, or with any other value, the total and validity are reported as usual and
  ``positive`` is None (``missing_context`` says why): neither REFERENCE.md nor vectors.json gives a
  rule for that case, and a cut-off is never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from measures.definitions import InstrumentDefinition, Item, Option, get_definition
from measures.instrument import exact_fraction, plain_number

__all__ = ["INCOMPLETE", "INVALID_VALUE", "SAFETY_ALERT", "ScoreResult", "score", "score_with"]

INCOMPLETE = "incomplete"
INVALID_VALUE = "invalid_value"
SAFETY_ALERT = "safety_alert"

_MISSING = object()


@dataclass(frozen=True)
class ScoreResult:
    """The contract fields (total, band, positive, flags, valid) plus what is needed to store and explain them."""

    total: int | float | None
    band: str | None
    positive: bool | None
    flags: frozenset[str]
    valid: bool
    code: str = ""
    version: str = ""
    missing_items: tuple[str, ...] = ()
    invalid_items: tuple[str, ...] = ()
    missing_context: tuple[str, ...] = ()


def score(code: str, answers: Mapping[str, Any] | None, context: Mapping[str, Any] | None = None) -> ScoreResult:
    """Score a response to the shipped instrument ``code``. Raises UnknownInstrumentError for an unknown code."""
    return score_with(get_definition(code), answers, context)


def score_with(
    definition: InstrumentDefinition,
    answers: Mapping[str, Any] | None,
    context: Mapping[str, Any] | None = None,
) -> ScoreResult:
    """Score a response against any validated definition (shipped or clinic-loaded)."""
    if answers is None:
        answers = {}
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a mapping of item code to value, not {type(answers).__name__}")
    if context is not None and not isinstance(context, Mapping):
        raise TypeError(f"context must be a mapping or None, not {type(context).__name__}")

    flags: set[str] = set()
    for alert in definition.alerts:
        if _alert_raised(answers.get(alert.item, _MISSING), definition.item(alert.item), alert.above):
            flags.add(alert.flag)

    missing: list[str] = []
    invalid: list[str] = []
    gate = definition.gate
    stopped = False
    if gate is not None:
        gate_item = definition.item(gate.item)
        state = _state(gate_item, answers.get(gate.item, _MISSING))
        if state == "missing":
            missing.append(gate.item)
        elif state == "invalid":
            invalid.append(gate.item)
        else:
            stopped = _chosen(gate_item, answers[gate.item]).value == gate.stop_when

    values: list[int | float] = []
    for item in definition.items:
        if gate is not None and item.code == gate.item:
            continue
        if item.scored and stopped:
            continue  # the screen stopped at the gate: these items were never asked
        answer = answers.get(item.code, _MISSING)
        state = _state(item, answer)
        if state == "missing":
            if item.scored:
                missing.append(item.code)
        elif state == "invalid":
            invalid.append(item.code)
        elif item.scored:
            values.append(_chosen(item, answer).value)

    if missing:
        flags.add(INCOMPLETE)
    if invalid:
        flags.add(INVALID_VALUE)
    common: dict[str, Any] = {
        "flags": frozenset(flags),
        "code": definition.code,
        "version": definition.version,
        "missing_items": tuple(missing),
        "invalid_items": tuple(invalid),
    }
    if missing or invalid:
        return ScoreResult(total=None, band=None, positive=None, valid=False, **common)

    exact = Fraction(gate.total_when_stopped) if gate and stopped else _combine(definition.method, values)
    total = _output(exact, definition.method, values)
    positive, missing_context = _positive(definition, exact, context)
    return ScoreResult(
        total=total,
        band=definition.band_for(exact),
        positive=positive,
        valid=True,
        missing_context=missing_context,
        **common,
    )


def _state(item: Item, answer: Any) -> str:
    if answer is _MISSING or answer is None:
        return "missing"
    if item.option_for(answer) is None:
        return "invalid"
    return "ok"


def _chosen(item: Item, answer: Any) -> Option:
    """The option an answer chose; only called once ``_state`` said "ok", so there is one."""
    option = item.option_for(answer)
    assert option is not None
    return option


def _combine(method: str, values: list[int | float]) -> Fraction:
    exact = [exact_fraction(value) for value in values]
    if method == "sum":
        return sum(exact, Fraction(0))
    if method == "mean":
        return sum(exact, Fraction(0)) / len(exact)
    if method == "count_positive":
        return Fraction(sum(1 for value in exact if value > 0))
    raise ValueError(f"unknown scoring rule {method!r}")  # unreachable for a validated definition


def _output(exact: Fraction, method: str, values: list[int | float]) -> int | float:
    """Ints stay ints (sums, counts); a mean is a float, unrounded (PEG keeps 7.666666666666667)."""
    if method == "mean" or any(isinstance(value, float) for value in values):
        return float(exact)
    return plain_number(exact)


def _positive(
    definition: InstrumentDefinition, exact: Fraction, context: Mapping[str, Any] | None
) -> tuple[bool | None, tuple[str, ...]]:
    screen = definition.screen
    if screen is None:
        return None, ()
    cutoff = screen.cutoff_for(context)
    if cutoff is None:
        return None, (screen.cutoff_by,) if screen.cutoff_by else ()
    return exact >= exact_fraction(cutoff), ()


def _alert_raised(answer: Any, item: Item, above: int | float) -> bool:
    """True when the answer is above the threshold. Fails safe: an invalid answer that still reads as a
    number above the threshold raises the alert too (the scoring itself still rejects it)."""
    if answer is _MISSING or answer is None:
        return False
    option = item.option_for(answer)
    number = option.value if option is not None else _lenient_number(answer)
    return number is not None and exact_fraction(number) > exact_fraction(above)


def _lenient_number(answer: Any) -> Fraction | None:
    if isinstance(answer, bool):
        return Fraction(int(answer))
    if isinstance(answer, int | Fraction):
        return Fraction(answer)
    if isinstance(answer, float | Decimal | str):
        try:
            number = Decimal(answer.strip() if isinstance(answer, str) else answer)
        except (InvalidOperation, ValueError):
            return None
        return Fraction(number) if number.is_finite() else None
    return None
