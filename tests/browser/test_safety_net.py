"""The safety net as people live it (issue "Safety net"): urgent work reaches a named clinician in the same
minute, is told outside the app, escalates when nobody acts, and stops when someone does.

1. A coordinator registers a new patient without a lead and sends the intake link; on a phone the patient
   answers a cauda-equina question "yes"; the clinician on duty (on no team) sees the urgent task in the
   top bar and the worklist, has one message, and opens the chart from the task. Nobody acknowledges: 31
   minutes later the sweep passes it to the medical lead with one more message; the medical lead
   acknowledges with what was done; the sweep run again sends nothing.
2. PHQ-9 item 9 answered above 0 while the patient's lead is away: the crisis resources on the very next
   screen, the urgent task with the clinician on duty.

The clock is pinned to a Wednesday morning in the clinic's time zone (clinic hours: 30 minutes to act).
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import OutboxMessage, TeamTask
from clinic.safety_net import escalate_due_tasks
from patients import redflags
from patients.models import Patient
from tests.browser.accessibility import axe_violations
from tests.browser.conftest import DESKTOP, PHONE, open_patient_link
from tests.clock import WEDNESDAY_MORNING
from tests.factories import mark_away, put_on_duty

pytestmark = pytest.mark.browser


@pytest.fixture
def clinic_morning(driver):
    """The clock on a Wednesday morning; Chromium is started before the clock moves (it keeps real time)."""
    with time_machine.travel(WEDNESDAY_MORNING, tick=True) as traveller:
        yield traveller


@pytest.fixture
def on_duty(clinic_morning, outsider):
    """The clinician on duty now: on no patient's team."""
    return put_on_duty(outsider)


def desk_window(page, live_server):
    """Another person's desk: a new browser context (own cookies) beside the test's own window."""
    context = page.context.browser.new_context(base_url=live_server.url, **DESKTOP)
    return context, context.new_page()


def phone_window(page, live_server):
    """The patient's phone: a new phone-sized context beside the test's own window."""
    context = page.context.browser.new_context(base_url=live_server.url, **PHONE)
    return context, context.new_page()


def link_in(message: OutboxMessage) -> str:
    return re.search(r"(/p/[\w-]+/)", message.body).group(1)


def test_a_cauda_equina_answer_reaches_the_clinician_on_duty_escalates_to_the_medical_lead_and_stops(
    page, coordinator, on_duty, medical_lead, clinic_morning, sign_in, screenshot, live_server
):
    # A coordinator registers a new patient, without a lead, and sends the intake link.
    sign_in(page, coordinator)
    page.goto("/patients/new/")
    page.get_by_label("MRN").fill("100900")
    page.get_by_label("Legal given name").fill("Nadia")
    page.get_by_label("Legal family name").fill("Okoye")
    page.get_by_label("Date of birth").fill("1979-05-02")
    page.get_by_label("Email address").fill("nadia.okoye@example.test")
    page.get_by_label("The patient agrees to be contacted by email").check()
    page.get_by_role("button", name=re.compile("Register")).click()
    patient = Patient.objects.get(mrn="100900")
    expect(page).to_have_url(f"/patients/{patient.public_id}/")
    assert not patient.care_team.filter(is_lead=True).exists()
    page.get_by_role("button", name=re.compile("Send intake link")).click()
    invitation = OutboxMessage.objects.get(patient=patient)

    # On a phone, the patient answers the safety questions: trouble passing urine, yes.
    phone_context, phone = phone_window(page, live_server)
    open_patient_link(phone, link_in(invitation))
    phone.get_by_role("link", name="Start").click()
    phone.goto("/p/intake/s/safety/")
    retention = redflags.item_for("trouble_passing_urine")
    for item in redflags.ITEMS:
        if item.code != retention.code:
            phone.get_by_role("group", name=item.text).get_by_label("No", exact=True).check()
    phone.get_by_role("group", name=retention.text).get_by_label("Yes", exact=True).check()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Please get emergency care now")
    expect(phone.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
    screenshot(phone, "safety-net-patient-emergency")
    assert axe_violations(phone) == []
    phone_context.close()

    # The clinician on duty, on no team: the task is theirs, in the top bar and on the worklist, told once.
    task = TeamTask.objects.get(patient=patient, priority=TeamTask.Priority.URGENT)
    assert task.assignee == on_duty
    assert OutboxMessage.objects.filter(staff=on_duty).count() == 1
    desk_context, desk = desk_window(page, live_server)
    try:
        sign_in(desk, on_duty)
        expect(desk.get_by_role("link", name=re.compile("1 urgent task"))).to_be_visible()
        desk.goto("/worklist/")
        urgent = desk.locator("#worklist-urgent")
        expect(urgent).to_contain_text("Intake red flag, possible emergency")
        urgent.get_by_role("link", name=re.compile("Intake red flag")).first.click()
        expect(desk.get_by_text("The patient has no lead clinician: sent to the clinician on duty.")).to_be_visible()
        desk.get_by_role("link", name="Nadia Okoye").click()
        expect(desk.get_by_role("region", name="Patient")).to_contain_text("100900")
        screenshot(desk, "safety-net-on-duty-chart")
    finally:
        desk_context.close()

    # Nobody acknowledges: the clock moves 31 minutes, the sweep passes it to the medical lead, one more message.
    clinic_morning.shift(timedelta(minutes=31))
    assert escalate_due_tasks() == 1
    task.refresh_from_db()
    assert (task.assignee, task.escalation_step) == (medical_lead, 1)
    assert OutboxMessage.objects.filter(staff=medical_lead).count() == 1
    told = OutboxMessage.objects.get(staff=medical_lead)
    assert "Nadia" not in told.body and "Okoye" not in told.body and "100900" not in told.body

    # The medical lead acknowledges with what was done; the sweep run again sends nothing.
    lead_context, lead = desk_window(page, live_server)
    try:
        sign_in(lead, medical_lead)
        lead.goto(f"/tasks/{task.public_id}/")
        expect(
            lead.get_by_text(re.compile(r"Not acknowledged in 3\d minutes: passed to the medical lead\."))
        ).to_be_visible()
        assert axe_violations(lead) == []
        acknowledge = lead.get_by_role("region", name="Acknowledge: what was done?")
        acknowledge.get_by_label("Sent the patient to emergency care").check()
        acknowledge.get_by_label("Note").fill("Spoke with Nadia; she is on her way to the emergency department.")
        acknowledge.get_by_role("button", name="Acknowledge").click()
        expect(lead.get_by_text("The escalation has stopped.")).to_be_visible()
        screenshot(lead, "safety-net-acknowledged")
    finally:
        lead_context.close()
    sent = OutboxMessage.objects.count()
    clinic_morning.shift(timedelta(hours=2))
    assert escalate_due_tasks() == 0
    assert OutboxMessage.objects.count() == sent
    task.refresh_from_db()
    assert (task.status, task.acknowledged_by, task.acknowledged_action) == ("done", medical_lead, "emergency")
    assert patient.red_flags.get().acknowledged_by == medical_lead


def test_phq9_item_9_with_the_lead_away_shows_crisis_resources_next_and_reaches_the_clinician_on_duty(
    page, patient, physician, on_duty, medical_lead, screenshot, live_server
):
    from measures.models import Invitation
    from portal.models import PatientLink
    from portal.services import issue_link

    mark_away(physician)
    link, token = issue_link(patient=patient, purpose=PatientLink.Purpose.QUESTIONNAIRES)
    Invitation.objects.create(patient=patient, due_on=timezone.localdate(), instrument_codes=["phq9"], link=link)
    phone_context, phone = phone_window(page, live_server)
    try:
        open_patient_link(phone, f"/p/{token}/")
        phone.get_by_role("button", name="Start your mood").click()
        for number in range(1, 9):
            expect(phone.get_by_text(f"Question {number} of 10")).to_be_visible()
            phone.get_by_role("button", name="Not at all", exact=True).click()
        expect(phone.get_by_role("heading", level=1)).to_contain_text("better off dead")
        phone.get_by_role("button", name="Several days", exact=True).click()

        # The very next screen (question 10), not only the end: the crisis resources, and honest time.
        expect(phone.get_by_text("Question 10 of 10")).to_be_visible()
        crisis = phone.get_by_role("region", name="Support is here for you, any time")
        expect(crisis.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
        expect(crisis.get_by_role("link", name="Call 911")).to_have_attribute("href", "tel:911")
        expect(crisis).to_contain_text("Someone from your care team will contact you today.")
        screenshot(phone, "safety-net-item-9-crisis")
        assert axe_violations(phone) == []
    finally:
        phone_context.close()

    # The lead is away: the urgent task is with the clinician on duty, who alone was told.
    task = TeamTask.objects.get(patient=patient, priority=TeamTask.Priority.URGENT)
    assert task.assignee == on_duty
    assert "The lead clinician is away" in task.events.get(kind="created").note
    assert OutboxMessage.objects.filter(staff=on_duty).count() == 1
    assert not OutboxMessage.objects.filter(staff=physician).exists()
