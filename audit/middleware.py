"""Builds the request's AuditContext once, for the views to hand to the services they call."""

from audit.context import AuditContext


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.audit = AuditContext.of_request(request)
        return self.get_response(request)
