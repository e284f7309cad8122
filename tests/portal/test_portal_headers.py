"""Every portal page: no Referer leaves it (the token must not leak), and nothing caches it."""

import pytest
from django.urls import reverse

from portal.ratelimit import LIMITS
from portal.tokens import new_token
from tests.portal.journey import open_link


def assert_private(response):
    assert response["Referrer-Policy"] == "same-origin"
    cache_control = response["Cache-Control"]
    for directive in ("no-cache", "no-store", "private"):
        assert directive in cache_control


def test_opening_a_valid_link_sends_private_headers(client, patient_link):
    _, token = patient_link
    assert_private(client.get(reverse("portal:open", args=[token])))  # the "Continue" page
    response = client.post(reverse("portal:open", args=[token]))
    assert response.status_code == 302
    assert_private(response)


def test_the_portal_home_sends_private_headers(client, patient_link):
    _, token = patient_link
    response = open_link(client, token, follow=True)
    assert b"Hello, Mari" in response.content
    assert_private(response)


@pytest.mark.django_db
def test_the_calm_page_sends_private_headers(client):
    assert_private(client.get(reverse("portal:open", args=[new_token()])))


@pytest.mark.django_db
def test_the_new_link_page_sends_private_headers(client):
    assert_private(client.post(reverse("portal:new_link", args=[new_token()])))


@pytest.mark.django_db
def test_the_too_many_requests_page_sends_private_headers(client):
    limit, _ = LIMITS["open"]
    for _ in range(limit):
        open_link(client, new_token())
    response = client.get(reverse("portal:open", args=[new_token()]))
    assert response.status_code == 429
    assert_private(response)


@pytest.mark.django_db
def test_the_portal_loads_nothing_from_another_site(client):
    content = client.get(reverse("portal:home")).content.decode()
    assert "http://" not in content.replace('href="tel:', "")
    assert "https://" not in content
    assert "<script" not in content
