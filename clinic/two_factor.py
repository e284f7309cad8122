"""Two-step sign-in for staff: a code from an authenticator app (TOTP) after the password (README "Staff
sign-in"; django-otp).

- Who: clinic admins always, the roles in TOTP_REQUIRED_FOR (settings), and anyone who set it up for
  themselves. Someone who must use it and has no app yet sets one up right after the password, and is then
  shown RECOVERY_CODE_COUNT single-use recovery codes once.
- The second step accepts the app's 6-digit code, or one recovery code (used up when it works). Wrong codes
  pause the next try for 1, 2, 4, 8 ... seconds (django-otp's throttling, per device). Every refused code
  is audited, as are a used recovery code, setting up, new recovery codes and a reset.
- Until then the session reaches only the two-step pages and sign-out (TwoStepMiddleware). The verified
  state is django-otp's: the id of the device that accepted the code, kept in the session (OTPMiddleware
  checks it against the database on every request), and the session key rotates when the step is passed.
- A clinic admin can reset someone's two-step sign-in (a lost phone): their devices are deleted, audited;
  a session verified by them is signed out at its next request, and they set it up again after the password.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.context import AuditContext
from audit.models import Action, AuditEvent
from audit.services import record_event
from clinic.middleware import redirect_with_next

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
APP_CODE_LENGTH = 6

# Session keys. STATE: whether this sign-in must pass the second step although the role need not
# ("device": the person set it up; "none"), decided once at sign-in. PASSED: this session passed it (so a
# session that is no longer verified lost its device to a reset). NEW_CODES: recovery codes to show once.
SESSION_STATE = "haven_two_step"
SESSION_PASSED = "haven_two_step_passed"
SESSION_NEW_CODES = "haven_two_step_new_codes"
SESSION_NEXT = "haven_two_step_next"

RESET_MESSAGE = "Your two-step sign-in was reset by a clinic admin. Please sign in again and set it up."


# --- Rules ----------------------------------------------------------------------------------------------


def required_for(user) -> bool:
    """Whether this person must pass the second step whatever they chose: clinic admins always, and the
    roles the clinic named in TOTP_REQUIRED_FOR."""
    return user.is_clinic_admin or user.role in settings.TOTP_REQUIRED_FOR


def normalise_code(code: str) -> str:
    """What people type: spaces and dashes dropped, letters lower-cased. Recovery codes (base32: a-z, 2-7)
    have no 0, 1 or 8, so those are read as the letters o, l and b they look like."""
    code = "".join(ch for ch in (code or "") if ch not in " -\t").lower()
    return code if is_app_code(code) else code.translate(str.maketrans("018", "olb"))


def is_app_code(code: str) -> bool:
    return len(code) == APP_CODE_LENGTH and code.isascii() and code.isdigit()


def grouped(text: str, size: int = 4) -> str:
    """'JBSWY3DPEHPK3PXP' -> 'JBSW Y3DP EHPK 3PXP' (easier to copy by hand)."""
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


# --- Reads ----------------------------------------------------------------------------------------------


def app_device(user) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if they set one up."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("id").first()


def recovery_device(user) -> StaticDevice | None:
    return StaticDevice.objects.devices_for_user(user, confirmed=True).order_by("id").first()


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def pending_app_device(user) -> TOTPDevice:
    """The authenticator app being set up: not confirmed until a code from it works. One per person, made on
    the set-up page's first visit and kept, so a QR code scanned before a reload still matches."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


# --- Checking codes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    """What became of one code: the device that accepted it, or a pause after repeated wrong codes."""

    device: TOTPDevice | StaticDevice | None = None
    wait_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.device is not None

    @property
    def paused(self) -> bool:
        return self.wait_seconds > 0

    @property
    def by_recovery_code(self) -> bool:
        return isinstance(self.device, StaticDevice)


def check_on(device, code: str) -> CodeCheck:
    """One try of `code` on `device` (locked by the caller), within django-otp's throttling: a device paused
    after wrong codes refuses without looking at the code (and without counting another failure)."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        until = (details or {}).get("locked_until")
        seconds = (until - timezone.now()).total_seconds() if until else 1
        return CodeCheck(wait_seconds=max(1, math.ceil(seconds)))
    if device.verify_token(code):  # a wrong code counts a failure and starts the pause
        return CodeCheck(device=device)
    return CodeCheck()


@transaction.atomic
def check_sign_in_code(*, user, code: str, audit: AuditContext | None = None) -> CodeCheck:
    """The second step: a 6-digit code from the person's app, or one of their recovery codes (used up when
    it works). Every refused code is audited, like a used recovery code (a code from the app that works is
    an ordinary sign-in, which axes records); the caller marks the session verified when `ok`."""
    code = normalise_code(code)
    devices = TOTPDevice.objects if is_app_code(code) else StaticDevice.objects
    device = devices.devices_for_user(user, confirmed=True).select_for_update().order_by("id").first()
    result = check_on(device, code) if device is not None and code else CodeCheck()
    kind = "authenticator app" if is_app_code(code) else "recovery code"
    if result.ok and result.by_recovery_code:
        account_event(by=user, audit=audit, action=Action.VIEW, target="sign-in: second step passed (recovery code)")
    elif not result.ok:
        refused = "too many wrong codes" if result.paused else "wrong code"
        account_event(
            by=user, audit=audit, action=Action.VIEW, target=f"sign-in: second step refused, {refused} ({kind})"
        )
    return result


# --- Setting up, recovery codes, reset ------------------------------------------------------------------


@transaction.atomic
def confirm_app_device(*, user, code: str, audit: AuditContext | None = None) -> tuple[CodeCheck, list[str]]:
    """Finish setting up the authenticator app with a code from it. Preconditions: the person has no
    confirmed app (a second app is never added this way) and opened the set-up page (a pending device).
    Returns the check and, when it worked, the new recovery codes (shown to the person once)."""
    if TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        return CodeCheck(), []
    device = TOTPDevice.objects.filter(user=user, confirmed=False).select_for_update().order_by("id").first()
    code = normalise_code(code)
    result = check_on(device, code) if device is not None and is_app_code(code) else CodeCheck()
    if not result.ok:
        refused = "too many wrong codes" if result.paused else "wrong code"
        account_event(by=user, audit=audit, action=Action.VIEW, target=f"two-step sign-in: set-up refused, {refused}")
        return result, []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = replace_recovery_codes(user)
    account_event(by=user, audit=audit, action=Action.CREATE, target="two-step sign-in: set up")
    return result, codes


def replace_recovery_codes(user) -> list[str]:
    """RECOVERY_CODE_COUNT new single-use codes in place of any left (the device itself stays, so a session
    verified with a recovery code stays verified)."""
    device = recovery_device(user)
    if device is None:
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def regenerate_recovery_codes(*, by, audit: AuditContext | None = None) -> list[str]:
    """New recovery codes for the person themselves (the old ones stop working). Precondition: they have
    two-step sign-in set up."""
    if app_device(by) is None:
        raise PermissionDenied("Set up two-step sign-in first.")
    codes = replace_recovery_codes(by)
    account_event(by=by, audit=audit, action=Action.UPDATE, target="two-step sign-in: new recovery codes")
    return codes


@transaction.atomic
def reset_two_step(*, user, by, audit: AuditContext | None = None) -> bool:
    """A clinic admin resets someone's two-step sign-in (a lost phone): their app and recovery codes are
    deleted, so they set it up again at their next sign-in. Returns whether they had anything to reset."""
    if not by.is_clinic_admin:
        raise PermissionDenied("Only a clinic admin resets two-step sign-in.")
    deleted, _ = TOTPDevice.objects.filter(user=user).delete()
    deleted_static, _ = StaticDevice.objects.filter(user=user).delete()
    account_event(by=by, audit=audit, action=Action.UPDATE, target=f"two-step sign-in reset for {user.username}"[:200])
    return bool(deleted or deleted_static)


def account_event(*, by, audit: AuditContext | None, action: Action, target: str) -> AuditEvent:
    """An event about a person's sign-in, not about a patient."""
    return record_event(actor=by, context=audit, patient=None, action=action, target=target)


# --- The session ----------------------------------------------------------------------------------------


def pass_second_step(request: HttpRequest, device) -> None:
    """Mark this session verified by `device` (django-otp keeps its id in the session) under a new session
    key, so a key seen before the second step is worth nothing after it."""
    otp_login(request, device)
    request.session.cycle_key()
    request.session[SESSION_PASSED] = True
    request.session[SESSION_STATE] = "device"


@receiver(user_logged_in, dispatch_uid="haven.two_step.sign_in")
def note_devices_at_sign_in(sender, request, user, **kwargs) -> None:
    """At sign-in, decide once whether this session needs the second step although the role need not (the
    person set it up), so pages do not look it up on every request."""
    session = getattr(request, "session", None)
    if session is None:
        return
    session.pop(SESSION_PASSED, None)
    session.pop(DEVICE_ID_SESSION_KEY, None)
    session[SESSION_STATE] = "device" if not required_for(user) and user_has_device(user) else "none"


def must_verify(request: HttpRequest) -> bool:
    user = request.user
    if required_for(user):
        return True
    state = request.session.get(SESSION_STATE)
    if state is None:  # a session from before two-step sign-in existed
        state = request.session[SESSION_STATE] = "device" if user_has_device(user) else "none"
    return state == "device"


def second_step_done(request: HttpRequest) -> bool:
    """Whether this session may use staff pages: verified, or with no second step to pass."""
    return request.user.is_verified() or not must_verify(request)


class TwoStepMiddleware:
    """A signed-in person who must pass the second step and has not reaches only the second-step pages,
    sign-out, static files, the health check and the patient portal (which has its own sign-in by link).
    Everything else, the admin site included, sends them to the second step and back afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not self.open_path(request.path):
            if request.session.get(SESSION_PASSED):
                # Verified earlier in this session, and the device is gone: a clinic admin reset it.
                logout(request)
                messages.info(request, RESET_MESSAGE)
                return redirect_with_next(request, reverse("login"))
            if must_verify(request):
                return redirect_with_next(request, reverse("two_step:verify"))
        return self.get_response(request)

    @staticmethod
    def open_path(path: str) -> bool:
        if path.startswith((settings.STATIC_URL, "/p/")):
            return True
        pages = ("two_step:verify", "two_step:set_up", "two_step:recovery_codes", "login", "logout", "health")
        return path in {reverse(name) for name in pages}
