"""A follow-up from the coordinator's desk to the patient's phone: the coordinator books it from the chart, is told
of a clash with the clinician's other appointment (the form keeps what was typed), books another time, moves it,
and the patient sees it on the portal's home with the time, the place and how to prepare."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import Appointment
from portal.services import issue_link
from tests.browser.accessibility import axe_violations
from tests.browser.conftest import open_patient_link, window_beside
from tests.factories import AppointmentFactory, PatientFactory

pytestmark = pytest.mark.browser


def test_a_coordinator_books_a_follow_up_sees_a_clash_refused_moves_it_and_the_patient_sees_it(
    page, sign_in, coordinator, physician, patient, traffic, screenshot
):
    day = timezone.localdate() + timedelta(days=3)
    moved_day = day + timedelta(days=1)
    clash = timezone.make_aware(datetime.combine(day, time(10, 0)))
    AppointmentFactory(patient=PatientFactory(), clinician=physician, starts_at=clash)
    _, token = issue_link(patient=patient)

    # The coordinator: the chart, "Book an appointment", a time the physician is already taken.
    sign_in(page, coordinator)
    page.goto(f"/patients/{patient.public_id}/")
    page.get_by_role("link", name="Book an appointment").click()
    expect(page.get_by_role("heading", name="Book an appointment")).to_be_visible()
    page.get_by_label("Kind of visit").select_option(label="Follow-up")
    page.get_by_label("Clinician").select_option(label="Ada Okafor, MD (Physician)")
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_label("Start time (clinic time)").fill("10:15")
    page.get_by_label("Length (minutes)").fill("30")
    page.get_by_label("Place").fill("Room 3, 2nd floor")
    page.get_by_label("How to prepare (shown to the patient)").fill("Bring your walking diary.")
    page.get_by_role("button", name="Book the appointment").click()
    expect(page.get_by_role("alert")).to_contain_text(
        f"Ada Okafor, MD already has an appointment 10:00 am-10:30 am on {day:%A, %B} {day.day}, {day.year}."
    )
    expect(page.get_by_label("Place")).to_have_value("Room 3, 2nd floor")  # what was typed is kept
    expect(page.get_by_label("How to prepare (shown to the patient)")).to_have_value("Bring your walking diary.")
    screenshot(page, "appointment-clash")
    assert axe_violations(page) == []
    # The refusal is a 400 (nothing was saved): expected here, so not one of the page's problems.
    expected = [p for p in traffic.problems if "status of 400" in p and "/appointments/new/" in p]
    assert len(expected) == 1, traffic.problems
    traffic.problems.remove(expected[0])

    page.get_by_label("Start time (clinic time)").fill("11:00")
    page.get_by_role("button", name="Book the appointment").click()
    expect(
        page.get_by_text(f"Appointment booked: {day:%A, %B} {day.day}, {day.year}, 11:00 am-11:30 am.")
    ).to_be_visible()

    # Moved to the next day at 2:30 pm, from the appointment's page; the history says so.
    page.get_by_text("Move", exact=True).click()
    page.get_by_label("Day").fill(moved_day.isoformat())
    page.get_by_label("Start time (clinic time)").fill("14:30")
    page.get_by_role("button", name="Move the appointment").click()
    moved_words = f"{moved_day:%A, %B} {moved_day.day}, {moved_day.year}, 2:30 pm-3:00 pm"
    expect(page.get_by_text(f"Appointment moved to {moved_words}.")).to_be_visible()
    expect(page.get_by_role("list").filter(has_text="Moved")).to_contain_text(f"to {moved_words}")
    screenshot(page, "appointment-detail")
    assert axe_violations(page) == []
    booked = Appointment.objects.get(patient=patient)
    assert (timezone.localtime(booked.starts_at).date(), booked.version) == (moved_day, 2)

    # The patient, on a phone: the home's "Coming up" says when, with whom, where and how to prepare.
    with window_beside(page, traffic) as phone:
        open_patient_link(phone, f"/p/{token}/")
        expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Mari")
        coming = phone.get_by_role("region", name="Coming up")
        expect(coming).to_contain_text(f"{moved_day:%A, %B} {moved_day.day} at 2:30 p.m.")
        expect(coming).to_contain_text("Your appointment with Ada Okafor, MD.")
        expect(coming).to_contain_text("Where: Room 3, 2nd floor.")
        expect(coming).to_contain_text("How to prepare: Bring your walking diary.")
        screenshot(phone, "appointment-portal-home")
        assert axe_violations(phone) == []
