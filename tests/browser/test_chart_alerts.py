"""The physician's side of a safety alert: a PHQ-9 with item 9 = 1 arrives through measures.services;
the physician sees the urgent count in the top bar and the urgent alert on the banner, acknowledges
it with a note, and the banner no longer shows it."""

import re

import pytest
from playwright.sync_api import expect

from measures.models import Alert
from tests.measures.responses import peg, phq9

pytestmark = pytest.mark.browser


def test_the_physician_sees_and_acknowledges_an_urgent_alert(page, sign_in, physician, patient, screenshot):
    for weeks, value in enumerate([8, 8, 7, 7, 6, 6, 5]):
        peg(patient, value, days_ago=(7 - weeks) * 14)
    phq9(patient, 2, days_ago=90)
    phq9(patient, 1, item9=1)

    sign_in(page, physician)
    # The count in sight (the bar holds a second copy for narrow screens, hidden at this width).
    urgent_count = page.get_by_role("navigation", name="Main").get_by_role("link", name=re.compile("urgent task"))
    expect(urgent_count).to_have_text("1 urgent task")

    page.goto(f"/patients/{patient.public_id}/")
    alert = page.get_by_role("alert").filter(has_text="Urgent: Safety")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("PHQ-9 (patient, by link)")
    box, banner_box = alert.bounding_box(), page.locator(".patient-banner").bounding_box()
    assert box["y"] - banner_box["y"] < 40, "the urgent alert is not at the top of the banner"
    expect(page.locator(".trend-chart")).to_have_count(2)
    screenshot(page, "chart-with-urgent-alert")

    page.goto(f"/patients/{patient.public_id}/measures/phq9/")
    expect(page.get_by_role("heading", name="Responses")).to_be_visible()
    page.locator(".answers-row summary").first.click()
    expect(page.get_by_text("Thoughts that you would be better off dead").first).to_be_visible()
    screenshot(page, "questionnaire-detail")

    page.goto(f"/patients/{patient.public_id}/")
    alert.get_by_text("Acknowledge this alert").click()
    alert.get_by_role("group", name="What was done").get_by_label("Made a safety plan with the patient").check()
    alert.get_by_label("Note").fill("Phoned Maria; safety plan reviewed; seen tomorrow.")
    alert.get_by_role("button", name="Acknowledge").click()

    expect(page.get_by_text("Alert acknowledged")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Urgent: Safety")).to_have_count(0)
    expect(urgent_count).to_have_text("No urgent tasks")
    acknowledged = Alert.objects.get(kind=Alert.Kind.SAFETY)
    assert acknowledged.acknowledged_by == physician
    assert acknowledged.acknowledgement.startswith("Made a safety plan with the patient.")

    page.goto(f"/patients/{patient.public_id}/measures/phq9/")
    expect(page.locator(".alert-history")).to_contain_text("Acknowledged by Ada Okafor, MD at")
    screenshot(page, "questionnaire-detail-acknowledged")
