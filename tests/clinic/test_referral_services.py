"""Referral services: writing one, changing it, and the insurance visit cap's one task."""

import pytest

from clinic import referrals as rules
from clinic.models import Referral, TeamTask, TeamTaskEvent
from clinic.referral_services import VISIT_CAP_TITLE, create_referral, take_referral_step, update_referral
from clinic.roles import Role
from tests.factories import referral_in_state

pytestmark = pytest.mark.django_db

DETAILS = {
    "service": "physical_therapy",
    "receiving_provider": "Harbourview Physical Therapy",
    "reason": "Graded activity",
    "visits_authorised": 12,
    "visits_used": 0,
}


def cap_tasks():
    return TeamTask.objects.filter(source=TeamTask.Source.INSURANCE)


def test_it_writes_a_draft_with_its_first_event(patient, physician):
    referral = create_referral(patient=patient, by=physician, details=DETAILS)
    assert referral.state == Referral.State.DRAFT
    assert (referral.created_by, referral.state_changed_by) == (physician, physician)
    event = referral.events.get()
    assert (event.from_state, event.to_state, event.by) == ("", "draft", physician)


def test_it_stamps_the_bridge_plan_only_when_there_is_one(patient, physician):
    without = create_referral(patient=patient, by=physician, details=DETAILS)
    with_plan = create_referral(
        patient=patient, by=physician, details={**DETAILS, "bridge_plan": "Walk daily", "bridge_contact": "Sofia"}
    )
    assert without.bridge_updated_at is None
    assert with_plan.bridge_updated_at is not None


def test_the_referral_warns_two_visits_before_the_cap(patient, coordinator):
    referral = referral_in_state("scheduled", patient=patient, by=coordinator, visits_authorised=12, visits_used=9)
    assert referral.visits_warning is None
    take_referral_step(referral=referral, action="attended", by=coordinator, expected_version=referral.version)
    assert Referral.objects.get(pk=referral.pk).visits_warning == "2 visits left of 12 authorised"
    assert not cap_tasks().exists()


def test_reaching_the_cap_by_attending_creates_one_task_for_the_coordinators(patient, coordinator):
    referral = referral_in_state("scheduled", patient=patient, by=coordinator, visits_authorised=12, visits_used=11)
    take_referral_step(referral=referral, action="attended", by=coordinator, expected_version=referral.version)

    task = cap_tasks().get()
    assert task.title == VISIT_CAP_TITLE
    assert (task.assignee, task.assignee_role, task.patient) == (None, Role.COORDINATOR, patient)
    assert task.priority == TeamTask.Priority.HIGH
    assert task.source_key == rules.visit_cap_key(referral.id, 12)
    assert task.link == f"/referrals/{referral.public_id}/"
    assert "12 of 12 authorised visits used" in task.details
    assert TeamTaskEvent.objects.filter(task=task, kind=TeamTaskEvent.Kind.CREATED).count() == 1


def test_reaching_the_cap_by_editing_the_used_visits_creates_the_task_once(patient, coordinator):
    referral = referral_in_state("attended", patient=patient, by=coordinator, visits_authorised=12, visits_used=5)
    update_referral(referral=referral, by=coordinator, details={"visits_used": 12}, expected_version=referral.version)
    update_referral(referral=referral, by=coordinator, details={"visits_used": 13}, expected_version=referral.version)
    update_referral(referral=referral, by=coordinator, details={"visits_used": 12}, expected_version=referral.version)
    assert cap_tasks().count() == 1


def test_a_raised_cap_reached_again_gives_a_new_task(patient, coordinator):
    referral = referral_in_state("attended", patient=patient, by=coordinator, visits_authorised=12, visits_used=12)
    assert cap_tasks().count() == 1
    update_referral(
        referral=referral,
        by=coordinator,
        details={"visits_authorised": 20, "visits_used": 20},
        expected_version=referral.version,
    )
    assert sorted(cap_tasks().values_list("source_key", flat=True)) == sorted(
        [rules.visit_cap_key(referral.id, 12), rules.visit_cap_key(referral.id, 20)]
    )


def test_no_limit_recorded_never_creates_a_task(patient, coordinator):
    referral_in_state("attended", patient=patient, by=coordinator, visits_authorised=None, visits_used=40)
    assert not cap_tasks().exists()


def test_a_step_through_the_service_refuses_an_illegal_move(patient, coordinator):
    referral = referral_in_state("draft", patient=patient, by=coordinator)
    with pytest.raises(rules.ReferralTransitionError):
        take_referral_step(referral=referral, action="close", by=coordinator, expected_version=referral.version)
    assert Referral.objects.get(pk=referral.pk).state == "draft"
