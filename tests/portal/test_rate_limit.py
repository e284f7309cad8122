"""Opening links is rate-limited per address (portal.ratelimit, counters in the Redis cache)."""

from unittest import mock

from django.test import RequestFactory
from django.urls import reverse

from portal.models import PatientSession
from portal.ratelimit import LIMITS, too_many
from portal.sessions import SESSION_KEY
from portal.tokens import new_token

OPEN_LIMIT, _ = LIMITS["open"]
CLOSED = b"This link is no longer open"


def use_up_the_limit(client):
    for _ in range(OPEN_LIMIT):
        assert client.get(reverse("portal:open", args=[new_token()])).status_code == 200


def test_it_answers_429_with_the_calm_page_after_the_limit(client, db):
    use_up_the_limit(client)
    response = client.get(reverse("portal:open", args=[new_token()]))
    assert response.status_code == 429
    assert CLOSED in response.content
    assert b"Send me a new link" not in response.content


def test_it_refuses_even_a_valid_link_once_the_limit_is_reached(client, patient_link):
    link, token = patient_link
    use_up_the_limit(client)
    response = client.post(reverse("portal:open", args=[token]))
    assert response.status_code == 429
    assert SESSION_KEY not in client.session
    assert not PatientSession.objects.exists()
    link.refresh_from_db()
    assert link.first_opened_at is None


def test_it_counts_each_address_on_its_own(client, patient_link):
    _, token = patient_link
    use_up_the_limit(client)
    response = client.post(reverse("portal:open", args=[token]), REMOTE_ADDR="127.0.0.2")
    assert response.status_code == 302


def test_it_allows_the_request_when_the_cache_is_down():
    request = RequestFactory().get("/p/x/", REMOTE_ADDR="127.0.0.1")
    with mock.patch("portal.ratelimit.cache.add", side_effect=ConnectionError("redis is down")):
        assert too_many(request, "open") is False
