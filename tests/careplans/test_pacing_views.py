"""The clinician's pacing pages: start a plan (with a preview of the dated steps), see planned vs actual,
end a plan. Editors only; outsiders get a 404; constant queries however long the history."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans.models import PacingPlan, PlanChange
from tests.careplans.logkit import active_plan, session, walking_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(patient, physician):
    return active_plan(patient, physician)


def new_url(patient) -> str:
    return reverse("careplans:pacing_create", args=[patient.public_id])


def detail_url(patient, pacing_plan) -> str:
    return reverse("careplans:pacing_detail", args=[patient.public_id, pacing_plan.public_id])


def end_url(patient, pacing_plan) -> str:
    return reverse("careplans:pacing_end", args=[patient.public_id, pacing_plan.public_id])


def plan_data(today, **overrides) -> dict:
    values = {
        "activity": "Walking",
        "unit": "minutes",
        "baseline": "5",
        "start_percent": "80",
        "increment_kind": "fixed",
        "increment_value": "1",
        "every_days": "3",
        "target": "10",
        "rests": "Sit for 2 minutes half-way",
        "starts_on": today.isoformat(),
    }
    return {**values, **overrides}


def test_the_clinician_starts_a_pacing_plan(signed_in, physician, plan, patient, today):
    client = signed_in(physician)
    assert client.get(new_url(patient)).status_code == 200
    response = client.post(new_url(patient), plan_data(today))
    pacing_plan = PacingPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == detail_url(patient, pacing_plan)
    assert (pacing_plan.plan, pacing_plan.activity, pacing_plan.baseline, pacing_plan.target) == (
        plan,
        "Walking",
        Decimal(5),
        Decimal(10),
    )
    assert pacing_plan.created_by == physician
    change = PlanChange.objects.get()
    assert change.kind == PlanChange.Kind.PACING
    assert change.summary == "Pacing plan started: Walking, from 4 minutes to 10 minutes in 7 steps"
    assert AuditEvent.objects.filter(patient=patient, action=Action.CREATE, target="pacing plan").count() == 1


def test_the_preview_shows_the_dated_steps_and_saves_nothing(signed_in, physician, plan, patient, today):
    response = signed_in(physician).post(new_url(patient), {**plan_data(today), "preview": "1"})
    assert response.status_code == 200
    assert "Preview: 7 steps" in response.text
    assert f"{today + timedelta(days=3):%a %b} {(today + timedelta(days=3)).day}" in response.text
    assert "Nothing is saved until you start the plan." in response.text
    assert not PacingPlan.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"activity": ""}, "Enter the activity."),
        ({"baseline": "0"}, "Enter at least 0.5."),
        ({"baseline": "lots"}, "Enter the tolerance baseline as a number"),
        ({"baseline": "1" * 20}, "That number is too large."),
        ({"every_days": "0"}, "Each step lasts at least 1 day."),
        ({"start_percent": "20"}, "Start at 50% of the baseline or more."),
        ({"increment_kind": "double"}, "Select a valid choice."),
        ({"increment_kind": "percent", "increment_value": "150"}, "Increase by at most 100% a step."),
        ({"target": "2"}, "The target is below where the plan starts"),
        ({"target": "5000", "baseline": "5", "increment_value": "1"}, "more than 100 steps"),
        ({"starts_on": "2026-02-31"}, "Enter the start date"),
        ({"starts_on": "1999-01-01"}, "Start at most 30 days ago."),
    ],
)
def test_bad_numbers_are_refused_with_a_clear_message(signed_in, physician, plan, patient, today, overrides, message):
    response = signed_in(physician).post(new_url(patient), plan_data(today, **overrides))
    assert response.status_code == 400
    assert message in response.text
    assert not PacingPlan.objects.exists()
    assert AuditEvent.objects.filter(patient=patient, action=Action.VIEW, target="pacing plan: new").count() == 1


def test_the_detail_shows_planned_vs_actual_and_the_dated_steps(signed_in, physician, plan, patient, today):
    walking = walking_plan(plan, starts_on=today - timedelta(days=5), by=physician)
    session(walking, today - timedelta(days=5), "done")
    session(walking, today - timedelta(days=4), "partly", actual="2.5")
    session(walking, today - timedelta(days=3), "flare")
    response = signed_in(physician).get(detail_url(patient, walking))
    assert response.status_code == 200
    assert "On hold since a flare on" in response.text
    assert "<td>2.5</td>" in response.text  # the partly done amount
    assert "Flare</span>" in response.text
    assert 'class="log-chart"' in response.text
    assert "held 4 days by a flare" in response.text  # from the flare 3 days ago to today
    assert AuditEvent.objects.filter(patient=patient, action=Action.VIEW, target="pacing plan").count() == 1


def test_the_detail_is_seen_by_the_team_and_coordinators_but_not_outsiders(
    signed_in, psychologist, coordinator, outsider, plan, patient, physician, today
):
    walking = walking_plan(plan, starts_on=today, by=physician)
    assert signed_in(psychologist).get(detail_url(patient, walking)).status_code == 200
    assert signed_in(coordinator).get(detail_url(patient, walking)).status_code == 200
    assert signed_in(outsider).get(detail_url(patient, walking)).status_code == 404


def test_another_patients_pacing_plan_is_not_found_under_this_patient(
    signed_in, physician, plan, patient, other_patient, today
):
    theirs = walking_plan(active_plan(other_patient, physician), starts_on=today, by=physician)
    assert signed_in(physician).get(detail_url(patient, theirs)).status_code == 404


def test_only_editors_start_or_end_a_plan(
    signed_in, coordinator, outsider, clinic_admin, plan, patient, physician, today
):
    walking = walking_plan(plan, starts_on=today, by=physician)
    for person in (coordinator, clinic_admin):
        client = signed_in(person)
        assert client.get(new_url(patient)).status_code == 403
        assert client.post(new_url(patient), plan_data(today)).status_code == 403
        assert client.post(end_url(patient, walking), {"status": "stopped"}).status_code == 403
    client = signed_in(outsider)
    assert client.get(new_url(patient)).status_code == 404
    assert client.post(new_url(patient), plan_data(today)).status_code == 404
    assert client.post(end_url(patient, walking), {"status": "stopped"}).status_code == 404
    assert PacingPlan.objects.get().status == PacingPlan.Status.ACTIVE


def test_the_clinician_ends_a_plan_with_a_reason(signed_in, physician, plan, patient, today):
    walking = walking_plan(plan, starts_on=today, by=physician)
    client = signed_in(physician)
    response = client.post(end_url(patient, walking), {"status": "done", "reason": "Walks 10 minutes easily"})
    assert response.status_code == 302
    walking.refresh_from_db()
    assert walking.status == PacingPlan.Status.DONE
    change = PlanChange.objects.get()
    assert (change.summary, change.reason) == ("Pacing plan target reached: Walking", "Walks 10 minutes easily")
    client.post(end_url(patient, walking), {"status": "stopped"})
    assert PlanChange.objects.count() == 1  # already ended: nothing more


@pytest.mark.parametrize("days", [1, 120])
def test_the_detail_runs_a_constant_number_of_queries(
    signed_in, physician, plan, patient, today, days, django_assert_max_num_queries
):
    walking = walking_plan(plan, starts_on=today - timedelta(days=days), by=physician)
    for n in range(days):
        session(walking, today - timedelta(days=n), "flare" if n % 9 == 4 else "done")
    client = signed_in(physician)
    with django_assert_max_num_queries(18):
        assert client.get(detail_url(patient, walking)).status_code == 200
