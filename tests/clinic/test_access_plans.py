"""Care plans' access rule (clinic/access/plans.py): ``plans_visible_to(user)`` holds exactly the plans that
``may_see_plan`` allows, for a clinician on the team, a clinician on no team, a clinician with an open task
about the patient, a coordinator and a clinic admin; and only clinicians on the team who chart may edit."""

import pytest

from careplans.models import CarePlan
from clinic.access.plans import may_edit_plan, may_see_plan, plans_visible_to
from clinic.models import TeamTask
from clinic.services import create_task
from tests.careplans.plan_builders import plan_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(patient, physician, other_patient, other_team_lead):
    """The patient's active plan and an ended one, and the other patient's plan (another team's)."""
    ended = plan_for(patient, physician)
    CarePlan.objects.filter(pk=ended.pk).update(status=CarePlan.Status.CLOSED)
    return {
        "active": plan_for(patient, physician),
        "ended": ended,
        "theirs": plan_for(other_patient, other_team_lead),
    }


def allowed(user) -> set[CarePlan]:
    """The single-object rule over every plan, each read afresh (no proof of access carried on the patient)."""
    return {plan for plan in CarePlan.objects.select_related("patient") if may_see_plan(user, plan)}


@pytest.mark.parametrize(
    ("member", "sees"),
    [
        ("physician", {"active", "ended"}),
        ("outsider", set()),
        ("coordinator", {"active", "ended", "theirs"}),
        ("clinic_admin", {"active", "ended", "theirs"}),
    ],
)
def test_the_list_holds_exactly_the_plans_the_single_object_rule_allows(request, plans, member, sees):
    user = request.getfixturevalue(member)

    assert set(plans_visible_to(user)) == allowed(user) == {plans[name] for name in sees}


def test_an_open_task_about_the_patient_shows_the_plan_while_it_is_open(plans, patient, outsider):
    task = create_task(
        title="Urgent alert", source=TeamTask.Source.SPRINT_REVIEW, source_key="t-1", patient=patient, assignee=outsider
    )
    assert set(plans_visible_to(outsider)) == allowed(outsider) == {plans["active"], plans["ended"]}

    TeamTask.objects.filter(pk=task.pk).update(status=TeamTask.Status.DONE)
    assert set(plans_visible_to(outsider)) == allowed(outsider) == set()


def test_an_inactive_account_sees_no_plan(plans, physician):
    physician.is_active = False

    assert not plans_visible_to(physician).exists()
    assert allowed(physician) == set()


@pytest.mark.parametrize(
    ("member", "edits"),
    [("physician", True), ("psychologist", True), ("outsider", False), ("coordinator", False), ("clinic_admin", False)],
)
def test_only_clinicians_on_the_team_who_chart_edit_the_plan(request, plans, patient, member, edits):
    assert may_edit_plan(request.getfixturevalue(member), patient) is edits
