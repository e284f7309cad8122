"""The sprint review's mood measures (careplans/sprints.py): the PHQ-9 judged by its 5-point change
(REFERENCE.md 1.2, PARTIAL), the GAD-7 by the app's 5-point rule (REFERENCE.md gives no GAD-7 change
threshold), and a meaningfully worse mood measure overriding "continue what is working". Pure: no database."""

import pytest

from careplans import sprints
from careplans.sprints import Decision, Judgement, Verdict
from measures.definitions import get_definition

GOAL = "goal:8c1f5a0e-2d7b-4c39-9a51-0e4b3b8f6d21"


def judge(code, baseline, latest) -> Judgement:
    return sprints.judge_measure(f"measure:{code}", get_definition(code), baseline, latest)


# --------------------------------------------------------------------------- judging one measure


@pytest.mark.parametrize("code", ["phq9", "gad7"])
@pytest.mark.parametrize(
    ("baseline", "latest", "verdict"),
    [
        # Better (lower) by 4, 5 and 6 points.
        (12, 8, Verdict.NOT_IMPROVED),
        (12, 7, Verdict.IMPROVED),  # exactly 5 points (42% lower: not a PHQ-9 50% responder, still improved)
        (12, 6, Verdict.IMPROVED),
        # Worse (higher) by 4, 5 and 6 points.
        (10, 14, Verdict.NOT_IMPROVED),  # a change under 5 points is not meaningful either way
        (10, 15, Verdict.WORSE),
        (10, 16, Verdict.WORSE),
        # From and to the ends of the scale, and no change.
        (5, 0, Verdict.IMPROVED),
        (0, 5, Verdict.WORSE),
        (0, 4, Verdict.NOT_IMPROVED),
        (9, 9, Verdict.NOT_IMPROVED),
        # Not enough data.
        (None, 9, Verdict.NO_DATA),
        (9, None, Verdict.NO_DATA),
    ],
)
def test_phq9_and_gad7_are_judged_by_a_five_point_change(code, baseline, latest, verdict):
    assert judge(code, baseline, latest).verdict is verdict


def test_a_phq9_halved_by_fewer_than_five_points_is_not_a_meaningful_change():
    assert judge("phq9", 8, 4).verdict is Verdict.NOT_IMPROVED  # 50% lower, but 4 points


def test_the_phq9_words_give_its_own_rule_and_the_gad7_words_say_the_rule_is_the_apps():
    phq9 = judge("phq9", 10, 16)
    assert phq9.words.endswith("meaningful worsening (\u22655 points)")
    gad7 = judge("gad7", 10, 16)
    assert gad7.words.endswith("meaningful worsening (\u22655 points, app rule)")
    assert judge("gad7", 12, 6).words.endswith("meaningful improvement (\u22655 points, app rule)")
    assert "app rule" not in judge("gad7", 12, 8).words


def test_the_app_rule_is_used_only_where_the_definition_has_none():
    assert sprints.meaningful_points(get_definition("phq9")) == (5, False)
    assert sprints.meaningful_points(get_definition("gad7")) == (5, True)
    assert sprints.meaningful_points(get_definition("peg")) == (None, False)  # the 30% responder rule
    assert sprints.meaningful_points(get_definition("auditc")) == (None, False)


def test_the_peg_is_still_judged_by_its_30_percent_rule():
    assert judge("peg", 7, 4.9).verdict is Verdict.IMPROVED
    assert judge("peg", 5, 5.5).verdict is Verdict.WORSE


# --------------------------------------------------------------------------- the suggestion


def goal(verdict: Verdict, n: int = 0) -> Judgement:
    return Judgement(code=f"{GOAL[:-1]}{n}", label="walk the dog", verdict=verdict, baseline=5, latest=20)


def mood(code: str, verdict: Verdict, baseline=10, latest=16) -> Judgement:
    label = {"phq9": "PHQ-9", "gad7": "GAD-7"}[code]
    return Judgement(code=f"measure:{code}", label=label, verdict=verdict, baseline=baseline, latest=latest)


PEG_BETTER = Judgement(code="measure:peg", label="PEG", verdict=Verdict.IMPROVED, baseline=7, latest=4)
W, N, IMP, R = Verdict.WORSE, Verdict.NOT_IMPROVED, Verdict.IMPROVED, Verdict.REACHED


def assert_one_sentence(reason: str):
    assert reason.endswith(".") and reason.count(". ") == 0
    assert len(reason) <= 300  # fits Sprint.suggestion_reason


@pytest.mark.parametrize(
    ("judgements", "mood_watch", "tier", "previous", "decision", "improved", "words"),
    [
        # 2 of 3 improved would "continue what is working"; a worse PHQ-9 among them overrides it.
        ([goal(IMP), PEG_BETTER, mood("phq9", W)], [], 2, None, Decision.PIVOT, True, "PHQ-9 (10 \u2192 16) is"),
        ([goal(IMP), PEG_BETTER, mood("gad7", W)], [], 2, None, Decision.PIVOT, True, "GAD-7 (10 \u2192 16) is"),
        # Watched beside the sprint's metrics (not chosen): the same override, and it does not count in the half.
        ([goal(IMP), PEG_BETTER], [mood("phq9", W)], 2, None, Decision.PIVOT, True, "review mood and change"),
        # Every goal reached would step down; a worse mood measure overrides that too.
        ([goal(R), PEG_BETTER], [mood("gad7", W)], 2, None, Decision.PIVOT, True, "rather than continue"),
        ([goal(R)], [mood("phq9", W)], 1, None, Decision.PIVOT, True, "PHQ-9"),
        # Nothing judged would continue and measure; a worse mood measure still says review mood.
        ([], [mood("phq9", W)], 2, None, Decision.PIVOT, None, "PHQ-9 (10 \u2192 16) is meaningfully worse"),
        # Both worse: both named.
        ([PEG_BETTER], [mood("phq9", W), mood("gad7", W, 8, 14)], 2, None, Decision.PIVOT, True, "GAD-7 (8"),
        # Already stepping up or pivoting: the decision stands and mood is named.
        ([goal(N), mood("phq9", W)], [], 2, False, Decision.STEP_UP, False, "also meaningfully worse"),
        ([goal(N), mood("phq9", W)], [], 2, None, Decision.PIVOT, False, "PHQ-9 (10 \u2192 16) is also"),
        # Improving or unchanged mood does not override.
        ([goal(IMP), PEG_BETTER, mood("phq9", N)], [], 2, None, Decision.CONTINUE, True, "continue what is working"),
        ([goal(IMP), mood("gad7", IMP)], [mood("phq9", N)], 2, None, Decision.CONTINUE, True, "so continue"),
        ([goal(R), PEG_BETTER], [mood("phq9", IMP)], 2, None, Decision.STEP_DOWN, True, "a lower tier"),
    ],
)
def test_a_worse_mood_measure_overrides_continue_and_step_down(
    judgements, mood_watch, tier, previous, decision, improved, words
):
    suggestion = sprints.suggest(judgements, tier=tier, previous_improved=previous, mood_watch=mood_watch)
    assert suggestion.decision is decision
    assert suggestion.improved is improved
    assert words in suggestion.reason
    assert_one_sentence(suggestion.reason)


@pytest.mark.parametrize(
    ("latest", "decision"),
    [(14, Decision.CONTINUE), (15, Decision.PIVOT), (16, Decision.PIVOT)],  # worse by 4, 5 and 6 points
)
def test_the_override_starts_at_exactly_five_points_worse(latest, decision):
    for code in ("phq9", "gad7"):
        measured = judge(code, 10, latest)
        suggestion = sprints.suggest([goal(IMP), PEG_BETTER, measured], tier=2, previous_improved=None)
        assert suggestion.decision is decision, code


def test_a_mood_measure_chosen_and_watched_is_named_once():
    worse = mood("phq9", W)
    suggestion = sprints.suggest([PEG_BETTER, worse], tier=2, previous_improved=None, mood_watch=[worse])
    assert suggestion.reason.count("PHQ-9") == 1


def test_a_worse_measure_that_is_not_a_mood_measure_does_not_override():
    peg_worse = Judgement(code="measure:peg", label="PEG", verdict=W, baseline=4, latest=7)
    suggestion = sprints.suggest([goal(IMP), goal(IMP, 1), peg_worse], tier=2, previous_improved=None)
    assert suggestion.decision is Decision.CONTINUE
