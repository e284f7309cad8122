"""Portal pages in the patient's language (portal/language.py); every other page stays English."""

from __future__ import annotations

from functools import cache

from django.urls import reverse
from django.utils import translation

from portal.language import portal_language


@cache
def portal_prefix() -> str:
    return reverse("portal:home")  # "/p/"


class PortalLanguageMiddleware:
    """Activates the patient's language for a portal request, and only for it.

    Before the view: the language chosen in this session (the switch, or the patient's language on file kept
    when the session started), else the browser's own (a page before any sign-in: a closed link, "Get my
    link"). For a page whose session has no choice yet (a session started elsewhere), the page's own patient
    decides before the template renders (``process_template_response``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(portal_prefix()):
            return self.get_response(request)
        browser = translation.get_language_from_request(request)
        with translation.override(portal_language(None, request.session, browser)):
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        return response

    def process_template_response(self, request, response):
        if request.path.startswith(portal_prefix()):
            patient = (response.context_data or {}).get("patient")
            browser = translation.get_language_from_request(request)
            translation.activate(portal_language(patient, request.session, browser))
        return response
