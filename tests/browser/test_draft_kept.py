"""A long visit note survives a failed post (static/js/keep_draft.js): the browser keeps a copy in the tab's
sessionStorage while the clinician types, puts it back when the form is opened again, and forgets it once the
server confirms the save."""

import re

import pytest
from playwright.sync_api import expect

from patients.models import Encounter

pytestmark = pytest.mark.browser

ASSESSMENT = (
    "Chronic low back pain with a large central sensitisation component; sleep is poor and she has stopped "
    "walking the dog. Discussed how pain can be real and worth treating even when the scan looks ordinary. " * 4
).strip()
PLAN = "Graded walking from 5 minutes a day, up 10% a week; sleep routine; see the PT in two weeks."
RESTORED_NOTE = "We restored what you typed before."


def without_autosave(page) -> None:
    """Autosave answers "nothing saved" here: these tests are about the tab's own copy, as when autosave cannot
    reach the server either (autosave itself: test_notes_never_lose_a_word.py)."""
    page.route(re.compile(r"/autosave/$"), lambda route: route.fulfill(status=200, json={"saved": False}))


def kept_drafts(page) -> list[str]:
    return page.evaluate("Object.keys(sessionStorage).filter(key => key.startsWith('haven-draft:'))")


def test_a_long_visit_note_survives_a_failed_post_and_is_forgotten_once_saved(page, sign_in, physician, patient):
    without_autosave(page)
    sign_in(page, physician)
    new_visit = f"/patients/{patient.public_id}/visits/new/"
    page.goto(f"/patients/{patient.public_id}/")
    page.get_by_role("link", name="New visit").click()
    expect(page).to_have_url(re.compile(re.escape(new_visit)))
    page.get_by_label("The patient's priorities today").fill("Walk the dog again")
    page.get_by_label("Assessment").fill(ASSESSMENT)
    page.get_by_label("Plan", exact=True).fill(PLAN)

    # The post never reaches the server (the connection drops).
    def drop_the_post(route):
        if route.request.method == "POST":
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(re.escape(new_visit) + "$"), drop_the_post)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_timeout(300)
    assert not Encounter.objects.exists()
    page.unroute(re.compile(re.escape(new_visit) + "$"))

    # Opened again: the form comes back empty from the server, and the browser puts the text back.
    page.goto(new_visit)
    expect(page.get_by_role("status").filter(has_text=RESTORED_NOTE)).to_be_visible()
    expect(page.get_by_label("Assessment")).to_have_value(ASSESSMENT)
    expect(page.get_by_label("Plan", exact=True)).to_have_value(PLAN)
    expect(page.get_by_label("The patient's priorities today")).to_have_value("Walk the dog again")
    assert kept_drafts(page) == [f"haven-draft:visit-new:{patient.public_id}"]

    # Saved for real: the server confirms, and the copy is gone.
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Visit note saved as a draft.")).to_be_visible()
    encounter = Encounter.objects.get()
    assert encounter.assessment == ASSESSMENT and encounter.plan == PLAN
    page.wait_for_load_state("load")  # the page's scripts (keep_draft.js among them) have run
    assert kept_drafts(page) == []
    page.goto(new_visit)
    expect(page.get_by_label("Assessment")).to_have_value("")
    expect(page.get_by_text(RESTORED_NOTE)).to_have_count(0)


def test_a_failed_edit_comes_back_over_the_saved_version_and_can_be_set_aside(page, sign_in, physician, patient):
    without_autosave(page)
    sign_in(page, physician)
    page.goto(f"/patients/{patient.public_id}/visits/new/")
    page.get_by_label("Assessment").fill("First thoughts.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Visit note saved as a draft.")).to_be_visible()
    encounter = Encounter.objects.get()
    edit = f"/patients/{patient.public_id}/visits/{encounter.public_id}/edit/"

    page.goto(edit)
    page.get_by_label("Assessment").fill("First thoughts, then a long second look. " + ASSESSMENT)
    page.route(
        re.compile(re.escape(edit) + "$"),
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_timeout(300)
    page.unroute(re.compile(re.escape(edit) + "$"))

    page.goto(edit)
    expect(page.get_by_label("Assessment")).to_have_value("First thoughts, then a long second look. " + ASSESSMENT)
    page.get_by_role("button", name="Use the saved version instead").click()
    expect(page.get_by_label("Assessment")).to_have_value("First thoughts.")
    expect(page.get_by_text(RESTORED_NOTE)).to_have_count(0)
    assert kept_drafts(page) == []
