"""Morphine milligram equivalents (Contract 2 in ../shared/clinical/README.md). Pure: no ORM, no settings.

    >>> regimen_mme([{"drug": "oxycodone", "strength": 5, "units_per_dose": 2, "doses_per_day": 4}]).total
    Decimal('60.0')

Facts: ../shared/clinical/REFERENCE.md section 2 (CDC 2022 Clinical Practice Guideline for Prescribing Opioids
for Pain, Dowell et al., MMWR Recomm Rep 2022;71(No. RR-3):1-95, https://www.cdc.gov/mmwr/volumes/71/rr/rr7103a1.htm).

A line is a mapping with ``drug`` (a code from ``CDC_2022_FACTORS`` or ``"buprenorphine"``), ``strength``
(mg per unit; mcg/hr per patch for ``fentanyl_transdermal``), ``units_per_dose`` and ``doses_per_day``.
Other keys are ignored, except the optional ``prn`` (bool, see below).

Rules (beyond the contract's wording):

- MME/day of a line = strength x units_per_dose x doses_per_day x CDC 2022 factor, in exact Decimal arithmetic.
  Floats are read through their shortest repr (``7.5`` -> ``Decimal("7.5")``, ``0.1`` -> ``Decimal("0.1")``),
  so a float input gives the same result as the written number. Nothing is rounded; display rounds.
- ``fentanyl_transdermal``: MME/day = mcg/hr x patches worn at once (``units_per_dose``) x 2.4.
  ``doses_per_day`` is ignored entirely (not read, not validated): a patch is worn continuously.
- ``buprenorphine`` (any product: patch, buccal, sublingual, OUD) is never converted: its line is None, it adds 0
  to the total and raises ``buprenorphine_excluded``. Its numbers are optional (None allowed); any that are given
  must still be valid numbers.
- PRN lines: ``doses_per_day`` is the PRN maximum (the most doses allowed per day), so the MME is the maximum
  prescribed daily use (REFERENCE.md app policy; CDC 2022 does not say). Mark such a line ``"prn": True`` and its
  index appears in ``MmeResult.prn_lines``, so a screen can say the figure is a maximum. No flag is added: the
  contract's flag set is closed.
- An unknown drug code raises ``UnknownDrugError`` naming it; codes are exact (lower case, no aliases), never
  guessed. Opioids with no CDC 2022 factor (meperidine, levorphanol, ...) are unknown here too: their message says
  that CDC 2022 gives no factor.
- Bad numbers raise ``InvalidLineError`` (a ValueError) naming the line (1-based) and the drug: missing (None)
  where the drug needs it, not a number (strings, bools), not finite, zero or negative.
- Thresholds are inclusive (">= 50", "reaches or exceeds 50 MME/day"). The high-dose threshold (90) is
  informational and configurable per call; ``high_dose_threshold=None`` switches that flag off.

``regimen_mme`` is the contract: one line it cannot convert raises, and nothing is returned. A chart must still
warn about the lines it *can* convert, so ``counted_mme`` takes the same lines and never raises for a line:

- every line ``regimen_mme`` would accept is counted exactly as ``regimen_mme`` counts it;
- a line it would refuse (unknown drug, no CDC 2022 factor, bad or missing numbers, not a mapping) is listed in
  ``CountedMme.not_counted`` with why, and its MME is neither guessed nor added;
- the naloxone and high-dose flags come from the total of the counted lines. APP RULE (the guideline does not
  speak to a partly known regimen): every line's MME/day is zero or more, so the real total is at least the
  counted one, and a threshold the counted lines reach is reached by the whole regimen. Below a threshold
  nothing is known, which is why the result says ``incomplete``;
- the methadone and fentanyl cautions and the buprenorphine note follow the drug named on a line, whether or not
  its numbers could be counted (the caution is about the drug being taken);
- ``total`` is None when lines were not counted and no counted line has an MME (everything refused, or only
  buprenorphine beside refused lines): an incomplete total is never shown as a misleading 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = [
    "BUPRENORPHINE",
    "BUPRENORPHINE_EXCLUDED",
    "CDC_2022_FACTORS",
    "FENTANYL_CAUTION",
    "FENTANYL_TRANSDERMAL",
    "FLAG_WORDING",
    "HIGH_DOSE",
    "HIGH_DOSE_THRESHOLD",
    "INVALID_LINE",
    "KNOWN_DRUGS",
    "METHADONE",
    "METHADONE_CAUTION",
    "NALOXONE",
    "NALOXONE_THRESHOLD",
    "NO_CDC_2022_FACTOR",
    "NO_FACTOR",
    "UNKNOWN_DRUG",
    "CountedMme",
    "InvalidLineError",
    "MmeResult",
    "NotCounted",
    "UnknownDrugError",
    "counted_mme",
    "regimen_mme",
]

# --------------------------------------------------------------------------- conversion factors

#: CDC 2022 MME conversion factors, copied exactly from REFERENCE.md section 2.1 (VERIFIED, CDC 2022 Table;
#: adapted there from Von Korff M et al. Clin J Pain 2008;24:521-7 and Nielsen S et al. Pharmacoepidemiol Drug
#: Saf 2016;25:733-7). Doses in mg/day, except fentanyl transdermal in mcg/hr. Methadone is the single 2022 factor
#: (4.7), not the 2016 dose tiers; hydromorphone is 5.0 (2016: 4); tramadol 0.2 (analytic file: 0.1).
CDC_2022_FACTORS: Mapping[str, Decimal] = {
    "codeine": Decimal("0.15"),
    "fentanyl_transdermal": Decimal("2.4"),
    "hydrocodone": Decimal("1.0"),
    "hydromorphone": Decimal("5.0"),
    "methadone": Decimal("4.7"),
    "morphine": Decimal("1.0"),
    "oxycodone": Decimal("1.5"),
    "oxymorphone": Decimal("3.0"),
    "tapentadol": Decimal("0.4"),
    "tramadol": Decimal("0.2"),
}

FENTANYL_TRANSDERMAL = "fentanyl_transdermal"
METHADONE = "methadone"
#: Listed but never converted: "Buprenorphine products approved for the treatment of pain are not included in the
#: table, because of their partial µ-receptor agonist activity and resultant ceiling effects" (CDC 2022 caution 6).
BUPRENORPHINE = "buprenorphine"

#: Every drug code regimen_mme accepts.
KNOWN_DRUGS: frozenset[str] = frozenset(CDC_2022_FACTORS) | {BUPRENORPHINE}

#: Opioids REFERENCE.md names as having no CDC 2022 factor. They are rejected like any unknown code (never
#: guessed, and the analytic-file factors are "for analytic purposes only"); only the error message differs.
NO_CDC_2022_FACTOR: frozenset[str] = frozenset(
    {
        "meperidine",
        "levorphanol",
        "butorphanol",
        "dihydrocodeine",
        "pentazocine",
        "fentanyl_transmucosal",
        "fentanyl_nasal",
    }
)

# --------------------------------------------------------------------------- thresholds and flags

#: CDC 2022 (MMWR p.14): "If a patient's opioid dosage for all sources of opioids reaches or exceeds 50 MME/day,
#: clinicians should implement additional precautions, including increased frequency of follow-up, and offer
#: naloxone and overdose prevention education to both the patient and the patient's household members."
NALOXONE_THRESHOLD = Decimal(50)

#: 90 MME/day is 2016 language (2016 Rec 5: "should avoid increasing dosage to 90 MME or more per day or carefully
#: justify a decision to titrate dosage to 90 MME or more per day"); CDC 2022 replaced fixed thresholds with
#: "diminishing returns". Informational only, configurable per clinic, never called a limit.
HIGH_DOSE_THRESHOLD = Decimal(90)

NALOXONE = "naloxone"
HIGH_DOSE = "high_dose"
METHADONE_CAUTION = "methadone_caution"
FENTANYL_CAUTION = "fentanyl_caution"
BUPRENORPHINE_EXCLUDED = "buprenorphine_excluded"

#: The CDC wording behind each flag (REFERENCE.md section 2), for the chart banner.
FLAG_WORDING: Mapping[str, str] = {
    NALOXONE: (
        "CDC 2022: before increasing total opioid dosage to 50 MME/day or more, pause and carefully reassess "
        "evidence of individual benefits and risks. At 50 MME/day or more, implement additional precautions, "
        "including increased frequency of follow-up, and offer naloxone and overdose prevention education to "
        "the patient and the household."
    ),
    HIGH_DOSE: (
        "Informational: 90 MME/day or more (the 2016 CDC guideline's threshold; CDC 2022 asks clinicians to avoid "
        "increasing dosage above levels likely to yield diminishing returns in benefits relative to risks)."
    ),
    METHADONE_CAUTION: (
        "CDC 2022: use particular caution with methadone dose conversions: methadone has a long and variable "
        "half-life, and peak respiratory depressant effect occurs later and lasts longer than peak analgesic effect."
    ),
    FENTANYL_CAUTION: (
        "CDC 2022: use particular caution with transdermal fentanyl: it is dosed in mcg/hr instead of mg/day, and "
        "its absorption is affected by heat and other factors."
    ),
    BUPRENORPHINE_EXCLUDED: (
        "MME not applicable (partial agonist): CDC 2022 does not include buprenorphine products in the MME table, "
        "because of their partial µ-receptor agonist activity and resultant ceiling effects."
    ),
}

# --------------------------------------------------------------------------- errors and result


class UnknownDrugError(ValueError):
    """A drug code regimen_mme does not know. The MME is never guessed."""

    def __init__(self, drug: object, line_number: int | None = None):
        self.drug = drug
        self.line_number = line_number
        where = f"line {line_number}: " if line_number is not None else ""
        if isinstance(drug, str) and drug in NO_CDC_2022_FACTOR:
            reason = "CDC 2022 gives no MME conversion factor for it; its MME is not calculated, never guessed"
        else:
            reason = f"known codes: {', '.join(sorted(KNOWN_DRUGS))}"
        super().__init__(f"{where}unknown drug {drug!r} ({reason})")


class InvalidLineError(ValueError):
    """A line whose numbers cannot be used (missing, not a number, zero or negative)."""

    def __init__(self, line_number: int, drug: object, message: str):
        self.line_number = line_number
        self.drug = drug
        super().__init__(f"line {line_number} ({drug}): {message}")


@dataclass(frozen=True)
class MmeResult:
    """The contract fields (total, lines, flags) plus which lines are PRN maxima."""

    total: Decimal
    lines: tuple[Decimal | None, ...]
    flags: frozenset[str]
    prn_lines: tuple[int, ...] = ()


#: Why a line was not counted (``NotCounted.kind``).
UNKNOWN_DRUG = "unknown_drug"  # a code the app does not know
NO_FACTOR = "no_cdc_2022_factor"  # an opioid REFERENCE.md names as having no CDC 2022 factor
INVALID_LINE = "invalid_line"  # a known drug whose numbers are missing or unusable


@dataclass(frozen=True)
class NotCounted:
    """A line ``counted_mme`` could not count, and why (the error ``regimen_mme`` raises for it)."""

    index: int  # 0-based, like MmeResult.prn_lines
    drug: object
    kind: str  # UNKNOWN_DRUG, NO_FACTOR or INVALID_LINE
    #: For INVALID_LINE, what is wrong in words ("doses_per_day is missing"); else "".
    problem: str
    error: ValueError


@dataclass(frozen=True)
class CountedMme:
    """``counted_mme``'s result: the counted lines' total and flags, and the lines that could not be counted."""

    #: Total MME/day of the counted lines; None when lines were not counted and none counted has an MME.
    total: Decimal | None
    #: Per line, in order: MME/day, or None (buprenorphine, or not counted).
    lines: tuple[Decimal | None, ...]
    flags: frozenset[str]
    prn_lines: tuple[int, ...] = ()
    not_counted: tuple[NotCounted, ...] = ()

    @property
    def incomplete(self) -> bool:
        return bool(self.not_counted)


# --------------------------------------------------------------------------- calculation


def regimen_mme(
    lines: Iterable[Mapping[str, Any]],
    *,
    high_dose_threshold: int | float | Decimal | None = HIGH_DOSE_THRESHOLD,
) -> MmeResult:
    """Total MME/day of a regimen, each line's MME/day (None where no CDC 2022 factor applies) and the flags.

    ``high_dose_threshold`` is the clinic's informational high-dose level (default 90 MME/day, inclusive);
    None turns the ``high_dose`` flag off. Raises UnknownDrugError or InvalidLineError (both ValueError).
    """
    lines = _lines(lines)
    high_dose_at = _high_dose_at(high_dose_threshold)
    per_line: list[Decimal | None] = []
    flags: set[str] = set()
    prn_lines: list[int] = []
    for index, line in enumerate(lines):
        mme, line_flags, prn = _line_mme(line, index + 1)
        per_line.append(mme)
        flags |= line_flags
        if prn:
            prn_lines.append(index)
    total = sum((mme for mme in per_line if mme is not None), Decimal(0))
    flags |= _dose_flags(total, high_dose_at)
    return MmeResult(total=total, lines=tuple(per_line), flags=frozenset(flags), prn_lines=tuple(prn_lines))


def counted_mme(
    lines: Iterable[Mapping[str, Any]],
    *,
    high_dose_threshold: int | float | Decimal | None = HIGH_DOSE_THRESHOLD,
) -> CountedMme:
    """The MME/day of the lines that can be counted, with the flags their total reaches, and every line that
    could not be counted with why (see the module docstring). Never raises for a line; still raises TypeError
    for something that is not a list of lines, and ValueError for a bad ``high_dose_threshold``."""
    lines = _lines(lines)
    high_dose_at = _high_dose_at(high_dose_threshold)
    per_line: list[Decimal | None] = []
    flags: set[str] = set()
    prn_lines: list[int] = []
    not_counted: list[NotCounted] = []
    for index, line in enumerate(lines):
        try:
            mme, line_flags, prn = _line_mme(line, index + 1)
        except (UnknownDrugError, InvalidLineError) as error:
            per_line.append(None)
            not_counted.append(_not_counted(index, line, error))
            flags |= _drug_flags(line.get("drug") if isinstance(line, Mapping) else None)
            continue
        per_line.append(mme)
        flags |= line_flags
        if prn:
            prn_lines.append(index)
    counted = [mme for mme in per_line if mme is not None]
    if not_counted and not counted:
        total = None  # nothing to add up: never a misleading 0
    else:
        total = sum(counted, Decimal(0))
        flags |= _dose_flags(total, high_dose_at)
    return CountedMme(
        total=total,
        lines=tuple(per_line),
        flags=frozenset(flags),
        prn_lines=tuple(prn_lines),
        not_counted=tuple(not_counted),
    )


def _lines(lines: object) -> list:
    if isinstance(lines, (str, bytes, Mapping)) or not isinstance(lines, Iterable):
        raise TypeError("regimen_mme() takes a list of lines (mappings), not a single line or a string")
    return list(lines)


def _high_dose_at(value: int | float | Decimal | None) -> Decimal | None:
    return None if value is None else _threshold(value)


def _dose_flags(total: Decimal, high_dose_at: Decimal | None) -> set[str]:
    flags = set()
    if total >= NALOXONE_THRESHOLD:
        flags.add(NALOXONE)
    if high_dose_at is not None and total >= high_dose_at:
        flags.add(HIGH_DOSE)
    return flags


def _drug_flags(drug: object) -> set[str]:
    """The cautions that follow from the drug itself, whatever its numbers."""
    return {
        METHADONE: {METHADONE_CAUTION},
        FENTANYL_TRANSDERMAL: {FENTANYL_CAUTION},
        BUPRENORPHINE: {BUPRENORPHINE_EXCLUDED},
    }.get(drug if isinstance(drug, str) else "", set())


def _line_mme(line: object, number: int) -> tuple[Decimal | None, set[str], bool]:
    """One line's MME/day (None for buprenorphine), its flags and whether it is PRN. Raises for a bad line."""
    if not isinstance(line, Mapping):
        raise InvalidLineError(number, "?", f"a line must be a mapping, not {type(line).__name__}")
    drug = line.get("drug")
    if not isinstance(drug, str) or drug not in KNOWN_DRUGS:
        raise UnknownDrugError(drug, number)
    prn = line.get("prn", False)
    if not isinstance(prn, bool):
        raise InvalidLineError(number, drug, f"prn must be True or False, not {prn!r}")

    if drug == BUPRENORPHINE:
        for field in ("strength", "units_per_dose", "doses_per_day"):
            _number(line, field, number, drug, required=False)
        return None, {BUPRENORPHINE_EXCLUDED}, prn

    strength = _number(line, "strength", number, drug)
    units = _number(line, "units_per_dose", number, drug)
    if drug == FENTANYL_TRANSDERMAL:
        daily = strength * units  # mcg/hr x patches worn at once; applications per day are not multiplied
    else:
        daily = strength * units * _number(line, "doses_per_day", number, drug)
    return daily * CDC_2022_FACTORS[drug], _drug_flags(drug), prn


def _not_counted(index: int, line: object, error: UnknownDrugError | InvalidLineError) -> NotCounted:
    if isinstance(error, UnknownDrugError):
        kind = NO_FACTOR if isinstance(error.drug, str) and error.drug in NO_CDC_2022_FACTOR else UNKNOWN_DRUG
        return NotCounted(index=index, drug=error.drug, kind=kind, problem="", error=error)
    problem = str(error).split(": ", 1)[-1]
    return NotCounted(index=index, drug=error.drug, kind=INVALID_LINE, problem=problem, error=error)


def _to_decimal(value: object) -> Decimal | None:
    """A finite Decimal for an int, float or Decimal (floats through their shortest repr); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, Decimal):
        result = value
    else:
        return None
    return result if result.is_finite() else None


def _number(line: Mapping[str, Any], field: str, number: int, drug: str, *, required: bool = True) -> Decimal:
    value = line.get(field)
    if value is None:
        if required:
            raise InvalidLineError(number, drug, f"{field} is missing")
        return Decimal(0)
    result = _to_decimal(value)
    if result is None:
        raise InvalidLineError(number, drug, f"{field} must be a finite number, not {value!r}")
    if result <= 0:
        raise InvalidLineError(number, drug, f"{field} must be above 0, not {value!r}")
    return result


def _threshold(value: object) -> Decimal:
    result = _to_decimal(value)
    if result is None or result <= 0:
        raise ValueError(f"high_dose_threshold must be a positive number or None, not {value!r}")
    return result
