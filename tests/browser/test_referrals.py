"""A referral from the coordinator's desk to the patient's phone: the coordinator opens a sent
referral from the Referrals list, records the acknowledgement and the appointment, adds a plan for a
30-day wait; the patient then opens their link on a phone and sees the date and the plan."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Referral
from portal.services import issue_link
from tests.browser.accessibility import axe_violations
from tests.browser.conftest import open_patient_link, window_beside
from tests.factories import referral_in_state

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_coordinator_schedules_a_referral_with_a_plan_for_the_wait_and_the_patient_sees_it(
    page, sign_in, coordinator, patient, traffic, screenshot
):
    referral_in_state("sent", patient=patient, by=coordinator)
    day = timezone.localdate() + timedelta(days=12)
    _, token = issue_link(patient=patient)

    # The coordinator: Referrals in the top bar, the sent referral, acknowledged, then scheduled.
    sign_in(page, coordinator)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    row = page.get_by_role("row").filter(has_text="Garcia-López, Maria")
    expect(row).to_contain_text("Sent")
    screenshot(page, "referral-list")
    assert axe_violations(page) == []
    row.get_by_role("link", name="Physical therapy").click()
    expect(page.get_by_role("heading", name="Physical therapy referral · Harbourview Physical Therapy")).to_be_visible()

    page.get_by_role("button", name="Acknowledged by the service").click()
    expect(page.get_by_text("Physical therapy referral acknowledged.")).to_be_visible()
    page.get_by_text("Record the appointment").click()
    page.get_by_label("Appointment date").fill(day.isoformat())
    page.get_by_role("button", name="Save the appointment").click()
    expect(page.get_by_text("Physical therapy referral scheduled.")).to_be_visible()
    expect(page.locator(".referral-now")).to_contain_text(f"Appointment {day:%A}, {day:%b} {day.day}, {day.year}")

    # A 30-day wait, with its plan for the wait (the form's refusal without one: test_referral_views.py).
    page.get_by_role("link", name="Edit the details").click()
    page.get_by_label("Expected wait (days)").fill("30")
    page.get_by_label("While waiting: what the patient can do").fill(
        "Walk for 10 minutes each morning\nUse your pacing plan on busy days"
    )
    page.get_by_label("While waiting: who the patient can call").fill("Sofia at the clinic, 555-0100")
    page.get_by_role("button", name="Save the referral").click()
    expect(page.get_by_text("Physical therapy referral saved.")).to_be_visible()
    expect(page.locator("#bridge-plan")).to_contain_text("Walk for 10 minutes each morning")
    screenshot(page, "referral-detail")
    assert axe_violations(page) == []
    saved = Referral.objects.get()
    assert (saved.state, saved.appointment_on, saved.expected_wait_days) == ("scheduled", day, 30)

    # The patient, on a phone: the link, the card on the home page, the referral in plain words.
    with window_beside(page, traffic) as phone:
        open_patient_link(phone, f"/p/{token}/")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Mari")
        phone.get_by_role("link", name="See your referrals").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("Your referrals")
        card = phone.locator(".portal-referral")
        expect(card.get_by_role("heading", level=2)).to_have_text("Physical therapy")
        expect(card).to_contain_text(f"Your appointment is on {day:%A}, {day:%B} {day.day}.")
        plan = card.locator(".portal-bridge")
        expect(plan.get_by_role("heading", level=3)).to_have_text("While you wait")
        expect(plan.get_by_role("listitem")).to_have_text(
            ["Walk for 10 minutes each morning", "Use your pacing plan on busy days"]
        )
        expect(plan).to_contain_text("Who to call: Sofia at the clinic, 555-0100")
        expect(card).not_to_contain_text("Graded activity")  # the reason is for clinicians only
        assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the referrals page scrolls sideways on a phone"
        screenshot(phone, "portal-referrals")
        assert axe_violations(phone) == []
