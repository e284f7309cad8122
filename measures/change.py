"""Change over time between a baseline and a latest score, with plain words for patients and clinicians.
Pure: no ORM.

    >>> c = change_over_time("peg", 7, 13 / 3)
    >>> c.responder, c.percent_change
    (True, -38.095238095238095)
    >>> c.clinician_words == "PEG 7.0 \N{RIGHTWARDS ARROW} 4.3 (\N{MINUS SIGN}38%): responder"
    True
    >>> c.patient_words
    "Your pain's effect on daily life is lower than when you started."

Rules come from the instrument definition (``change`` in the data file):

- ``better``: "lower" for every shipped instrument; "higher" works the same way, mirrored.
- responder: percent improvement from baseline >= ``min_percent`` (PEG 30%, VERIFIED; PHQ-9 50%,
  PARTIAL). Undefined (None) when the baseline is 0, where no percentage exists, and when either score
  is missing. GAD-7 has no rule in REFERENCE.md, so its responder status is always None.
- remission (PHQ-9: latest total < 5, PARTIAL) and meaningful change (PHQ-9: a change of 5 points or
  more in either direction, PARTIAL) are reported only for instruments that define them.

Arithmetic is exact (fractions), so a PEG going from 20/3 to 14/3 is exactly a 30% improvement.
Floats are read as the nearest simple fraction, so 6.666666666666667 counts as 20/3: store PEG totals
unrounded (rounding to 2 decimals can move a result across the 30% line).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from measures.definitions import InstrumentDefinition, get_definition
from measures.instrument import exact_fraction, plain_number

__all__ = ["Change", "change_over_time", "change_with"]

MINUS = "\u2212"  # U+2212 MINUS SIGN: the typographic minus used in the words
ARROW = "\u2192"


@dataclass(frozen=True)
class Change:
    code: str
    baseline: int | float | None
    latest: int | float | None
    absolute_change: int | float | None  # latest - baseline (negative = went down)
    percent_change: float | None  # (latest - baseline) / |baseline| * 100; None when the baseline is 0
    improvement_percent: float | None  # percent change signed so that positive = better
    direction: str | None  # "improved", "worse", "unchanged", or None when a score is missing
    responder: bool | None
    remission: bool | None
    meaningful_change: bool | None
    patient_words: str
    clinician_words: str


def change_over_time(code: str, baseline: Any, latest: Any) -> Change:
    """Change for a shipped instrument. ``baseline``/``latest`` are totals (or ScoreResults), or None."""
    return change_with(get_definition(code), baseline, latest)


def change_with(definition: InstrumentDefinition, baseline: Any, latest: Any) -> Change:
    """Change for any validated definition (shipped or clinic-loaded)."""
    rules = definition.change
    first, last = _total(baseline), _total(latest)
    if first is None or last is None:
        return Change(
            code=definition.code,
            baseline=None if first is None else plain_number(first),
            latest=None if last is None else plain_number(last),
            absolute_change=None,
            percent_change=None,
            improvement_percent=None,
            direction=None,
            responder=None,
            remission=None,
            meaningful_change=None,
            patient_words="There are not enough answers yet to show a change.",
            clinician_words=f"{definition.name}: no change yet ({_missing_words(first, last)})",
        )

    delta = last - first
    percent = None if first == 0 else delta / abs(first) * 100
    better_sign = -1 if rules.lower_is_better else 1
    improvement = None if percent is None else percent * better_sign
    if delta == 0:
        direction = "unchanged"
    elif (delta < 0) == rules.lower_is_better:
        direction = "improved"
    else:
        direction = "worse"

    responder = None
    if rules.responder_min_percent is not None and improvement is not None:
        responder = improvement >= exact_fraction(rules.responder_min_percent)
    remission = None
    if rules.remission_below is not None:
        remission = last < exact_fraction(rules.remission_below)
    elif rules.remission_above is not None:
        remission = last > exact_fraction(rules.remission_above)
    meaningful = None
    if rules.meaningful_points is not None:
        meaningful = abs(delta) >= exact_fraction(rules.meaningful_points)

    return Change(
        code=definition.code,
        baseline=plain_number(first),
        latest=plain_number(last),
        absolute_change=plain_number(delta),
        percent_change=None if percent is None else float(percent),
        improvement_percent=None if improvement is None else float(improvement),
        direction=direction,
        responder=responder,
        remission=remission,
        meaningful_change=meaningful,
        patient_words=_patient_words(definition, delta),
        clinician_words=_clinician_words(
            definition, first, last, delta, percent, responder, remission, meaningful, direction
        ),
    )


# --------------------------------------------------------------------------- words


def _patient_words(definition: InstrumentDefinition, delta: Fraction) -> str:
    subject = definition.patient_subject or f"Your {definition.name} score"
    if delta < 0:
        return f"{subject} is lower than when you started."
    if delta > 0:
        return f"{subject} is higher than when you started."
    return f"{subject} is the same as when you started."


def _clinician_words(
    definition: InstrumentDefinition,
    first: Fraction,
    last: Fraction,
    delta: Fraction,
    percent: Fraction | None,
    responder: bool | None,
    remission: bool | None,
    meaningful: bool | None,
    direction: str,
) -> str:
    rules = definition.change
    places = definition.display_decimals
    head = f"{definition.name} {_number(first, places)} {ARROW} {_number(last, places)}"
    if percent is None:
        head += f" ({_signed(delta, places)}; no % from a baseline of 0)"
    else:
        head += f" ({_percent(percent, rules, responder)})"
    status = []
    if responder is not None:
        status.append("responder" if responder else "not a responder")
    if remission is not None:
        status.append("remission" if remission else "not in remission")
    if meaningful and rules.meaningful_points is not None:  # "meaningful" is only ever set when there are points
        points = _number(exact_fraction(rules.meaningful_points), 0)
        kind = {"improved": "meaningful improvement", "worse": "meaningful worsening"}[direction]
        status.append(f"{kind} (\u2265{points} points)")
    return f"{head}: {'; '.join(status)}" if status else head


def _percent(percent: Fraction, rules: Any, responder: bool | None) -> str:
    """Whole percent, except where rounding would put the figure on the wrong side of the responder line:
    a 29.6% improvement (not a responder at 30%) is shown as 29.6%, never as 30%."""
    magnitude = abs(percent)
    shown = _round(magnitude, 0)
    improving = percent != 0 and (percent < 0) == rules.lower_is_better
    if responder is not None and improving and (shown >= exact_fraction(rules.responder_min_percent)) != responder:
        shown = _round_towards(magnitude, 1, up=responder)
    sign = "" if percent == 0 else (MINUS if percent < 0 else "+")
    return f"{sign}{_format(shown)}%"


def _number(value: Fraction, places: int) -> str:
    text = _format(_round(abs(value), places), places)
    return f"{MINUS}{text}" if value < 0 and text.strip("0.") else text


def _signed(value: Fraction, places: int) -> str:
    if value == 0:
        return _number(value, places)
    return ("+" if value > 0 else "") + _number(value, places)


def _missing_words(first: Fraction | None, last: Fraction | None) -> str:
    if first is None and last is None:
        return "no scored responses"
    return "no scored baseline" if first is None else "no scored follow-up"


# --------------------------------------------------------------------------- numbers


def _total(value: Any) -> Fraction | None:
    """A total as an exact fraction, from a number, a ScoreResult (its total), or None."""
    if value is not None and not isinstance(value, int | float | Decimal | Fraction) and hasattr(value, "total"):
        value = value.total
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Fraction(value).limit_denominator(10_000)
    if isinstance(value, int | Decimal | Fraction):
        return Fraction(value)
    raise TypeError(f"a score must be a number, a ScoreResult or None, not {type(value).__name__}")


def _round(value: Fraction, places: int) -> Decimal:
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, rounding=ROUND_HALF_UP)


def _round_towards(value: Fraction, places: int, *, up: bool) -> Decimal:
    scaled = value * 10**places
    whole = -(-scaled.numerator // scaled.denominator) if up else scaled.numerator // scaled.denominator
    return Decimal(whole).scaleb(-places)


def _format(value: Decimal, places: int | None = None) -> str:
    if places is None:
        return f"{value:f}"
    return f"{value:.{places}f}"
