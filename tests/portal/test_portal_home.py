"""The portal home, /p/: only inside a fresh patient session; every view audited as the patient."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from portal.models import PatientLink, PatientSession
from portal.sessions import SESSION_KEY
from tests.portal.journey import idle_for, open_link

HOME = reverse("portal:home")
CLOSED = b"This link is no longer open"


@pytest.fixture
def opened(client, patient_link):
    """A browser that has just opened the patient's link."""
    _, token = patient_link
    open_link(client, token)
    return client


def test_it_greets_the_patient_and_records_the_view_as_the_patient(opened, patient):
    response = opened.get(HOME)
    assert response.status_code == 200
    assert b"Hello, Mari</h1>" in response.content
    event = AuditEvent.objects.get(target="portal home")
    assert event.actor is None
    assert event.actor_label == "Patient (portal link)"
    assert (event.patient, event.action, event.target) == (patient, Action.VIEW, "portal home")


def test_it_records_the_patient_not_the_member_of_staff_signed_in_in_the_same_browser(
    signed_in, physician, patient_link, patient
):
    client = signed_in(physician)
    _, token = patient_link
    response = open_link(client, token, follow=True)
    assert b"Hello, Mari</h1>" in response.content
    assert AuditEvent.objects.count() == 2  # the sign-in and the home page, both as the patient
    event = AuditEvent.objects.get(target="portal home")
    assert event.actor is None
    assert event.actor_label == "Patient (portal link)"
    assert event.patient == patient


def test_it_shows_the_calm_page_without_a_patient_session(client, patient):
    response = client.get(HOME)
    assert response.status_code == 200
    assert CLOSED in response.content
    assert b"Send me a new link" not in response.content
    assert not AuditEvent.objects.exists()


def test_it_keeps_the_session_open_within_30_idle_minutes(opened):
    idle_for(opened, 29)
    assert b"Hello, Mari</h1>" in opened.get(HOME).content


def test_it_ends_the_session_after_30_idle_minutes(opened):
    idle_for(opened, 31)
    response = opened.get(HOME)
    assert CLOSED in response.content
    assert b"Mari" not in response.content
    assert not AuditEvent.objects.filter(target="portal home").exists()


def test_it_forgets_the_session_once_it_has_ended(opened):
    idle_for(opened, 31)
    opened.get(HOME)
    assert SESSION_KEY not in opened.session
    PatientSession.objects.update(expires_at=timezone.now() + timedelta(minutes=30))
    # even a session row brought back to life is not found again: this browser forgot its key
    assert CLOSED in opened.get(HOME).content


def test_it_leaves_a_staff_sign_in_alone_when_the_patient_session_ends(signed_in, physician, patient_link):
    client = signed_in(physician)
    _, token = patient_link
    open_link(client, token)
    idle_for(client, 31)
    client.get(HOME)
    assert client.get(reverse("home")).status_code == 200


def test_each_page_restarts_the_idle_clock(opened):
    idle_for(opened, 20)
    opened.get(HOME)
    visit = PatientSession.objects.get()
    assert timezone.now() - visit.last_seen_at < timedelta(seconds=60)
    assert visit.expires_at > timezone.now() + timedelta(minutes=29)


@pytest.mark.parametrize("change", ["completed_at", "expires_at"])
def test_the_session_outlives_a_completed_or_expired_link(opened, patient_link, change):
    link, _ = patient_link
    PatientLink.objects.filter(pk=link.pk).update(**{change: timezone.now() - timedelta(seconds=1)})
    assert b"Hello, Mari</h1>" in opened.get(HOME).content


def test_a_revoked_link_ends_the_session_it_started(opened, patient_link):
    link, _ = patient_link
    PatientLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
    response = opened.get(HOME)
    assert CLOSED in response.content
    assert not AuditEvent.objects.filter(target="portal home").exists()


def test_it_never_shows_a_health_detail_the_patient_did_not_ask_for(opened, patient):
    response = opened.get(HOME)
    assert patient.mrn.encode() not in response.content
    assert patient.get_primary_condition_display().encode() not in response.content
