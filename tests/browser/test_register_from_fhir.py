"""Browser journey: a coordinator registers a referred patient from a FHIR file, by labels and roles: a bad paste
first (the problem named, the text kept), then the referral's file, the preview, and the new patient's chart."""

import pytest
from playwright.sync_api import expect

from clinic.models import TeamTask
from patients.models import Patient
from tests.browser.accessibility import axe_violations
from tests.interop.fhir_in.referrals import as_text, referral_bundle

pytestmark = pytest.mark.browser


def test_a_coordinator_registers_a_referred_patient_from_a_fhir_file(page, coordinator, sign_in, tmp_path, screenshot):
    sign_in(page, coordinator)
    page.goto("/patients/")
    page.get_by_role("link", name="Register from a FHIR referral").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register from a FHIR referral")

    page.get_by_label("FHIR JSON").fill('{"resourceType": "Patient", "gender": "f"')
    page.get_by_role("button", name="Read the referral").click()
    expect(page.get_by_role("alert")).to_contain_text("This is not JSON")
    expect(page.get_by_label("FHIR JSON")).to_have_value('{"resourceType": "Patient", "gender": "f"')
    assert axe_violations(page) == []

    referral = tmp_path / "referral.json"
    referral.write_text(as_text(referral_bundle()), encoding="utf-8")
    page.get_by_label("FHIR JSON").fill("")
    page.get_by_label("Or choose a .json file").set_input_files(referral)
    page.get_by_role("button", name="Read the referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check before registering")
    patient_table = page.get_by_role("table", name="The registry details read from the Patient resource")
    expect(patient_table).to_contain_text("Ana María Ruiz-Calderón")
    expect(patient_table).to_contain_text("300456")
    expect(page.get_by_role("table", name="Conditions in the referral, as sent")).to_contain_text("Fibromyalgia")
    expect(page.get_by_role("table", name="Medications in the referral, as sent")).to_contain_text("Duloxetine")
    assert axe_violations(page) == []
    screenshot(page, "fhir-import-preview")
    assert not Patient.objects.exists()

    page.get_by_label("Main pain condition").select_option(label="Fibromyalgia")
    page.get_by_role("button", name="Register the patient").click()

    patient = Patient.objects.get(mrn="300456")
    expect(page).to_have_url(f"/patients/{patient.public_id}/")
    expect(
        page.get_by_text("Ana María Ruiz-Calderón is registered (MRN 300456) from the FHIR referral.")
    ).to_be_visible()
    assert TeamTask.objects.filter(patient=patient).count() == 1
