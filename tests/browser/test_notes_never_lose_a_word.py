"""Notes that never lose a word (issue 15): a visit note saves itself while the clinician types; when the
session ends meanwhile, signing in again comes back to the draft with every word (the server's draft, and the
tab's copy of what was typed after it); before the idle limit a warning offers "Stay signed in"."""

import re
import time
from importlib import import_module

import pytest
from django.conf import settings
from playwright.sync_api import expect

from clinic.middleware import LAST_SEEN
from patients.models import Encounter
from tests.browser.test_questionnaire import axe_violations
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

ASSESSMENT = "Pain is real and worth treating; the scan looks ordinary. Sleep poor; stopped walking the dog."
PLAN_SAVED = "Graded walking from 5 minutes a day."
PLAN_LATER = " Then up 10% a week; see the PT in two weeks."
SAVED = re.compile(r"^Saved \d\d:\d\d")


def session_of(page):
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)


def idle_for(page, seconds: float) -> None:
    """Pretend the browser's session has seen no request for `seconds`."""
    session = session_of(page)
    session[LAST_SEEN] = time.time() - seconds
    session.save()


def saved_note(**expected) -> Encounter:
    """The one note, once the autosaves on their way have reached the server (a few seconds at most)."""
    for _ in range(50):
        note = Encounter.objects.first()
        if note and all(getattr(note, name) == value for name, value in expected.items()):
            return note
        time.sleep(0.2)
    raise AssertionError(f"not saved as expected: {expected}")


def autosave_status(page):
    return page.get_by_role("status").filter(has_text=re.compile("Saved|saves itself|Not saved|signed out"))


def expected_refusals(traffic, status: int, path: str) -> int:
    """Take the console's report of refusals this test causes on purpose out of its complaints (Chromium logs
    every 4xx a fetch gets as an error); how many there were."""
    expected = [p for p in traffic.problems if f"status of {status}" in p and path in p]
    traffic.problems[:] = [p for p in traffic.problems if p not in expected]
    return len(expected)


def test_a_note_typed_across_an_expired_session_comes_back_whole_after_signing_in(
    page, sign_in, physician, patient, traffic
):
    sign_in(page, physician)
    page.goto(f"/patients/{patient.public_id}/visits/new/")
    page.get_by_label("Assessment").fill(ASSESSMENT)
    page.get_by_label("Plan", exact=True).fill(PLAN_SAVED)
    page.get_by_label("Plan", exact=True).blur()  # leaving a field saves at once

    expect(autosave_status(page)).to_have_text(SAVED)
    encounter = saved_note(assessment=ASSESSMENT, plan=PLAN_SAVED)
    assert axe_violations(page) == []
    # The new note is now a draft: the address is the draft's, so signing in again comes back to it.
    edit = f"/patients/{patient.public_id}/visits/{encounter.public_id}/edit/"
    expect(page).to_have_url(re.compile(re.escape(edit) + "$"))

    # The clinician is called away; the session ends. They come back and keep typing.
    idle_for(page, settings.SESSION_IDLE_MINUTES * 60 + 5)
    page.get_by_label("Plan", exact=True).press("End")
    page.get_by_label("Plan", exact=True).press_sequentially(PLAN_LATER)
    page.get_by_label("Assessment").focus()  # leaving the plan: an autosave, which the server refuses

    expect(autosave_status(page)).to_contain_text("You were signed out, so this was not saved.")
    encounter.refresh_from_db()
    assert encounter.plan == PLAN_SAVED  # nothing saved without a session

    autosave_status(page).get_by_role("link", name="Sign in again").click()
    expect(page).to_have_url(re.compile(r"/accounts/sign-in/\?next="))
    page.get_by_label("Username").fill(physician.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(re.escape(edit) + "$"))
    expect(page.get_by_label("Assessment")).to_have_value(ASSESSMENT)
    expect(page.get_by_label("Plan", exact=True)).to_have_value(PLAN_SAVED + PLAN_LATER)
    expect(page.get_by_role("status").filter(has_text="We restored what you typed before.")).to_be_visible()

    # The restored words save themselves too, over the draft the server had.
    page.get_by_label("Plan", exact=True).press("End")
    page.get_by_label("Plan", exact=True).press_sequentially(" OK.")
    page.get_by_label("Plan", exact=True).blur()
    expect(autosave_status(page)).to_have_text(SAVED)
    saved_note(plan=PLAN_SAVED + PLAN_LATER + " OK.")
    assert expected_refusals(traffic, 401, f"/visits/{encounter.public_id}/autosave/") == 1


def test_the_idle_warning_appears_before_the_limit_and_stay_signed_in_keeps_the_session(
    page, sign_in, physician, patient, settings, screenshot
):
    settings.SESSION_IDLE_MINUTES = 2
    settings.SESSION_WARNING_SECONDS = 117  # due 3 seconds after the page loads
    sign_in(page, physician)
    page.goto(f"/patients/{patient.public_id}/")

    warning = page.get_by_role("alertdialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=8_000)
    expect(warning).to_contain_text("You will be signed out in 2 minutes to protect patient data.")
    stay = warning.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    screenshot(page, "idle-warning")
    assert axe_violations(page) == []
    idle_for(page, 100)  # the server's clock agrees: 100 seconds without a request

    page.keyboard.press("Enter")

    expect(warning).to_be_hidden()
    assert session_of(page)[LAST_SEEN] == pytest.approx(time.time(), abs=5)
    page.get_by_role("link", name="New visit").click()
    expect(page.get_by_role("heading", name="New visit note")).to_be_visible()


def test_a_psychotherapy_note_saves_itself_as_a_draft_only_its_author_gets_back(page, sign_in, psychologist, patient):
    sign_in(page, psychologist)
    new_note = f"/patients/{patient.public_id}/psychotherapy-notes/new/"
    page.goto(new_note)
    page.get_by_label("Note").fill("Fear of moving eased when we named it.")
    page.get_by_label("Note").blur()

    expect(autosave_status(page)).to_have_text(SAVED)
    page.evaluate("sessionStorage.clear()")  # a new tab: only the server's draft can bring the text back
    page.goto(new_note)

    expect(page.get_by_label("Note")).to_have_value("Fear of moving eased when we named it.")
    expect(page.get_by_role("status").filter(has_text="is back in the form below")).to_be_visible()
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_text("Psychotherapy note saved.")).to_be_visible()
    page.goto(new_note)
    expect(page.get_by_label("Note")).to_have_value("")
