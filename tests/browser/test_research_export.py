"""Browser journey: a clinic admin opens the research export from the top bar and downloads the CSV."""

import csv
import io

import pytest
from playwright.sync_api import expect

from audit.models import Action, AuditEvent
from tests.browser.accessibility import axe_violations

pytestmark = pytest.mark.browser


def test_a_clinic_admin_downloads_the_research_export(page, clinic_admin, sign_in, screenshot):
    sign_in(page, clinic_admin)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Research", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Research export")
    expect(page.get_by_role("heading", name="What is never in it")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "research-export")

    with page.expect_download() as downloading:
        page.get_by_role("button", name="Download the research export (CSV)").click()
    download = downloading.value
    assert download.suggested_filename.startswith("haven-research-export-")
    header = next(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert header[:3] == ["study_id", "response_number", "instrument"]
    assert AuditEvent.objects.filter(actor=clinic_admin, action=Action.EXPORT).count() == 1
