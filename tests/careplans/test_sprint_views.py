"""Starting a sprint: 4-6 weeks enforced with a clear message, metrics from goals and questionnaires,
treatments to test, one sprint at a time, and starting the next sprint from a review's decision."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans import plan_services as services
from careplans import sprints
from careplans.models import Intervention, PlanChange, Sprint
from tests.careplans.plan_builders import goal_for, plan_for, reviewed_sprint, sprint_for, treatment_for
from tests.measures.responses import phq9


def url(patient, name, *args):
    return reverse(f"careplans:{name}", args=[patient.public_id, *args])


@pytest.fixture
def plan(patient, physician):
    return plan_for(patient, physician, tier_number=2)


def sprint_data(starts_on, days, metrics, treatments=()):
    return {
        "starts_on": starts_on.isoformat(),
        "ends_on": (starts_on + timedelta(days=days)).isoformat(),
        "metrics": metrics,
        "interventions": [t.pk for t in treatments],
    }


def test_it_offers_the_plans_goals_and_the_patients_questionnaires_as_metrics(signed_in, physician, patient, plan):
    goal = goal_for(plan, physician, words="Walk the dog again")
    phq9(patient, 1, days_ago=10)
    form = signed_in(physician).get(url(patient, "sprint_new")).context["form"]
    choices = dict(form.fields["metrics"].choices)
    assert choices[sprints.goal_metric(goal.public_id)] == "Goal: Walk the dog again \N{MIDDLE DOT} Walking (minutes)"
    assert choices["measure:peg"] == "Questionnaire: PEG"
    assert choices["measure:phq9"] == "Questionnaire: PHQ-9"
    assert form.initial["starts_on"] == timezone.localdate()
    assert form.initial["ends_on"] == timezone.localdate() + timedelta(weeks=4)


def test_it_starts_a_sprint_with_its_metrics_and_treatments(signed_in, physician, patient, plan):
    goal = goal_for(plan, physician)
    walking = treatment_for(plan, physician, name="Graded walking")
    treatment_for(plan, physician, name="Old idea", status=Intervention.Status.STOPPED, stopped_reason="Did not help")
    metrics = [sprints.goal_metric(goal.public_id), "measure:peg"]
    today = timezone.localdate()
    response = signed_in(physician).post(url(patient, "sprint_new"), sprint_data(today, 35, metrics, [walking]))
    assert response.status_code == 302
    sprint = plan.sprints.get()
    assert (sprint.number, sprint.starts_on, sprint.ends_on) == (1, today, today + timedelta(days=35))
    assert sprint.metrics == metrics
    assert list(sprint.interventions.all()) == [walking]
    assert plan.changes.filter(kind=PlanChange.Kind.SPRINT).get().details["metrics"] == metrics
    assert AuditEvent.objects.filter(patient=patient, action=Action.CREATE, target="care plan: sprint started").exists()


@pytest.mark.parametrize(("days", "weeks_words"), [(21, "21 days (3 weeks)"), (49, "49 days (7 weeks)")])
def test_it_refuses_a_sprint_shorter_than_4_or_longer_than_6_weeks(
    signed_in, physician, patient, plan, days, weeks_words
):
    response = signed_in(physician).post(
        url(patient, "sprint_new"), sprint_data(timezone.localdate(), days, ["measure:peg"])
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"A sprint lasts 4 to 6 weeks (28 to 42 days); these dates make {weeks_words}." in page
    assert not Sprint.objects.exists()


@pytest.mark.parametrize(
    ("metrics", "message"),
    [
        ([], "Choose at least one metric: a goal or a questionnaire."),
        (["measure:nonsense"], "Choose metrics from the list."),
        (["goal:8c1f5a0e-2d7b-4c39-9a51-0e4b3b8f6d21"], "Choose metrics from the list."),
    ],
)
def test_it_refuses_a_sprint_without_known_metrics(signed_in, physician, patient, plan, metrics, message):
    response = signed_in(physician).post(url(patient, "sprint_new"), sprint_data(timezone.localdate(), 28, metrics))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_it_refuses_another_plans_treatment(signed_in, physician, patient, other_patient, other_team_lead, plan):
    elsewhere = treatment_for(plan_for(other_patient, other_team_lead), other_team_lead)
    data = sprint_data(timezone.localdate(), 28, ["measure:peg"], [elsewhere])
    response = signed_in(physician).post(url(patient, "sprint_new"), data)
    assert response.status_code == 400
    assert "Choose treatments from the list." in response.content.decode()


def test_only_one_sprint_runs_at_a_time(signed_in, physician, patient, plan):
    sprint_for(plan, physician)
    response = signed_in(physician).post(
        url(patient, "sprint_new"), sprint_data(timezone.localdate(), 28, ["measure:peg"])
    )
    assert response.status_code == 400
    assert "The current sprint has not been reviewed yet" in response.content.decode()
    with pytest.raises(services.SprintRefused):
        sprint_for(plan, physician)
    assert plan.sprints.count() == 1


def test_the_next_sprint_starts_from_the_reviews_decision(signed_in, physician, patient, plan):
    today = timezone.localdate()
    walking = treatment_for(plan, physician, name="Graded walking")
    last = reviewed_sprint(plan, physician, improved=True, starts_on=today - timedelta(weeks=5), decision="continue")
    last.interventions.set([walking])
    page = signed_in(physician).get(url(patient, "plan")).content.decode()
    assert f"{url(patient, 'sprint_new')}?from={last.public_id}" in page
    form = signed_in(physician).get(url(patient, "sprint_new"), {"from": str(last.public_id)}).context["form"]
    assert form.initial["metrics"] == last.metrics
    assert form.initial["interventions"] == [walking.pk]
    assert form.initial["starts_on"] == max(last.ends_on, today)


def test_after_a_pivot_the_next_sprint_chooses_new_treatments(signed_in, physician, patient, plan):
    walking = treatment_for(plan, physician)
    last = reviewed_sprint(plan, physician, improved=False, starts_on=timezone.localdate() - timedelta(weeks=5))
    last.interventions.set([walking])
    form = signed_in(physician).get(url(patient, "sprint_new"), {"from": str(last.public_id)}).context["form"]
    assert form.initial["metrics"] == last.metrics
    assert "interventions" not in form.initial


def test_a_from_that_is_not_a_sprint_of_this_plan_starts_from_scratch(signed_in, physician, patient, plan):
    for wanted in ("nonsense", "8c1f5a0e-2d7b-4c39-9a51-0e4b3b8f6d21"):
        response = signed_in(physician).get(url(patient, "sprint_new"), {"from": wanted})
        assert response.status_code == 200
        assert response.context["previous"] is None
