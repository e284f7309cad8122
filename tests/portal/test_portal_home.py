"""The portal home, /p/: only inside a fresh patient session; every view audited as the patient."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from portal.models import PatientLink
from portal.views import SESSION_LINK, SESSION_SEEN

HOME = reverse("portal:home")
CLOSED = b"This link is no longer open"


@pytest.fixture
def opened(client, patient_link):
    """A browser that has just opened the patient's link."""
    _, token = patient_link
    client.get(reverse("portal:open", args=[token]))
    return client


def idle_for(client, minutes):
    session = client.session
    session[SESSION_SEEN] = time.time() - minutes * 60
    session.save()


def test_it_greets_the_patient_and_records_the_view_as_the_patient(opened, patient):
    response = opened.get(HOME)
    assert response.status_code == 200
    assert b"Hello, Mari</h1>" in response.content
    event = AuditEvent.objects.get()
    assert event.actor is None
    assert event.actor_label == "Patient (portal link)"
    assert (event.patient, event.action, event.target) == (patient, Action.VIEW, "portal home")


def test_it_records_the_patient_not_the_member_of_staff_signed_in_in_the_same_browser(
    signed_in, physician, patient_link, patient
):
    client = signed_in(physician)
    _, token = patient_link
    response = client.get(reverse("portal:open", args=[token]), follow=True)
    assert b"Hello, Mari</h1>" in response.content
    event = AuditEvent.objects.get()
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
    assert not AuditEvent.objects.exists()


def test_it_forgets_the_link_once_the_session_has_ended(opened):
    idle_for(opened, 31)
    opened.get(HOME)
    assert SESSION_LINK not in opened.session
    idle_for(opened, 0)  # even a fresh clock does not bring the ended session back
    assert CLOSED in opened.get(HOME).content


def test_it_leaves_a_staff_sign_in_alone_when_the_patient_session_ends(signed_in, physician, patient_link):
    client = signed_in(physician)
    _, token = patient_link
    client.get(reverse("portal:open", args=[token]))
    idle_for(client, 31)
    client.get(HOME)
    assert client.get(reverse("home")).status_code == 200


def test_each_page_restarts_the_idle_clock(opened):
    idle_for(opened, 20)
    opened.get(HOME)
    assert time.time() - opened.session[SESSION_SEEN] < 60


@pytest.mark.parametrize("change", ["completed_at", "revoked_at", "expires_at"])
def test_it_closes_the_session_when_the_link_closes(opened, patient_link, change):
    link, _ = patient_link
    PatientLink.objects.filter(pk=link.pk).update(**{change: timezone.now() - timedelta(seconds=1)})
    response = opened.get(HOME)
    assert CLOSED in response.content
    assert not AuditEvent.objects.exists()


def test_it_never_shows_a_health_detail_the_patient_did_not_ask_for(opened, patient):
    response = opened.get(HOME)
    assert patient.mrn.encode() not in response.content
    assert patient.get_primary_condition_display().encode() not in response.content
