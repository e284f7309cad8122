"""Goals in the patient's words: adding them (with the intake's "three things I want back" offered),
editing them under optimistic locking, and recording progress."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans import plan_services as services
from careplans.models import Goal, GoalComment, GoalProgress, PlanChange
from patients.models import Intake
from tests.careplans.plan_builders import goal_for, plan_for


def url(patient, name, *args):
    return reverse(f"careplans:{name}", args=[patient.public_id, *args])


@pytest.fixture
def plan(patient, physician):
    return plan_for(patient, physician)


def goal_data(**overrides):
    target_date = (timezone.localdate() + timedelta(weeks=12)).isoformat()
    data = {"words": "Walk the dog again", "metric": "walking_minutes", "baseline": "5", "target": "30"}
    return data | {"target_date": target_date} | overrides


def test_it_adds_a_goal_in_the_patients_words(signed_in, physician, patient, plan):
    response = signed_in(physician).post(url(patient, "goal_add"), goal_data())
    assert response.status_code == 302
    goal = plan.goals.get()
    assert (goal.words, goal.metric, goal.baseline, goal.target) == ("Walk the dog again", "walking_minutes", 5, 30)
    assert goal.unit == "min" and not goal.better_is_lower
    change = plan.changes.get(kind=PlanChange.Kind.GOAL)
    assert change.summary == "Goal added: Walk the dog again" and change.by == physician
    assert AuditEvent.objects.filter(patient=patient, action=Action.CREATE, target="care plan: goal added").exists()


def test_it_offers_the_intakes_three_things_as_suggestions(signed_in, physician, patient, plan):
    Intake.objects.create(
        patient=patient,
        answers={"goals": {"goal_1": "Walk the dog again", "goal_2": "Sit through a movie", "goal_3": " "}},
        submitted_at=timezone.now(),
    )
    goal_for(plan, physician, words="walk the dog again")  # already a goal: not offered again
    client = signed_in(physician)
    page = client.get(url(patient, "goal_add"))
    assert page.context["suggestions"] == ["Sit through a movie"]
    assert "From the intake" in page.content.decode()
    chosen = client.get(url(patient, "goal_add"), {"suggestion": "Sit through a movie"})
    assert chosen.context["form"].initial["words"] == "Sit through a movie"
    assert chosen.context["form"].initial["from_intake"] is True
    made_up = client.get(url(patient, "goal_add"), {"suggestion": "Something else"})
    assert "words" not in made_up.context["form"].initial
    client.post(
        url(patient, "goal_add"), goal_data(words="Sit through a movie", metric="sitting_minutes", from_intake="True")
    )
    assert plan.goals.get(words="Sit through a movie").from_intake is True


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"words": ""}, "words", "Write the goal in the patient&#x27;s words."),
        ({"metric": "custom", "custom_metric": ""}, "custom_metric", "Name the metric, or choose one from the list."),
        ({"metric": "peg", "baseline": "12", "target": "4"}, "baseline", "A PEG score is from 0 to 10."),
        ({"target": "5"}, "target", "The target should differ from the baseline."),
        ({"baseline": "abc"}, "baseline", "Enter a number, for example 10 or 7.5."),
        ({"baseline": "1000000"}, "baseline", "Enter a number below 100,000."),
        ({"target_date": "31/31/2026"}, "target_date", "Enter a date, for example 2026-03-31."),
        ({"metric": "height"}, "metric", "Choose a metric from the list."),
    ],
)
def test_it_refuses_a_wrong_goal_and_keeps_what_was_typed(
    signed_in, physician, patient, plan, overrides, field, message
):
    response = signed_in(physician).post(url(patient, "goal_add"), goal_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert not plan.goals.exists()
    if overrides.get("words", "x"):
        assert 'value="' + goal_data(**overrides)["words"] + '"' in response.content.decode()


def test_a_custom_metric_says_which_way_is_better(signed_in, physician, patient, plan):
    data = goal_data(metric="custom", custom_metric="Pain flares a week", custom_unit="flares", lower_is_better="on")
    signed_in(physician).post(url(patient, "goal_add"), data | {"baseline": "6", "target": "2"})
    goal = plan.goals.get()
    assert (goal.metric_name, goal.unit, goal.better_is_lower) == ("Pain flares a week", "flares", True)


def test_it_changes_a_goal_and_keeps_the_change_in_history(signed_in, physician, patient, plan):
    goal = goal_for(plan, physician)
    data = goal_data(target="45", status="achieved", version="1")
    response = signed_in(physician).post(url(patient, "goal_edit", goal.public_id), data)
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.target, goal.status, goal.version) == (45, Goal.Status.ACHIEVED, 2)
    change = plan.changes.filter(kind=PlanChange.Kind.GOAL).first()
    assert change.details["fields"] == {"target": ["30", "45"], "status": ["active", "achieved"]}


def test_a_stale_goal_edit_is_refused_and_both_versions_are_shown(signed_in, physician, psychologist, patient, plan):
    goal = goal_for(plan, physician)
    services.change_goal(goal=goal, by=psychologist, based_on_version=1, target=Decimal(20))
    response = signed_in(physician).post(
        url(patient, "goal_edit", goal.public_id),
        goal_data(words="Walk the dog to the park", target="40", status="active", version="1"),
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Elin Lindqvist, PhD saved this" in page
    assert '<th scope="row">Target</th><td>20</td><td>40</td>' in page
    assert '<th scope="row">The goal</th><td>Walk the dog again</td><td>Walk the dog to the park</td>' in page
    assert 'value="Walk the dog to the park"' in page
    goal.refresh_from_db()
    assert (goal.target, goal.words, goal.version) == (20, "Walk the dog again", 2)
    again = signed_in(physician).post(
        url(patient, "goal_edit", goal.public_id),
        goal_data(words="Walk the dog to the park", target="40", status="active", version="2"),
    )
    assert again.status_code == 302
    goal.refresh_from_db()
    assert (goal.target, goal.version) == (40, 3)


def test_it_records_progress_for_a_goal(signed_in, physician, patient, plan):
    goal = goal_for(plan, physician)
    prefix = f"progress-{goal.public_id}"
    today = timezone.localdate().isoformat()
    response = signed_in(physician).post(
        url(patient, "goal_progress", goal.public_id), {f"{prefix}-value": "12.5", f"{prefix}-recorded_on": today}
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#goal-{goal.public_id}")
    recorded = GoalProgress.objects.get(goal=goal)
    assert (recorded.value, recorded.recorded_by, recorded.by_patient) == (Decimal("12.5"), physician, False)
    page = signed_in(physician).get(url(patient, "plan")).content.decode()
    assert "12.5" in page


@pytest.mark.parametrize(
    ("value", "day", "message"),
    [
        ("", None, "Enter the value."),
        ("lots", None, "Enter a number, for example 10 or 7.5."),
        ("10", 1, "Progress is recorded for today or an earlier day."),
    ],
)
def test_it_refuses_wrong_progress(signed_in, physician, patient, plan, value, day, message):
    goal = goal_for(plan, physician)
    prefix = f"progress-{goal.public_id}"
    on = (timezone.localdate() + timedelta(days=day or 0)).isoformat()
    response = signed_in(physician).post(
        url(patient, "goal_progress", goal.public_id), {f"{prefix}-value": value, f"{prefix}-recorded_on": on}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GoalProgress.objects.exists()


def test_a_peg_goal_takes_progress_from_0_to_10(signed_in, physician, patient, plan):
    goal = goal_for(plan, physician, metric=Goal.Metric.PEG, baseline=8, target=5)
    prefix = f"progress-{goal.public_id}"
    response = signed_in(physician).post(
        url(patient, "goal_progress", goal.public_id),
        {f"{prefix}-value": "11", f"{prefix}-recorded_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 400
    assert "A PEG score is from 0 to 10." in response.content.decode()


def test_the_plan_shows_the_patients_latest_comment_on_a_goal(signed_in, physician, patient, plan):
    goal = goal_for(plan, physician)
    GoalComment.objects.create(goal=goal, text="Managed ten minutes with Bruno today!", by_patient=True)
    GoalComment.objects.create(goal=goal, text="Well done, keep pacing.", author=physician)
    GoalComment.objects.create(goal=goal, text="Rained all week, short walks only.", by_patient=True)
    page = signed_in(physician).get(url(patient, "plan")).content.decode()
    assert "The patient wrote" in page and "Rained all week, short walks only." in page
    assert "3 comments in all" in page
