"""The clinician's visit note: open the chart, start a new visit with the latest scores beside the form, get a
kinder phrasing suggestion while writing (advisory), save a draft, sign it, and add an addendum."""

import pytest
from playwright.sync_api import expect

from patients.models import Addendum, Encounter
from tests.browser.test_questionnaire import axe_violations
from tests.measures.responses import phq9

pytestmark = pytest.mark.browser


def test_a_physician_charts_signs_and_adds_an_addendum(page, sign_in, physician, patient, screenshot):
    phq9(patient, 2, days_ago=60)
    phq9(patient, 1)
    sign_in(page, physician)
    page.goto(f"/patients/{patient.public_id}/")
    page.get_by_role("link", name="New visit").click()

    expect(page.get_by_role("heading", name="Latest questionnaire scores")).to_be_visible()
    expect(page.locator(".scores-panel")).to_contain_text("PHQ-9")
    page.get_by_label("The patient's priorities today").fill("Walk the dog again")
    page.locator("#id_tests-0-test").select_option("timed_10m_walk")
    page.locator("#id_tests-0-value").fill("12.5")
    assessment = page.get_by_label("Assessment")
    assessment.fill("Told her there's nothing wrong with you after the scan.")
    suggestion = page.locator("#id_assessment-language-check")
    expect(suggestion).to_contain_text("we can't measure pain with tests")
    expect(suggestion.locator("mark")).to_have_text("there's nothing wrong with you")
    assert "id_assessment-language-check" in (assessment.get_attribute("aria-describedby") or "")
    screenshot(page, "visit-new-with-language-check")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Save draft").click()  # advisory: saving is never blocked
    # The note became a draft while she typed (autosave), so the button saves that draft.
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.get_by_text("Timed 10-metre walk: 12.5 seconds")).to_be_visible()
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_text("Visit note signed.")).to_be_visible()

    page.get_by_label("Addendum").fill("Phoned: walked the dog to the corner.")
    page.get_by_role("button", name="Add addendum").click()
    expect(page.locator(".addendum")).to_contain_text("Ada Okafor, MD")
    screenshot(page, "visit-signed-with-addendum")
    assert axe_violations(page) == []

    encounter = Encounter.objects.get()
    assert encounter.is_signed
    assert Addendum.objects.get().encounter == encounter

    page.goto(f"/patients/{patient.public_id}/")
    expect(page.locator(".timeline")).to_contain_text("Follow-up")
    screenshot(page, "chart-with-visit-timeline")
    assert axe_violations(page) == []
