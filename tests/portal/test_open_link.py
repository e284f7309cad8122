"""Opening a link, /p/<token>/: GET is read-only (mail scanners open links first) and shows "Continue";
its POST signs the patient in. One calm page for every link that is not open."""

import re
from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clinic.models import OutboxMessage
from portal.models import PatientLink, PatientSession
from portal.services import issue_link
from portal.sessions import SESSION_KEY
from portal.tokens import new_token

CLOSED = b"This link is no longer open"


def open_url(token):
    return reverse("portal:open", args=[token])


def calm_page(response, token):
    """The page's bytes with the parts that must differ (the token, the CSRF mask) taken out."""
    content = response.content.replace(token.encode(), b"TOKEN")
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)


def test_continue_starts_a_patient_session_and_redirects_to_the_portal(client, patient_link):
    link, token = patient_link
    response = client.post(open_url(token))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.session[SESSION_KEY]
    assert PatientSession.objects.get().link == link


def test_it_greets_the_patient_by_preferred_name(client, patient_link):
    _, token = patient_link
    response = client.post(open_url(token), follow=True)
    assert response.status_code == 200
    assert b"Hello, Mari</h1>" in response.content


def test_it_keeps_the_token_out_of_the_session(client, patient_link):
    _, token = patient_link
    client.post(open_url(token))
    assert token not in str(dict(client.session.items()))


def test_opening_a_link_changes_nothing_at_all(client, patient_link):
    link, token = patient_link
    before = model_to_dict(link)
    response = client.get(open_url(token))
    assert b">Continue</button>" in response.content
    link.refresh_from_db()
    assert model_to_dict(link) == before
    assert PatientLink.objects.count() == 1
    assert not PatientSession.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_continue_changes_nothing_but_the_first_opened_time_and_the_sign_in(client, patient_link):
    link, token = patient_link
    before = model_to_dict(link)
    client.post(open_url(token))
    link.refresh_from_db()
    after = model_to_dict(link)
    assert after.pop("first_opened_at") is not None
    before.pop("first_opened_at")
    assert after == before
    assert link.completed_at is None
    assert PatientLink.objects.count() == 1
    assert [event.target for event in AuditEvent.objects.all()] == ["portal sign-in"]
    assert not OutboxMessage.objects.exists()


def test_it_notes_only_the_first_opening(client, patient_link):
    link, token = patient_link
    client.post(open_url(token))
    link.refresh_from_db()
    first = link.first_opened_at
    client.post(open_url(token))
    link.refresh_from_db()
    assert link.first_opened_at == first


def test_it_rotates_the_session_when_a_link_is_opened(client, patient_link):
    _, token = patient_link
    client.get(reverse("portal:home"))
    client.session.save()
    before = client.session.session_key
    client.post(open_url(token))
    assert client.session.session_key != before


@pytest.fixture
def closed_links(patient):
    """An expired, a revoked and a completed link, and a token we never issued: {kind: token}."""
    now = timezone.now()
    tokens = {"unknown": new_token()}
    for kind, change in {
        "expired": {"expires_at": now - timedelta(minutes=1)},
        "revoked": {"revoked_at": now},
        "completed": {"completed_at": now},
    }.items():
        link, tokens[kind] = issue_link(patient=patient)
        PatientLink.objects.filter(pk=link.pk).update(**change)
    return tokens


def test_it_gives_unknown_expired_revoked_and_completed_links_the_same_calm_page(client, closed_links):
    pages = {kind: client.get(open_url(token)) for kind, token in closed_links.items()}
    assert {kind: page.status_code for kind, page in pages.items()} == dict.fromkeys(closed_links, 200)
    assert CLOSED in pages["unknown"].content
    unknown = calm_page(pages["unknown"], closed_links["unknown"])
    for kind in ("expired", "revoked", "completed"):
        assert calm_page(pages[kind], closed_links[kind]) == unknown, kind


def test_the_calm_page_offers_a_new_link_for_the_same_token(client, closed_links):
    token = closed_links["expired"]
    response = client.get(open_url(token))
    assert f'action="{reverse("portal:new_link", args=[token])}"'.encode() in response.content
    assert b"Send me a new link" in response.content


def test_the_calm_page_names_no_patient(client, closed_links, patient):
    response = client.get(open_url(closed_links["expired"]))
    for detail in (patient.given_name, patient.preferred_name, patient.family_name, patient.mrn):
        assert detail.encode() not in response.content


def test_a_closed_link_is_not_noted_as_opened_and_starts_no_session(client, closed_links):
    client.get(open_url(closed_links["expired"]))
    assert PatientLink.objects.filter(first_opened_at__isnull=False).count() == 0
    client.post(open_url(closed_links["expired"]))
    assert PatientLink.objects.filter(first_opened_at__isnull=False).count() == 0
    assert SESSION_KEY not in client.session
    assert not PatientSession.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_refuses_other_methods(client, patient_link):
    _, token = patient_link
    assert client.put(open_url(token)).status_code == 405
    assert PatientLink.objects.get().first_opened_at is None
