"""A physician records an allergy from the chart, sees it on the banner, then adds the drug it names: the page
warns, naming the allergy, and saves only once "I have checked the allergy" is ticked. axe-core finds no serious
or critical violation on the pages on the way."""

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import axe_violations

pytestmark = pytest.mark.browser


def test_a_physician_records_an_allergy_and_is_warned_when_adding_the_drug(page, sign_in, traffic, physician, patient):
    sign_in(page, physician)
    page.goto(f"/patients/{patient.public_id}/")
    banner = page.locator(".patient-banner")
    expect(banner).to_contain_text("No allergies recorded")
    page.get_by_role("link", name="Record an allergy").click()
    page.get_by_label("Substance").fill("oxycodone")
    page.get_by_label("Reaction").fill("rash")
    page.get_by_label("Moderate").check()
    page.get_by_label("Reported by the patient").check()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Record the allergy").click()

    expect(banner).to_contain_text("oxycodone (moderate)")
    expect(page.locator("#allergies")).to_contain_text("Reaction: rash")
    assert axe_violations(page) == []

    page.goto(f"/patients/{patient.public_id}/plan/medications/new/")
    page.locator("#id_drug_code").select_option("oxycodone")
    page.get_by_label("Strength per unit").fill("5")
    page.get_by_label("Units per dose").fill("2")
    page.get_by_label("Doses a day", exact=True).fill("4")
    page.get_by_role("button", name="Add the medication").click()
    warning = page.get_by_role("alert").filter(has_text="Check before prescribing")
    expect(warning).to_contain_text("Mari has a recorded allergy to oxycodone: rash (moderate).")
    assert axe_violations(page) == []
    # The warning is a 400 (nothing was saved): expected here, so not one of the page's problems.
    expected = [p for p in traffic.problems if "status of 400" in p and "/plan/medications/new/" in p]
    assert len(expected) == 1, traffic.problems
    traffic.problems.remove(expected[0])
    page.get_by_label("I have checked the allergy").check()
    page.get_by_role("button", name="Add the medication").click()
    expect(page.get_by_text("Oxycodone added to the medication list.")).to_be_visible()
