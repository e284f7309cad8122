"""Every care-plan service a member of staff calls to change something checks who may itself
(clinic.access.plans.may_edit_plan), not only the page in front of it: called directly, as a clinician on no
care team, a coordinator or a clinic admin, each raises Refused and writes nothing (no row, no audit event);
the same call by a clinician on the patient's team succeeds and is audited.

The inputs are the same for everyone and valid, so the refusal can only come from who is asking."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from careplans import plan_services, sprint_services, sprints
from careplans.logs import services as log_services
from careplans.models import (
    CarePlan,
    FlarePlan,
    Goal,
    GoalComment,
    GoalProgress,
    Intervention,
    PacingPlan,
    PacingSession,
    PlanChange,
    Sprint,
)
from clinic.access.plans import EDITORS_ONLY
from clinic.access.refusals import Refused
from clinic.models import TeamTask
from tests.careplans.logkit import walking_plan
from tests.careplans.plan_builders import goal_for, patient_led_by, plan_for, sprint_for, tier, treatment_for

pytestmark = pytest.mark.django_db

REFUSED = ["outsider", "coordinator", "clinic_admin"]
WRITTEN = (
    CarePlan,
    PlanChange,
    Goal,
    GoalProgress,
    GoalComment,
    Intervention,
    Sprint,
    Sprint.interventions.through,
    FlarePlan,
    PacingPlan,
    PacingSession,
    TeamTask,
    AuditEvent,
)

FLARE = {
    "warning_signs": "My hip aches by noon",
    "reduce_by_percent": 30,
    "reduce_for_hours": 48,
    "what_to_reduce": "Walking",
    "what_helps": "Heat pack",
    "when_to_call": "",
    "when_urgent": "",
}
WALKING = {
    "activity": "Walking",
    "unit": "minutes",
    "baseline": Decimal(5),
    "start_percent": 80,
    "increment_kind": PacingPlan.Increment.FIXED,
    "increment_value": Decimal(1),
    "every_days": 3,
    "target": Decimal(10),
    "rests": "",
}


@pytest.fixture
def world(patient, physician):
    """The patient's plan with a goal, a treatment and a running pacing plan; a team patient with no plan yet;
    and a team patient whose plan has a sprint waiting for its review. Each object as a service gets it, with
    nothing that says who reached it."""
    plan = plan_for(patient, physician)
    goal = goal_for(plan, physician)
    treatment = treatment_for(plan, physician)
    pacing = walking_plan(plan, starts_on=timezone.localdate(), by=physician)
    sprinting = plan_for(patient_led_by(physician), physician)
    sprint = sprint_for(sprinting, physician, starts_on=timezone.localdate() - timedelta(weeks=4))
    return {
        "physician": physician,
        "fresh": patient_led_by(physician),
        "plan": CarePlan.objects.get(pk=plan.pk),
        "goal": Goal.objects.get(pk=goal.pk),
        "treatment": Intervention.objects.get(pk=treatment.pk),
        "pacing": PacingPlan.objects.get(pk=pacing.pk),
        "sprint": Sprint.objects.get(pk=sprint.pk),
    }


def start_plan(by, w):
    return plan_services.start_plan(patient=w["fresh"], by=by, lead=w["physician"], tier=tier(1))


def change_tier(by, w):
    plan = w["plan"]
    return plan_services.change_tier(plan=plan, by=by, tier=tier(2), reason="Stalled", based_on_version=plan.version)


def change_plan_details(by, w):
    plan = w["plan"]
    return plan_services.change_plan_details(
        plan=plan, by=by, based_on_version=plan.version, lead=w["physician"], who_to_call="Front desk 555-0199"
    )


def add_goal(by, w):
    return plan_services.add_goal(
        plan=w["plan"],
        by=by,
        words="Sleep through the night",
        metric=Goal.Metric.SLEEP_HOURS,
        baseline=Decimal(4),
        target=Decimal(7),
        target_date=timezone.localdate() + timedelta(weeks=12),
    )


def change_goal(by, w):
    goal = w["goal"]
    return plan_services.change_goal(goal=goal, by=by, based_on_version=goal.version, words="Walk the dog daily")


def record_goal_progress(by, w):
    return plan_services.record_goal_progress(
        goal=w["goal"], by=by, value=Decimal(12), recorded_on=timezone.localdate()
    )


def add_intervention(by, w):
    return plan_services.add_intervention(
        plan=w["plan"], by=by, name="Sleep hygiene", category=Intervention.Category.EDUCATION
    )


def change_intervention(by, w):
    treatment = w["treatment"]
    return plan_services.change_intervention(
        intervention=treatment, by=by, based_on_version=treatment.version, name="Graded walking, outdoors"
    )


def start_sprint(by, w):
    starts_on = timezone.localdate()
    return sprint_services.start_sprint(
        plan=w["plan"],
        by=by,
        starts_on=starts_on,
        ends_on=starts_on + timedelta(weeks=4),
        metrics=[sprints.goal_metric(w["goal"].public_id)],
        interventions=[w["treatment"]],
    )


def review_sprint(by, w):
    sprint = w["sprint"]
    return sprint_services.review_sprint(
        sprint=sprint,
        by=by,
        decision=sprints.Decision.CONTINUE,
        reason="Steady, keep going.",
        based_on_plan_version=sprint.plan.version,
    )


def save_flare_plan(by, w):
    return log_services.save_flare_plan(plan=w["plan"], by=by, version=0, values=FLARE)


def create_pacing_plan(by, w):
    return log_services.create_pacing_plan(
        plan=w["plan"], by=by, starts_on=timezone.localdate(), **{**WALKING, "activity": "Standing"}
    )


def stop_pacing_plan(by, w):
    return log_services.stop_pacing_plan(pacing_plan=w["pacing"], by=by, reason="Flared twice")


CHANGES = [
    start_plan,
    change_tier,
    change_plan_details,
    add_goal,
    change_goal,
    record_goal_progress,
    add_intervention,
    change_intervention,
    start_sprint,
    review_sprint,
    save_flare_plan,
    create_pacing_plan,
    stop_pacing_plan,
]


def everything() -> dict[str, list[dict]]:
    """Every row a care-plan change could write, or an audit event record."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WRITTEN}


@pytest.mark.parametrize("member", REFUSED)
@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_a_non_editor_is_refused_by_the_service_and_nothing_is_written(request, world, member, change):
    user = request.getfixturevalue(member)
    before = everything()

    with pytest.raises(Refused) as refused:
        change(user, world)

    assert str(refused.value) == EDITORS_ONLY
    assert everything() == before


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_a_clinician_on_the_team_makes_the_change_and_it_is_audited(world, physician, change):
    events = AuditEvent.objects.filter(actor=physician).count()
    before = everything()

    assert change(physician, world)

    assert everything() != before
    assert AuditEvent.objects.filter(actor=physician).count() > events
