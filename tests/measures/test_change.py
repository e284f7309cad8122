"""Change over time: responder edges, baseline 0, missing scores, direction, and the words. No database."""

import pytest

from measures.change import MINUS, change_over_time, change_with
from measures.definitions import load_definition
from measures.scoring import score

# --------------------------------------------------------------------------- PEG: 30% improvement


@pytest.mark.parametrize(
    ("baseline", "latest", "responder"),
    [
        (10, 7, True),  # exactly 30%
        (10.0, 7.0, True),
        (20 / 3, 14 / 3, True),  # exactly 30% between two unrounded PEG means
        (10, 7 + 1 / 3, False),  # 26.7%
        (10, 7.1, False),
        (10, 6.9, True),
        (7, 4.9, True),  # 30%, where float subtraction alone would land just off the line
        (7, 5, False),
        (5, 5, False),
        (5, 8, False),
        (10, 0, True),
    ],
)
def test_peg_responder_is_a_30_percent_improvement(baseline, latest, responder):
    assert change_over_time("peg", baseline, latest).responder is responder


def test_peg_exactly_30_percent():
    result = change_over_time("peg", 10, 7)
    assert result.absolute_change == -3
    assert result.percent_change == -30.0
    assert result.improvement_percent == 30.0
    assert result.direction == "improved"
    assert result.responder is True
    assert result.clinician_words == f"PEG 10.0 → 7.0 ({MINUS}30%): responder"


def test_peg_words():
    result = change_over_time("peg", 7.0, 4.3)
    assert result.clinician_words == f"PEG 7.0 → 4.3 ({MINUS}39%): responder"
    assert result.patient_words == "Your pain's effect on daily life is lower than when you started."


def test_peg_from_score_results():
    baseline = score("peg", {"peg_1": 7, "peg_2": 8, "peg_3": 6})
    latest = score("peg", {"peg_1": 5, "peg_2": 4, "peg_3": 4})
    result = change_over_time("peg", baseline, latest)
    assert (result.baseline, result.latest, result.responder) == (7, 13 / 3, True)
    assert result.clinician_words == f"PEG 7.0 → 4.3 ({MINUS}38%): responder"


def test_a_rounded_percent_never_crosses_the_responder_line():
    result = change_over_time("peg", 10, 7.04)  # 29.6%
    assert result.responder is False
    assert result.clinician_words == f"PEG 10.0 → 7.0 ({MINUS}29.6%): not a responder"


def test_peg_getting_worse():
    result = change_over_time("peg", 4, 6)
    assert (result.direction, result.responder) == ("worse", False)
    assert result.percent_change == 50.0
    assert result.improvement_percent == -50.0
    assert result.clinician_words == "PEG 4.0 → 6.0 (+50%): not a responder"
    assert result.patient_words == "Your pain's effect on daily life is higher than when you started."


def test_peg_unchanged():
    result = change_over_time("peg", 6, 6)
    assert (result.direction, result.responder, result.absolute_change) == ("unchanged", False, 0)
    assert result.clinician_words == "PEG 6.0 → 6.0 (0%): not a responder"
    assert result.patient_words == "Your pain's effect on daily life is the same as when you started."


# --------------------------------------------------------------------------- baseline 0 and missing scores


@pytest.mark.parametrize(
    ("latest", "words"),
    [(0, "PEG 0.0 → 0.0 (0.0; no % from a baseline of 0)"), (3, "PEG 0.0 → 3.0 (+3.0; no % from a baseline of 0)")],
)
def test_baseline_0_has_no_percentage_and_no_responder_status(latest, words):
    result = change_over_time("peg", 0, latest)
    assert (result.percent_change, result.improvement_percent, result.responder) == (None, None, None)
    assert result.absolute_change == latest
    assert result.clinician_words == words


def test_phq9_baseline_0_still_reports_remission():
    result = change_over_time("phq9", 0, 6)
    assert (result.responder, result.remission, result.meaningful_change) == (None, False, True)
    assert result.clinician_words == (
        "PHQ-9 0 → 6 (+6; no % from a baseline of 0): not in remission; meaningful worsening (≥5 points)"
    )


@pytest.mark.parametrize(
    ("baseline", "latest", "why"),
    [(None, 4, "no scored baseline"), (7, None, "no scored follow-up"), (None, None, "no scored responses")],
)
def test_a_missing_score_gives_no_change(baseline, latest, why):
    result = change_over_time("peg", baseline, latest)
    assert result.absolute_change is None
    assert result.percent_change is None
    assert (result.direction, result.responder, result.remission, result.meaningful_change) == (None,) * 4
    assert result.patient_words == "There are not enough answers yet to show a change."
    assert result.clinician_words == f"PEG: no change yet ({why})"


def test_an_unscored_response_counts_as_missing():
    incomplete = score("peg", {"peg_1": 5})
    result = change_over_time("peg", 7, incomplete)
    assert (result.latest, result.responder) == (None, None)


def test_a_score_must_be_a_number():
    with pytest.raises(TypeError, match="must be a number"):
        change_over_time("peg", "7", 4)


# --------------------------------------------------------------------------- PHQ-9 and GAD-7


@pytest.mark.parametrize(
    ("baseline", "latest", "responder", "remission", "meaningful"),
    [
        (10, 5, True, False, True),  # exactly 50%, 5 points, 5 is not < 5
        (10, 6, False, False, False),
        (10, 4, True, True, True),
        (9, 5, False, False, False),  # 44%, 4 points
        (20, 10, True, False, True),
        (20, 11, False, False, True),  # 45%, 9 points
        (6, 3, True, True, False),  # 50%, 3 points, in remission
        (4, 4, False, True, False),
        (8, 13, False, False, True),  # 5 points worse
    ],
)
def test_phq9_response_remission_and_meaningful_change(baseline, latest, responder, remission, meaningful):
    result = change_over_time("phq9", baseline, latest)
    assert (result.responder, result.remission, result.meaningful_change) == (responder, remission, meaningful)


def test_phq9_words():
    result = change_over_time("phq9", 16, 4)
    assert (
        result.clinician_words == f"PHQ-9 16 → 4 ({MINUS}75%): responder; remission; meaningful improvement (≥5 points)"
    )
    assert result.patient_words == "Your score for low mood is lower than when you started."
    worse = change_over_time("phq9", 8, 13)
    assert (
        worse.clinician_words
        == "PHQ-9 8 → 13 (+63%): not a responder; not in remission; meaningful worsening (≥5 points)"
    )


def test_gad7_has_no_responder_rule_in_reference_md():
    result = change_over_time("gad7", 12, 4)
    assert (result.responder, result.remission, result.meaningful_change) == (None, None, None)
    assert result.direction == "improved"
    assert result.clinician_words == f"GAD-7 12 → 4 ({MINUS}67%)"
    assert result.patient_words == "Your score for worry and anxiety is lower than when you started."


# --------------------------------------------------------------------------- direction: higher is better


def test_an_instrument_where_higher_is_better(made_up_data):
    definition = load_definition(made_up_data)  # better: higher, responder 30%, remission above 5, 2 points
    up = change_with(definition, 3, 4)  # +33%
    assert (up.direction, up.improvement_percent, up.responder) == ("improved", pytest.approx(100 / 3), True)
    assert up.remission is False
    assert up.clinician_words == "Demo Steps 3 → 4 (+33%): responder; not in remission"
    assert up.patient_words == "Your steps score is higher than when you started."

    edge = change_with(definition, 10 / 3 * 3, 13)  # 10 → 13: exactly 30%
    assert edge.responder is True

    down = change_with(definition, 6, 3)
    assert (down.direction, down.responder, down.remission, down.meaningful_change) == ("worse", False, False, True)
    assert down.clinician_words == (
        f"Demo Steps 6 → 3 ({MINUS}50%): not a responder; not in remission; meaningful worsening (≥2 points)"
    )
    assert down.patient_words == "Your steps score is lower than when you started."

    top = change_with(definition, 4, 7)
    assert (top.remission, top.meaningful_change) == (True, True)
    assert "meaningful improvement (≥2 points)" in top.clinician_words


def test_an_instrument_with_no_patient_subject_uses_its_name(made_up_data):
    del made_up_data["patient_subject"]
    result = change_with(load_definition(made_up_data), 2, 2)
    assert result.patient_words == "Your Demo Steps score is the same as when you started."
