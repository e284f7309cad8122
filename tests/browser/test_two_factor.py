"""Two-step sign-in in the browser: a new clinic admin sets up an authenticator app after the password (the
key read off the page, the code computed as an app would), saves the recovery codes, signs out, and signs in
again with a code."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import hotp
from playwright.sync_api import expect

from clinic.roles import Discipline, Role
from tests.factories import StaffFactory

pytestmark = pytest.mark.browser


def step_now() -> int:
    return int(time.time()) // 30


def code_from_key(shown_key: str, step: int) -> str:
    """What an authenticator app shows in time step `step` for the key typed in by hand from the page."""
    return f"{hotp(b32decode(shown_key.replace(' ', '')), step):06d}"


def test_an_admin_sets_up_two_step_sign_in_and_signs_in_with_a_code(page, password, screenshot):
    admin = StaffFactory(
        username="admin.berg", first_name="Lena", role=Role.ADMIN, discipline=Discipline.CARE_COORDINATOR
    )
    page.goto("/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url("/accounts/two-step/set-up/?next=%2F")
    expect(page.get_by_role("heading", name="Set up two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    expect(page.get_by_role("link", name="Worklist")).to_have_count(0)  # no staff page before the second step
    key = page.locator("#two-step-secret").inner_text()
    screenshot(page, "two-step-set-up")

    code = page.get_by_label("Code from your authenticator app")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    used = step_now()
    code.fill(code_from_key(key, used))
    page.get_by_role("button", name="Turn on two-step sign-in").click()

    expect(page.get_by_role("heading", name="Save your recovery codes")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("Save these now.")
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    saved = codes.all_inner_texts()
    screenshot(page, "two-step-recovery-codes")
    page.get_by_role("link", name="I have saved my recovery codes").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("link", name="Admin", exact=True)).to_be_visible()

    page.get_by_role("link", name="your sign-in settings").click()
    expect(page.get_by_role("heading", name="Two-step sign-in")).to_be_visible()
    expect(page.get_by_text("You have 10 of 10 recovery codes left.")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", name="One more step")).to_be_visible()
    screenshot(page, "two-step-verify")
    # A code works once: if the app still shows the one used to set up, the next one (allowed a step early).
    page.get_by_label("Code from your authenticator app").fill(code_from_key(key, max(step_now(), used + 1)))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url("/")
    page.goto("/admin/")
    expect(page.get_by_role("heading", name="Clinic administration")).to_be_visible()
    assert len(saved) == 10
