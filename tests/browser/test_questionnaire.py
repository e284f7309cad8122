"""The patient's questionnaire on a phone: one question per screen, the crisis resources after PHQ-9
item 9 above 0, the urgent task for the lead clinician, and axe-core on every step (0 serious or
critical violations)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from clinic.models import TeamTask
from measures.models import Alert, Invitation, Response
from portal.models import PatientLink
from portal.services import issue_link
from tests.browser.accessibility import axe_violations
from tests.browser.conftest import open_patient_link

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
PHQ9_LOW_LABEL = "Not at all"


def invite(patient, codes):
    link, token = issue_link(patient=patient, purpose=PatientLink.Purpose.QUESTIONNAIRES)
    Invitation.objects.create(patient=patient, due_on=timezone.localdate(), instrument_codes=codes, link=link)
    return token


def answer(page, label, exact=True):
    page.get_by_role("button", name=label, exact=exact).click()


def test_a_patient_answers_phq9_with_item_9_and_sees_the_crisis_resources_and_the_lead_gets_an_urgent_task(
    phone_page, patient, physician, sign_in, screenshot, live_server
):
    token = invite(patient, ["phq9"])
    phone = phone_page
    open_patient_link(phone, f"/p/{token}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello, Mari")
    expect(phone.get_by_text("Your answers help your care team see how you are doing between visits.")).to_be_visible()
    assert not Response.objects.exists(), "opening the link started something"
    screenshot(phone, "questionnaire-home")
    phone.get_by_role("button", name="Start your mood").click()

    # Question 1: the stem, the question, the four answers as large buttons, and the progress.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Little interest or pleasure in doing things")
    expect(phone.get_by_text("Question 1 of 10")).to_be_visible()
    expect(phone.get_by_role("progressbar")).to_have_attribute("value", "1")
    button = phone.get_by_role("button", name=PHQ9_LOW_LABEL, exact=True)
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300, f"the answer buttons are too small to tap: {box}"
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the question page scrolls sideways on a phone"
    screenshot(phone, "questionnaire-question")
    assert axe_violations(phone) == []

    for number in range(1, 9):
        expect(phone.get_by_text(f"Question {number} of 10")).to_be_visible()
        answer(phone, PHQ9_LOW_LABEL)
    expect(phone.get_by_role("heading", level=1)).to_contain_text("better off dead")
    answer(phone, "Several days")
    expect(phone.get_by_text("Question 10 of 10")).to_be_visible()

    # Back, and the answer given is shown as chosen; then on again.
    phone.get_by_role("link", name="Back").click()
    expect(phone.get_by_text("Question 9 of 10")).to_be_visible()
    expect(phone.get_by_role("button", name="Several days (your answer)")).to_have_attribute("aria-pressed", "true")
    screenshot(phone, "questionnaire-answer-chosen")
    answer(phone, "Several days (your answer)", exact=False)
    answer(phone, "Not difficult at all")

    # The review, then "Send my answers".
    expect(phone.get_by_role("heading", level=1)).to_have_text("You answered all 10 questions")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the review page scrolls sideways on a phone"
    screenshot(phone, "questionnaire-review")
    assert axe_violations(phone) == []
    phone.get_by_role("button", name="Send my answers").click()

    # Thanks, and calmly, the crisis resources.
    expect(phone.get_by_role("heading", level=1)).to_have_text("Thank you, Mari")
    crisis = phone.get_by_role("region", name="Support is here for you, any time")
    expect(crisis).to_be_visible()
    expect(crisis).to_contain_text("Call or text 988")
    expect(crisis).to_contain_text("In an emergency, call 911.")
    expect(crisis).to_contain_text("555-0100")
    # Honest about time (portal/safety.py): today in clinic hours, else when the clinic opens.
    expect(crisis).to_contain_text(re.compile(r"care team will (contact you today|see this when we open)"))
    expect(crisis.get_by_role("link", name="Call 988")).to_have_attribute("href", "tel:988")
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the thank-you page scrolls sideways on a phone"
    screenshot(phone, "questionnaire-thanks-crisis")
    assert axe_violations(phone) == []

    stored = Response.objects.get()
    assert stored.completed_at is not None and stored.answers["phq9_9"] == 1 and stored.total == 1

    # The lead clinician signs in on their own computer; the urgent alert and task are theirs (the chart
    # banner showing it is built elsewhere, so this checks the database).
    desk = phone.context.browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 860})
    try:
        sign_in(desk.new_page(), physician)
    finally:
        desk.close()
    alert = Alert.objects.unacknowledged().get(patient=patient)
    assert alert.kind == Alert.Kind.SAFETY
    task = TeamTask.objects.open().get(pk=alert.task_id)
    assert (task.assignee, task.priority, task.patient) == (physician, TeamTask.Priority.URGENT, patient)
    assert TeamTask.objects.open().for_person(physician).filter(priority=TeamTask.Priority.URGENT).count() == 1


def test_a_0_to_10_scale_fits_a_phone_and_passes_axe(phone_page, patient, screenshot):
    token = invite(patient, ["peg", "phq9"])
    phone = phone_page
    open_patient_link(phone, f"/p/{token}/")
    screenshot(phone, "questionnaire-home-bundle")
    phone.get_by_role("button", name="Start how pain affects your days").click()
    expect(phone.get_by_text("0 = No pain")).to_be_visible()
    expect(phone.get_by_text("10 = Pain as bad as you can imagine")).to_be_visible()
    for value in range(11):
        box = phone.get_by_role("button", name=str(value), exact=False).first.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44, f"button {value} is too small to tap: {box}"
    assert phone.evaluate(NO_SIDEWAYS_SCROLL), "the 0-10 scale scrolls sideways on a phone"
    screenshot(phone, "questionnaire-scale")
    assert axe_violations(phone) == []
    answer(phone, "6")
    expect(phone.get_by_text("Question 2 of 3")).to_be_visible()
    assert Response.objects.get().answers == {"peg_1": 6}
    answer(phone, "5")
    answer(phone, "4")
    expect(phone.get_by_role("heading", level=1)).to_have_text("You answered all 3 questions")
    phone.get_by_role("button", name="Send my answers").click()

    # On to the next questionnaire of the bundle, with a word that the first one went.
    expect(phone.get_by_role("status")).to_have_text("Thank you! Your PEG answers are sent. Next: PHQ-9.")
    expect(phone.get_by_text("Question 1 of 10")).to_be_visible()
    screenshot(phone, "questionnaire-next")
    assert axe_violations(phone) == []

    phone.get_by_role("button", name="Save and finish later").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your answers are saved")
    screenshot(phone, "questionnaire-later")
    assert axe_violations(phone) == []
