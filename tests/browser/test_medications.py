"""The prescriber's journey (issue 6): a physician records an opioid, sees the MME and the naloxone flag with the
guideline's words on the banner and the medication list, plans a taper, saves it, confirms the doses it rounds
to tablets and opens the patient's printable schedule; and (issue 15) a physician changing a line's drug to one the
patient is allergic to is warned, naming the allergy, and saves only after ticking "I have checked the allergy".
axe-core finds no serious or critical violation on the pages on the way."""

import pytest
from playwright.sync_api import expect

from medications.models import TaperPlan
from patients.allergy_services import record_allergy
from tests.browser.accessibility import axe_violations
from tests.medications.medkit import add_line

pytestmark = pytest.mark.browser


def test_a_physician_records_an_opioid_sees_the_mme_and_naloxone_flag_plans_a_taper_and_prints_it(
    page, sign_in, physician, patient, screenshot
):
    sign_in(page, physician)
    page.goto(f"/patients/{patient.public_id}/plan/medications/")
    expect(page.get_by_text("No current medications recorded.")).to_be_visible()
    page.get_by_role("link", name="Add a medication").click()

    page.locator("#id_drug_code").select_option("oxycodone")
    page.get_by_label("Strength per unit").fill("5")
    page.get_by_label("Units per dose").fill("2")
    page.get_by_label("Doses a day", exact=True).fill("4")
    page.get_by_label("Reason for use").fill("Chronic low back pain")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Add the medication").click()

    expect(page.get_by_text("Oxycodone added to the medication list.")).to_be_visible()
    expect(page.locator("#mme")).to_contain_text("60 MME/day")
    banner = page.locator(".patient-banner")
    expect(banner.locator(".banner-mme")).to_have_text("60")
    expect(banner).to_contain_text(
        "Opioid safety: 50 MME/day or more: pause and reassess before increasing; offer naloxone"
    )
    flag = page.locator("#flag-naloxone")
    expect(flag).to_contain_text("offer naloxone and overdose prevention education to both the patient")
    expect(flag).to_contain_text("Source: CDC Clinical Practice Guideline for Prescribing Opioids for Pain, 2022")
    assert axe_violations(page) == []
    screenshot(page, "medications-with-naloxone-flag")

    page.get_by_role("link", name="Plan a taper").first.click()
    expect(page.locator("#life-threatening-exception")).to_contain_text("should not be discontinued abruptly")
    page.get_by_role("button", name="Show the schedule").click()
    expect(page.get_by_role("heading", name="Schedule: 17 steps", exact=False)).to_be_visible()
    expect(page.locator(".taper-chart")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save this taper").click()

    expect(page.get_by_text("Taper plan saved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Pain, function and mood (PEG and PHQ-9)")).to_be_visible()
    assert TaperPlan.objects.get(patient=patient).created_by == physician
    screenshot(page, "taper-plan")

    page.get_by_role("link", name="Opioid safety").first.click()
    expect(page.get_by_role("heading", name="Monitoring due")).to_be_visible()
    expect(page.locator("#due")).to_contain_text("PDMP check")
    assert axe_violations(page) == []
    screenshot(page, "opioid-safety")
    page.go_back()

    page.get_by_role("link", name="See the doses and confirm them").click()
    expect(page.get_by_role("table")).to_contain_text("Take 2 tablets of oxycodone 5 mg, 4 times a day")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Confirm this schedule").click()
    expect(page.get_by_text("Schedule confirmed", exact=False)).to_be_visible()
    screenshot(page, "taper-doses")
    page.get_by_role("link", name="Taper", exact=True).click()

    page.get_by_role("link", name="Print the patient's schedule").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your plan to lower your opioid pain medicine")
    expect(page.get_by_role("list").first).to_contain_text("take 2 tablets of oxycodone 5 mg, 4 times a day")
    expect(page.get_by_text("We made this plan together.", exact=False)).to_be_visible()
    expect(page.locator(".topbar")).to_have_count(0)
    page.emulate_media(media="print")
    expect(page.locator(".no-print")).to_be_hidden()
    assert axe_violations(page) == []
    screenshot(page, "taper-print")


def test_a_physician_changing_a_line_to_a_drug_the_patient_is_allergic_to_is_warned_and_confirms(
    page, sign_in, traffic, physician, patient, screenshot
):
    record_allergy(
        patient=patient,
        by=physician,
        values={"substance": "morphine", "reaction": "hives", "severity": "severe", "source": "patient_reported"},
    )
    line = add_line(patient, physician, "oxycodone", 5, units=2, doses=4)
    sign_in(page, physician)
    page.goto(f"/patients/{patient.public_id}/plan/medications/{line.public_id}/")
    page.get_by_role("link", name="Change", exact=True).click()

    page.get_by_label("Drug").select_option("morphine")
    page.get_by_label("Strength per unit").fill("15")
    page.get_by_label("Why is it changing?").fill("Oxycodone not helping; switching")
    page.get_by_role("button", name="Save the change").click()

    warning = page.get_by_role("alert").filter(has_text="recorded allergy")
    expect(warning).to_contain_text(
        "Mari has a recorded allergy to morphine: hives (severe). Check before prescribing."
    )
    expect(warning).to_contain_text("Nothing was saved yet.")
    expect(page.get_by_label("Drug")).to_have_value("morphine")
    expect(page.get_by_label("Strength per unit")).to_have_value("15")
    assert axe_violations(page) == []
    screenshot(page, "medication-change-allergy-warning")
    line.refresh_from_db()
    assert line.drug_code == "oxycodone"
    # The warning is a 400 (nothing was saved): expected here, so not one of the page's problems.
    expected = [p for p in traffic.problems if "status of 400" in p and "/edit/" in p]
    assert len(expected) == 1, traffic.problems
    traffic.problems.remove(expected[0])

    page.get_by_label("I have checked the allergy").check()
    page.get_by_role("button", name="Save the change").click()
    expect(page.get_by_text("Morphine saved.")).to_be_visible()
    line.refresh_from_db()
    assert (line.drug_code, line.strength) == ("morphine", 15)
