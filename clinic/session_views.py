"""The staff session seen from a page: the keepalive behind the idle warning's "Stay signed in", and the
decorator that answers a page's background requests (autosave, keepalive) with 401 JSON, not a redirect to
the sign-in page, once the session has ended.

Activity: any request counts (clinic/middleware.py), so autosave counts too: typing a note is working, and
signing someone out while they type would lose nothing (the draft is saved) but would interrupt them. An
idle screen still ends after SESSION_IDLE_MINUTES, and SESSION_MAX_HOURS still ends every session, typing
or not.
"""

import time
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from clinic.middleware import redirect_with_next, seconds_left, signed_out_answer, touch, wants_json


def signed_in_or_401(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required for background requests: 401 JSON (never a redirect) to someone not signed in; a plain
    form posted to the same address (a draft's "Discard" button) goes to the sign-in page as usual."""

    @wraps(view)
    def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return signed_out_answer() if wants_json(request) else redirect_with_next(request, reverse("login"))
        return view(request, *args, **kwargs)

    return checked


def session_answer(request: HttpRequest, **extra) -> JsonResponse:
    """JSON for a page's background request, with the seconds left in the session (the idle warning)."""
    return JsonResponse({**extra, "seconds_left": seconds_left(request.session, now=time.time())})


@signed_in_or_401
@require_http_methods(["GET", "POST"])
def keepalive(request: HttpRequest) -> HttpResponse:
    """POST, "Stay signed in": this request is activity; answers how long the session now has (the 12-hour
    maximum is not extended). GET only asks how long it has left, without counting as activity (the
    middleware does not touch the clock for it): an idle tab checks before it warns, since another tab may
    have kept the session alive. Reads and shows no patient data, so it writes no audit event."""
    if request.method == "POST":
        touch(request.session, now=time.time())
    return session_answer(request, kept=request.method == "POST")
