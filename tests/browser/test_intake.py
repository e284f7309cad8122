"""The pre-visit intake on a phone: the welcome, a few sections including two places tapped on the body map
and the worst one marked, an emergency red-flag answer that brings up the "get emergency care now"
guidance at once, then "Send to my care team"; then the lead physician at their desk finds the urgent task
on their home page and the red flag on top of "the story in 60 seconds". axe-core on the key pages."""

import pytest
from playwright.sync_api import expect

from clinic.models import TeamTask
from patients import redflags
from patients.intake_services import send_intake_link
from patients.models import Intake, RedFlag
from tests.browser.accessibility import axe_violations, small_targets
from tests.browser.conftest import open_patient_link

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def test_a_patient_tells_their_story_on_a_phone_with_a_red_flag_and_the_lead_sees_it_first(
    phone_page, patient, physician, coordinator, sign_in, screenshot, live_server
):
    sent = send_intake_link(patient=patient, by=coordinator)
    phone = phone_page

    # The link: the welcome says why we ask and how long it takes.
    open_patient_link(phone, "/p/" + sent.url.split("/p/", 1)[1])
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Mari")
    expect(phone.get_by_text("About 15 minutes, in 12 short sections.", exact=False)).to_be_visible()
    screenshot(phone, "intake-welcome")
    assert axe_violations(phone) == []
    phone.get_by_role("link", name="Start").click()

    # 1. When and how it started.
    expect(phone.get_by_role("heading", level=1)).to_have_text("When and how it started")
    expect(phone.get_by_text("Section 1 of 12")).to_be_visible()
    phone.get_by_label("1 to 5 years ago").check()
    phone.get_by_label("How did it start?").fill("Lifting my grandson out of the car")
    phone.get_by_role("button", name="Save and continue").click()

    # 2. Where it hurts: two places tapped on the drawing, then the worst one.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Where it hurts")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the body map scrolls sideways on a phone"
    assert small_targets(phone) == [], "every place on the drawing is at least 24 by 24 CSS pixels"
    phone.locator('[data-region="back_lower_back"]').click()
    phone.locator('[data-region="front_left_knee"]').click()
    expect(phone.get_by_role("checkbox", name="Lower back (back)")).to_be_checked()
    expect(phone.get_by_role("checkbox", name="Left knee (front)")).to_be_checked()
    expect(phone.locator('[data-region="back_lower_back"]')).to_have_class("bodymap-region is-selected")
    worst = phone.get_by_role("group", name="Which one hurts most?")
    expect(worst.get_by_role("radio")).to_have_count(3)  # the two places, and "No one place stands out"
    worst.get_by_label("Lower back (back)").check()
    expect(phone.locator('[data-region="back_lower_back"]')).to_have_class("bodymap-region is-selected is-worst")
    expect(phone.get_by_role("status")).to_contain_text("Saved at")  # autosave, before any button
    screenshot(phone, "intake-body-map")
    assert axe_violations(phone) == []
    assert Intake.objects.get().answers["where"]["worst"] == "back_lower_back"
    phone.get_by_role("button", name="Save and continue").click()

    # 3. The safety questions: one emergency answer brings the guidance at once (autosave), task created.
    expect(phone.get_by_role("heading", level=1)).to_have_text("A few safety questions")
    for item in redflags.ITEMS:
        if item.code != "leg_weakness":
            phone.get_by_role("group", name=item.text).get_by_label("No").check()
    phone.get_by_role("group", name="New or worsening weakness in the legs").get_by_label("Yes").check()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Please get emergency care now")
    expect(phone.get_by_text("Please go to the emergency department now or call 911.")).to_be_visible()
    expect(phone.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    assert RedFlag.objects.filter(code="leg_weakness", level=redflags.EMERGENCY).exists()
    task = TeamTask.objects.get(source=TeamTask.Source.RED_FLAG)
    assert (task.priority, task.assignee) == (TeamTask.Priority.URGENT, physician)
    screenshot(phone, "intake-emergency-guidance")
    assert axe_violations(phone) == []

    # Continue: on to what it feels like, then check and send.
    phone.get_by_role("link", name="Continue with my questions").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("What it feels like")
    phone.get_by_label("Burning").check()
    phone.get_by_label("Pins and needles").check()
    phone.get_by_role("button", name="Save and continue").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("What makes it better or worse")
    phone.get_by_role("link", name="All sections").click()
    expect(phone.get_by_text("4 of 12 sections saved")).to_be_visible()
    phone.get_by_role("link", name="Check your answers and send").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(phone.get_by_text("Lifting my grandson out of the car")).to_be_visible()
    phone.get_by_role("button", name="Send to my care team").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you, Mari")
    expect(phone.get_by_role("region", name="Please get emergency care now")).to_be_visible()
    screenshot(phone, "intake-thanks")
    assert Intake.objects.get().submitted_at is not None

    # The lead physician, at their desk: the urgent task on home, then the red flag on top of the story.
    desk_context = phone.context.browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    try:
        desk = desk_context.new_page()
        sign_in(desk, physician)
        tasks = desk.get_by_role("region", name="Your open tasks")
        expect(tasks).to_contain_text("Urgent")
        expect(tasks).to_contain_text("Intake red flag, possible emergency")
        desk.goto(f"/patients/{patient.public_id}/intake/")
        expect(desk.get_by_role("heading", name="The story in 60 seconds")).to_be_visible()
        flags = desk.get_by_role("region", name="Red flags")
        expect(flags).to_contain_text("Emergency")
        expect(flags).to_contain_text("New or worsening weakness in the legs")
        headings = desk.locator("h3").all_inner_texts()
        assert headings[0] == "Red flags", headings
        expect(desk.get_by_text("Hurts most: Lower back (back)")).to_be_visible()
        expect(desk.locator(".story-word.is-neuropathic")).to_have_count(2)
        screenshot(desk, "intake-story")
        assert axe_violations(desk) == []
    finally:
        desk_context.close()
