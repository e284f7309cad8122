"""Keyboard users: the skip link, visible focus, and a sign-in done without a mouse."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

# A visible focus indicator: an outline, or Bootstrap's focus ring (a box shadow).
FOCUS_SHOWN = """() => {
  const style = getComputedStyle(document.activeElement);
  return style.outlineStyle !== "none" || style.boxShadow !== "none";
}"""


def test_the_skip_link_is_the_first_tab_stop_and_moves_focus_to_the_main_content(page, physician, sign_in):
    sign_in(page, physician)
    page.goto("/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    assert page.evaluate(FOCUS_SHOWN), "the focused skip link shows no focus indicator"

    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Find a patient")).to_be_focused()


def test_the_sign_in_form_can_be_completed_with_the_keyboard_alone(page, physician, password):
    page.goto("/accounts/sign-in/")
    username = page.get_by_label("Username")
    for _ in range(5):  # the field may have autofocus; otherwise Tab to it
        if username.evaluate("field => field === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(username).to_be_focused()
    assert page.evaluate(FOCUS_SHOWN), "the focused username field shows no focus indicator"

    page.keyboard.type(physician.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")

    expect(page).to_have_url("/today/")  # clinicians land on their day
    expect(page.get_by_role("heading", level=1)).to_contain_text("Today")
