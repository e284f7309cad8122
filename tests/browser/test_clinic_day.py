"""The clinic day, end to end (issue 15): a coordinator books a follow-up three days out; as the clock moves on,
the visit's questionnaire reaches the patient, who answers on a phone; on the day the clinician's Today shows the
appointment with the changed PEG, the pre-visit summary shows the change against baseline, the visit note starts
from it, the session expires while the clinician types, and signing in again finds every word; the note is signed.

The clock is the app's own (time-machine, ticking): the sweeps run as beat would run them, at the times given."""

import re
import time
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from clinic.models import Appointment
from measures.models import Invitation, Response
from measures.visits import sweep_visit_measures
from patients.models import Encounter
from tests.browser.accessibility import axe_violations
from tests.browser.conftest import open_patient_link, window_beside
from tests.clock import clinic_time
from tests.factories import PASSWORD
from tests.measures.responses import peg
from tests.portal.test_tokens_at_rest import deliver_everything, received_token

pytestmark = pytest.mark.browser

MONDAY_MORNING = clinic_time(2026, 12, 14, 9, 0)
VISIT_DAY = date(2026, 12, 17)  # Thursday: three days out
VISIT_WORDS = "Thursday, December 17, 2026, 10:30 am-11:00 am"
ASSESSMENT = (
    "Function is improving with graded walking; she walked to the park twice this week. Sleep still broken. "
    "Pain interference down from 8 to 4 on the PEG since she started the plan; she attributes it to pacing."
)
PLAN = "Keep the walking plan, add 10% a week; sleep routine with the psychologist; review in four weeks."


def answer_peg_on_a_phone(page, traffic, token: str, screenshot) -> None:
    """The patient opens the link from the message on a phone and answers the PEG (4, 4, 4)."""
    with window_beside(page, traffic) as phone:
        open_patient_link(phone, f"/p/{token}/")
        phone.get_by_role("button", name="Start how pain affects your days").click()
        for value in ("4", "4", "4"):
            phone.get_by_role("button", name=value, exact=True).click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("You answered all 3 questions")
        screenshot(phone, "clinic-day-patient-answered")
        assert axe_violations(phone) == []
        phone.get_by_role("button", name="Send my answers").click()
        expect(phone.get_by_text("Thank you")).to_be_visible()


def wait_until_saved(note: Encounter, **expected) -> None:
    """The server has the note as typed (autosaves are on their way for a moment after the status says Saved)."""
    for _ in range(50):
        note.refresh_from_db()
        if all(getattr(note, name) == value for name, value in expected.items()):
            return
        time.sleep(0.2)
    raise AssertionError(f"the draft was not saved as typed: {expected}")


def sign_in_again(page, user) -> None:
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_follow_up_from_booking_to_a_signed_note_with_the_patients_numbers_on_the_way(
    page, sign_in, coordinator, physician, patient, traffic, screenshot
):
    with time_machine.travel(MONDAY_MORNING, tick=True) as clock:
        peg(patient, 8, days_ago=42)  # the baseline, at the first visit

        # Monday 09:00: the coordinator books a follow-up with the lead, three days out.
        sign_in(page, coordinator)
        page.goto(f"/patients/{patient.public_id}/")
        page.get_by_role("link", name="Book an appointment").click()
        page.get_by_label("Kind of visit").select_option(label="Follow-up")
        page.get_by_label("Clinician").select_option(label="Ada Okafor, MD (Physician)")
        page.get_by_label("Day").fill(VISIT_DAY.isoformat())
        page.get_by_label("Start time (clinic time)").fill("10:30")
        page.get_by_label("Length (minutes)").fill("30")
        page.get_by_label("Place").fill("Room 3, 2nd floor")
        page.get_by_label("How to prepare (shown to the patient)").fill("Bring your walking diary.")
        page.get_by_role("button", name="Book the appointment").click()
        expect(page.get_by_text(f"Appointment booked: {VISIT_WORDS}.")).to_be_visible()
        visit = Appointment.objects.get(patient=patient)
        page.get_by_role("button", name="Sign out").click()

        # The hourly sweep finds the visit three days out: one invitation, one message with a link.
        clock.move_to(clinic_time(2026, 12, 14, 10, 2))
        sweep_visit_measures()
        invitation = Invitation.objects.get(patient=patient)
        assert "peg" in invitation.instrument_codes
        deliver_everything()
        token = received_token()

        # Monday evening: the patient answers on a phone.
        clock.move_to(clinic_time(2026, 12, 14, 19, 30))
        answer_peg_on_a_phone(page, traffic, token, screenshot)
        assert Response.objects.filter(patient=patient, instrument__code="peg").count() == 2

        # Thursday 08:30: the physician signs in and lands on Today.
        clock.move_to(clinic_time(2026, 12, 17, 8, 30))
        sign_in(page, physician)
        expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
        day = page.get_by_role("main")
        expect(day).to_contain_text("10:30")
        expect(day).to_contain_text(patient.full_name)
        expect(day).to_contain_text("PEG crossed its responder threshold")
        screenshot(page, "clinic-day-today")
        assert axe_violations(page) == []

        # The pre-visit summary: the PEG against its baseline.
        page.get_by_role("link", name=f"Pre-visit summary for {patient.full_name}").click()
        expect(page.get_by_role("heading", name="Pre-visit summary")).to_be_visible()
        expect(page.get_by_role("region", name="Questionnaires")).to_contain_text("Against baseline: PEG 8.0")
        expect(page.get_by_role("region", name="Questionnaires")).to_contain_text("4.0")
        screenshot(page, "clinic-day-summary")
        assert axe_violations(page) == []

        # The note starts from the summary, with the interval history drafted.
        page.get_by_role("button", name="Start the visit note from this summary").click()
        expect(page.get_by_text("Draft started with the interval history from the summary.")).to_be_visible()
        assert "Interval history since" in page.get_by_label("Findings").input_value()
        draft = Encounter.objects.drafts().get(patient=patient)
        assert draft.appointment == visit
        draft_path = f"/patients/{patient.public_id}/visits/{draft.public_id}/edit/"
        expect(page).to_have_url(re.compile(re.escape(draft_path) + "$"))

        page.get_by_label("Assessment").fill(ASSESSMENT)
        page.get_by_label("Plan", exact=True).fill(PLAN)
        page.get_by_label("Plan", exact=True).blur()  # leaving a field saves at once
        expect(page.get_by_role("status").filter(has_text=re.compile(r"^Saved \d\d:\d\d"))).to_be_visible()
        wait_until_saved(draft, assessment=ASSESSMENT, plan=PLAN)  # the last autosave on its way has landed

        # The clinician is called away past the idle limit; the session ends.
        clock.shift(timedelta(minutes=settings.SESSION_IDLE_MINUTES + 1))
        page.reload()
        expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))
        sign_in_again(page, physician)

        # Back on the draft, every word there.
        expect(page).to_have_url(re.compile(re.escape(draft_path) + "$"))
        expect(page.get_by_label("Assessment")).to_have_value(ASSESSMENT)
        expect(page.get_by_label("Plan", exact=True)).to_have_value(PLAN)
        assert "Interval history since" in page.get_by_label("Findings").input_value()

        page.get_by_role("button", name="Save draft").click()
        expect(page.get_by_text("Draft saved.")).to_be_visible()
        page.get_by_role("button", name="Sign the note").click()
        expect(page.get_by_text("Visit note signed.")).to_be_visible()
        draft.refresh_from_db()
        assert (draft.status, draft.assessment, draft.plan) == ("signed", ASSESSMENT, PLAN)
