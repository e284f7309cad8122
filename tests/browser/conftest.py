"""Browser journeys: Playwright drives the system Chromium (headless) against pytest-django's live server.

- One Chromium per test session; each test gets a fresh browser context (no shared cookies).
- `page` is a desktop window, `phone_page` a phone-sized one (for the patient portal).
- Every request of every page is recorded. A request to any host other than the live server, a console
  error, an uncaught page error or a Content Security Policy violation fails the test.
- Chromium is the distribution's (`apt-get install chromium`): `playwright install` is never needed.
  Without it the tests are skipped locally, and fail when CI=true (browser tests never skip in CI).
"""

import asyncio
import os
import shutil
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from django.db import connections
from django.utils import timezone

from careplans import plan_services
from careplans.logs import services as log_services
from careplans.models import Tier
from clinic.sign_in import landing_url
from tests.factories import PASSWORD
from tests.two_step import app_code, give_app, needs_second_step

SHOTS = Path("/tmp/haven-shots")
DESKTOP = {"viewport": {"width": 1280, "height": 860}}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Belt and braces: no host but the live server even resolves, so nothing can leave the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]
# Reports CSP violations to the console, where they are collected with the other errors.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`);
});
"""
LOCAL_SCHEMES = {"data", "blob", "about"}


def chromium_or_skip() -> str:
    """The path of the system Chromium; a clear failure in CI, a skip elsewhere, when it is missing."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "the Python package playwright is not installed (pip install -r requirements.txt)"
    else:
        executable = shutil.which("chromium") or shutil.which("chromium-browser")
        if executable:
            return executable
        missing = "Chromium is not on PATH (install it with: apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests cannot run: {missing}. They may not be skipped in CI.", pytrace=False)
    pytest.skip(f"Browser tests skipped: {missing}.")


@dataclass
class Driver:
    """Playwright's sync API marks its event loop as running in this thread between calls, which makes
    Django refuse ORM calls ("async context") in this and every later test. The mark is set only while a
    browser test runs (`attach`), and removed after it (`detach`), so the rest of the suite is unaffected."""

    playwright: object
    browser: object
    loop: asyncio.AbstractEventLoop

    def attach(self):
        asyncio._set_running_loop(self.loop)

    def detach(self):
        asyncio._set_running_loop(None)


@pytest.fixture(scope="session")
def driver(live_server):
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        asyncio._set_running_loop(None)
        raise
    found = Driver(playwright=playwright, browser=browser, loop=asyncio._get_running_loop())
    found.detach()
    yield found
    found.attach()
    try:
        browser.close()
        playwright.stop()
    finally:
        found.detach()


@dataclass
class Traffic:
    """What the pages of one test asked for and complained about."""

    origin: str
    requests: list = field(default_factory=list)
    responses: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in LOCAL_SCHEMES or f"{parts.scheme}://{parts.netloc}" == self.origin

    @property
    def foreign(self) -> list[str]:
        return [request.url for request in self.requests if not self.is_local(request.url)]

    def on_console(self, message):
        text = message.text
        if message.type == "error" or "Content Security Policy" in text or text.startswith("Refused to"):
            self.problems.append(f"console {message.type}: {text} ({message.location.get('url', '')})")

    def on_page_error(self, error):
        self.problems.append(f"uncaught error: {error}")

    def complaints(self) -> list[str]:
        return [f"request to another host: {url}" for url in self.foreign] + self.problems


@pytest.fixture
def traffic(live_server):
    return Traffic(origin=live_server.url)


@pytest.fixture(autouse=True)
def browser_test_environment(monkeypatch, settings):
    # The test thread mixes ORM calls with Playwright calls, see Driver.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The portal's rate limiter counts per client address, and every browser test comes from 127.0.0.1:
    # each test gets its own empty counters instead of the shared Redis ones.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid.uuid4())}
    }


def watched(context, traffic):
    """Send a context's requests, responses and complaints to `traffic`."""
    context.set_default_timeout(5_000)
    context.add_init_script(CSP_LISTENER)
    context.on("request", lambda request: traffic.requests.append(request))
    context.on("response", lambda response: traffic.responses.append(response))
    context.on("console", traffic.on_console)
    context.on("weberror", lambda web_error: traffic.on_page_error(web_error.error))
    return context


@contextmanager
def window_beside(page, traffic, options=PHONE):
    """A second person's window (its own cookies) beside `page`, in the same test: a phone by default; what its
    pages ask for and complain about is checked like the first window's."""
    context = watched(page.context.browser.new_context(base_url=traffic.origin, **options), traffic)
    try:
        yield context.new_page()
    finally:
        context.close()


@contextmanager
def browser_context(driver, traffic, options):
    """A fresh context (no cookies) whose requests, responses and complaints go to `traffic`."""
    driver.attach()
    try:
        context = driver.browser.new_context(base_url=traffic.origin, **options)
        try:
            watched(context, traffic)
            yield context
        finally:
            context.close()
    finally:
        # Database connections opened while the loop was marked as running live in their own (asyncio)
        # storage: close them now, or they would outlast the test and keep the test database open.
        connections.close_all()
        driver.detach()


@pytest.fixture
def page(driver, traffic, django_db_serialized_rollback):
    """A desktop browser window on the live server (relative URLs work: page.goto("/patients/"))."""
    with browser_context(driver, traffic, DESKTOP) as context:
        yield context.new_page()


@pytest.fixture
def phone_page(driver, traffic, django_db_serialized_rollback):
    """A phone-sized window (390x844, touch), as patients open their links."""
    with browser_context(driver, traffic, PHONE) as context:
        yield context.new_page()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a browser test whose pages went to another host, logged an error or broke the CSP."""
    result = yield
    traffic = item.funcargs.get("traffic")
    if isinstance(traffic, Traffic):
        complaints = traffic.complaints()
        assert not complaints, "The pages of this test misbehaved:\n" + "\n".join(complaints)
    return result


@pytest.fixture
def sign_in():
    """Sign a member of the cast in through the real sign-in form (and the second step when they must pass it)."""

    def sign_in_as(page, user, password=PASSWORD):
        page.goto("/accounts/sign-in/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        landing = landing_url(user)  # clinicians land on Today, everyone else on the home page
        if needs_second_step(user):  # clinic admins: the code from their authenticator app
            page.wait_for_url(f"/accounts/two-step/?next={quote(landing, safe='')}")
            page.get_by_label("Code from your authenticator app").fill(app_code(give_app(user)))
            page.get_by_role("button", name="Continue").click()
        page.wait_for_url(landing)

    return sign_in_as


def open_patient_link(page, path: str) -> None:
    """Open a patient's link as they do: its page (a GET, which signs no one in), then "Continue"."""
    page.goto(path)
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def screenshot():
    """Save a full-page screenshot to /tmp/haven-shots/<name>.png, for people to look at (not committed)."""
    SHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def walking_plan(patient, physician):
    """A care plan and a walking plan started today, through the services a clinician's pages use."""
    plan = plan_services.start_plan(patient=patient, by=physician, lead=physician, tier=Tier.objects.get(number=1))
    log_services.save_flare_plan(
        plan=plan,
        by=physician,
        version=0,
        values={
            "warning_signs": "My hip aches by noon",
            "reduce_by_percent": 25,
            "reduce_for_hours": 48,
            "what_to_reduce": "",
            "what_helps": "Heat and a short rest",
            "when_to_call": "",
            "when_urgent": "",
        },
    )
    return log_services.create_pacing_plan(
        plan=plan,
        by=physician,
        activity="Walking",
        unit="minutes",
        baseline=Decimal(5),
        start_percent=80,
        increment_kind="fixed",
        increment_value=Decimal(1),
        every_days=3,
        target=Decimal(10),
        rests="Sit for 2 minutes half-way",
        starts_on=timezone.localdate(),
    )
