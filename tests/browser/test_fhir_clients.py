"""A clinic admin lets a GP practice read its patients through the FHIR API: from the Team page to the client
pages, issues a client for one patient's record, copies the token shown once, the practice reads with it, and
the admin revokes it: the next read is refused."""

import pytest
from playwright.sync_api import expect

from tests.browser.accessibility import axe_violations

pytestmark = pytest.mark.browser


def api_status(page, path: str, token: str) -> int:
    return page.request.get(path, headers={"Authorization": f"Bearer {token}"}).status


def test_an_admin_issues_a_client_the_practice_reads_with_its_token_and_the_admin_revokes_it(
    page, sign_in, clinic_admin, patient, traffic, screenshot
):
    sign_in(page, clinic_admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()
    page.get_by_role("link", name="FHIR API clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("FHIR API clients")
    assert axe_violations(page) == []

    page.get_by_label("Client name").fill("Northside GP Practice")
    page.get_by_label("Patient", exact=True).check()
    page.get_by_label("Only the patients listed below").check()
    page.get_by_label("MRNs of its patients").fill(f"{patient.mrn}\nNO-SUCH-MRN")
    page.get_by_role("button", name="Issue client").click()
    expect(page.get_by_text("No patient has the MRN NO-SUCH-MRN")).to_be_visible()
    expect(page.get_by_label("Client name")).to_have_value("Northside GP Practice")
    # The refusal is a 400 (nothing was issued): expected here, so not one of the page's problems.
    expected = [p for p in traffic.problems if "status of 400" in p and "/fhir-clients/issue/" in p]
    assert len(expected) == 1, traffic.problems
    traffic.problems.remove(expected[0])

    page.get_by_label("MRNs of its patients").fill(patient.mrn)
    page.get_by_role("button", name="Issue client").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northside GP Practice is issued")
    token = page.get_by_label("Bearer token").input_value()
    screenshot(page, "fhir-client-issued")
    assert axe_violations(page) == []
    assert api_status(page, f"/fhir/Patient/{patient.public_id}", token) == 200

    page.get_by_role("link", name="Back to FHIR API clients").click()
    row = page.get_by_role("row").filter(has_text="Northside GP Practice")
    expect(row).to_contain_text("1 patient")
    expect(page.get_by_text(token)).to_have_count(0)
    row.get_by_role("link", name="Revoke Northside GP Practice").click()
    page.get_by_role("button", name="Revoke Northside GP Practice").click()
    expect(page.get_by_text("Northside GP Practice is revoked")).to_be_visible()
    expect(row).to_contain_text("Revoked")
    screenshot(page, "fhir-clients-list")
    assert axe_violations(page) == []
    assert api_status(page, f"/fhir/Patient/{patient.public_id}", token) == 401
