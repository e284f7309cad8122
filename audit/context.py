"""Where an audited action came from, without the request: services take this, not an HttpRequest.

A view passes `request.audit` (set once per request by audit.middleware.AuditContextMiddleware); a task, a
command or the admin without a request passes nothing (NO_REQUEST): the event then has no page and no address.
Who did it is the service's `by`, never read from here, so the signed-in user and the actor cannot disagree.
"""

from dataclasses import dataclass

from django.http import HttpRequest

from clinic.log_filters import redact_patient_links

PATH_LENGTH = 300  # AuditEvent.path's max_length


@dataclass(frozen=True)
class AuditContext:
    path: str = ""  # already redacted: a patient link's token never reaches the audit trail
    ip: str | None = None

    @classmethod
    def of_request(cls, request: HttpRequest) -> "AuditContext":
        return cls(path=redact_patient_links(request.path)[:PATH_LENGTH], ip=request.META.get("REMOTE_ADDR") or None)


NO_REQUEST = AuditContext()


def context_of(request) -> AuditContext:  # an HttpRequest
    """The request's context; built here for a request that skipped the middleware (a RequestFactory one)."""
    context = getattr(request, "audit", None)
    return context if context is not None else AuditContext.of_request(request)
