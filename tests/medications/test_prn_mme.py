"""As-needed (PRN) lines count their maximum doses a day (REFERENCE.md 2.1: "Compute on the maximum prescribed daily
use (app policy), and flag it as 'maximum'"): the reference vector that says so, the thresholds reached by the
maximum, the scheduled doses a day a PRN line ignores, and a PRN line without its maximum, which is never counted
from anything else. Pure: medication lines through medications.rules.safety.mme_line, no database."""

from decimal import Decimal

import pytest

from medications.rules import safety
from medications.rules.mme import HIGH_DOSE, NALOXONE, counted_mme, regimen_mme
from tests.reference import reference_text, vectors

D = Decimal


def medication(code, strength, *, units=1, doses=None, prn_max=None) -> dict:
    """A medication line's MME fields (Medication.mme_fields), as needed when ``prn_max`` is given."""
    return {
        "drug_code": code,
        "drug_class": "opioid",
        "strength": D(str(strength)),
        "units_per_dose": D(str(units)),
        "doses_per_day": None if doses is None else D(str(doses)),
        "is_prn": prn_max is not None,
        "prn_max_doses_per_day": None if prn_max is None else D(str(prn_max)),
    }


def mme_of(*lines):
    return regimen_mme([safety.mme_line(line) for line in lines])


def test_the_reference_states_the_rule_the_app_follows():
    assert "**PRN regimens**: the guideline does not specify. Compute on the maximum prescribed daily use" in (
        reference_text()
    )


def test_the_reference_vector_counting_max_daily_use_holds_for_an_as_needed_line():
    case = next(c for c in vectors()["mme"] if c["id"] == "mme-09")
    assert "count max daily use" in case["description"]
    patch, oxycodone = case["lines"]
    result = mme_of(
        medication(patch["drug"], patch["strength"], units=patch["units_per_dose"]),
        # "oxycodone 5 mg up to 4/day": the vector's doses a day are the line's maximum.
        medication(oxycodone["drug"], oxycodone["strength"], prn_max=oxycodone["doses_per_day"]),
    )
    assert result.total == D(repr(case["expected"]["total"]))
    assert list(result.lines) == [D(repr(v)) for v in case["expected"]["line_mme"]]
    assert result.prn_lines == (1,)


@pytest.mark.parametrize(
    ("prn_max", "total", "naloxone"),
    [
        (3, D(45), False),  # 30 scheduled + hydrocodone 5 mg x 3 = 45
        (4, D(50), True),  # the maximum reaches 50 exactly: the threshold is inclusive
        (D("4.5"), D("52.5"), True),
    ],
)
def test_the_maximum_decides_the_naloxone_threshold(prn_max, total, naloxone):
    result = mme_of(medication("oxycodone", 10, doses=2), medication("hydrocodone", 5, prn_max=prn_max))
    assert result.total == total
    assert (NALOXONE in result.flags) is naloxone


def test_the_maximum_reaching_90_is_high_dose():
    result = mme_of(medication("morphine", 30, prn_max=3))
    assert result.total == 90 and HIGH_DOSE in result.flags and result.prn_lines == (0,)
    assert HIGH_DOSE not in mme_of(medication("morphine", D("29.9"), prn_max=3)).flags


def test_an_as_needed_line_counts_its_maximum_not_a_scheduled_doses_a_day_left_on_it():
    line = medication("oxycodone", 5, doses=10, prn_max=2)
    assert safety.mme_line(line)["doses_per_day"] == 2
    assert mme_of(line).total == 15


def test_a_scheduled_line_ignores_a_maximum_left_on_it():
    line = medication("oxycodone", 5, doses=2) | {"prn_max_doses_per_day": D(6)}
    assert mme_of(line).total == 15 and mme_of(line).prn_lines == ()


def test_an_as_needed_line_without_its_maximum_is_not_counted_and_never_guessed():
    line = medication("oxycodone", 5, doses=4) | {"is_prn": True}
    result = counted_mme([safety.mme_line(line)])
    assert result.total is None
    assert [(n.kind, n.problem) for n in result.not_counted] == [("invalid_line", "doses_per_day is missing")]
