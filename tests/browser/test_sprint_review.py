"""The lead physician reviews a treatment sprint: the review page shows each metric judged and the
suggestion with its rule; she records "step up" with a reason, and the plan shows the new tier with the
change in its history. axe-core on the review and the plan; the printable plan prints without errors."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from careplans import sprints
from careplans.models import CarePlan, PlanChange
from tests.browser.accessibility import axe_violations
from tests.careplans.plan_builders import goal_for, plan_for, progress, sprint_for, treatment_for
from tests.measures.responses import peg

pytestmark = pytest.mark.browser


def test_the_physician_records_step_up_and_the_plan_shows_the_new_tier(page, sign_in, physician, patient, screenshot):
    # A tier-1 plan whose 4-week sprint ended yesterday without meaningful improvement.
    today = timezone.localdate()
    starts_on = today - timedelta(days=29)
    plan = plan_for(patient, physician, tier_number=1)
    goal = goal_for(plan, physician, words="Walk the dog again", baseline=5, target=30)
    walking = treatment_for(plan, physician, name="Graded walking")
    peg(patient, 7, days_ago=32)
    peg(patient, 7, days_ago=8)
    progress(goal, physician, 6, on=today - timedelta(days=9))
    sprint = sprint_for(
        plan,
        physician,
        starts_on=starts_on,
        metrics=[sprints.goal_metric(goal.public_id), "measure:peg"],
        treatments=[walking],
    )

    sign_in(page, physician)
    page.goto(f"/patients/{patient.public_id}/plan/")
    expect(page.get_by_role("heading", name="Tier 1: Education and self-management")).to_be_visible()
    page.get_by_role("link", name="Open the review of sprint 1").click()

    expect(page.get_by_role("heading", name="Sprint 1 review")).to_be_visible()
    metrics = page.locator(".sprint-metrics")
    expect(metrics).to_contain_text("PEG 7.0 \N{RIGHTWARDS ARROW} 7.0 (0%): not a responder")
    expect(metrics).to_contain_text("4% of the way to the target")
    expect(page.locator(".suggestion-rule")).to_have_text(
        "Only 0 of 2 metrics improved meaningfully, so change the interventions before changing the tier."
    )
    assert axe_violations(page) == []
    screenshot(page, "sprint-review")

    page.get_by_label("Step up a tier").check()
    page.get_by_label("Why").fill("No change in a month of walking; add CBT for pain.")
    page.get_by_role("button", name="Record the decision").click()

    expect(page.get_by_text("Sprint 1 reviewed: step up a tier.")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Tier 2: Targeted rehabilitation and psychological therapies")
    ).to_be_visible()
    expect(page.locator(".banner-tier")).to_contain_text("Tier 2")
    history = page.locator(".plan-changes")
    expect(history).to_contain_text("Sprint 1 decision: tier 1 to tier 2")
    expect(history).to_contain_text("Why: No change in a month of walking; add CBT for pain.")
    expect(page.get_by_role("link", name="Start the next sprint from sprint 1's decision")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "care-plan-after-step-up")

    plan = CarePlan.objects.get(pk=plan.pk)
    assert plan.tier.number == 2
    assert plan.changes.filter(kind=PlanChange.Kind.TIER, by=physician).count() == 1
    sprint.refresh_from_db()
    assert (sprint.decision, sprint.suggestion) == ("step_up", "pivot")

    page.goto(f"/patients/{patient.public_id}/plan/print/")
    expect(page.get_by_role("heading", name="Mari's care plan")).to_be_visible()
    expect(page.get_by_text("Walk the dog again")).to_be_visible()
    screenshot(page, "care-plan-print")
