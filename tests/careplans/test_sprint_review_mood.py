"""The sprint review reads the PHQ-9 and GAD-7 (careplans/selectors.sprint_review): judged by a 5-point change
when the sprint chose them, and watched when it did not, so that a meaningfully worse mood measure overrides
"continue what is working" (app policy, careplans/sprints.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from careplans import selectors, sprints
from tests.careplans.plan_builders import goal_for, plan_for, progress, sprint_for
from tests.measures.responses import answer, peg

DAYS = 35  # the sprint started 35 days ago and ended a week ago


def review_url(patient, sprint):
    return reverse("careplans:sprint_review", args=[patient.public_id, sprint.public_id])


def spread(prefix: str, items: int, total: int) -> dict:
    """Answers (0-3 each) over ``items`` items that add up to ``total``."""
    values = [min(3, max(0, total - 3 * n)) for n in range(items)]
    assert sum(values) == total
    return {f"{prefix}_{n + 1}": value for n, value in enumerate(values)}


def phq9_total(patient, total, *, days_ago):
    answer(patient, "phq9", spread("phq9", 8, total) | {"phq9_9": 0, "phq9_difficulty": 1}, days_ago=days_ago)


def gad7_total(patient, total, *, days_ago):
    answer(patient, "gad7", spread("gad7", 7, total), days_ago=days_ago)


@pytest.fixture
def plan(patient, physician):
    return plan_for(patient, physician, tier_number=2)


def working_sprint(plan, by, *, extra_metrics=()):
    """A sprint that worked: the walking goal half-way to its target and the PEG a 30% responder."""
    patient = plan.patient
    starts_on = timezone.localdate() - timedelta(days=DAYS)
    goal = goal_for(plan, by, words="Walk the dog again", baseline=5, target=30)
    peg(patient, 7, days_ago=DAYS + 3)
    peg(patient, 4, days_ago=DAYS - 20)
    progress(goal, by, 18, on=starts_on + timedelta(days=20))
    metrics = [sprints.goal_metric(goal.public_id), "measure:peg", *extra_metrics]
    return sprint_for(plan, by, starts_on=starts_on, metrics=metrics)


def review(plan, sprint):
    return selectors.sprint_review(sprint, plan=plan)


def test_a_working_sprint_continues_when_mood_is_steady(patient, physician, plan):
    sprint = working_sprint(plan, physician)
    phq9_total(patient, 10, days_ago=DAYS + 2)
    phq9_total(patient, 11, days_ago=DAYS - 15)
    found = review(plan, sprint)
    assert found.suggestion.decision is sprints.Decision.CONTINUE
    assert "continue what is working" in found.suggestion.reason
    assert [j.verdict for j in found.mood_watch] == [sprints.Verdict.NOT_IMPROVED]


def test_a_phq9_worse_by_six_points_overrides_continue_even_when_the_sprint_did_not_choose_it(patient, physician, plan):
    sprint = working_sprint(plan, physician)
    phq9_total(patient, 10, days_ago=DAYS + 2)
    phq9_total(patient, 16, days_ago=DAYS - 15)
    found = review(plan, sprint)
    assert [j.verdict for j in found.judgements] == [sprints.Verdict.IMPROVED, sprints.Verdict.IMPROVED]
    assert found.suggestion.decision is sprints.Decision.PIVOT
    assert found.suggestion.reason == (
        "PHQ-9 (10 \N{RIGHTWARDS ARROW} 16) is meaningfully worse, so rather than continue as before, review mood "
        "and change the interventions."
    )
    assert found.suggestion.improved is True  # the "at least half" count is unchanged


@pytest.mark.parametrize(("latest", "decision"), [(11, "continue"), (12, "pivot"), (13, "pivot")])
def test_a_watched_gad7_overrides_from_exactly_five_points_worse(patient, physician, plan, latest, decision):
    sprint = working_sprint(plan, physician)
    gad7_total(patient, 7, days_ago=DAYS + 2)
    gad7_total(patient, latest, days_ago=DAYS - 15)
    assert review(plan, sprint).suggestion.decision == decision


@pytest.mark.parametrize(
    ("baseline", "latest", "verdict"),
    [
        (12, 8, sprints.Verdict.NOT_IMPROVED),  # 4 points better
        (12, 7, sprints.Verdict.IMPROVED),  # 5 points better (not a 50% responder)
        (12, 6, sprints.Verdict.IMPROVED),  # 6
        (10, 14, sprints.Verdict.NOT_IMPROVED),  # 4 points worse
        (10, 15, sprints.Verdict.WORSE),  # 5
    ],
)
def test_a_chosen_phq9_is_judged_by_five_points_on_the_review_page(
    signed_in, patient, physician, plan, baseline, latest, verdict
):
    sprint = working_sprint(plan, physician, extra_metrics=["measure:phq9"])
    phq9_total(patient, baseline, days_ago=DAYS + 2)
    phq9_total(patient, latest, days_ago=DAYS - 15)
    response = signed_in(physician).get(review_url(patient, sprint))
    assert response.status_code == 200
    phq9 = [j for j in response.context["judgements"] if j.code == "measure:phq9"]
    assert [j.verdict for j in phq9] == [verdict]
    assert response.context["review"].mood_watch == []  # chosen, so not watched twice; no GAD-7 answered


def test_a_chosen_gad7_is_judged_by_the_apps_rule_and_its_worsening_shows_on_the_page(
    signed_in, patient, physician, plan
):
    sprint = working_sprint(plan, physician, extra_metrics=["measure:gad7"])
    gad7_total(patient, 8, days_ago=DAYS + 2)
    gad7_total(patient, 14, days_ago=DAYS - 15)
    response = signed_in(physician).get(review_url(patient, sprint))
    page = response.content.decode()
    gad7 = next(j for j in response.context["judgements"] if j.code == "measure:gad7")
    assert gad7.verdict is sprints.Verdict.WORSE
    assert "meaningful worsening (\u22655 points, app rule)" in page
    assert "Suggested:</span> Pivot (change interventions)" in page
    assert "GAD-7 (8 \N{RIGHTWARDS ARROW} 14) is meaningfully worse" in page


def test_mood_never_answered_changes_nothing(patient, physician, plan):
    sprint = working_sprint(plan, physician)
    found = review(plan, sprint)
    assert found.mood_watch == []
    assert found.suggestion.decision is sprints.Decision.CONTINUE
