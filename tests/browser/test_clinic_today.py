"""The clinician's day in the browser: signing in lands on Today with the appointment and what needs attention;
the pre-visit summary opens from it; the visit note starts from the summary with the interval history drafted."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from patients.models import Encounter
from tests.browser.accessibility import axe_violations
from tests.clinic.daykit import appointment, at_local, full_history

pytestmark = pytest.mark.browser


def test_a_physician_goes_from_today_to_the_summary_to_a_drafted_note(page, sign_in, physician, patient, screenshot):
    full_history(patient, physician)
    appointment(patient, physician, at_local(timezone.localdate(), 15))

    sign_in(page, physician)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
    expect(page.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    expect(page.get_by_role("main")).to_contain_text("PEG crossed its responder threshold")
    screenshot(page, "today")
    assert axe_violations(page) == []

    page.get_by_role("link", name=f"Pre-visit summary for {patient.full_name}").click()
    expect(page.get_by_role("heading", name="Pre-visit summary")).to_be_visible()
    expect(page.get_by_role("region", name="Questionnaires")).to_contain_text("Against baseline: PEG 8.0")
    expect(page.get_by_role("region", name="In the patient's words")).to_contain_text("Knees ached after the stairs")
    screenshot(page, "previsit-summary")
    assert axe_violations(page) == []

    page.get_by_role("button", name="Start the visit note from this summary").click()
    expect(page.get_by_text("Draft started with the interval history from the summary.")).to_be_visible()
    expect(page.get_by_label("Findings")).to_have_value(Encounter.objects.drafts().get().findings)
    assert "Interval history since" in page.get_by_label("Findings").input_value()
