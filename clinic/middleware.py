"""Staff sessions end after SESSION_IDLE_MINUTES without a request and after SESSION_MAX_HOURS."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

STARTED = "haven_started"
LAST_SEEN = "haven_last_seen"
# Writing the session on every request would cost a database write per page; a one-minute
# granularity is plenty for a 15-minute idle limit.
TOUCH_EVERY_SECONDS = 60
IDLE_MESSAGE = "You were signed out after {minutes} minutes without activity, to keep patient information safe."
MAX_AGE_MESSAGE = "You were signed out because your session reached {hours} hours. Please sign in again."


class StaffSessionLimitsMiddleware:
    """Ends a staff session that has been idle too long or has lasted too long."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            ended = self.ended_because(request.session, now=time.time(), activity=not is_session_check(request))
            if ended:
                logout(request)
                messages.info(request, ended)
                return self.to_sign_in(request)
        return self.get_response(request)

    @staticmethod
    def ended_because(session, *, now: float, activity: bool = True) -> str | None:
        started = session.setdefault(STARTED, now)
        last_seen = session.get(LAST_SEEN, now)
        if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            return IDLE_MESSAGE.format(minutes=settings.SESSION_IDLE_MINUTES)
        if now - started > settings.SESSION_MAX_HOURS * 3600:
            return MAX_AGE_MESSAGE.format(hours=settings.SESSION_MAX_HOURS)
        if activity and (now - last_seen >= TOUCH_EVERY_SECONDS or LAST_SEEN not in session):
            session[LAST_SEEN] = now
        return None

    @staticmethod
    def to_sign_in(request) -> HttpResponse:
        if wants_json(request):  # autosave, keepalive: the page says so and keeps what was typed
            return signed_out_answer()
        return redirect_with_next(request, reverse("login"))


def is_session_check(request) -> bool:
    """The idle warning asking how long the session has left (GET keepalive): asking is not activity, or
    an idle tab's question would keep a forgotten session alive."""
    return request.method == "GET" and request.path == reverse("keepalive")


def seconds_left(session, *, now: float) -> int:
    """Seconds until this session ends if nothing else happens: the idle limit or the maximum, whichever
    comes first (what the page's idle warning counts down from)."""
    idle_ends = session.get(LAST_SEEN, now) + settings.SESSION_IDLE_MINUTES * 60
    max_ends = session.get(STARTED, now) + settings.SESSION_MAX_HOURS * 3600
    return max(0, int(min(idle_ends, max_ends) - now))


def touch(session, *, now: float) -> None:
    """Count this request as activity now (the middleware itself only notes it once a minute)."""
    session[LAST_SEEN] = now


SIGNED_OUT = "You were signed out, so this was not saved. What you typed is kept in this tab: sign in again."


def wants_json(request) -> bool:
    """A page's background request (autosave, keepalive) asks for JSON; a page or htmx asks for HTML."""
    return "application/json" in request.headers.get("Accept", "") and not request.htmx


def signed_out_answer() -> JsonResponse:
    """401 for a background request without a session: no redirect for fetch() to follow into the sign-in
    page; the page itself links to sign-in with its own address as ``next``."""
    return JsonResponse({"signed_out": True, "message": SIGNED_OUT}, status=401)


def redirect_with_next(request, to: str) -> HttpResponse:
    """Send the person to ``to`` (sign-in, the second step) and back afterwards: to the page they were on,
    not to the fragment htmx asked for, nor to a POST's address."""
    if request.htmx:
        back_to = request.htmx.current_url_abs_path or reverse("home")
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{to}?{urlencode({'next': back_to})}"
        return response
    back_to = request.get_full_path() if request.method == "GET" else reverse("home")
    return redirect(f"{to}?{urlencode({'next': back_to})}")


class ClientAddressMiddleware:
    """Behind TRUSTED_PROXY_COUNT proxies, take the client's address from X-Forwarded-For.

    The lockout, the portal's rate limits and the audit trail all read REMOTE_ADDR; behind a
    proxy that is the proxy's own address. Only the hops our own proxies appended are trusted
    (counted from the right), so a client cannot choose its address by sending the header itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.TRUSTED_PROXY_COUNT:
            hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
            if len(hops) >= settings.TRUSTED_PROXY_COUNT:
                request.META["REMOTE_ADDR"] = hops[-settings.TRUSTED_PROXY_COUNT]
        return self.get_response(request)


KIOSK_LOCK = "kiosk_lock"


class KioskLockMiddleware:
    """While a clinician has handed the tablet to a patient, the signed-in session only reaches
    that patient's tablet pages; anything else asks for the clinician's password first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        locked_to = request.session.get(KIOSK_LOCK) if request.user.is_authenticated else None
        if locked_to and not self.allowed(request.path, locked_to):
            return redirect("measures:kiosk_unlock", public_id=locked_to)
        return self.get_response(request)

    @staticmethod
    def allowed(path: str, patient_public_id: str) -> bool:
        kiosk_pages = reverse("measures:kiosk_unlock", kwargs={"public_id": patient_public_id}).rsplit("unlock/", 1)[0]
        return path.startswith((kiosk_pages, settings.STATIC_URL)) or path == reverse("logout")


# Features no page of Haven uses; a page (or anything injected into it) may not ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "hid",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PrivacyHeadersMiddleware:
    """Every response: a restrictive Permissions-Policy. Every signed-in staff response other than a
    static file: Cache-Control no-store, so no browser or proxy keeps a copy of a page about a patient.

    Placed outside WhiteNoise so static files get the Permissions-Policy too; a policy or cache header a
    view set itself is kept (the portal's never_cache already says no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        staff_page = user is not None and user.is_authenticated and not request.path.startswith(settings.STATIC_URL)
        if staff_page and "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response
