"""Finding a patient: the search box updates the results in place (htmx) and opens the chart."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_coordinator_finds_an_accented_name_typed_without_accents_and_opens_the_chart(
    page, coordinator, patient, other_patient, sign_in, screenshot
):
    sign_in(page, coordinator)
    page.goto("/patients/")
    results = page.locator("#results")
    expect(results).to_contain_text("Becker, Tom")
    page.evaluate("window.stillTheSamePage = true")

    with page.expect_response(lambda response: "q=lopez" in response.url) as searched:
        page.get_by_label("Search by name, MRN or date of birth").press_sequentially("lopez")
    assert searched.value.request.headers.get("hx-request") == "true", "the search did not go through htmx"

    expect(results.get_by_role("link", name="Garcia-López, Maria")).to_be_visible()
    expect(results).to_have_count(1)  # replaced, not nested inside the old results
    expect(results).not_to_contain_text("Becker")
    expect(page).to_have_url("/patients/?q=lopez")
    assert page.evaluate("window.stillTheSamePage === true"), "the page reloaded instead of updating in place"

    results.get_by_role("link", name="Garcia-López, Maria").click()
    expect(page).to_have_url(f"/patients/{patient.public_id}/")
    banner = page.get_by_role("region", name="Patient")
    expect(banner.get_by_role("heading", level=1)).to_contain_text("Maria Garcia-López")
    expect(banner).to_contain_text("MRN")
    expect(banner).to_contain_text("100234")
    screenshot(page, "chart")
