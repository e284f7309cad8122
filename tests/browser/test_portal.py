"""The patient's side: a link opened on a phone, and a link that has closed."""

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import OutboxMessage
from portal.models import PatientLink
from tests.browser.accessibility import axe_violations
from tests.browser.conftest import open_patient_link

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def portal_documents(traffic):
    return [response for response in traffic.responses if response.request.resource_type == "document"]


def test_the_patient_opens_their_link_on_a_phone_and_is_greeted_by_their_preferred_name(
    phone_page, patient_link, traffic, screenshot
):
    page = phone_page
    _, token = patient_link
    open_patient_link(page, f"/p/{token}/")

    expect(page).to_have_url("/p/")  # the token leaves the address bar at once
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Mari")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the portal page scrolls sideways on a phone"
    screenshot(page, "portal-home")

    assert traffic.requests, "no requests were recorded"
    assert traffic.foreign == []
    documents = portal_documents(traffic)
    # The link's "Continue" page, its POST (the sign-in, redirected at once), then the home.
    assert [urlpath(response.url) for response in documents] == [f"/p/{token}/", f"/p/{token}/", "/p/"]
    for response in documents:
        assert response.headers.get("referrer-policy") == "same-origin", response.url
    for request in traffic.requests:
        referer = request.all_headers().get("referer", "")  # none at all (stylesheets: no-referrer) is fine
        assert not referer or referer.startswith(traffic.origin), f"{request.url} was sent a Referer from elsewhere"


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


def test_continue_sign_out_and_get_my_link_on_a_phone(phone_page, patient, patient_link, traffic, screenshot):
    patient.date_of_birth = date(1961, 4, 23)
    patient.save()
    page = phone_page
    _, token = patient_link
    page.goto(f"/p/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome")
    assert axe_violations(page) == []
    screenshot(page, "portal-continue")
    page.get_by_label("Remember this phone").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Mari")

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed out")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Get my link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Get my link")
    page.get_by_label("Your email or mobile number").fill(patient.email)
    page.get_by_label("Your date of birth").fill("April 23")
    page.get_by_role("button", name="Send me my link").click()
    expect(page.get_by_text("Please type your date of birth as month/day/year")).to_be_visible()
    expect(page.get_by_label("Your email or mobile number")).to_have_value(patient.email)
    assert axe_violations(page) == []
    # The refused date came back as a 400, which Chromium logs as a console error: expected here, once.
    expected = [p for p in traffic.problems if "status of 400" in p and "/p/get-my-link/" in p]
    assert len(expected) == 1, traffic.problems
    traffic.problems.remove(expected[0])
    page.get_by_label("Your date of birth").fill("04/23/1961")
    page.get_by_role("button", name="Send me my link").click()
    expect(page.get_by_text("If these details match what we have, a new link is on its way")).to_be_visible()
    assert OutboxMessage.objects.filter(patient=patient).count() == 1
    screenshot(page, "portal-get-my-link-sent")
