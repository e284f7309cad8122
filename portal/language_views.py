"""The language switch on every portal page ("English / Español")."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.language import choose_language
from portal.middleware import portal_prefix
from portal.views import portal_page


def back_to(request: HttpRequest) -> str:
    """The portal page the switch was pressed on; the portal home for anything else."""
    target = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe and target.startswith(portal_prefix()) else portal_prefix()


@portal_page
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Keep the chosen language for this session and go back to the same page. Changes nothing else."""
    choose_language(request.session, request.POST.get("language", ""))
    return redirect(back_to(request))
