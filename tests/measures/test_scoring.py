"""Contract 1 (scoring): the reference vectors (clinical_reference/vectors.json) plus boundary cases for every
shipped instrument. No database."""

import math
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings

from measures.definitions import UnknownInstrumentError, get_definition
from measures.scoring import ScoreResult, score, score_with
from tests.reference import vectors


def _instrument_cases():
    return [case for cases in vectors()["instruments"].values() for case in cases]


CASES = _instrument_cases()


def assert_total(actual, expected):
    if expected is None:
        assert actual is None
    else:
        assert actual is not None
        assert math.isclose(actual, expected, abs_tol=0.005)


# --------------------------------------------------------------------------- reference vectors


def test_the_vectors_cover_every_shipped_instrument():
    assert {case["instrument"] for case in CASES} == {"peg", "phq9", "phq2", "gad7", "gad2", "pcptsd5", "auditc"}
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_it_scores_each_reference_vector(case):
    expected = case["expected"]
    result = score(case["instrument"], case["answers"], case.get("context"))
    assert_total(result.total, expected["total"])
    assert result.band == expected["band"]
    assert result.valid is expected["valid"]
    assert result.flags == set(expected["flags"])
    assert result.positive == expected.get("positive")


# --------------------------------------------------------------------------- helpers


def phq9(*values, difficulty=0):
    answers = {f"phq9_{i}": value for i, value in enumerate(values, start=1)}
    answers["phq9_difficulty"] = difficulty
    return answers


def phq9_total(total, item9=0):
    """Nine answers (0-3) adding up to ``total``, with item 9 fixed."""
    values = [0] * 8
    rest = total - item9
    for index in range(8):
        values[index] = min(3, rest)
        rest -= values[index]
    assert rest == 0
    return phq9(*values, item9)


def gad7_total(total):
    values = []
    rest = total
    for _ in range(7):
        values.append(min(3, rest))
        rest -= values[-1]
    assert rest == 0
    return {f"gad7_{i}": value for i, value in enumerate(values, start=1)}


def pcptsd5(exposure, *items):
    answers = {"pcptsd5_exposure": exposure}
    answers.update({f"pcptsd5_{i}": value for i, value in enumerate(items, start=1)})
    return answers


# --------------------------------------------------------------------------- PEG


@pytest.mark.parametrize(
    ("answers", "total"),
    [
        ((0, 0, 0), 0.0),
        ((10, 10, 10), 10.0),
        ((1, 0, 0), 1 / 3),
        ((9, 7, 7), 23 / 3),
        ((10, 10, 9), 29 / 3),
        ((4, 4, 5), 13 / 3),
    ],
)
def test_peg_is_the_unrounded_mean(answers, total):
    result = score("peg", dict(zip(("peg_1", "peg_2", "peg_3"), answers, strict=True)))
    assert result.total == total
    assert isinstance(result.total, float)
    assert result.band is None
    assert result.positive is None
    assert result.valid is True
    assert result.flags == set()


@pytest.mark.parametrize("missing", ["peg_1", "peg_2", "peg_3"])
def test_peg_with_any_item_missing_is_unscored(missing):
    answers = {"peg_1": 5, "peg_2": 5, "peg_3": 5}
    del answers[missing]
    result = score("peg", answers)
    assert (result.total, result.valid, result.flags) == (None, False, {"incomplete"})
    assert result.missing_items == (missing,)


@pytest.mark.parametrize("value", [-1, 11, 100])
def test_peg_outside_0_to_10_is_invalid(value):
    result = score("peg", {"peg_1": 5, "peg_2": value, "peg_3": 5})
    assert (result.total, result.valid, result.flags) == (None, False, {"invalid_value"})
    assert result.invalid_items == ("peg_2",)


# --------------------------------------------------------------------------- PHQ-9


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "none-minimal"),
        (4, "none-minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately severe"),
        (19, "moderately severe"),
        (20, "severe"),
        (27, "severe"),
    ],
)
def test_phq9_band_edges(total, band):
    item9 = max(0, total - 24)  # items 1-8 reach 24 at most; beyond that item 9 must be answered (and alerts)
    result = score("phq9", phq9_total(total, item9=item9))
    assert result.total == total
    assert isinstance(result.total, int)
    assert result.band == band
    assert result.valid is True
    assert result.positive is None
    assert result.flags == ({"safety_alert"} if item9 else set())


def test_phq9_never_adds_the_difficulty_item():
    result = score("phq9", phq9(0, 0, 0, 0, 0, 0, 0, 0, 0, difficulty=3))
    assert result.total == 0
    assert result.band == "none-minimal"


def test_phq9_difficulty_item_may_be_left_blank():
    answers = phq9_total(12)
    del answers["phq9_difficulty"]
    assert score("phq9", answers).valid is True
    answers["phq9_difficulty"] = None
    assert score("phq9", answers).total == 12


def test_phq9_difficulty_item_outside_its_options_is_invalid():
    result = score("phq9", phq9_total(12) | {"phq9_difficulty": 4})
    assert (result.total, result.valid, result.flags) == (None, False, {"invalid_value"})


@pytest.mark.parametrize("item9", [1, 2, 3])
def test_it_alerts_on_item_9_whatever_the_total(item9):
    result = score("phq9", phq9_total(item9, item9=item9))
    assert result.total == item9
    assert result.band == "none-minimal"
    assert result.flags == {"safety_alert"}
    assert result.valid is True


def test_it_alerts_on_item_9_with_every_other_answer_missing():
    result = score("phq9", {"phq9_9": 1})
    assert result.flags == {"safety_alert", "incomplete"}
    assert (result.total, result.band, result.valid) == (None, None, False)


def test_it_alerts_on_item_9_when_another_answer_is_invalid():
    answers = phq9_total(10, item9=2) | {"phq9_1": 7}
    result = score("phq9", answers)
    assert result.flags == {"safety_alert", "invalid_value"}
    assert result.total is None


@pytest.mark.parametrize("item9", ["1", " 2 ", 1.0, 3.5, True, Decimal("2"), 4, 99])
def test_an_invalid_item_9_that_reads_above_0_still_alerts(item9):
    result = score("phq9", phq9_total(8) | {"phq9_9": item9})
    assert result.flags == {"safety_alert", "invalid_value"}
    assert result.total is None


@pytest.mark.parametrize("item9", [0, None, "0", 0.0, False, "", "abc", -1, float("nan"), [1], {"v": 1}])
def test_item_9_at_zero_blank_or_unreadable_does_not_alert(item9):
    result = score("phq9", phq9_total(8) | {"phq9_9": item9})
    assert "safety_alert" not in result.flags


def test_phq9_missing_item_9_is_incomplete_without_alert():
    answers = phq9_total(8)
    del answers["phq9_9"]
    result = score("phq9", answers)
    assert result.flags == {"incomplete"}
    assert result.missing_items == ("phq9_9",)


def test_phq9_reports_both_missing_and_invalid():
    answers = phq9_total(8)
    answers["phq9_1"] = None
    answers["phq9_2"] = "3"
    result = score("phq9", answers)
    assert result.flags == {"incomplete", "invalid_value"}
    assert result.missing_items == ("phq9_1",)
    assert result.invalid_items == ("phq9_2",)


def test_unknown_answer_keys_are_ignored():
    result = score("phq9", phq9_total(6) | {"phq9_10": 3, "gad7_1": 2})
    assert (result.total, result.valid) == (6, True)


# --------------------------------------------------------------------------- GAD-7


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "severe"),
        (21, "severe"),
    ],
)
def test_gad7_band_edges(total, band):
    result = score("gad7", gad7_total(total))
    assert (result.total, result.band, result.valid, result.positive) == (total, band, True, None)
    assert result.flags == set()


def test_gad7_never_adds_the_difficulty_item_and_it_may_be_blank():
    assert score("gad7", gad7_total(0) | {"gad7_difficulty": 3}).total == 0
    assert score("gad7", gad7_total(11)).total == 11


def test_gad7_missing_item_is_incomplete():
    answers = gad7_total(11)
    del answers["gad7_7"]
    result = score("gad7", answers)
    assert (result.total, result.band, result.flags) == (None, None, {"incomplete"})


# --------------------------------------------------------------------------- PHQ-2 and GAD-2


@pytest.mark.parametrize("code", ["phq2", "gad2"])
@pytest.mark.parametrize(
    ("first", "second", "positive"),
    [
        (0, 0, False),
        (1, 1, False),
        (2, 0, False),
        (0, 2, False),
        (2, 1, True),
        (1, 2, True),
        (0, 3, True),
        (3, 3, True),
    ],
)
def test_two_item_screens_are_positive_at_3(code, first, second, positive):
    result = score(code, {f"{code}_1": first, f"{code}_2": second})
    assert result.total == first + second
    assert result.positive is positive
    assert (result.band, result.valid, result.flags) == (None, True, set())


@pytest.mark.parametrize("code", ["phq2", "gad2"])
def test_two_item_screens_incomplete_have_no_positive(code):
    result = score(code, {f"{code}_1": 3})
    assert (result.total, result.positive, result.flags) == (None, None, {"incomplete"})


# --------------------------------------------------------------------------- PC-PTSD-5


def test_pcptsd5_gate_no_scores_0_and_ignores_missing_items():
    result = score("pcptsd5", {"pcptsd5_exposure": 0})
    assert (result.total, result.positive, result.valid, result.flags) == (0, False, True, set())


def test_pcptsd5_gate_no_ignores_invalid_items_too():
    result = score("pcptsd5", pcptsd5(0, 1, "yes", 7, None, True))
    assert (result.total, result.positive, result.valid, result.flags) == (0, False, True, set())


def test_pcptsd5_missing_gate_is_incomplete():
    result = score("pcptsd5", {f"pcptsd5_{i}": 1 for i in range(1, 6)})
    assert (result.total, result.positive, result.flags) == (None, None, {"incomplete"})
    assert result.missing_items == ("pcptsd5_exposure",)


@pytest.mark.parametrize("exposure", ["NO", "YES", 2, True, 1.0])
def test_pcptsd5_invalid_gate_is_invalid(exposure):
    result = score("pcptsd5", pcptsd5(exposure, 1, 1, 1, 1, 1))
    assert (result.total, result.positive, result.flags) == (None, None, {"invalid_value"})


def test_pcptsd5_gate_yes_needs_every_item():
    result = score("pcptsd5", pcptsd5(1, 1, 1, 1, 1))
    assert (result.total, result.flags, result.missing_items) == (None, {"incomplete"}, ("pcptsd5_5",))


@pytest.mark.parametrize(("items", "total", "positive"), [((1, 1, 0, 0, 0), 2, False), ((0, 0, 1, 1, 1), 3, True)])
def test_pcptsd5_cutoff_edge_at_3(items, total, positive):
    result = score("pcptsd5", pcptsd5(1, *items))
    assert (result.total, result.positive, result.band) == (total, positive, None)


@pytest.mark.parametrize(("items", "positive"), [((1, 1, 1, 0, 0), False), ((1, 1, 1, 1, 0), True)])
def test_pcptsd5_with_a_clinic_cutoff_of_4(items, positive):
    definition = get_definition("pcptsd5").with_cutoff(4)
    assert score_with(definition, pcptsd5(1, *items)).positive is positive
    # the shipped default is untouched
    assert score("pcptsd5", pcptsd5(1, 1, 1, 1, 0, 0)).positive is True


# --------------------------------------------------------------------------- AUDIT-C


def auditc(total):
    values = []
    rest = total
    for _ in range(3):
        values.append(min(4, rest))
        rest -= values[-1]
    return {f"auditc_{i}": value for i, value in enumerate(values, start=1)}


@pytest.mark.parametrize(
    ("sex", "total", "positive"),
    [
        ("male", 3, False),
        ("male", 4, True),
        ("female", 2, False),
        ("female", 3, True),
        ("female", 4, True),
        ("male", 0, False),
        ("female", 12, True),
        ("Female", 3, True),
        (" MALE ", 3, False),
    ],
)
def test_auditc_sex_specific_cutoffs(sex, total, positive):
    result = score("auditc", auditc(total), context={"sex": sex})
    assert (result.total, result.positive, result.valid, result.flags) == (total, positive, True, set())
    assert result.missing_context == ()


@pytest.mark.parametrize("context", [None, {}, {"sex": None}, {"sex": "other"}, {"sex": "unknown"}, {"sex": 1}])
def test_auditc_without_a_known_sex_scores_but_leaves_positive_open(context):
    result = score("auditc", auditc(12), context=context)
    assert (result.total, result.valid, result.flags) == (12, True, set())
    assert result.positive is None
    assert result.missing_context == ("sex",)


def test_auditc_incomplete_has_no_positive():
    result = score("auditc", {"auditc_1": 4, "auditc_2": 4}, context={"sex": "male"})
    assert (result.total, result.positive, result.flags) == (None, None, {"incomplete"})


# --------------------------------------------------------------------------- never a crash

BAD_VALUES = [1.0, 0.0, 2.5, "1", "0", "", "one", True, False, Decimal("1"), [1], {"v": 1}, float("nan"), object()]
SHIPPED = ["peg", "phq9", "phq2", "gad7", "gad2", "pcptsd5", "auditc"]


@pytest.mark.parametrize("code", SHIPPED)
@pytest.mark.parametrize("bad", BAD_VALUES, ids=[f"{type(v).__name__}{i}" for i, v in enumerate(BAD_VALUES)])
def test_a_wrong_kind_of_answer_is_an_invalid_value_never_a_crash(code, bad):
    definition = get_definition(code)
    answers = {item.code: item.options[0].value for item in definition.items}
    if definition.gate is not None:
        answers[definition.gate.item] = 1  # YES, so the scored items count
    target = definition.scored_items[0].code
    answers[target] = bad
    result = score(code, answers, context={"sex": "female"})
    assert result.total is None
    assert result.valid is False
    assert "invalid_value" in result.flags
    assert result.invalid_items == (target,)


@pytest.mark.parametrize("code", SHIPPED)
def test_no_answers_at_all_is_incomplete(code):
    for answers in (None, {}):
        result = score(code, answers)
        assert (result.total, result.band, result.positive, result.valid) == (None, None, None, False)
        assert result.flags == {"incomplete"}


def test_the_result_carries_the_instrument_version():
    result = score("auditc", auditc(2), {"sex": "male"})
    assert isinstance(result, ScoreResult)
    assert (result.code, result.version) == ("auditc", "AUDIT-C (US)")


def test_an_unknown_instrument_is_refused_not_guessed():
    with pytest.raises(UnknownInstrumentError, match="'bpi'"):
        score("bpi", {"bpi_1": 3})


def test_answers_must_be_a_mapping():
    with pytest.raises(TypeError, match="mapping"):
        score("peg", [5, 5, 5])


def test_scoring_is_pure_python_without_django():
    """DESIGN.md: clinical arithmetic is pure functions with no ORM. Importing and scoring loads no Django."""
    code = (
        "import sys, measures.scoring, measures.change, measures.definitions;"
        "measures.scoring.score('phq9', {'phq9_9': 1});"
        "measures.change.change_over_time('peg', 7, 4);"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, check=True)
