"""The patient-facing pages. Opening a link (GET) changes nothing a mail scanner could trigger:
the token moves into a short patient session, and only explicit submissions write."""

import time
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import record_access
from portal.models import PatientLink
from portal.ratelimit import too_many
from portal.services import find_link, note_first_open, renew_expired_link

SESSION_LINK = "portal_link_id"
SESSION_SEEN = "portal_last_seen"
PORTAL_IDLE_SECONDS = 30 * 60


def portal_page(view):
    """Portal pages: never cached, and no Referer ever leaves for another site (the link token
    must not leak). Not "no-referrer": with it browsers send `Origin: null` on form posts, which
    Django's CSRF check rightly refuses, so patients could not submit anything."""

    @wraps(view)
    @never_cache
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


@portal_page
@require_GET
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    if too_many(request, "open"):
        return closed_page(request, token="", status=429)
    link = find_link(token)
    if link is None or not link.is_usable():
        return closed_page(request, token=token)
    request.session.cycle_key()
    request.session[SESSION_LINK] = link.id
    request.session[SESSION_SEEN] = time.time()
    note_first_open(link)
    return redirect("portal:home")


@portal_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    link = current_link(request)
    if link is None:
        return closed_page(request, token="")
    record_access(request=request, patient=link.patient, action=Action.VIEW, target="portal home", by_patient=True)
    return TemplateResponse(request, "portal/home.html", {"patient": link.patient, "link": link})


@portal_page
@require_POST
def request_new_link(request: HttpRequest, token: str) -> HttpResponse:
    if not too_many(request, "renew"):
        renew_expired_link(token=token)
    # The same words whatever happened, so the page reveals nothing about the link.
    return TemplateResponse(request, "portal/new_link_requested.html", {})


def current_link(request: HttpRequest) -> PatientLink | None:
    link_id, seen = request.session.get(SESSION_LINK), request.session.get(SESSION_SEEN, 0)
    if not link_id:
        return None
    if time.time() - seen > PORTAL_IDLE_SECONDS:
        end_patient_session(request)
        return None
    link = PatientLink.objects.select_related("patient").filter(id=link_id).first()
    if link is None or not link.is_usable():
        end_patient_session(request)
        return None
    request.session[SESSION_SEEN] = time.time()
    return link


def end_patient_session(request: HttpRequest) -> None:
    """Forget the link (a staff sign-in in the same browser, if any, is left alone)."""
    request.session.pop(SESSION_LINK, None)
    request.session.pop(SESSION_SEEN, None)


def closed_page(request: HttpRequest, *, token: str, status: int = 200) -> HttpResponse:
    """One calm page for unknown, expired, used and throttled links alike."""
    return TemplateResponse(request, "portal/link_closed.html", {"token": token}, status=status)
