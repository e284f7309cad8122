"""counted_mme (medications/rules/mme.py): a line that cannot be converted is listed with why and does not erase the
total and flags of the lines that can. Pure: no database. Thresholds from REFERENCE.md 2.2 (naloxone at >= 50
MME/day, "reaches or exceeds"; 90 informational)."""

from decimal import Decimal

import pytest

from medications.rules.mme import (
    INVALID_LINE,
    NO_FACTOR,
    UNKNOWN_DRUG,
    CountedMme,
    InvalidLineError,
    UnknownDrugError,
    counted_mme,
    regimen_mme,
)
from tests.reference import vectors

CASES = vectors()["mme"]


def line(drug, strength, units_per_dose=1, doses_per_day=1, **extra):
    return {
        "drug": drug,
        "strength": strength,
        "units_per_dose": units_per_dose,
        "doses_per_day": doses_per_day,
    } | extra


OXYCODONE_60 = line("oxycodone", 5, 2, 4)  # mme-03: 60
MORPHINE_50 = line("morphine", 25, 1, 2)  # mme-19: 50, the naloxone boundary
MORPHINE_49 = line("morphine", 49, 1, 1)
OXYCODONE_90 = line("oxycodone", 15, 1, 4)  # mme-20: 90, the high-dose boundary
MEPERIDINE = line("meperidine", 50, 1, 4)  # REFERENCE.md 2.1: no CDC 2022 factor
OXYCONTIN = line("oxycontin", 10, 1, 2)  # a brand name, not a code: unknown
HYDROCODONE_NO_DOSES = line("hydrocodone", 5, 1, None)  # incomplete: doses a day missing
FENTANYL_NO_STRENGTH = {"drug": "fentanyl_transdermal", "strength": None, "units_per_dose": 1}
METHADONE_ZERO = line("methadone", 0, 1, 3)
BUPRENORPHINE = line("buprenorphine", 5, 1, None)


# --------------------------------------------------------------------------- the table


@pytest.mark.parametrize(
    ("lines", "total", "flags", "not_counted"),
    [
        # One good line beside one that cannot be converted: the good line's flags stay.
        ([OXYCODONE_60, MEPERIDINE], 60, {"naloxone"}, [(1, NO_FACTOR)]),
        ([MEPERIDINE, OXYCODONE_60], 60, {"naloxone"}, [(0, NO_FACTOR)]),
        ([MORPHINE_50, OXYCONTIN], 50, {"naloxone"}, [(1, UNKNOWN_DRUG)]),  # exactly 50: naloxone (>=)
        ([MORPHINE_49, OXYCONTIN], 49, set(), [(1, UNKNOWN_DRUG)]),  # below 50: nothing known, no flag
        ([OXYCODONE_90, HYDROCODONE_NO_DOSES], 90, {"naloxone", "high_dose"}, [(1, INVALID_LINE)]),
        ([OXYCODONE_90, MEPERIDINE, OXYCONTIN], 90, {"naloxone", "high_dose"}, [(1, NO_FACTOR), (2, UNKNOWN_DRUG)]),
        # The drug's own caution stays even when its numbers cannot be counted.
        ([OXYCODONE_60, METHADONE_ZERO], 60, {"naloxone", "methadone_caution"}, [(1, INVALID_LINE)]),
        ([MORPHINE_49, FENTANYL_NO_STRENGTH], 49, {"fentanyl_caution"}, [(1, INVALID_LINE)]),
        # Nothing could be counted: no total at all (never a misleading 0), and no dose flags.
        ([MEPERIDINE], None, set(), [(0, NO_FACTOR)]),
        ([MEPERIDINE, HYDROCODONE_NO_DOSES], None, set(), [(0, NO_FACTOR), (1, INVALID_LINE)]),
        ([BUPRENORPHINE, OXYCONTIN], None, {"buprenorphine_excluded"}, [(1, UNKNOWN_DRUG)]),
        # Complete regimens: the same as regimen_mme, never incomplete.
        ([], 0, set(), []),
        ([BUPRENORPHINE], 0, {"buprenorphine_excluded"}, []),
        ([OXYCODONE_60, BUPRENORPHINE], 60, {"naloxone", "buprenorphine_excluded"}, []),
    ],
)
def test_it_counts_the_lines_it_can_and_lists_the_others(lines, total, flags, not_counted):
    result = counted_mme(lines)
    assert isinstance(result, CountedMme)
    if total is None:
        assert result.total is None
    else:
        assert result.total == Decimal(total)
    assert result.flags == flags
    assert [(missing.index, missing.kind) for missing in result.not_counted] == not_counted
    assert result.incomplete is bool(not_counted)
    assert len(result.lines) == len(lines)
    for missing in result.not_counted:
        assert result.lines[missing.index] is None


def test_one_unknown_line_beside_a_good_one_still_gives_the_naloxone_flag_where_regimen_mme_gives_nothing():
    with pytest.raises(UnknownDrugError):
        regimen_mme([MORPHINE_50, MEPERIDINE])  # the contract is unchanged: it still refuses the regimen
    result = counted_mme([MORPHINE_50, MEPERIDINE])
    assert "naloxone" in result.flags
    assert result.total == 50 and result.incomplete


def test_when_every_line_is_bad_the_total_is_none_not_zero():
    result = counted_mme([MEPERIDINE, OXYCONTIN, HYDROCODONE_NO_DOSES])
    assert result.total is None
    assert result.incomplete
    assert "naloxone" not in result.flags and "high_dose" not in result.flags
    assert result.lines == (None, None, None)


# --------------------------------------------------------------------------- why a line was not counted


def test_each_line_not_counted_keeps_the_error_regimen_mme_would_raise():
    result = counted_mme([OXYCODONE_60, MEPERIDINE, HYDROCODONE_NO_DOSES, OXYCONTIN])
    meperidine, hydrocodone, oxycontin = result.not_counted
    assert (meperidine.drug, meperidine.kind, meperidine.problem) == ("meperidine", NO_FACTOR, "")
    assert isinstance(meperidine.error, UnknownDrugError)
    assert "CDC 2022 gives no MME conversion factor" in str(meperidine.error)
    assert (hydrocodone.drug, hydrocodone.kind, hydrocodone.problem) == (
        "hydrocodone",
        INVALID_LINE,
        "doses_per_day is missing",
    )
    assert isinstance(hydrocodone.error, InvalidLineError) and hydrocodone.error.line_number == 3
    assert (oxycontin.drug, oxycontin.kind) == ("oxycontin", UNKNOWN_DRUG)


@pytest.mark.parametrize(
    ("bad", "kind"),
    [
        (("morphine", 10, 1, 1), INVALID_LINE),  # not a mapping
        ({"strength": 10, "units_per_dose": 1, "doses_per_day": 1}, UNKNOWN_DRUG),  # no drug
        (line(None, 10), UNKNOWN_DRUG),
        (line(["oxycodone"], 10), UNKNOWN_DRUG),  # not even hashable
        (line("oxycodone", "10 mg"), INVALID_LINE),
        (line("oxycodone", float("nan")), INVALID_LINE),
        (line("oxycodone", -5), INVALID_LINE),
        (line("oxycodone", 10, prn="yes"), INVALID_LINE),
    ],
)
def test_any_bad_line_is_listed_never_raised(bad, kind):
    result = counted_mme([OXYCODONE_60, bad])
    assert [(m.index, m.kind) for m in result.not_counted] == [(1, kind)]
    assert result.total == 60 and "naloxone" in result.flags


def test_a_prn_line_is_still_marked_when_another_line_is_not_counted():
    result = counted_mme([MEPERIDINE, line("oxycodone", 5, 1, 4, prn=True)])
    assert result.prn_lines == (1,)
    assert result.total == 30


def test_the_high_dose_level_is_the_callers_as_for_regimen_mme():
    assert "high_dose" not in counted_mme([OXYCODONE_90, MEPERIDINE], high_dose_threshold=None).flags
    assert "high_dose" in counted_mme([OXYCODONE_60, MEPERIDINE], high_dose_threshold=60).flags
    with pytest.raises(ValueError, match="high_dose_threshold"):
        counted_mme([OXYCODONE_60], high_dose_threshold=0)


@pytest.mark.parametrize("lines", [{"drug": "morphine"}, "morphine", None, 5])
def test_it_still_wants_a_list_of_lines(lines):
    with pytest.raises(TypeError):
        counted_mme(lines)


# --------------------------------------------------------------------------- complete regimens


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_a_complete_regimen_counts_exactly_as_regimen_mme(case):
    expected = regimen_mme(case["lines"])
    counted = counted_mme(case["lines"])
    assert (counted.total, counted.lines, counted.flags, counted.prn_lines) == (
        expected.total,
        expected.lines,
        expected.flags,
        expected.prn_lines,
    )
    assert not counted.incomplete


def test_the_result_is_immutable():
    result = counted_mme([OXYCODONE_60, MEPERIDINE])
    with pytest.raises(AttributeError):
        result.total = Decimal(0)
    assert isinstance(result.flags, frozenset) and isinstance(result.not_counted, tuple)
