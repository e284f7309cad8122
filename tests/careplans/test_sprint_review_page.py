"""The sprint review: each metric at the start vs latest with its judgement, the daily-log trend and
pacing adherence, the suggestion with its rule, the decision and its reason (a step up or down moves the
tier through the audited path), who may decide, and a constant number of queries."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans import plan_services as services
from careplans import sprint_services, sprints
from careplans.models import DailyLog, PlanChange, Sprint
from clinic.models import TeamTask
from tests.careplans.plan_builders import goal_for, plan_for, progress, reviewed_sprint, sprint_for, tier
from tests.measures.responses import peg


def review_url(patient, sprint):
    return reverse("careplans:sprint_review", args=[patient.public_id, sprint.public_id])


@pytest.fixture
def plan(patient, physician):
    return plan_for(patient, physician, tier_number=1)


def log(patient, days_ago, interference, sleep="6.5"):
    when = timezone.make_aware(datetime.combine(timezone.localdate() - timedelta(days=days_ago), time(20)))
    return DailyLog.objects.create(patient=patient, logged_at=when, pain_interference=interference, sleep_hours=sleep)


def ended_sprint(plan, by, *, goal_value=7, peg_values=(7, 6), days=35):
    """A 4-week sprint that ended yesterday, on one walking goal (5 -> 30 min) and the PEG."""
    patient = plan.patient
    starts_on = timezone.localdate() - timedelta(days=days)
    goal = goal_for(plan, by, words="Walk the dog again", baseline=5, target=30)
    peg(patient, peg_values[0], days_ago=days + 3)
    peg(patient, peg_values[1], days_ago=days - 20)
    progress(goal, by, goal_value, on=starts_on + timedelta(days=20))
    return sprint_for(plan, by, starts_on=starts_on, metrics=[sprints.goal_metric(goal.public_id), "measure:peg"])


def test_it_judges_each_metric_and_suggests_with_its_rule(signed_in, physician, patient, plan):
    sprint = ended_sprint(plan, physician, goal_value=7, peg_values=(7, 6))
    log(patient, 20, 6)
    log(patient, 10, 5)
    response = signed_in(physician).get(review_url(patient, sprint))
    assert response.status_code == 200
    page = response.content.decode()
    judgements = {j.code.split(":")[0]: j for j in response.context["judgements"]}
    assert judgements["goal"].verdict is sprints.Verdict.NOT_IMPROVED
    assert (judgements["goal"].baseline, judgements["goal"].latest, judgements["goal"].target) == (5, 7, 30)
    assert judgements["measure"].verdict is sprints.Verdict.NOT_IMPROVED
    assert "PEG 7.0 \N{RIGHTWARDS ARROW} 6.0 (\N{MINUS SIGN}14%): not a responder" in page
    assert "5 \N{RIGHTWARDS ARROW} 7 min (target 30): 8% of the way to the target" in page
    assert "Suggested:</span> Pivot (change interventions)" in page
    assert "Only 0 of 2 metrics improved meaningfully, so change the interventions before changing the tier." in page
    assert "2 check-ins on 2 days" in page and page.count('class="log-chart"') >= 3
    assert "no pacing session was planned during this sprint" in page
    assert 'name="decision" value="pivot"' in page and "checked" in page
    assert AuditEvent.objects.filter(patient=patient, action=Action.VIEW, target="care plan: sprint review").exists()


def test_a_peg_responder_and_a_reached_goal_suggest_stepping_down(signed_in, physician, patient):
    plan = plan_for(patient, physician, tier_number=2)
    sprint = ended_sprint(plan, physician, goal_value=30, peg_values=(7, 4))
    review = signed_in(physician).get(review_url(patient, sprint)).context["review"]
    assert [j.verdict for j in review.judgements] == [sprints.Verdict.REACHED, sprints.Verdict.IMPROVED]
    assert review.suggestion.decision is sprints.Decision.STEP_DOWN


def test_recording_step_up_changes_the_tier_through_the_audited_path(signed_in, physician, patient, plan):
    sprint = ended_sprint(plan, physician)
    sprint_services.create_sprint_review_tasks()
    client = signed_in(physician)
    response = client.post(
        review_url(patient, sprint),
        {"decision": "step_up", "reason": "Flat for a month; add CBT for pain", "plan_version": plan.version},
    )
    assert response.status_code == 302
    sprint.refresh_from_db()
    assert (sprint.decision, sprint.suggestion, sprint.improved) == ("step_up", "pivot", False)
    assert sprint.decision_reason == "Flat for a month; add CBT for pain"
    assert (sprint.reviewed_by, len(sprint.review_snapshot)) == (physician, 2)
    plan.refresh_from_db()
    assert plan.tier.number == 2
    tier_change = plan.changes.get(kind=PlanChange.Kind.TIER)
    assert tier_change.summary.startswith("Sprint 1 decision: tier 1 to tier 2")
    assert tier_change.reason == "Flat for a month; add CBT for pain"
    assert tier_change.by == physician and tier_change.measures_snapshot[0]["code"] == "peg"
    targets = set(AuditEvent.objects.filter(patient=patient, action=Action.UPDATE).values_list("target", flat=True))
    assert {"care plan: sprint reviewed", "care plan: tier changed"} <= targets
    assert TeamTask.objects.get(source_key=sprint_services.review_task_key(sprint)).status == TeamTask.Status.DONE
    plan_page = client.get(reverse("careplans:plan", args=[patient.public_id])).content.decode()
    assert "Tier 2: Targeted rehabilitation" in plan_page
    after = client.get(review_url(patient, sprint)).content.decode()
    assert "Decided:</span> Step up a tier" in after
    assert "Start the next sprint from this decision" in after


def test_continue_and_pivot_keep_the_tier(signed_in, physician, patient, plan):
    sprint = ended_sprint(plan, physician)
    signed_in(physician).post(
        review_url(patient, sprint), {"decision": "continue", "reason": "Give it time", "plan_version": 1}
    )
    plan.refresh_from_db()
    assert plan.tier.number == 1 and plan.version == 1
    assert Sprint.objects.get(pk=sprint.pk).decision == "continue"


def test_it_needs_a_reason_and_a_tier_to_step_to(signed_in, physician, patient):
    plan = plan_for(patient, physician, tier_number=3)
    sprint = ended_sprint(plan, physician)
    client = signed_in(physician)
    no_reason = client.post(review_url(patient, sprint), {"decision": "pivot", "reason": "", "plan_version": 1})
    assert no_reason.status_code == 400
    top = client.post(review_url(patient, sprint), {"decision": "step_up", "reason": "More", "plan_version": 1})
    assert top.status_code == 400
    assert "The plan is at tier 3: there is no tier to step up to." in top.content.decode()
    assert "More" in top.content.decode()
    nonsense = client.post(review_url(patient, sprint), {"decision": "escalate", "reason": "x", "plan_version": "x"})
    assert nonsense.status_code == 400
    assert Sprint.objects.get(pk=sprint.pk).reviewed_at is None


def test_a_decision_on_a_plan_changed_meanwhile_is_refused(signed_in, physician, psychologist, patient, plan):
    sprint = ended_sprint(plan, physician)
    services.change_tier(plan=plan, by=psychologist, tier=tier(2), reason="Started CBT", based_on_version=1)
    response = signed_in(physician).post(
        review_url(patient, sprint), {"decision": "step_up", "reason": "Step up", "plan_version": 1}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Elin Lindqvist, PhD changed the plan while you were reviewing: it is now at tier 2" in page
    assert 'name="plan_version" value="2"' in page
    plan.refresh_from_db()
    assert plan.tier.number == 2
    assert Sprint.objects.get(pk=sprint.pk).reviewed_at is None


def test_a_sprint_is_reviewed_once(signed_in, physician, psychologist, patient, plan):
    sprint = ended_sprint(plan, physician)
    sprint_services.review_sprint(
        sprint=sprint, by=psychologist, decision="pivot", reason="Try ACT", based_on_plan_version=1
    )
    response = signed_in(physician).post(
        review_url(patient, sprint), {"decision": "continue", "reason": "No", "plan_version": 1}
    )
    assert response.status_code == 302
    sprint.refresh_from_db()
    assert (sprint.decision, sprint.reviewed_by) == ("pivot", psychologist)
    with pytest.raises(services.PlanRefused):
        sprint_services.review_sprint(
            sprint=sprint, by=physician, decision="continue", reason="x", based_on_plan_version=1
        )


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_read_the_review_without_deciding(request, signed_in, patient, physician, plan, who):
    sprint = ended_sprint(plan, physician)
    client = signed_in(request.getfixturevalue(who))
    page = client.get(review_url(patient, sprint))
    assert page.status_code == 200 and page.context["form"] is None
    assert "A clinician on the care team records the decision." in page.content.decode()
    assert (
        client.post(review_url(patient, sprint), {"decision": "continue", "reason": "x", "plan_version": 1}).status_code
        == 403
    )
    assert Sprint.objects.get(pk=sprint.pk).reviewed_at is None


def test_a_previous_sprint_without_improvement_suggests_stepping_up(signed_in, physician, patient, plan):
    today = timezone.localdate()
    reviewed_sprint(plan, physician, improved=False, starts_on=today - timedelta(weeks=10))
    plan.refresh_from_db()
    sprint = ended_sprint(plan, physician, days=30)
    review = signed_in(physician).get(review_url(patient, sprint)).context["review"]
    assert review.previous_improved is False
    assert review.suggestion.decision is sprints.Decision.STEP_UP
    assert "for the second sprint in a row" in review.suggestion.reason


def test_it_runs_the_same_number_of_queries_for_a_short_or_a_long_history(
    signed_in, physician, patient, plan, django_assert_max_num_queries
):
    today = timezone.localdate()
    goal = goal_for(plan, physician)
    sprint = sprint_for(
        plan,
        physician,
        starts_on=today - timedelta(days=20),
        metrics=[sprints.goal_metric(goal.public_id), "measure:peg"],
    )
    peg(patient, 6, days_ago=25)
    client = signed_in(physician)
    client.get(review_url(patient, sprint))
    with django_assert_max_num_queries(30) as few:
        client.get(review_url(patient, sprint))
    for n in range(15):
        peg(patient, 3 + n % 5, days_ago=n * 3)
        progress(goal, physician, 5 + n, on=today - timedelta(days=40 - n * 3))
        log(patient, n, n % 10)
    with django_assert_max_num_queries(30) as many:
        response = client.get(review_url(patient, sprint))
    assert response.context["review"].metrics[1].points > 5
    assert len(few) == len(many), [q["sql"][:100] for q in many.captured_queries]


def test_a_metric_that_cannot_be_read_does_not_break_the_review(signed_in, physician, patient, plan):
    sprint = ended_sprint(plan, physician)
    Sprint.objects.filter(pk=sprint.pk).update(metrics=["nonsense", "goal:not-a-uuid", *sprint.metrics])
    response = signed_in(physician).get(review_url(patient, sprint))
    assert response.status_code == 200
    assert response.content.decode().count("A metric that cannot be read") == 2
