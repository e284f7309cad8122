"""Staff sessions end after SESSION_IDLE_MINUTES without a request and after SESSION_MAX_HOURS."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

STARTED = "haven_started"
LAST_SEEN = "haven_last_seen"
# Writing the session on every request would cost a database write per page; a one-minute
# granularity is plenty for a 15-minute idle limit.
TOUCH_EVERY_SECONDS = 60
IDLE_MESSAGE = "You were signed out after {minutes} minutes without activity, to keep patient information safe."
MAX_AGE_MESSAGE = "You were signed out because your session reached {hours} hours. Please sign in again."


class StaffSessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            ended = self.ended_because(request.session, now=time.time())
            if ended:
                logout(request)
                messages.info(request, ended)
                return self.to_sign_in(request)
        return self.get_response(request)

    @staticmethod
    def ended_because(session, *, now: float) -> str | None:
        started = session.setdefault(STARTED, now)
        last_seen = session.get(LAST_SEEN, now)
        if now - last_seen > settings.SESSION_IDLE_MINUTES * 60:
            return IDLE_MESSAGE.format(minutes=settings.SESSION_IDLE_MINUTES)
        if now - started > settings.SESSION_MAX_HOURS * 3600:
            return MAX_AGE_MESSAGE.format(hours=settings.SESSION_MAX_HOURS)
        if now - last_seen >= TOUCH_EVERY_SECONDS or LAST_SEEN not in session:
            session[LAST_SEEN] = now
        return None

    @staticmethod
    def to_sign_in(request):
        sign_in = f"{reverse('login')}?next={request.path}"
        if request.htmx:
            response = redirect(sign_in)
            response.status_code = 204
            response["HX-Redirect"] = sign_in
            return response
        return redirect(sign_in)
