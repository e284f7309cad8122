"""The one exception a service raises when the person may not do what they asked.

``Refused`` is a ``PermissionDenied``: a view that lets it through shows the 403 page and the refused attempt
is audited (audit.refusals.RefusedAccessMiddleware); its message says who may, for the person who asked.
"""

from django.core.exceptions import PermissionDenied


class Refused(PermissionDenied):
    """The person may not make this change; the message says who may."""


def refuse_unless(allowed: bool, why: str) -> None:
    if not allowed:
        raise Refused(why)
