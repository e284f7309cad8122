"""The patient's "Your referrals", /p/referrals/: only the session patient's referrals, in plain
words, with the plan for the wait; nothing written for clinicians; audited as the patient."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import Referral
from portal.models import PatientLink
from portal.referral_views import for_patient
from portal.services import issue_link
from tests.factories import referral_in_state
from tests.portal.journey import open_link

PAGE = reverse("portal:referrals")
CLOSED = b"This link is no longer open"
TUESDAY = date(2026, 3, 3)
BRIDGE = {
    "expected_wait_days": 30,
    "bridge_plan": "- Walk for 10 minutes each morning\nUse your pacing plan on busy days\n\n",
    "bridge_contact": "Sofia at the clinic, 555-0100",
}


@pytest.fixture
def opened(client, patient_link):
    _, token = patient_link
    open_link(client, token)
    return client


def test_it_shows_the_appointment_day_and_the_plan_for_the_wait(opened, patient, coordinator):
    referral_in_state("scheduled", patient=patient, by=coordinator, appointment_on=TUESDAY, **BRIDGE)
    response = opened.get(PAGE)
    assert response.status_code == 200
    content = response.content.decode()
    assert "<h2" in content and "Physical therapy</h2>" in content
    assert "Your appointment is on Tuesday, March 3." in content
    assert "While you wait" in content
    assert "<li>Walk for 10 minutes each morning</li>" in content
    assert "<li>Use your pacing plan on busy days</li>" in content
    assert "Sofia at the clinic, 555-0100" in content


def test_it_never_shows_what_was_written_for_clinicians(opened, patient, coordinator):
    referral = referral_in_state("declined", patient=patient, by=coordinator, question="Rule out radiculopathy?")
    content = opened.get(PAGE).content.decode()
    assert referral.reason not in content
    assert "radiculopathy" not in content
    assert "Test reason" not in content  # why it was declined
    assert "Harbourview Physical Therapy could not take this referral." in content


def test_it_shows_only_the_session_patients_referrals_and_no_drafts(opened, patient, other_patient, coordinator):
    referral_in_state("sent", patient=other_patient, by=coordinator, service="sleep_medicine")
    referral_in_state("draft", patient=patient, by=coordinator, service="surgery")
    referral_in_state("acknowledged", patient=patient, by=coordinator, service="pain_psychology")
    content = opened.get(PAGE).content.decode()
    assert "Pain psychology" in content
    assert "Sleep clinic" not in content
    assert "Surgery" not in content


def test_it_hides_referrals_that_ended_long_ago(opened, patient, coordinator):
    old = referral_in_state("closed", patient=patient, by=coordinator, service="sleep_medicine")
    Referral.objects.filter(pk=old.pk).update(state_changed_at=timezone.now() - timedelta(days=91))
    referral_in_state("closed", patient=patient, by=coordinator, service="surgery")
    content = opened.get(PAGE).content.decode()
    assert "Sleep clinic" not in content
    assert "This referral is complete." in content


def test_it_is_audited_as_the_patient(opened, patient):
    opened.get(PAGE)
    event = AuditEvent.objects.get(target="portal referrals")
    assert (event.actor, event.patient, event.action) == (None, patient, Action.VIEW)
    assert event.actor_label == "Patient (portal link)"


def test_it_shows_the_calm_page_without_a_patient_session(client, patient, coordinator):
    referral_in_state("sent", patient=patient, by=coordinator)
    response = client.get(PAGE)
    assert CLOSED in response.content
    assert b"Physical therapy" not in response.content
    assert not AuditEvent.objects.exists()


def test_it_changes_nothing_and_answers_only_get(opened, patient, coordinator):
    referral = referral_in_state("sent", patient=patient, by=coordinator)
    opened.get(PAGE)
    assert Referral.objects.get(pk=referral.pk).version == referral.version
    assert opened.post(PAGE).status_code == 405


@pytest.mark.parametrize("purpose", [PatientLink.Purpose.QUESTIONNAIRES, PatientLink.Purpose.INTAKE])
def test_any_usable_link_of_the_patient_opens_it(client, patient, coordinator, purpose):
    referral_in_state("sent", patient=patient, by=coordinator)
    _, token = issue_link(patient=patient, purpose=purpose)
    open_link(client, token)
    assert b"We have sent your referral to Harbourview Physical Therapy." in client.get(PAGE).content


def test_the_portal_home_offers_the_page_only_with_open_referrals(opened, patient, coordinator):
    assert PAGE.encode() not in opened.get(reverse("portal:home")).content
    referral_in_state("closed", patient=patient, by=coordinator)
    assert PAGE.encode() not in opened.get(reverse("portal:home")).content
    referral_in_state("scheduled", patient=patient, by=coordinator)
    assert PAGE.encode() in opened.get(reverse("portal:home")).content


def test_it_runs_a_constant_number_of_queries(opened, patient, coordinator, django_assert_max_num_queries):
    referral_in_state("sent", patient=patient, by=coordinator)
    opened.get(PAGE)
    with django_assert_max_num_queries(8) as one:
        opened.get(PAGE)
    for state in ["scheduled", "attended", "no_show", "closed"] * 4:
        referral_in_state(state, patient=patient, by=coordinator)
    with django_assert_max_num_queries(8) as many:
        opened.get(PAGE)
    assert len(many.captured_queries) == len(one.captured_queries)


# --- The words, state by state (app wording: plain, never blaming, no jargon) --------------------

WORDS = {
    "sent": "We have sent your referral to physical therapy. They usually contact you within a week",
    "acknowledged": "Physical therapy has your referral. They will contact you to set up a visit.",
    "scheduled": "Your appointment is on Tuesday, March 3.",
    "attended": "Thank you for going to your visit.",
    "report_received": "We have the notes from your visit.",
    "closed": "This referral is complete.",
    "declined": "Physical therapy could not take this referral.",
    "cancelled": "This referral has stopped.",
    "no_show": "Your visit on Tuesday, March 3 did not go ahead. That is okay.",
}
NEVER = ["missed", "failed", "no-show", "no show", "non-compliant", "nothing can be done", "referral reason"]


@pytest.mark.parametrize(("state", "words"), WORDS.items())
def test_each_state_reads_plainly_and_never_blames(state, words):
    referral = Referral(
        service="physical_therapy", state=state, appointment_on=TUESDAY, reason="Chronic LBP, r/o stenosis", **BRIDGE
    )
    shown = for_patient(referral)
    assert words in shown.status
    assert not any(word in shown.status.lower() for word in NEVER)
    waiting = state in {"sent", "acknowledged", "scheduled", "no_show"}
    assert bool(shown.bridge_steps) is waiting
    assert bool(shown.bridge_contact) is waiting


@pytest.mark.parametrize(
    ("service", "other", "title", "sentence"),
    [
        ("pain_psychology", "", "Pain psychology", "to a pain psychologist."),
        ("interventional", "", "Pain procedures", "to a pain procedure clinic."),
        ("behavioural_health", "", "Counselling and support", "to a counselling and support team."),
        ("other", "rheumatology", "Rheumatology", "to rheumatology."),
        ("other", "", "Another service", "to another service."),
    ],
)
def test_services_are_named_in_plain_words(service, other, title, sentence):
    shown = for_patient(Referral(service=service, service_other=other, state="sent"))
    assert shown.title == title
    assert sentence in shown.status


@pytest.mark.parametrize(
    ("days", "words"), [(None, ""), (5, "about 5 days"), (1, "about 1 day."), (30, "about 4 weeks")]
)
def test_the_wait_is_said_in_days_or_weeks(days, words):
    shown = for_patient(Referral(service="surgery", state="sent", expected_wait_days=days))
    assert words in shown.wait
    assert bool(shown.wait) is bool(days)
