"""The pure sprint rules (careplans/sprints.py): sprint length, review date, judging each metric, the
suggestion with its one-sentence rule, and "two sprints without improvement"."""

from datetime import date
from decimal import Decimal

import pytest

from careplans import sprints
from careplans.sprints import Decision, Judgement, Verdict
from measures.definitions import get_definition

GOAL = "goal:8c1f5a0e-2d7b-4c39-9a51-0e4b3b8f6d21"


def goal(verdict: Verdict, code: str = GOAL) -> Judgement:
    return Judgement(code=code, label="walk the dog", verdict=verdict, baseline=None, latest=None)


def measure(verdict: Verdict) -> Judgement:
    return Judgement(code="measure:peg", label="PEG", verdict=verdict, baseline=None, latest=None)


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("days", "allowed"),
    [(27, False), (28, True), (35, True), (42, True), (43, False), (0, False), (-7, False), (7, False)],
)
def test_it_allows_sprints_of_four_to_six_weeks_only(days, allowed):
    start = date(2026, 3, 2)
    problem = sprints.sprint_length_problem(start, date.fromordinal(start.toordinal() + days))
    assert (problem is None) is allowed
    if not allowed:
        assert problem.startswith("A sprint lasts 4 to 6 weeks (28 to 42 days)")
        assert f"these dates make {days} days" in problem


def test_it_says_the_length_in_weeks_when_refusing():
    assert sprints.sprint_length_problem(date(2026, 3, 1), date(2026, 3, 22)) == (
        "A sprint lasts 4 to 6 weeks (28 to 42 days); these dates make 21 days (3 weeks)."
    )
    assert "(7.1 weeks)" in sprints.sprint_length_problem(date(2026, 3, 1), date(2026, 4, 20))


def test_it_makes_the_review_due_three_days_before_the_end():
    assert sprints.review_due_on(date(2026, 3, 30)) == date(2026, 3, 27)


@pytest.mark.parametrize(
    ("previous_end", "today", "expected"),
    [
        (None, date(2026, 3, 2), (date(2026, 3, 2), date(2026, 3, 30))),
        (date(2026, 3, 10), date(2026, 3, 2), (date(2026, 3, 10), date(2026, 4, 7))),
        (date(2026, 2, 1), date(2026, 3, 2), (date(2026, 3, 2), date(2026, 3, 30))),
    ],
)
def test_it_starts_the_next_sprint_at_the_end_of_the_last_or_today(previous_end, today, expected):
    assert sprints.next_sprint_dates(previous_end, today=today) == expected


def test_a_sprint_at_the_end_of_the_calendar_does_not_push_the_next_one_past_it():
    today = date(2026, 3, 2)
    assert sprints.next_sprint_dates(date(9999, 12, 20), today=today) == (today, date(2026, 3, 30))


# --------------------------------------------------------------------------- metric codes


def test_it_reads_goal_and_measure_metric_codes():
    assert sprints.parse_metric(GOAL) == ("goal", GOAL.removeprefix("goal:"))
    assert sprints.parse_metric("measure:peg") == ("measure", "peg")
    assert sprints.goal_metric("8c1f5a0e-2d7b-4c39-9a51-0e4b3b8f6d21") == GOAL
    assert sprints.measure_metric("phq9") == "measure:phq9"


@pytest.mark.parametrize("code", ["", "goal:", "goal:not-a-uuid", "measure:", "measure:peg;drop", "peg", 7, None])
def test_it_refuses_anything_else_as_a_metric_code(code):
    with pytest.raises(ValueError):
        sprints.parse_metric(code)


# --------------------------------------------------------------------------- judging one metric


@pytest.mark.parametrize(
    ("baseline", "latest", "verdict"),
    [
        (7, 4.9, Verdict.IMPROVED),  # 30% better exactly: responder
        (7, 5, Verdict.NOT_IMPROVED),  # 28.6% better
        (20 / 3, 14 / 3, Verdict.IMPROVED),  # exactly 30% with unrounded PEG means
        (6, 6, Verdict.NOT_IMPROVED),
        (5, 6, Verdict.WORSE),
        (0, 0, Verdict.NOT_JUDGED),  # no percentage from a baseline of 0
        (0, 3, Verdict.WORSE),
        (None, 4, Verdict.NO_DATA),
        (6, None, Verdict.NO_DATA),
    ],
)
def test_it_judges_the_peg_by_the_30_percent_responder_rule(baseline, latest, verdict):
    judged = sprints.judge_measure("measure:peg", get_definition("peg"), baseline, latest)
    assert judged.verdict is verdict
    assert judged.label == "PEG"
    if verdict is Verdict.IMPROVED:
        assert judged.words.endswith("responder")


@pytest.mark.parametrize(
    ("baseline", "latest", "verdict"),
    [(16, 7, Verdict.IMPROVED), (16, 12, Verdict.NOT_IMPROVED), (10, 16, Verdict.WORSE)],
)
def test_it_judges_the_phq9_by_its_own_rule(baseline, latest, verdict):
    assert sprints.judge_measure("measure:phq9", get_definition("phq9"), baseline, latest).verdict is verdict


def test_it_shows_but_does_not_judge_a_questionnaire_without_a_change_rule():
    # The GAD-7 is judged by the app's rule now (test_sprint_mood_rules.py); the AUDIT-C has no rule at all.
    judged = sprints.judge_measure("measure:auditc", get_definition("auditc"), 8, 3)
    assert judged.verdict is Verdict.NOT_JUDGED
    assert not judged.verdict.is_judged


@pytest.mark.parametrize(
    ("baseline", "latest", "target", "lower", "verdict"),
    [
        (5, 30, 30, False, Verdict.REACHED),
        (5, 35, 30, False, Verdict.REACHED),
        (5, 11.25, 30, False, Verdict.IMPROVED),  # exactly a quarter of the way
        (5, 11.24, 30, False, Verdict.NOT_IMPROVED),
        (5, 5, 30, False, Verdict.NOT_IMPROVED),
        (5, 4, 30, False, Verdict.WORSE),
        (8, 6, 4, True, Verdict.IMPROVED),  # lower is better: halfway down
        (8, 7.5, 4, True, Verdict.NOT_IMPROVED),
        (8, 9, 4, True, Verdict.WORSE),
        (8, 4, 4, True, Verdict.REACHED),
        (30, 30, 30, False, Verdict.REACHED),  # already at the target at the start
        (32, 28, 30, False, Verdict.WORSE),  # past the target, then fell back
        (None, 10, 30, False, Verdict.NO_DATA),
        (5, None, 30, False, Verdict.NO_DATA),
        (Decimal("5.00"), Decimal("12.50"), Decimal("30.00"), False, Verdict.IMPROVED),
    ],
)
def test_it_judges_a_goal_by_the_share_of_the_way_to_its_target(baseline, latest, target, lower, verdict):
    judged = sprints.judge_goal(
        GOAL, label="walk the dog", baseline=baseline, latest=latest, target=target, lower_is_better=lower, unit="min"
    )
    assert judged.verdict is verdict


def test_it_puts_a_goal_change_in_words_without_rounding_across_the_line():
    judged = sprints.judge_goal(
        GOAL, label="walk", baseline=5, latest=11.2, target=30, lower_is_better=False, unit="min"
    )
    assert judged.words == "5 \N{RIGHTWARDS ARROW} 11.2 min (target 30): 24% of the way to the target"
    reached = sprints.judge_goal(GOAL, label="walk", baseline=5, latest=30, target=30, lower_is_better=False)
    assert reached.words.endswith("target reached")


@pytest.mark.parametrize(
    ("metric", "custom_lower", "lower"),
    [("peg", False, True), ("walking_minutes", True, False), ("custom", True, True), ("custom", False, False)],
)
def test_it_knows_which_way_a_goal_metric_is_better(metric, custom_lower, lower):
    assert sprints.goal_direction_lower_is_better(metric, custom_lower_is_better=custom_lower) is lower


def test_a_judgement_survives_its_snapshot():
    judged = sprints.judge_goal(GOAL, label="walk", baseline=5, latest=12, target=30, lower_is_better=False, unit="min")
    assert Judgement.from_snapshot(judged.as_snapshot()) == judged
    assert Judgement.from_snapshot({"verdict": "nonsense"}).verdict is Verdict.NO_DATA


# --------------------------------------------------------------------------- the suggestion

IMP, N, W, R, D, X = (
    Verdict.IMPROVED,
    Verdict.NOT_IMPROVED,
    Verdict.WORSE,
    Verdict.REACHED,
    Verdict.NO_DATA,
    Verdict.NOT_JUDGED,
)


@pytest.mark.parametrize(
    ("goals", "measures", "tier", "previous", "decision", "improved", "words"),
    [
        # Nothing judged: continue and measure.
        ([], [], 2, None, Decision.CONTINUE, None, "keep going and measure again"),
        ([D], [X], 2, False, Decision.CONTINUE, None, "keep going and measure again"),
        # Everything better and every goal reached: step down (continue at tier 1).
        ([R, R], [IMP], 2, None, Decision.STEP_DOWN, True, "a lower tier may now be enough"),
        ([R], [], 3, False, Decision.STEP_DOWN, True, "a lower tier may now be enough"),
        ([R], [IMP], 1, None, Decision.CONTINUE, True, "set the next goals"),
        # Only questionnaires improved, no goal: continue, not step down.
        ([], [IMP], 2, None, Decision.CONTINUE, True, "1 of 1 metric improved meaningfully, so continue"),
        # At least half improved: continue.
        ([IMP, N], [], 2, False, Decision.CONTINUE, True, "1 of 2 metrics improved meaningfully, so continue"),
        ([R, N], [IMP], 2, None, Decision.CONTINUE, True, "2 of 3 metrics improved meaningfully"),
        # Not improved, first time: pivot.
        ([N, N], [IMP], 2, None, Decision.PIVOT, False, "change the interventions before changing the tier"),
        ([W], [N], 1, True, Decision.PIVOT, False, "Only 0 of 2 metrics improved meaningfully"),
        # Not improved twice: step up, or pivot and conference at the top tier.
        ([N], [N], 1, False, Decision.STEP_UP, False, "for the second sprint in a row, so consider stepping up"),
        ([N, IMP], [W], 2, False, Decision.STEP_UP, False, "1 of 3 metrics"),
        ([N], [N], 3, False, Decision.PIVOT, False, "at the highest tier"),
    ],
)
def test_it_suggests_one_decision_with_its_rule_in_one_sentence(
    goals, measures, tier, previous, decision, improved, words
):
    judgements = [goal(v, code=f"goal:{n}") for n, v in enumerate(goals)] + [measure(v) for v in measures]
    suggestion = sprints.suggest(judgements, tier=tier, previous_improved=previous)
    assert suggestion.decision is decision
    assert suggestion.improved is improved
    assert words in suggestion.reason
    assert suggestion.reason.count(". ") == 0 and suggestion.reason.endswith(".")  # one sentence
    assert len(suggestion.reason) <= 300  # fits Sprint.suggestion_reason


@pytest.mark.parametrize(
    ("history", "candidate"),
    [
        ([False, False], True),
        ([False, False, True], True),
        ([False, True, False], False),
        ([True, False], False),
        ([False, None], False),
        ([None, False], False),
        ([False], False),
        ([], False),
    ],
)
def test_it_finds_two_sprints_in_a_row_without_improvement(history, candidate):
    assert sprints.two_sprints_without_improvement(history) is candidate


@pytest.mark.parametrize(
    ("decision", "tier", "after"),
    [
        ("step_up", 1, 2),
        ("step_up", 2, 3),
        ("step_up", 3, None),
        ("step_down", 3, 2),
        ("step_down", 1, None),
        ("continue", 2, None),
        ("pivot", 2, None),
    ],
)
def test_it_moves_the_tier_one_step_within_the_three_tiers(decision, tier, after):
    assert sprints.tier_after(decision, tier) == after
