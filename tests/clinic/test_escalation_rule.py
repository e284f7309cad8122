"""The early-warning rule (clinic/escalation.py), table-tested: function not improving while treatment
intensity rises; each signal alone; thresholds at their boundaries; unknown inputs never count."""

from datetime import date, timedelta

import pytest

from clinic.escalation import (
    MIN_NEW_REFERRALS,
    MIN_PEG_SPAN_DAYS,
    SUGGESTION,
    WINDOW_DAYS,
    check_escalation,
    window_start,
)

TODAY = date(2026, 6, 1)
START = window_start(TODAY)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def pegs(first: float, last: float, *, span: int = 120, end: int = 5) -> list[tuple[date, float]]:
    return [(ago(end + span), first), (ago(end + span // 2), (first + last) / 2), (ago(end), last)]


STALLED = pegs(6.3, 6.7)
THREE_REFERRALS = [ago(150), ago(90), ago(10)]


@pytest.mark.parametrize(
    ("first", "last", "not_improving"),
    [
        (6.3, 6.7, True),  # worse
        (6.0, 6.0, True),  # unchanged
        (7.0, 5.0, True),  # 28.6% better: not a responder
        (20 / 3, 14 / 3, False),  # exactly 30% better (exact arithmetic): improving
        (7.0, 4.8, False),  # 31% better
        (0.0, 0.0, False),  # nothing to improve: no function problem
        (0.0, 2.0, True),  # from 0 upwards: worse
    ],
)
def test_function_is_not_improving_unless_the_peg_is_30_percent_better(first, last, not_improving):
    check = check_escalation(today=TODAY, peg=pegs(first, last), specialist_referrals=THREE_REFERRALS)
    assert check.flagged is not_improving
    assert bool(check.function_facts) is not_improving


def test_it_flags_with_the_facts_in_neutral_words():
    check = check_escalation(today=TODAY, peg=STALLED, specialist_referrals=[*THREE_REFERRALS, ago(3)])
    assert check.flagged
    assert check.facts[0] == "PEG has not improved over the last 6 months (6.3 \u2192 6.7)"
    assert check.facts[1] == f"4 new specialist referrals since {START:%B} {START.day}"
    assert (
        check.facts[-1] == "Not checked (not recorded in Haven yet): MME, imaging and procedures, medication classes."
    )
    words = " ".join([*check.facts, SUGGESTION]).lower()
    for blaming in ("non-compliant", "noncompliant", "drug-seeking", "refuses", "failed", "fault", "abuse"):
        assert blaming not in words
    assert "biopsychosocial" in SUGGESTION


def test_a_small_improvement_is_named_as_such():
    check = check_escalation(today=TODAY, peg=pegs(7.0, 6.0), specialist_referrals=THREE_REFERRALS)
    assert check.function_facts == ("PEG has improved by less than 30% over the last 6 months (7.0 \u2192 6.0)",)


@pytest.mark.parametrize(
    ("referrals", "flagged"),
    [
        ([], False),
        ([ago(10), ago(20)], False),  # two: below the threshold
        ([ago(10), ago(20), ago(30)], True),  # three: at it
        ([ago(10), ago(20), ago(WINDOW_DAYS)], False),  # the third on the window's first day is outside
        ([ago(10), ago(20), ago(WINDOW_DAYS - 1)], True),  # the day after is inside
        ([ago(10), ago(20), TODAY + timedelta(days=1)], False),  # the future does not count
    ],
)
def test_three_or_more_new_specialist_referrals_in_the_window_are_rising_intensity(referrals, flagged):
    assert MIN_NEW_REFERRALS == 3
    assert check_escalation(today=TODAY, peg=STALLED, specialist_referrals=referrals).flagged is flagged


@pytest.mark.parametrize(
    ("mme", "flagged"),
    [
        ([(ago(300), 30), (ago(20), 60)], True),  # the value in effect at the window's start, then higher
        ([(ago(100), 30), (ago(20), 45)], True),  # first value inside the window as the baseline
        ([(ago(300), 60), (ago(20), 60)], False),  # unchanged
        ([(ago(300), 60), (ago(20), 30)], False),  # lower (a taper)
        ([(ago(300), 60)], False),  # nothing new in the window
        ([(ago(20), 90)], False),  # one value: no rise to see
        ([], False),  # known: no opioids
    ],
)
def test_a_rising_mme_is_rising_intensity(mme, flagged):
    assert check_escalation(today=TODAY, peg=STALLED, mme=mme).flagged is flagged


def test_the_mme_fact_gives_both_numbers():
    check = check_escalation(today=TODAY, peg=STALLED, mme=[(ago(300), 30), (ago(20), 60)])
    assert check.intensity_facts == (f"Daily MME rose since {START:%B} {START.day} (30.0 \u2192 60.0)",)


@pytest.mark.parametrize(
    ("procedures", "flagged"),
    [([ago(30)], False), ([ago(100), ago(30)], True), ([ago(WINDOW_DAYS + 10), ago(30)], False)],
)
def test_repeat_imaging_or_procedures_are_rising_intensity(procedures, flagged):
    assert check_escalation(today=TODAY, peg=STALLED, procedures=procedures).flagged is flagged


@pytest.mark.parametrize(
    ("classes", "flagged"),
    [
        ([], False),
        ([(ago(WINDOW_DAYS + 30), "gabapentinoid")], False),  # started before the window
        ([(ago(40), "gabapentinoid")], True),
        ([(ago(40), "gabapentinoid"), (ago(10), "benzodiazepine")], True),
    ],
)
def test_a_new_medication_class_is_rising_intensity(classes, flagged):
    check = check_escalation(today=TODAY, peg=STALLED, medication_classes=classes)
    assert check.flagged is flagged


@pytest.mark.parametrize(
    "intensity",
    [
        {"specialist_referrals": THREE_REFERRALS},
        {"mme": [(ago(300), 30), (ago(20), 60)]},
        {"procedures": [ago(100), ago(30)]},
        {"medication_classes": [(ago(40), "gabapentinoid")]},
    ],
)
def test_rising_intensity_alone_does_not_flag_an_improving_patient(intensity):
    assert not check_escalation(today=TODAY, peg=pegs(7.0, 3.0), **intensity).flagged


def test_unknown_inputs_never_count_as_rising():
    check = check_escalation(today=TODAY, peg=STALLED)
    assert not check.flagged
    assert check.unknown == ("MME", "specialist referrals", "imaging and procedures", "medication classes")


@pytest.mark.parametrize(
    ("peg", "judged"),
    [
        ([], False),  # no PEG at all: function unknown
        ([(ago(30), 7.0)], False),  # one answer
        ([(ago(10 + MIN_PEG_SPAN_DAYS - 1), 6.0), (ago(10), 7.0)], False),  # just under 8 weeks apart
        ([(ago(10 + MIN_PEG_SPAN_DAYS), 6.0), (ago(10), 7.0)], True),  # 8 weeks apart
        ([(ago(WINDOW_DAYS + 40), 6.0), (ago(WINDOW_DAYS + 10), 6.0), (ago(10), 7.0)], False),  # one inside only
    ],
)
def test_function_needs_two_peg_answers_8_weeks_apart_in_the_window(peg, judged):
    assert check_escalation(today=TODAY, peg=peg, specialist_referrals=THREE_REFERRALS).flagged is judged


def test_signals_the_team_already_reviewed_do_not_flag_again():
    referrals = [ago(150), ago(120), ago(90), ago(5)]
    assert check_escalation(today=TODAY, peg=STALLED, specialist_referrals=referrals).flagged
    reviewed = check_escalation(today=TODAY, peg=STALLED, specialist_referrals=referrals, reviewed_on=ago(60))
    assert not reviewed.flagged  # one new referral since the review
    newer = [*referrals, ago(4), ago(3)]
    again = check_escalation(today=TODAY, peg=STALLED, specialist_referrals=newer, reviewed_on=ago(60))
    assert again.flagged
    assert again.intensity_facts[0].startswith("3 new specialist referrals since")
