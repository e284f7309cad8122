"""Staff sign-in: bounded inputs and a per-account cap on password guesses.

Two limits stack (README "Staff sign-in"):

- django-axes locks one account on one address after AXES_FAILURE_LIMIT failures (settings).
- This module caps guesses at one account from *any* number of addresses: once an account has had
  SIGN_IN_ACCOUNT_FAILURE_LIMIT failures in the last hour, sign-ins to it from an address it has never
  signed in from successfully are refused with the usual "wrong username or password" answer, without
  checking the password, until the oldest failures are more than an hour old. Addresses the account
  signed in from in the last SIGN_IN_KNOWN_ADDRESS_DAYS keep working (axes still limits each of them),
  so a stranger cannot lock the owner out of their usual device.

Counters live in the cache (Redis), keyed by a keyed hash of the username (never the username itself):
one counter per minute, summed over the last 60 minutes. If the cache is unreachable the sign-in
goes ahead under axes alone, so an infrastructure hiccup never locks the clinic out.
"""

from __future__ import annotations

import logging
import time
import unicodedata

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.urls import reverse
from django.utils.crypto import salted_hmac

from clinic.roles import Role

logger = logging.getLogger(__name__)

# The User.username column holds 150 characters; axes writes what was typed to a varchar(255).
USERNAME_MAX_LENGTH = 150
# Far above any password manager's output; bounds the hashing work one request can ask for.
PASSWORD_MAX_LENGTH = 1024
WINDOW_MINUTES = 60


def account_key(username: str) -> str:
    """A keyed hash of the username as typed, case-folded so 'Dr.Okafor' and 'dr.okafor' count together."""
    folded = unicodedata.normalize("NFKC", username).casefold()
    return salted_hmac("haven.sign_in.account", folded, algorithm="sha256").hexdigest()[:40]


def address_key(address: str) -> str:
    return salted_hmac("haven.sign_in.address", address or "", algorithm="sha256").hexdigest()[:40]


def _minute(now: float) -> int:
    return int(now // 60)


def _failure_keys(prefix: str, account: str, now: float, minutes: int) -> list[str]:
    minute = _minute(now)
    return [f"{prefix}:{account}:{m}" for m in range(minute - minutes + 1, minute + 1)]


def failures_in_window(prefix: str, username: str, *, minutes: int = WINDOW_MINUTES, now: float | None = None) -> int:
    """Failures counted for this account in the last `minutes` minutes (minute granularity)."""
    now = time.time() if now is None else now
    keys = _failure_keys(prefix, account_key(username), now, minutes)
    return sum(int(value) for value in cache.get_many(keys).values())


def count_failure(prefix: str, username: str, *, now: float | None = None) -> None:
    now = time.time() if now is None else now
    key = f"{prefix}:{account_key(username)}:{_minute(now)}"
    # Kept a little longer than the longest window that reads it (sign-in hour, kiosk cool-off).
    timeout = (max(WINDOW_MINUTES, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)) + 2) * 60
    if not cache.add(key, 1, timeout=timeout):
        cache.incr(key)


SIGN_IN = "sign-in-fail"


def remember_address(username: str, address: str) -> None:
    """After a successful sign-in: this address is now one of the account's usual paths."""
    try:
        cache.set(
            f"sign-in-known:{account_key(username)}:{address_key(address)}",
            1,
            timeout=settings.SIGN_IN_KNOWN_ADDRESS_DAYS * 86400,
        )
    except Exception:
        logger.warning("sign-in limiter unavailable; address not remembered")


def refused_for_account(username: str, address: str) -> bool:
    """True when this account is over its hourly cap and the address is not one of its usual ones."""
    try:
        if failures_in_window(SIGN_IN, username) < settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT:
            return False
        return cache.get(f"sign-in-known:{account_key(username)}:{address_key(address)}") is None
    except Exception:
        logger.warning("sign-in limiter unavailable; axes alone limits this sign-in")
        return False


def record_sign_in_failure(username: str) -> None:
    try:
        count_failure(SIGN_IN, username)
    except Exception:
        logger.warning("sign-in limiter unavailable; failure not counted")


class BoundedSignInMixin:
    """For AuthenticationForm subclasses: refuse over-long input and over-limit accounts before
    anything is looked up or written, with the form's ordinary invalid-login message."""

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password") or ""
        if len(username) > USERNAME_MAX_LENGTH or len(password) > PASSWORD_MAX_LENGTH:
            raise self.get_invalid_login_error()
        if username and password:
            address = self.request.META.get("REMOTE_ADDR", "") if self.request else ""
            if refused_for_account(username, address):
                raise self.get_invalid_login_error()
            try:
                cleaned = super().clean()
            except forms.ValidationError:
                record_sign_in_failure(username)
                raise
            remember_address(username, address)
            return cleaned
        return super().clean()


class SignInForm(BoundedSignInMixin, AuthenticationForm):
    """The staff sign-in form (accounts/sign-in/)."""


# --- The kiosk unlock (measures.views.kiosk_unlock): the same limit as axes puts on sign-in -----------
# AXES_FAILURE_LIMIT wrong passwords for one account within AXES_COOLOFF_TIME pause the unlock for that
# account until the oldest of them is older than the cool-off; a right password clears the count
# (as AXES_RESET_ON_SUCCESS does for sign-in).
KIOSK_UNLOCK = "kiosk-unlock-fail"


def cooloff_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def kiosk_unlock_paused(username: str) -> bool:
    try:
        return failures_in_window(KIOSK_UNLOCK, username, minutes=cooloff_minutes()) >= settings.AXES_FAILURE_LIMIT
    except Exception:
        logger.warning("kiosk unlock limiter unavailable; allowing the attempt")
        return False


def record_kiosk_unlock_failure(username: str) -> None:
    try:
        count_failure(KIOSK_UNLOCK, username)
    except Exception:
        logger.warning("kiosk unlock limiter unavailable; failure not counted")


def forget_kiosk_unlock_failures(username: str) -> None:
    try:
        cache.delete_many(_failure_keys(KIOSK_UNLOCK, account_key(username), time.time(), cooloff_minutes()))
    except Exception:
        logger.warning("kiosk unlock limiter unavailable; failures not cleared")


def landing_url(user) -> str:
    """Where a person lands after signing in: clinicians on their Today, everyone else on the home page."""
    if getattr(user, "role", None) == Role.CLINICIAN:
        return reverse("today:day")
    return reverse("home")


class SignInView(LoginView):
    """Django's sign-in with the bounded form; without a ?next= it lands on the person's landing page."""

    redirect_authenticated_user = True
    authentication_form = SignInForm

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)
