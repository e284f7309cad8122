"""Pages whose address carries a token (/p/<token>/, /p/<token>/new-link/) never send that address
in a Referer: the page policy is same-origin (the most DESIGN.md allows, so form posts keep their
Origin for the CSRF check) and every sub-resource they load is fetched without a Referer."""

import re

import pytest
from django.urls import reverse

from portal.tokens import new_token
from tests.portal.journey import open_link

# Any element that makes the browser fetch something: a stylesheet, script, image, frame, preload.
FETCHING = re.compile(rb"<(?:link|script|img|iframe|source|video|audio|embed|object)\b[^>]*>", re.IGNORECASE)
ADDRESS = re.compile(rb"""\b(?:href|src|data|srcset)\s*=\s*["']([^"']*)["']""", re.IGNORECASE)


def fetches_that_would_send_a_referer(html: bytes) -> list[bytes]:
    """Elements loading a network address without referrerpolicy="no-referrer" (data: and tel: load nothing)."""
    found = []
    for tag in FETCHING.findall(html):
        addresses = [a for a in ADDRESS.findall(tag) if not a.startswith((b"data:", b"tel:", b"#"))]
        if addresses and b'referrerpolicy="no-referrer"' not in tag:
            found.append(tag)
    return found


def assert_token_stays_put(response):
    assert response["Referrer-Policy"] == "same-origin"
    assert b'<meta name="referrer" content="same-origin">' in response.content
    assert fetches_that_would_send_a_referer(response.content) == []


@pytest.mark.django_db
def test_the_calm_page_for_an_unknown_token_loads_nothing_with_a_referer(client):
    response = client.get(reverse("portal:open", args=[new_token()]))
    assert response.status_code == 200
    assert b"<link" in response.content  # the page does load its stylesheets
    assert_token_stays_put(response)


@pytest.mark.django_db
def test_the_calm_page_still_posts_its_form_to_the_same_origin(client):
    token = new_token()
    response = client.get(reverse("portal:open", args=[token]))
    assert f'action="{reverse("portal:new_link", args=[token])}"'.encode() in response.content


def test_an_open_links_continue_page_loads_nothing_with_a_referer(client, patient_link):
    _, token = patient_link
    response = client.get(reverse("portal:open", args=[token]))
    assert b">Continue</button>" in response.content
    assert_token_stays_put(response)
    assert response["Referrer-Policy"] == "same-origin"


def test_continue_redirects_at_once_and_shows_nothing(client, patient_link):
    _, token = patient_link
    response = client.post(reverse("portal:open", args=[token]))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert response.content == b""
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_the_new_link_page_loads_nothing_with_a_referer(client):
    response = client.post(reverse("portal:new_link", args=[new_token()]))
    assert response.status_code == 200
    assert_token_stays_put(response)


def test_the_portal_home_loads_nothing_with_a_referer(client, patient_link):
    _, token = patient_link
    response = open_link(client, token, follow=True)
    assert b"Hello, Mari" in response.content
    assert_token_stays_put(response)


def test_the_referer_check_notices_a_plain_stylesheet():
    html = b'<link rel="icon" href="data:,"><link rel="stylesheet" href="/static/x.css"><a href="tel:1">'
    assert fetches_that_would_send_a_referer(html) == [b'<link rel="stylesheet" href="/static/x.css">']
