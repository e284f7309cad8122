"""Staff sign in and out through the real form, in the browser."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_a_physician_signs_in_sees_their_patient_and_signs_out(page, physician, patient, password, screenshot):
    page.goto("/")
    expect(page).to_have_url("/accounts/sign-in/?next=/")
    page.get_by_label("Username").fill(physician.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url("/")
    expect(page.get_by_role("heading", name="Hello, Ada")).to_be_visible()
    patients = page.get_by_role("region", name="Your patients")
    expect(patients.get_by_role("link", name="Garcia-López, Maria")).to_be_visible()
    expect(patients).to_contain_text("100234")
    screenshot(page, "home")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/accounts/sign-in/")
    expect(page.get_by_role("heading", name="Sign in to Haven")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)


def test_a_wrong_password_shows_the_error_and_keeps_the_username(page, physician, screenshot):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(physician.username)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    expect(page.get_by_label("Username")).to_have_value(physician.username)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_role("heading", name="Sign in to Haven")).to_be_visible()
    screenshot(page, "sign-in-error")
