"""The care plan page: who may see and change it, what it shows, starting a plan, the tier change with
its reason and measures, and a constant number of queries whatever the plan's history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans import sprints
from careplans.models import CarePlan, Intervention, PlanChange
from tests.careplans.plan_builders import (
    goal_for,
    patient_led_by,
    plan_for,
    progress,
    reviewed_sprint,
    sprint_for,
    tier,
    treatment_for,
)
from tests.measures.responses import peg


def plan_url(patient, name="plan", *args):
    return reverse(f"careplans:{name}", args=[patient.public_id, *args])


@pytest.fixture
def plan(patient, physician):
    return plan_for(patient, physician, tier_number=2)


# --------------------------------------------------------------------------- who may


def every_url(patient, plan):
    goal = goal_for(plan, plan.lead)
    treatment = treatment_for(plan, plan.lead)
    sprint = sprint_for(plan, plan.lead, metrics=[sprints.goal_metric(goal.public_id)])
    return [
        plan_url(patient),
        plan_url(patient, "start"),
        plan_url(patient, "tier"),
        plan_url(patient, "details"),
        plan_url(patient, "goal_add"),
        plan_url(patient, "goal_edit", goal.public_id),
        plan_url(patient, "goal_progress", goal.public_id),
        plan_url(patient, "intervention_add"),
        plan_url(patient, "intervention_edit", treatment.public_id),
        plan_url(patient, "sprint_new"),
        plan_url(patient, "sprint_review", sprint.public_id),
        plan_url(patient, "print"),
    ]


def test_it_hides_every_plan_page_from_a_clinician_on_no_team(signed_in, outsider, patient, plan):
    client = signed_in(outsider)
    for url in every_url(patient, plan):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x"}).status_code in (404, 405), url  # 405: a read-only page
    assert not AuditEvent.objects.filter(patient=patient, actor=outsider).exclude(action=Action.REFUSED).exists()


def test_it_hides_another_patients_plan_from_the_team_of_this_one(
    signed_in, physician, patient, other_patient, other_team_lead
):
    other_plan = plan_for(other_patient, other_team_lead)
    client = signed_in(physician)
    for url in every_url(other_patient, other_plan):
        assert client.get(url).status_code == 404, url


def test_it_does_not_open_a_goal_of_another_plan_through_this_patient(signed_in, physician, patient, plan):
    elsewhere = plan_for(patient_led_by(physician), physician)
    goal = goal_for(elsewhere, physician)
    response = signed_in(physician).get(plan_url(patient, "goal_edit", goal.public_id))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_read_the_plan_and_change_nothing(request, signed_in, patient, plan, who):
    client = signed_in(request.getfixturevalue(who))
    urls = every_url(patient, plan)
    readable = {plan_url(patient), plan_url(patient, "print"), urls[10]}
    for url in urls:
        if url in readable:
            assert client.get(url).status_code == 200, url
        else:
            assert client.get(url).status_code == 403, url
        if url != plan_url(patient, "print"):
            assert client.post(url, {"reason": "x", "tier": tier(3).pk}).status_code in (403, 405), url
    page = client.get(plan_url(patient)).content.decode()
    assert "Change the tier" not in page
    assert "Add a goal" not in page
    assert plan.changes.count() == 1 + 3  # started, goal, treatment, sprint: nothing from them


def test_a_psychologist_on_the_team_may_change_the_plan(signed_in, psychologist, patient, plan):
    response = signed_in(psychologist).get(plan_url(patient))
    assert response.context["may_edit"] is True
    assert "Change the tier" in response.content.decode()


# --------------------------------------------------------------------------- starting a plan


def test_it_offers_to_start_a_plan_when_there_is_none(signed_in, physician, coordinator, patient):
    page = signed_in(physician).get(plan_url(patient)).content.decode()
    assert "has no care plan yet" in page
    assert plan_url(patient, "start") in page
    page = signed_in(coordinator).get(plan_url(patient)).content.decode()
    assert plan_url(patient, "start") not in page
    assert "A clinician on the care team starts the care plan." in page


def test_it_starts_a_plan_with_the_tier_lead_and_the_scores_in_front_of_them(signed_in, physician, patient):
    peg(patient, 7, days_ago=30)
    client = signed_in(physician)
    form = client.get(plan_url(patient, "start"))
    assert form.context["form"].initial["lead"] == physician.pk
    response = client.post(
        plan_url(patient, "start"),
        {"tier": tier(1).pk, "lead": physician.pk, "who_to_call": "Nurse line 555-0100", "reason": "New patient"},
    )
    assert response.status_code == 302
    plan = CarePlan.objects.active().get(patient=patient)
    assert (plan.tier.number, plan.lead, plan.who_to_call) == (1, physician, "Nurse line 555-0100")
    started = plan.changes.get()
    assert started.kind == PlanChange.Kind.CREATED and started.by == physician
    assert started.reason == "New patient"
    assert [m["code"] for m in started.measures_snapshot] == ["peg"]
    assert AuditEvent.objects.filter(patient=patient, action=Action.CREATE, target="care plan: started").exists()
    again = client.post(plan_url(patient, "start"), {"tier": tier(2).pk, "lead": physician.pk})
    assert again.status_code == 302
    assert CarePlan.objects.filter(patient=patient).count() == 1


def test_it_keeps_what_was_typed_when_the_start_form_is_wrong(signed_in, physician, patient):
    response = signed_in(physician).post(plan_url(patient, "start"), {"tier": "999", "who_to_call": "Call Sam"})
    assert response.status_code == 400
    assert "Choose a tier from the list." in response.content.decode()
    assert 'value="Call Sam"' in response.content.decode()
    assert not CarePlan.objects.exists()


# --------------------------------------------------------------------------- what the page shows


def test_it_shows_the_tier_lead_goals_portfolio_sprint_and_history(signed_in, physician, patient, plan):
    goal = goal_for(plan, physician, words="Walk the dog again", baseline=5, target=30)
    progress(goal, physician, 12, on=timezone.localdate() - timedelta(days=2))
    treatment_for(plan, physician, name="Graded walking")
    treatment_for(plan, physician, name="CBT for pain", category=Intervention.Category.PSYCHOLOGICAL, complete=False)
    sprint_for(plan, physician, metrics=[sprints.goal_metric(goal.public_id), "measure:peg"])
    response = signed_in(physician).get(plan_url(patient))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tier 2: Targeted rehabilitation and psychological therapies" in page
    assert "For example CBT and ACT." in page
    assert "Ada Okafor, MD" in page
    assert "&ldquo;Walk the dog again&rdquo;" in page
    assert "5 \N{RIGHTWARDS ARROW} 12 min (target 30): 28% of the way to the target" in page
    assert page.index("Rehabilitation") < page.index("Psychological")
    assert page.count("Incomplete: the four questions are not all answered.") == 1
    assert "1 treatment without all four questions answered" in page
    assert "Sprint 1" in page and "Measuring:</span> Goal: Walk the dog again; PEG" in page
    assert "Sprint 1 started" in page and "Plan started at tier 2" in page
    assert AuditEvent.objects.filter(patient=patient, action=Action.VIEW, target="care plan").count() == 1


def test_the_banner_and_chart_show_the_tier(signed_in, coordinator, patient, plan):
    chart = signed_in(coordinator).get(reverse("patients:chart", args=[patient.public_id])).content.decode()
    assert 'class="banner-tier"' in chart and "Tier 2</a>" in chart
    assert 'id="care-plan-heading"' in chart


def test_the_banner_says_when_there_is_no_plan(signed_in, coordinator, patient):
    chart = signed_in(coordinator).get(reverse("patients:chart", args=[patient.public_id])).content.decode()
    assert "None yet" in chart


def test_it_runs_the_same_number_of_queries_for_a_short_or_a_long_history(
    signed_in, physician, patient, plan, django_assert_max_num_queries
):
    today = timezone.localdate()
    treatment_for(plan, physician)
    reviewed_sprint(plan, physician, improved=False, starts_on=today - timedelta(weeks=60))
    client = signed_in(physician)
    client.get(plan_url(patient))
    with django_assert_max_num_queries(30) as few:
        client.get(plan_url(patient))
    for n in range(12):
        goal = goal_for(plan, physician, words=f"Goal {n}")
        progress(goal, physician, n, on=today)
        treatment_for(plan, physician, name=f"Treatment {n}", complete=n % 2 == 0)
    for n in range(5):
        reviewed_sprint(plan, physician, improved=n % 2 == 0, starts_on=today - timedelta(weeks=50 - 5 * n))
    sprint_for(plan, physician, treatments=list(plan.interventions.all()[:5]))
    with django_assert_max_num_queries(30) as many:
        response = client.get(plan_url(patient))
    content = response.context["content"]
    assert (len(content.goals), len(content.past_sprints), content.current_sprint.number) == (18, 6, 7)
    assert len(few) == len(many), [q["sql"][:100] for q in many.captured_queries]
