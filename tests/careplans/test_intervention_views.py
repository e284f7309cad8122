"""The treatment portfolio: adding treatments with the four questions (allowed without them, but visibly
incomplete), stopping with a reason, the patient's preference, and optimistic locking."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from careplans import plan_services as services
from careplans.models import Intervention, PlanChange
from tests.careplans.plan_builders import FOUR_ANSWERS, plan_for, treatment_for


def url(patient, name, *args):
    return reverse(f"careplans:{name}", args=[patient.public_id, *args])


@pytest.fixture
def plan(patient, physician):
    return plan_for(patient, physician, tier_number=2)


def treatment_data(**overrides):
    data = {
        "name": "CBT for chronic pain",
        "category": "psychological",
        "owner_discipline": "psychologist",
        "status": "active",
        "patient_preference": "wants",
        "preference_note": "Would like evening sessions",
    }
    return data | FOUR_ANSWERS | overrides


def test_it_adds_a_treatment_with_the_four_questions_answered(signed_in, psychologist, patient, plan):
    response = signed_in(psychologist).post(url(patient, "intervention_add"), treatment_data(), follow=True)
    item = plan.interventions.get()
    assert item.four_questions_answered
    assert (item.status, item.started_on, item.patient_preference) == ("active", timezone.localdate(), "wants")
    assert "Treatment added." in response.content.decode()
    assert (
        plan.changes.get(kind=PlanChange.Kind.INTERVENTION).summary == "Treatment added (active): CBT for chronic pain"
    )
    assert AuditEvent.objects.filter(
        patient=patient, action=Action.CREATE, target="care plan: treatment added"
    ).exists()


def test_a_treatment_without_the_four_answers_is_allowed_but_visibly_incomplete(signed_in, physician, patient, plan):
    data = treatment_data(expected_benefit="", how_measured="  ")
    response = signed_in(physician).post(url(patient, "intervention_add"), data, follow=True)
    page = response.content.decode()
    assert "It is marked incomplete until the four questions are answered." in page
    assert "Incomplete: the four questions are not all answered." in page
    assert not plan.interventions.get().four_questions_answered


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Name the treatment."),
        ({"category": "surgery"}, "category", "Choose a category from the list."),
        ({"owner_discipline": ""}, "owner_discipline", "Choose the discipline that owns it."),
        ({"status": "stopped", "stopped_reason": ""}, "stopped_reason", "Say why the treatment was stopped."),
        ({"started_on": "yesterday"}, "started_on", "Enter a date, for example 2026-03-31."),
        ({"risks": "x" * 2001}, "risks", "at most 2000 characters"),
    ],
)
def test_it_refuses_a_wrong_treatment_and_keeps_what_was_typed(
    signed_in, physician, patient, plan, overrides, field, message
):
    response = signed_in(physician).post(url(patient, "intervention_add"), treatment_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    assert "Would like evening sessions" in response.content.decode()
    assert not plan.interventions.exists()


def test_stopping_a_treatment_keeps_the_reason_and_the_date(signed_in, physician, patient, plan):
    item = treatment_for(plan, physician, name="Duloxetine trial", category=Intervention.Category.MEDICATION)
    data = treatment_data(name="Duloxetine trial", category="medication", owner_discipline="physician", version=1) | {
        "status": "stopped",
        "stopped_reason": "Nausea; patient prefers to stop",
    }
    response = signed_in(physician).post(url(patient, "intervention_edit", item.public_id), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.stopped_on, item.version) == ("stopped", timezone.localdate(), 2)
    change = plan.changes.filter(kind=PlanChange.Kind.INTERVENTION).first()
    assert change.summary == "Treatment stopped: Duloxetine trial"
    assert change.reason == "Nausea; patient prefers to stop"
    page = signed_in(physician).get(url(patient, "plan")).content.decode()
    assert "Nausea; patient prefers to stop" in page


def test_taking_a_stopped_treatment_up_again_clears_the_stop(physician, plan):
    item = treatment_for(plan, physician)
    services.change_intervention(
        intervention=item, by=physician, based_on_version=1, status="stopped", stopped_reason="Holiday"
    )
    services.change_intervention(intervention=item, by=physician, based_on_version=2, status="active")
    item.refresh_from_db()
    assert (item.status, item.stopped_on, item.stopped_reason) == ("active", None, "")


def test_a_stale_treatment_edit_is_refused_and_both_versions_are_shown(
    signed_in, physician, psychologist, patient, plan
):
    item = treatment_for(plan, physician, name="Graded walking")
    services.change_intervention(intervention=item, by=psychologist, based_on_version=1, status="paused")
    data = treatment_data(name="Graded walking", category="rehabilitation", owner_discipline="physical_therapist")
    response = signed_in(physician).post(url(patient, "intervention_edit", item.public_id), data | {"version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Elin Lindqvist, PhD saved this" in page
    assert '<th scope="row">Status</th><td>Paused</td><td>Active</td>' in page
    item.refresh_from_db()
    assert (item.status, item.version) == ("paused", 2)


def test_the_service_refuses_stopping_without_a_reason(physician, plan):
    item = treatment_for(plan, physician)
    with pytest.raises(services.PlanRefused):
        services.change_intervention(intervention=item, by=physician, based_on_version=1, status="stopped")
    item.refresh_from_db()
    assert item.status == "active"
