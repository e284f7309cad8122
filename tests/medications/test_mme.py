"""Contract 2 (MME): the reference vectors (clinical_reference/vectors.json), the rest of REFERENCE.md's MME
table, and boundary cases. No database."""

import math
from decimal import Decimal

import pytest

from medications.rules import drugs
from medications.rules.mme import (
    CDC_2022_FACTORS,
    FLAG_WORDING,
    KNOWN_DRUGS,
    InvalidLineError,
    MmeResult,
    UnknownDrugError,
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


def patch(drug, strength, patches=1):
    return {"drug": drug, "strength": strength, "units_per_dose": patches, "doses_per_day": None}


def assert_mme(actual, expected):
    if expected is None:
        assert actual is None
    else:
        assert isinstance(actual, Decimal)
        assert math.isclose(actual, expected, abs_tol=1e-6)
        assert actual == Decimal(repr(expected)), "MME is exact decimal arithmetic, not float"


# --------------------------------------------------------------------------- reference vectors


def test_the_reference_has_mme_vectors():
    assert len(CASES) >= 9
    assert all(case["id"].startswith("mme-") for case in CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_it_computes_each_reference_vector(case):
    expected = case["expected"]
    result = regimen_mme(case["lines"])
    assert isinstance(result, MmeResult)
    assert_mme(result.total, expected["total"])
    assert len(result.lines) == len(expected["line_mme"])
    for actual, wanted in zip(result.lines, expected["line_mme"], strict=True):
        assert_mme(actual, wanted)
    assert result.flags == set(expected["flags"])


# The rows of REFERENCE.md section 4's MME table that vectors.json does not carry (it holds a subset).
TABLE_ROWS = [
    ("mme-01 hydrocodone 5 mg QID", [line("hydrocodone", 5, 1, 4)], [20], set()),
    ("mme-02 oxycodone ER 10 mg BID", [line("oxycodone", 10, 1, 2)], [30], set()),
    (
        "mme-04 morphine ER 30 mg BID + oxycodone 5 mg TID",
        [line("morphine", 30, 1, 2), line("oxycodone", 5, 1, 3)],
        [60, 22.5],
        {"naloxone"},
    ),
    ("mme-05 hydromorphone 2 mg q4h (2022 factor 5.0)", [line("hydromorphone", 2, 1, 6)], [60], {"naloxone"}),
    ("mme-08 fentanyl 25 mcg/hr patch", [patch("fentanyl_transdermal", 25)], [60], {"naloxone", "fentanyl_caution"}),
    ("mme-11 tapentadol 100 mg BID", [line("tapentadol", 100, 1, 2)], [80], {"naloxone"}),
    ("mme-12 codeine 30 mg x 2 q6h", [line("codeine", 30, 2, 4)], [36], set()),
    ("mme-13 oxymorphone 10 mg BID", [line("oxymorphone", 10, 1, 2)], [60], {"naloxone"}),
    (
        "mme-15 buprenorphine/naloxone 8/2 mg SL daily",
        [line("buprenorphine", 8, 1, 1)],
        [None],
        {"buprenorphine_excluded"},
    ),
    (
        "mme-17 hydrocodone 10 QID + morphine ER 15 BID + tramadol 50 BID",
        [line("hydrocodone", 10, 1, 4), line("morphine", 15, 1, 2), line("tramadol", 50, 1, 2)],
        [40, 30, 20],
        {"naloxone", "high_dose"},
    ),
    ("mme-19 morphine 25 mg BID", [line("morphine", 25, 1, 2)], [50], {"naloxone"}),
]


@pytest.mark.parametrize(("regimen", "lines", "line_mme", "flags"), TABLE_ROWS, ids=[row[0][:6] for row in TABLE_ROWS])
def test_it_matches_the_rest_of_the_reference_table(regimen, lines, line_mme, flags):
    result = regimen_mme(lines)
    for actual, wanted in zip(result.lines, line_mme, strict=True):
        assert_mme(actual, wanted)
    assert_mme(result.total, sum(mme for mme in line_mme if mme is not None))
    assert result.flags == flags


def test_it_uses_exactly_the_cdc_2022_factors():
    factors = dict(CDC_2022_FACTORS)
    assert factors == {
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


@pytest.mark.parametrize(("mg_per_day", "mme"), [(10, 47), (30, 141), (60, 282), (100, 470)])
def test_methadone_has_one_flat_factor_whatever_the_dose(mg_per_day, mme):
    result = regimen_mme([line("methadone", mg_per_day, 1, 1)])
    assert_mme(result.total, mme)
    assert "methadone_caution" in result.flags


# --------------------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    ("lines", "total", "flags"),
    [
        ([], 0, set()),
        ([line("morphine", Decimal("49.9"))], 49.9, set()),
        ([line("morphine", 50)], 50, {"naloxone"}),
        ([line("morphine", Decimal("50.1"))], 50.1, {"naloxone"}),
        ([line("morphine", Decimal("89.9"))], 89.9, {"naloxone"}),
        ([line("morphine", 90)], 90, {"naloxone", "high_dose"}),
        ([line("oxycodone", 10, 1, 3), line("morphine", 5)], 50, {"naloxone"}),
        ([line("oxycodone", 10, 1, 3), line("hydrocodone", Decimal("4.9"))], 49.9, set()),
    ],
    ids=["empty", "49.9", "50", "50.1", "89.9", "90", "two-lines-50", "two-lines-49.9"],
)
def test_thresholds_are_inclusive(lines, total, flags):
    result = regimen_mme(lines)
    assert_mme(result.total, total)
    assert result.flags == flags


def test_an_empty_regimen_is_zero_with_no_flags():
    result = regimen_mme([])
    assert result.total == Decimal(0)
    assert isinstance(result.total, Decimal)
    assert result.lines == ()
    assert result.flags == set()


def test_the_high_dose_threshold_is_configurable():
    regimen = [line("morphine", 80)]
    assert "high_dose" not in regimen_mme(regimen).flags
    assert "high_dose" in regimen_mme(regimen, high_dose_threshold=80).flags
    assert "high_dose" in regimen_mme(regimen, high_dose_threshold=Decimal("79.5")).flags
    assert "high_dose" not in regimen_mme(regimen, high_dose_threshold=120).flags
    assert regimen_mme([line("morphine", 200)], high_dose_threshold=None).flags == {"naloxone"}


@pytest.mark.parametrize("threshold", [0, -90, "90", True, float("nan")])
def test_a_bad_high_dose_threshold_is_refused(threshold):
    with pytest.raises(ValueError, match="high_dose_threshold"):
        regimen_mme([line("morphine", 10)], high_dose_threshold=threshold)


def test_the_naloxone_threshold_ignores_the_high_dose_setting():
    assert regimen_mme([line("morphine", 50)], high_dose_threshold=200).flags == {"naloxone"}


def test_every_flag_has_its_wording():
    assert set(FLAG_WORDING) == {
        "naloxone",
        "high_dose",
        "methadone_caution",
        "fentanyl_caution",
        "buprenorphine_excluded",
    }
    assert "offer naloxone" in FLAG_WORDING["naloxone"]
    assert "never" not in FLAG_WORDING["high_dose"] and "limit" not in FLAG_WORDING["high_dose"]


# --------------------------------------------------------------------------- fentanyl, methadone, buprenorphine


def test_two_fentanyl_patches_worn_at_once_count_twice():
    result = regimen_mme([patch("fentanyl_transdermal", 25, patches=2)])
    assert_mme(result.total, 120)
    assert result.flags == {"fentanyl_caution", "naloxone", "high_dose"}


def test_two_patches_of_different_strengths_are_two_lines():
    result = regimen_mme([patch("fentanyl_transdermal", 50), patch("fentanyl_transdermal", 12)])
    assert result.lines == (Decimal("120"), Decimal("28.8"))
    assert_mme(result.total, 148.8)


@pytest.mark.parametrize("doses_per_day", [None, 1, 3, 0, "every 72 h"])
def test_fentanyl_doses_per_day_is_ignored(doses_per_day):
    result = regimen_mme([line("fentanyl_transdermal", 25, 1, doses_per_day)])
    assert_mme(result.total, 60)


def test_fentanyl_uses_the_labelled_12_not_12_5():
    assert_mme(regimen_mme([patch("fentanyl_transdermal", 12)]).total, 28.8)


def test_methadone_always_raises_its_caution_even_at_a_low_dose():
    result = regimen_mme([line("methadone", Decimal("2.5"), 1, 1)])
    assert_mme(result.total, 11.75)
    assert result.flags == {"methadone_caution"}


def test_buprenorphine_beside_another_opioid_adds_nothing():
    result = regimen_mme([line("buprenorphine", 8, 2, 1), line("morphine", 30, 1, 2)])
    assert result.lines == (None, Decimal("60.0"))
    assert_mme(result.total, 60)
    assert result.flags == {"buprenorphine_excluded", "naloxone"}


def test_buprenorphine_alone_is_zero_even_at_a_large_dose():
    result = regimen_mme([line("buprenorphine", 32, 1, 1)])
    assert result.total == 0
    assert result.flags == {"buprenorphine_excluded"}


def test_buprenorphine_numbers_are_optional():
    result = regimen_mme([{"drug": "buprenorphine", "strength": None, "units_per_dose": None, "doses_per_day": None}])
    assert result.lines == (None,)
    assert regimen_mme([{"drug": "buprenorphine"}]).lines == (None,)


def test_buprenorphine_numbers_given_must_still_be_numbers():
    with pytest.raises(InvalidLineError, match=r"line 1 \(buprenorphine\): strength"):
        regimen_mme([line("buprenorphine", "8 mg")])


def test_a_mixed_regimen_with_every_caution():
    result = regimen_mme(
        [
            patch("fentanyl_transdermal", 25),
            line("methadone", 5, 1, 2),
            line("buprenorphine", 5, 1, None),
            line("tramadol", 50, 1, 4),
            line("codeine", 30, 1, 4),
        ]
    )
    assert result.lines == (Decimal("60.0"), Decimal("47.0"), None, Decimal("40.0"), Decimal("18.00"))
    assert_mme(result.total, 165)
    assert result.flags == {"fentanyl_caution", "methadone_caution", "buprenorphine_excluded", "naloxone", "high_dose"}


def test_lines_keep_their_order():
    result = regimen_mme([line("codeine", 30, 1, 1), line("buprenorphine", 2), line("oxycodone", 10, 1, 1)])
    assert result.lines == (Decimal("4.50"), None, Decimal("15.0"))


# --------------------------------------------------------------------------- exact arithmetic and PRN


@pytest.mark.parametrize(
    ("lines", "total"),
    [
        ([line("hydrocodone", 7.5, 1, 4)], "30"),
        ([line("hydrocodone", 7.5, 1.0, 4.0)], "30"),
        ([line("oxycodone", 2.5, 1, 3)], "11.25"),
        ([line("morphine", 0.1, 1, 3)], "0.3"),
        ([line("codeine", 15, 1, 3)], "6.75"),
        ([line("tramadol", 37.5, 1, 3)], "22.5"),
        ([line("hydromorphone", Decimal("0.5"), 1, 6)], "15"),
        ([line("morphine", 16.7, 1, 3)], "50.1"),
    ],
)
def test_float_and_decimal_inputs_are_exact(lines, total):
    result = regimen_mme(lines)
    assert result.total == Decimal(total)
    assert isinstance(result.total, Decimal)


def test_float_inputs_meet_the_threshold_exactly():
    # 0.1 * 3 in float arithmetic is 0.30000000000000004; in this module it is exactly 0.3.
    result = regimen_mme([line("morphine", 16.6, 1, 3), line("morphine", 0.1, 1, 2)])
    assert result.total == Decimal("50.0")
    assert "naloxone" in result.flags


def test_prn_lines_count_their_maximum_and_are_marked():
    result = regimen_mme([line("oxycodone", 10, 1, 2), line("oxycodone", 5, 1, 4, prn=True)])
    assert result.lines == (Decimal("30.0"), Decimal("30.0"))
    assert_mme(result.total, 60)
    assert result.prn_lines == (1,)
    assert result.flags == {"naloxone"}


def test_no_prn_lines_by_default():
    assert regimen_mme([line("oxycodone", 10, 1, 2)]).prn_lines == ()


def test_prn_must_be_a_bool():
    with pytest.raises(InvalidLineError, match="prn"):
        regimen_mme([line("oxycodone", 10, 1, 2, prn="yes")])


def test_other_keys_on_a_line_are_ignored():
    result = regimen_mme([line("oxycodone", 10, 1, 2, form="tablet", description="ER")])
    assert_mme(result.total, 30)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("drug", ["oxycontin", "Oxycodone", "oxycodone ", "fentanyl", "heroin", "", None, 7])
def test_an_unknown_drug_is_an_error_never_a_guess(drug):
    with pytest.raises(UnknownDrugError) as error:
        regimen_mme([line("morphine", 10), line(drug, 10)])
    assert repr(drug) in str(error.value)
    assert "line 2" in str(error.value)
    assert error.value.drug == drug
    assert isinstance(error.value, ValueError)


def test_the_unknown_drug_message_lists_the_known_codes():
    with pytest.raises(UnknownDrugError, match=r"unknown drug 'oxycontin'.*oxycodone"):
        regimen_mme([line("oxycontin", 10)])


@pytest.mark.parametrize("drug", ["meperidine", "levorphanol", "pentazocine", "fentanyl_transmucosal"])
def test_drugs_without_a_cdc_2022_factor_say_so(drug):
    with pytest.raises(UnknownDrugError, match=f"unknown drug '{drug}'.*CDC 2022 gives no MME conversion factor"):
        regimen_mme([line(drug, 50)])


def test_a_line_without_a_drug_is_unknown():
    with pytest.raises(UnknownDrugError, match="None"):
        regimen_mme([{"strength": 10, "units_per_dose": 1, "doses_per_day": 1}])


@pytest.mark.parametrize("field", ["strength", "units_per_dose", "doses_per_day"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "missing"),
        (0, "above 0"),
        (-1, "above 0"),
        (-0.5, "above 0"),
        (Decimal("0.0"), "above 0"),
        ("10", "finite number"),
        ("ten", "finite number"),
        (True, "finite number"),
        (float("nan"), "finite number"),
        (float("inf"), "finite number"),
        (Decimal("NaN"), "finite number"),
        ([10], "finite number"),
    ],
)
def test_bad_numbers_name_the_line_and_field(field, value, reason):
    regimen = [line("morphine", 10, 1, 1), line("oxycodone", 10, 1, 1) | {field: value}]
    with pytest.raises(InvalidLineError, match=rf"line 2 \(oxycodone\): {field} .*{reason}") as error:
        regimen_mme(regimen)
    assert isinstance(error.value, ValueError)
    assert error.value.line_number == 2


def test_a_missing_field_is_the_same_as_none():
    with pytest.raises(InvalidLineError, match=r"line 1 \(hydrocodone\): doses_per_day is missing"):
        regimen_mme([{"drug": "hydrocodone", "strength": 5, "units_per_dose": 1}])


@pytest.mark.parametrize(("field", "value"), [("strength", None), ("strength", 0), ("units_per_dose", None)])
def test_a_fentanyl_patch_needs_its_strength_and_patch_count(field, value):
    with pytest.raises(InvalidLineError, match=rf"line 1 \(fentanyl_transdermal\): {field}"):
        regimen_mme([patch("fentanyl_transdermal", 25) | {field: value}])


@pytest.mark.parametrize("lines", [{"drug": "morphine"}, "morphine", None, 5])
def test_it_wants_a_list_of_lines(lines):
    with pytest.raises(TypeError):
        regimen_mme(lines)


def test_a_line_must_be_a_mapping():
    with pytest.raises(InvalidLineError, match="line 1"):
        regimen_mme([("morphine", 10, 1, 1)])


def test_it_accepts_any_iterable_of_lines():
    assert_mme(regimen_mme(line("morphine", 10) for _ in range(3)).total, 30)
    assert_mme(regimen_mme((line("morphine", 10),)).total, 10)


def test_the_result_is_immutable():
    result = regimen_mme([line("morphine", 10)])
    with pytest.raises(AttributeError):
        result.total = Decimal(0)
    assert isinstance(result.flags, frozenset)


# --------------------------------------------------------------------------- the drug list


def test_every_opioid_on_the_drug_list_has_an_mme_code_regimen_mme_knows():
    opioids = drugs.opioids()
    assert {drug.mme_code for drug in opioids} == KNOWN_DRUGS
    for drug in opioids:
        strength_unit_line = patch(drug.mme_code, 10) if drug.strength_unit == "mcg/hr" else line(drug.mme_code, 10)
        regimen_mme([strength_unit_line])


def test_only_opioids_have_mme_codes_and_codes_are_unique():
    assert all(drug.mme_code is None for drug in drugs.DRUGS if drug.drug_class is not drugs.DrugClass.OPIOID)
    codes = [drug.code for drug in drugs.DRUGS]
    assert len(codes) == len(set(codes))


def test_the_drug_list_covers_every_class():
    assert {drug.drug_class for drug in drugs.DRUGS} == set(drugs.DrugClass)
    assert drugs.by_code("gabapentin").drug_class is drugs.DrugClass.GABAPENTINOID
    assert drugs.by_code("fentanyl_transdermal").strength_unit == "mcg/hr"
    assert drugs.DrugClass.NSAID.label == "NSAID"
    with pytest.raises(KeyError):
        drugs.by_code("oxycontin")
