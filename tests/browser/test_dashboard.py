"""An admin opens the outcomes and safety dashboard from the top bar, follows "on 50 MME or more without
naloxone" to the list of patients behind the figure, and opens one of them."""

import pytest
from playwright.sync_api import expect

from medications.models import NaloxoneRecord
from tests.browser.accessibility import axe_violations
from tests.medications.medkit import oxycodone_60

pytestmark = pytest.mark.browser


def test_an_admin_follows_a_safety_figure_to_the_patients_behind_it(
    page, sign_in, clinic_admin, physician, patient, other_patient, other_team_lead, screenshot
):
    oxycodone_60(patient, physician)
    oxycodone_60(other_patient, other_team_lead)
    NaloxoneRecord.objects.create(patient=other_patient, status=NaloxoneRecord.Status.PRESCRIBED, by=other_team_lead)

    sign_in(page, clinic_admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outcomes").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes and safety")
    expect(page.get_by_role("img", name="Opioid safety, patients on an opioid")).to_be_visible()
    expect(page.get_by_role("table", name="Opioid safety measures, patients on an opioid")).to_be_visible()
    screenshot(page, "dashboard")
    assert axe_violations(page) == []

    page.get_by_role("link", name="1 on 50 MME or more without naloxone").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Patients on 50 MME or more without naloxone")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # the header and Maria: Tom has naloxone
    assert axe_violations(page) == []
    page.get_by_role("link", name="Garcia-López, Maria").click()

    page.wait_for_url(f"/patients/{patient.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maria Garcia-López (goes by Mari)")
