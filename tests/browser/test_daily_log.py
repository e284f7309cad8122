"""The patient on a phone (390x844): opens their link, logs today's pacing session, then does the daily
check-in on one screen (today's session filled in), is thanked and sees their week; then the lead clinician
opens the sprint review, sees the check-in and the pacing, and records "step up" with a reason. axe-core finds no
serious or critical violation on the way; nothing scrolls sideways; the taps are big enough."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import DailyLog, PacingSession
from portal.services import issue_link
from tests.browser.accessibility import axe_violations
from tests.browser.conftest import open_patient_link
from tests.careplans.plan_builders import sprint_for

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
PAIN = "How much did pain get in the way of your day?"
SLEEP = "How well did you sleep?"


def checked_page_is_fine(page):
    assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{page.url} scrolls sideways on a phone"
    assert axe_violations(page) == []


def test_a_patient_logs_a_pacing_session_and_a_check_in_on_a_phone_then_the_lead_reviews_the_sprint_and_steps_up(
    phone_page, sign_in, patient, physician, walking_plan, screenshot, traffic
):
    _, token = issue_link(patient=patient)
    phone = phone_page
    open_patient_link(phone, f"/p/{token}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Mari")
    phone.get_by_role("link", name="Your plan", exact=True).click()

    # My plan: today's session, the goals, the flare-up plan in plain words.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your plan")
    expect(phone.get_by_text("Today: 4 minutes")).to_be_visible()
    expect(phone.get_by_text("A flare is not a reason to change your whole plan.")).to_be_visible()
    expect(phone.get_by_text("My hip aches by noon")).to_be_visible()
    checked_page_is_fine(phone)
    screenshot(phone, "portal-my-plan")
    phone.get_by_role("link", name="Log today's walking").click()

    # The pacing session: three big choices.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Today's walking")
    done = phone.get_by_role("radio", name="I did it")
    box = phone.locator("label", has_text="I did it").bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, f"the choices are too small to tap: {box}"
    checked_page_is_fine(phone)
    screenshot(phone, "portal-pacing-session")
    done.check()
    phone.get_by_role("button", name="Save today's session").click()
    expect(phone.get_by_text("Thank you! Today's session is saved.")).to_be_visible()
    expect(phone.get_by_text("Logged today: done.")).to_be_visible()
    session = PacingSession.objects.get()
    assert (session.outcome, session.planned_amount, session.actual_amount) == ("done", Decimal(4), Decimal(4))

    # The daily check-in: one screen, today's session filled in.
    phone.get_by_role("link", name="Check in now").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Daily check-in")
    expect(phone.get_by_label("What activity or exercise did you do?")).to_have_value("Walking, 4 minutes")
    pain = phone.get_by_role("group", name=PAIN)
    three = phone.locator("label[for='id_pain_interference_3']").bounding_box()
    assert three["height"] >= 44 and three["width"] >= 44, f"the 0-10 buttons are too small to tap: {three}"
    checked_page_is_fine(phone)
    screenshot(phone, "portal-check-in")

    pain.get_by_role("radio", name="3", exact=True).check()
    phone.get_by_label("Hours slept last night").fill("25")  # a slip of the thumb
    phone.get_by_role("group", name=SLEEP).get_by_role("radio", name="6", exact=True).check()
    phone.get_by_role("radio", name="Calm").check()
    phone.get_by_role("button", name="Save my check-in").click()

    # Refused kindly, with everything else kept.
    expect(phone.get_by_text("A day has 24 hours: please write a number from 0 to 24.")).to_be_visible()
    expect(phone.get_by_role("group", name=PAIN).get_by_role("radio", name="3", exact=True)).to_be_checked()
    expect(phone.get_by_role("radio", name="Calm")).to_be_checked()
    expect(phone.get_by_label("What activity or exercise did you do?")).to_have_value("Walking, 4 minutes")
    assert not DailyLog.objects.exists()
    checked_page_is_fine(phone)
    # The refused answer came back as a 400, which Chromium logs as a console error: expected here, once.
    expected = [p for p in traffic.problems if "status of 400" in p and "/p/plan/check-in/" in p]
    assert len(expected) == 1, traffic.problems
    traffic.problems.remove(expected[0])

    phone.get_by_label("Hours slept last night").fill("7")
    phone.get_by_role("button", name="Save my check-in").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you!")
    expect(phone.get_by_text("Your check-in is saved.")).to_be_visible()
    checked_page_is_fine(phone)
    log = DailyLog.objects.get()
    assert (log.pain_interference, log.sleep_hours, log.sleep_quality, log.mood_word) == (3, Decimal(7), 6, "calm")
    assert log.pacing_session == session

    phone.get_by_role("link", name="See your week").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your week")
    expect(phone.get_by_text("Pain got in the way: 3 out of 10")).to_be_visible()
    expect(phone.get_by_text("Walking: done (4 minutes)")).to_be_visible()
    checked_page_is_fine(phone)
    screenshot(phone, "portal-week")

    # Then the lead clinician opens the sprint review: the check-in and the session are there; she steps up.
    sprint = sprint_for(walking_plan.plan, physician, starts_on=timezone.localdate() - timedelta(days=27))
    page = phone_page  # the same browser, now at the clinic's desk: a wide window and a staff sign-in
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, physician)
    page.goto(f"/patients/{patient.public_id}/plan/sprints/{sprint.public_id}/")
    expect(page.get_by_role("heading", name="Sprint 1 review")).to_be_visible()
    expect(page.get_by_text("1 check-in on 1 day")).to_be_visible()
    expect(page.locator(".pacing-adherence")).to_contain_text("of the planned pacing sessions were done")
    assert axe_violations(page) == []
    page.get_by_label("Step up a tier").check()
    page.get_by_label("Why").fill("Walking is going well; add pain psychology for the worry about work.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Sprint 1 reviewed: step up a tier.")).to_be_visible()
    expect(page.locator(".banner-tier")).to_contain_text("Tier 2")
