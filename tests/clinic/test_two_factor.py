"""Two-step sign-in (clinic/two_factor.py): a code from an authenticator app after the password, for clinic
admins always and for the roles the clinic names; recovery codes; throttling; audit; the admin's reset."""

import re
from base64 import b32decode

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from clinic import two_factor
from clinic.roles import Discipline, Role
from tests.factories import PASSWORD, StaffFactory
from tests.two_step import app_code, give_app

VERIFY = "/accounts/two-step/"
SET_UP = "/accounts/two-step/set-up/"
CODES = "/accounts/two-step/recovery-codes/"
SETTINGS = "/accounts/two-step/settings/"
NEW_CODES = "/accounts/two-step/settings/new-recovery-codes/"


@pytest.fixture
def new_admin(db):
    """A clinic admin who has not set up two-step sign-in yet."""
    return StaffFactory(username="admin.new", role=Role.ADMIN, discipline=Discipline.CARE_COORDINATOR)


def password_step(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    return response


def audited(target_start: str, user) -> list[str]:
    events = AuditEvent.objects.filter(actor=user, target__startswith=target_start).order_by("id")
    return list(events.values_list("target", flat=True))


def secret_on(page: bytes) -> bytes:
    """The key as the set-up page shows it for typing into an app (groups of four base32 letters)."""
    shown = re.search(rb'id="two-step-secret"><code>([A-Z2-7 ]+)</code>', page).group(1).decode()
    return b32decode(shown.replace(" ", ""))


def code_for(key: bytes) -> str:
    from django_otp.oath import totp

    return f"{totp(key):06d}"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- Who must pass the second step -----------------------------------------------------------------------


def test_an_admin_without_an_app_is_sent_to_set_one_up_right_after_the_password(client, new_admin):
    password_step(client, new_admin)

    first = client.get(reverse("home"))
    assert first["Location"] == f"{VERIFY}?next=%2F"
    to_set_up = client.get(first["Location"])
    assert to_set_up["Location"] == f"{SET_UP}?next=%2F"

    page = client.get(to_set_up["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in html
    assert 'autocomplete="one-time-code"' in html and 'inputmode="numeric"' in html
    assert "Code from your authenticator app" in html
    assert "<script" not in html.split("</head>", 1)[1] and "style=" not in html
    device = TOTPDevice.objects.get(user=new_admin)
    assert not device.confirmed and secret_on(page.content) == device.bin_key


def test_a_coordinator_signs_in_without_a_code_by_default(client, coordinator):
    password_step(client, coordinator)
    assert client.get(reverse("home")).status_code == 200


def test_a_role_the_clinic_names_must_set_it_up(client, coordinator, settings):
    settings.TOTP_REQUIRED_FOR = ["admin", "coordinator"]
    password_step(client, coordinator)
    assert client.get(reverse("home"))["Location"] == f"{VERIFY}?next=%2F"
    assert client.get(VERIFY)["Location"].startswith(SET_UP)


def test_a_clinician_who_set_it_up_is_asked_for_a_code(client, physician, patient):
    give_app(physician)
    password_step(client, physician)

    assert client.get(reverse("patients:list"))["Location"] == f"{VERIFY}?next=%2Fpatients%2F"
    response = client.post(VERIFY, {"code": app_code(give_app(physician)), "next": "/patients/"})
    assert response["Location"] == "/patients/"
    assert client.get("/patients/").status_code == 200


# --- Setting it up ---------------------------------------------------------------------------------------


def test_setting_up_with_the_right_code_turns_it_on_and_shows_the_recovery_codes_once(client, new_admin):
    password_step(client, new_admin)
    key = secret_on(client.get(f"{SET_UP}?next=/patients/").content)

    response = client.post(SET_UP, {"code": code_for(key), "next": "/patients/"})

    assert response["Location"] == CODES
    page = client.get(CODES).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", page)
    assert len(shown) == two_factor.RECOVERY_CODE_COUNT
    assert sorted(shown) == sorted(StaticToken.objects.filter(device__user=new_admin).values_list("token", flat=True))
    assert "Save these now." in page and 'href="/patients/"' in page
    assert client.get(CODES)["Location"] == SETTINGS  # shown once
    assert TOTPDevice.objects.get(user=new_admin).confirmed
    assert client.get("/patients/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert audited("two-step sign-in: set up", new_admin) == ["two-step sign-in: set up"]


def test_a_wrong_set_up_code_is_refused_and_the_form_kept(client, new_admin):
    password_step(client, new_admin)
    key = secret_on(client.get(SET_UP).content)

    response = client.post(SET_UP, {"code": wrong(code_for(key))})

    assert response.status_code == 400
    html = response.content.decode()
    assert "That code did not work. Please check it and try again." in html
    assert f'value="{wrong(code_for(key))}"' in html
    assert secret_on(response.content) == key  # the same key: the app already scanned keeps working
    assert not TOTPDevice.objects.get(user=new_admin).confirmed
    assert client.get(reverse("home")).status_code == 302
    assert audited("two-step sign-in: set-up refused", new_admin) == ["two-step sign-in: set-up refused, wrong code"]


def test_nobody_adds_a_second_app_before_passing_the_second_step(client, clinic_admin):
    password_step(client, clinic_admin)
    assert client.get(SET_UP)["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=clinic_admin).count() == 1


# --- The second step -------------------------------------------------------------------------------------


def test_the_code_from_the_app_opens_the_staff_pages_and_rotates_the_session(client, clinic_admin):
    password_step(client, clinic_admin)
    before = client.session.session_key

    response = client.post(VERIFY, {"code": app_code(clinic_admin.totpdevice_set.get()), "next": "/team/"})

    assert response["Location"] == "/team/"
    assert client.session.session_key != before
    assert client.get("/team/").status_code == 200
    assert audited("sign-in: second step", clinic_admin) == []  # an ordinary sign-in (axes records those)


def test_a_wrong_code_is_refused_with_a_clear_message_and_audited(client, clinic_admin):
    password_step(client, clinic_admin)
    code = wrong(app_code(clinic_admin.totpdevice_set.get()))

    response = client.post(VERIFY, {"code": code})

    assert response.status_code == 400
    assert b"That code did not work. Please check it and try again." in response.content
    assert f'value="{code}"'.encode() in response.content
    assert client.get(reverse("home")).status_code == 302
    assert audited("sign-in: second step", clinic_admin) == [
        "sign-in: second step refused, wrong code (authenticator app)"
    ]
    event = AuditEvent.objects.get(actor=clinic_admin, target__startswith="sign-in: second step")
    assert event.path == VERIFY and event.ip == "127.0.0.1" and event.patient is None


def test_wrong_codes_pause_the_next_try(client, clinic_admin):
    device = clinic_admin.totpdevice_set.get()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        password_step(client, clinic_admin)
        for _ in range(3):
            assert client.post(VERIFY, {"code": wrong(app_code(device))}).status_code == 400
            clock.shift(3)  # past the pause after each failure so far (1, then 2 seconds); not past 4

        paused = client.post(VERIFY, {"code": app_code(device)})
        assert paused.status_code == 429
        assert b"Too many wrong codes." in paused.content and b"please wait 1 second before" in paused.content
        assert client.get(reverse("home")).status_code == 302

        clock.shift(2)  # the pause after 3 failures is 4 seconds
        assert client.post(VERIFY, {"code": app_code(device)})["Location"] == "/"

    assert audited("sign-in: second step", clinic_admin) == [
        *["sign-in: second step refused, wrong code (authenticator app)"] * 3,
        "sign-in: second step refused, too many wrong codes (authenticator app)",
    ]


def test_a_recovery_code_works_once(client, clinic_admin):
    code = StaticToken.objects.filter(device__user=clinic_admin).first().token
    password_step(client, clinic_admin)

    response = client.post(VERIFY, {"recovery_code": code.upper()})

    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert two_factor.recovery_codes_left(clinic_admin) == two_factor.RECOVERY_CODE_COUNT - 1
    client.post(reverse("logout"))
    password_step(client, clinic_admin)
    again = client.post(VERIFY, {"recovery_code": code})
    assert again.status_code == 400 and b"That code did not work." in again.content
    assert client.get("/").status_code == 302
    assert audited("sign-in: second step", clinic_admin) == [
        "sign-in: second step passed (recovery code)",
        "sign-in: second step refused, wrong code (recovery code)",
    ]


# --- Unverified sessions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/patients/", "/team/", "/worklist/", "/admin/", "/admin/clinic/user/", SETTINGS, "/referrals/"]
)
def test_a_session_without_the_second_step_reaches_no_staff_page_and_no_admin_site(client, clinic_admin, url):
    password_step(client, clinic_admin)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(f"{VERIFY}?next=")


def test_a_session_without_the_second_step_cannot_make_recovery_codes(client, clinic_admin):
    before = set(StaticToken.objects.filter(device__user=clinic_admin).values_list("token", flat=True))
    password_step(client, clinic_admin)
    assert client.post(NEW_CODES)["Location"].startswith(VERIFY)
    assert set(StaticToken.objects.filter(device__user=clinic_admin).values_list("token", flat=True)) == before


def test_htmx_requests_are_sent_to_the_second_step_as_a_whole_page(client, clinic_admin):
    password_step(client, clinic_admin)
    response = client.get("/patients/", headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/team/"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{VERIFY}?next=%2Fteam%2F"


def test_it_goes_nowhere_but_this_site_afterwards(client, clinic_admin):
    password_step(client, clinic_admin)
    response = client.post(VERIFY, {"code": app_code(clinic_admin.totpdevice_set.get()), "next": "https://evil.test/"})
    assert response["Location"] == "/"


# --- Own settings and the admin's reset ------------------------------------------------------------------


def test_staff_see_their_status_and_make_new_recovery_codes(signed_in, clinic_admin):
    client = signed_in(clinic_admin)
    old = set(StaticToken.objects.filter(device__user=clinic_admin).values_list("token", flat=True))

    page = client.get(SETTINGS).content.decode()
    assert "On" in page and "<strong>10</strong> of 10 recovery codes left" in page
    assert client.post(NEW_CODES)["Location"] == CODES
    shown = set(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", client.get(CODES).content.decode()))

    assert len(shown) == 10 and not shown & old
    assert set(StaticToken.objects.filter(device__user=clinic_admin).values_list("token", flat=True)) == shown
    assert audited("two-step sign-in: new recovery codes", clinic_admin) == ["two-step sign-in: new recovery codes"]


def test_the_top_bar_links_to_the_persons_own_sign_in_settings(signed_in, physician):
    page = signed_in(physician).get("/").content.decode()
    assert f'href="{SETTINGS}"' in page
    settings_page = signed_in(physician).get(SETTINGS).content.decode()
    assert "Off" in settings_page and "Set up two-step sign-in" in settings_page


def test_a_clinician_may_turn_it_on_for_themselves(signed_in, physician):
    client = signed_in(physician)
    key = secret_on(client.get(SET_UP).content)
    assert client.post(SET_UP, {"code": code_for(key)})["Location"] == CODES
    client.post(reverse("logout"))
    password_step(client, physician)
    assert client.get("/")["Location"] == f"{VERIFY}?next=%2F"


def test_a_clinic_admin_resets_a_lost_phone_audited(signed_in, clinic_admin, settings):
    settings.TOTP_REQUIRED_FOR = ["admin", "coordinator"]
    person = StaffFactory(username="coord.lost", role=Role.COORDINATOR, discipline=Discipline.CARE_COORDINATOR)
    give_app(person)
    their_browser = Client()
    password_step(their_browser, person)
    assert their_browser.post(VERIFY, {"code": app_code(person.totpdevice_set.get())})["Location"] == "/"
    admin = signed_in(clinic_admin)

    response = admin.post(
        reverse("admin:clinic_user_changelist"), {"action": "reset_two_step_sign_in", "_selected_action": [person.pk]}
    )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticToken.objects.filter(device__user=person).exists()
    assert audited("two-step sign-in reset", clinic_admin) == ["two-step sign-in reset for coord.lost"]
    # Their session verified by the old phone ends; after the password they set up a new one.
    assert their_browser.get("/")["Location"].startswith(reverse("login"))
    password_step(their_browser, person)
    assert their_browser.get(VERIFY)["Location"].startswith(SET_UP)


def test_the_staff_list_shows_who_has_two_step_sign_in(signed_in, clinic_admin, physician):
    page = signed_in(clinic_admin).get(reverse("admin:clinic_user_changelist")).content.decode()
    assert "two-step sign-in" in page.lower()


def test_only_a_clinic_admin_resets_two_step_sign_in(coordinator, clinic_admin):
    with pytest.raises(PermissionDenied):
        two_factor.reset_two_step(user=clinic_admin, by=coordinator)
    assert TOTPDevice.objects.filter(user=clinic_admin).exists()


def test_the_device_admins_are_not_on_the_admin_site(signed_in, clinic_admin):
    client = signed_in(clinic_admin)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


# --- The setting -----------------------------------------------------------------------------------------


def settings_with(required_for: str):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings", "TOTP_REQUIRED_FOR": required_for}
    script = "from django.conf import settings; print(settings.TOTP_REQUIRED_FOR)"
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)


def test_the_setting_always_includes_clinic_admins_and_refuses_unknown_roles():
    assert settings_with("Coordinator").stdout.strip() == "['admin', 'coordinator']"
    refused = settings_with("admin,nurses")
    assert refused.returncode != 0 and "TOTP_REQUIRED_FOR names unknown roles: nurses." in refused.stderr
