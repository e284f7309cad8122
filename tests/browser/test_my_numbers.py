"""The patient on a phone (390x844): from the home, "My numbers" one tap away; the charts fit the screen (nothing
scrolls sideways), each has its sentence and its numbers as a list; mood questionnaires by date only; axe-core
finds no serious or critical violation on the home or on the page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from careplans.models import Goal
from measures.models import Response
from measures.services import latest_instrument
from portal.services import issue_link
from tests.browser.accessibility import axe_violations
from tests.browser.conftest import open_patient_link
from tests.careplans.logkit import active_plan, check_in

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def answered(patient, code, days_ago: int, total) -> None:
    moment = timezone.now() - timedelta(days=days_ago)
    Response.objects.create(
        patient=patient,
        instrument=latest_instrument(code),
        started_at=moment,
        completed_at=moment,
        total=Decimal(total),
        band="severe" if code == "phq9" else "",
        valid=True,
    )


def test_a_patient_sees_their_numbers_on_a_phone(phone_page, patient, physician, screenshot):
    plan = active_plan(patient, physician)
    Goal.objects.create(
        plan=plan,
        words="Walk the dog again",
        metric=Goal.Metric.WALKING_MINUTES,
        baseline=Decimal(5),
        target=Decimal(30),
        target_date=timezone.localdate() + timedelta(days=90),
    )
    answered(patient, "peg", 40, 7)
    answered(patient, "peg", 2, 5)
    answered(patient, "phq9", 2, 21)
    today = timezone.localdate()
    for days_ago, pain in [(30, 8), (28, 7), (3, 4), (1, 3)]:
        check_in(patient, today - timedelta(days=days_ago), pain=pain, sleep_hours=Decimal(6))
    _, token = issue_link(patient=patient)

    phone = phone_page
    open_patient_link(phone, f"/p/{token}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Mari")
    expect(phone.get_by_role("link", name="Having a flare-up? Your flare-up plan")).to_be_visible()
    assert axe_violations(phone) == []
    screenshot(phone, "portal-home-with-plan")
    phone.get_by_role("link", name="My numbers").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("My numbers")
    expect(phone.get_by_text("Your PEG score went from 7 to 5 since")).to_be_visible()
    expect(phone.get_by_role("img", name="Pain and its effect on your life (PEG, 0-10)")).to_be_visible()
    chart_width = phone.get_by_role("img", name="How much pain got in the way").bounding_box()["width"]
    assert chart_width < 390, "the chart scales to the phone's width"
    phone.get_by_text("See the numbers as a list").first.click()
    expect(phone.get_by_role("table").first).to_be_visible()
    expect(phone.get_by_role("heading", name="Questions about mood", exact=True)).to_be_visible()
    assert "severe" not in phone.content().lower()
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "My numbers scrolls sideways on a phone"
    assert axe_violations(phone) == []
    screenshot(phone, "portal-my-numbers")
