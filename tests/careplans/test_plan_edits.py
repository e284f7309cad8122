"""Changing the plan: the tier (who, when, why and the scores in front of them), the lead and who to call,
and optimistic locking (a stale save is refused, both versions shown, nothing overwritten)."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from careplans import plan_services as services
from careplans.models import PlanChange
from tests.careplans.plan_builders import plan_for, tier
from tests.measures.responses import peg


def url(patient, name):
    return reverse(f"careplans:{name}", args=[patient.public_id])


@pytest.fixture
def plan(patient, physician):
    return plan_for(patient, physician, tier_number=1)


def test_it_changes_the_tier_with_who_when_why_and_the_scores_shown(signed_in, physician, patient, plan):
    peg(patient, 8, days_ago=60)
    peg(patient, 7, days_ago=3)
    client = signed_in(physician)
    page = client.get(url(patient, "tier"))
    assert "Kept with the change: the latest scores" in page.content.decode()
    response = client.post(
        url(patient, "tier"), {"tier": tier(2).pk, "reason": "Not improving with self-management", "version": 1}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.tier.number, plan.version, plan.updated_by) == (2, 2, physician)
    change = plan.changes.filter(kind=PlanChange.Kind.TIER).get()
    assert change.by == physician and change.reason == "Not improving with self-management"
    assert change.details == {"object": "plan", "fields": {"tier": [1, 2]}}
    assert change.measures_snapshot[0]["code"] == "peg"
    assert change.measures_snapshot[0]["baseline"] == 8.0 and change.measures_snapshot[0]["latest"] == 7.0
    assert AuditEvent.objects.filter(patient=patient, action=Action.UPDATE, target="care plan: tier changed").exists()
    history = client.get(url(patient, "plan")).content.decode()
    assert "Tier changed: tier 1 to tier 2" in history and "Why: Not improving with self-management" in history


def test_it_needs_a_reason_and_another_tier(signed_in, physician, patient, plan):
    client = signed_in(physician)
    no_reason = client.post(url(patient, "tier"), {"tier": tier(2).pk, "reason": " ", "version": 1})
    assert no_reason.status_code == 400
    assert "Say why: the reason is kept in the plan&#x27;s history." in no_reason.content.decode()
    same = client.post(url(patient, "tier"), {"tier": tier(1).pk, "reason": "Why not", "version": 1})
    assert same.status_code == 400
    assert "already at tier 1" in same.content.decode()
    nonsense = client.post(url(patient, "tier"), {"tier": "x", "reason": "r", "version": "nope"})
    assert nonsense.status_code == 400
    plan.refresh_from_db()
    assert (plan.tier.number, plan.version) == (1, 1)


def test_a_stale_tier_change_is_refused_and_shows_what_the_other_person_saved(
    signed_in, physician, psychologist, patient, plan
):
    services.change_tier(plan=plan, by=psychologist, tier=tier(3), reason="Programme place opened", based_on_version=1)
    response = signed_in(physician).post(url(patient, "tier"), {"tier": tier(2).pk, "reason": "Step up", "version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Elin Lindqvist, PhD saved this" in page
    assert "Nothing you typed was saved yet." in page
    assert "Tier 3: Medications, procedures or an interdisciplinary programme" in page  # theirs
    assert "Tier 2: Targeted rehabilitation and psychological therapies" in page  # yours
    assert 'name="version" value="2"' in page  # saving again knowingly replaces their version
    assert "Step up" in page  # what they typed is kept
    plan.refresh_from_db()
    assert plan.tier.number == 3
    assert plan.changes.filter(kind=PlanChange.Kind.TIER).count() == 1


def test_the_service_refuses_a_stale_version_and_saves_nothing(physician, psychologist, plan):
    services.change_plan_details(plan=plan, by=psychologist, based_on_version=1, lead=physician, who_to_call="Desk")
    with pytest.raises(services.StaleEdit) as stale:
        services.change_tier(plan=plan, by=physician, tier=tier(2), reason="r", based_on_version=1)
    assert stale.value.current.version == 2 and stale.value.by == psychologist
    plan.refresh_from_db()
    assert plan.tier.number == 1


def test_it_changes_the_lead_and_who_to_call_as_history(signed_in, physician, psychologist, patient, plan):
    client = signed_in(physician)
    form = client.get(url(patient, "details"))
    assert form.status_code == 200
    response = client.post(
        url(patient, "details"),
        {"lead": psychologist.pk, "who_to_call": "Elin, 555-0199", "reason": "Psychology leads now", "version": 1},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.lead, plan.who_to_call, plan.version) == (psychologist, "Elin, 555-0199", 2)
    change = plan.changes.get(kind=PlanChange.Kind.LEAD)
    assert change.details["fields"]["lead"] == ["Ada Okafor, MD", "Elin Lindqvist, PhD"]
    assert change.details["fields"]["who_to_call"] == ["Nurse line 555-0100", "Elin, 555-0199"]


def test_a_stale_details_save_shows_both_versions(signed_in, physician, psychologist, patient, plan):
    services.change_plan_details(plan=plan, by=psychologist, based_on_version=1, lead=physician, who_to_call="Desk A")
    response = signed_in(physician).post(
        url(patient, "details"), {"lead": physician.pk, "who_to_call": "Desk B", "version": 1}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert '<th scope="row">Who the patient calls</th><td>Desk A</td><td>Desk B</td>' in page
    plan.refresh_from_db()
    assert plan.who_to_call == "Desk A"


def test_saving_nothing_new_writes_no_history(physician, plan):
    changed = services.change_plan_details(
        plan=plan, by=physician, based_on_version=1, lead=physician, who_to_call="Nurse line 555-0100"
    )
    assert changed == []
    assert plan.changes.count() == 1
