"""When the database is down, answer 503 with Retry-After and a calm page instead of a 500.

Django turns an exception raised anywhere inside the middleware stack (the session middleware loading or
saving a session, a view's query) into a 500 response before an outer middleware sees it, and sends the
``got_request_exception`` signal while doing so. The receiver below marks the request when that exception
is a database OperationalError or InterfaceError (Postgres down, the connection lost, a refused connection);
OutageMiddleware, first in MIDDLEWARE, then swaps the 500 for a 503. The error is still logged as before.

The page is rendered without the request and without context processors, so it touches no database.
"""

import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.dispatch import receiver
from django.http import HttpResponse
from django.template.loader import get_template
from django.utils.csp import CSP, build_policy

RETRY_AFTER_SECONDS = 30
OUTAGE_ATTRIBUTE = "_haven_database_unavailable"
#: Headers of the 500 response that describe its body or its caching; the security headers the inner
#: middleware added (CSP, HSTS, Referrer-Policy...) are kept on the 503.
DROPPED_HEADERS = {
    "content-length",
    "content-type",
    "set-cookie",
    "etag",
    "last-modified",
    "expires",
    "vary",
    "cache-control",
}


@receiver(got_request_exception, dispatch_uid="clinic.outage.note_database_outage")
def note_database_outage(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OperationalError | InterfaceError):
        setattr(request, OUTAGE_ATTRIBUTE, True)


def outage_response(inner: HttpResponse | None = None) -> HttpResponse:
    body = get_template("503.html").render({})
    response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
    if inner is not None:
        for name, value in inner.items():
            if name.lower() not in DROPPED_HEADERS:
                response[name] = value
    if settings.SECURE_CSP and CSP.HEADER_ENFORCE not in response:  # the failure came before CSP's middleware ran
        response[CSP.HEADER_ENFORCE] = build_policy(settings.SECURE_CSP)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    """First in MIDDLEWARE: a request that failed on the database gets the calm 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except (OperationalError, InterfaceError):  # only when exceptions propagate (DEBUG_PROPAGATE_EXCEPTIONS)
            return outage_response()
        if getattr(request, OUTAGE_ATTRIBUTE, False):
            return outage_response(response)
        return response
