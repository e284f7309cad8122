"""The printable one-page patient version of the plan: plain, kind words, a print stylesheet, no
inline script, and opening it is audited as printing."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from careplans.models import Intervention
from tests.careplans.plan_builders import goal_for, plan_for, treatment_for

BLAMING = ("nothing wrong with you", "live with it", "nothing can be done", "non-compliant", "failed")


@pytest.fixture
def plan(patient, physician):
    return plan_for(patient, physician, tier_number=2)


def print_url(patient):
    return reverse("careplans:print", args=[patient.public_id])


def test_it_prints_goals_treatments_and_who_to_call_in_plain_words(signed_in, physician, patient, plan):
    goal_for(plan, physician, words="Walk the dog again", baseline=5, target=30)
    treatment_for(plan, physician, name="Graded walking")
    treatment_for(plan, physician, name="Old idea", status=Intervention.Status.STOPPED, stopped_reason="Did not help")
    response = signed_in(physician).get(print_url(patient))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mari's care plan" in page
    assert "What matters to you" in page and "&ldquo;Walk the dog again&rdquo;" in page
    assert "You started at 5; we are aiming for 30 by" in page
    assert "What we are trying, and why" in page and "Graded walking" in page
    assert "Why: Walking the dog again." in page
    assert "Old idea" not in page
    assert "Nurse line 555-0100" in page and "Your lead clinician is Ada Okafor, MD." in page
    assert "css/careplan-print.css" in page and "js/print-button.js" in page
    assert "<script>" not in page and " style=" not in page
    assert not any(words in page.lower() for words in BLAMING)


def test_opening_the_print_view_is_audited_as_printing(signed_in, coordinator, patient, plan):
    signed_in(coordinator).get(print_url(patient))
    event = AuditEvent.objects.get(patient=patient, action=Action.PRINT)
    assert (event.actor, event.target) == (coordinator, "care plan: printable version")


def test_an_empty_plan_prints_kindly(signed_in, physician, patient, plan):
    page = signed_in(physician).get(print_url(patient)).content.decode()
    assert "We will set your goals together, in your own words." in page
    assert "We will choose what to try together." in page


def test_there_is_nothing_to_print_without_a_plan(signed_in, physician, patient):
    assert signed_in(physician).get(print_url(patient)).status_code == 404
    assert not AuditEvent.objects.filter(action=Action.PRINT).exists()
