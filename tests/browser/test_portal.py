"""The patient's side: a link opened on a phone, and a link that has closed."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import OutboxMessage
from portal.models import PatientLink

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def portal_documents(traffic):
    return [response for response in traffic.responses if response.request.resource_type == "document"]


def test_the_patient_opens_their_link_on_a_phone_and_is_greeted_by_their_preferred_name(
    phone_page, patient_link, traffic, screenshot
):
    page = phone_page
    _, token = patient_link
    page.goto(f"/p/{token}/")

    expect(page).to_have_url("/p/")  # the token leaves the address bar at once
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Mari")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the portal page scrolls sideways on a phone"
    screenshot(page, "portal-home")

    assert traffic.requests, "no requests were recorded"
    assert traffic.foreign == []
    documents = portal_documents(traffic)
    assert [urlpath(response.url) for response in documents] == [f"/p/{token}/", "/p/"]
    for response in documents:
        assert response.headers.get("referrer-policy") == "same-origin", response.url
    for request in traffic.requests:
        referer = request.all_headers().get("referer", traffic.origin)
        assert referer.startswith(traffic.origin), f"{request.url} was sent a Referer from elsewhere"


def test_an_expired_link_offers_a_new_one_and_thanks_the_patient(phone_page, patient_link, traffic, screenshot):
    page = phone_page
    link, token = patient_link
    PatientLink.objects.filter(id=link.id).update(expires_at=timezone.now() - timedelta(days=1))

    page.goto(f"/p/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is no longer open")
    expect(page.get_by_text("Nothing is wrong, and nothing you did caused this.")).to_be_visible()
    button = page.get_by_role("button", name="Send me a new link")
    expect(button).to_be_visible()
    assert button.bounding_box()["height"] >= 44, "the button is too small to tap comfortably"
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the closed-link page scrolls sideways on a phone"
    screenshot(page, "portal-link-closed")

    button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(page.get_by_text("a new one is on its way")).to_be_visible()
    assert OutboxMessage.objects.filter(patient=link.patient).count() == 1

    for response in portal_documents(traffic):
        assert response.headers.get("referrer-policy") == "same-origin", response.url


def urlpath(url: str) -> str:
    return urlsplit(url).path
