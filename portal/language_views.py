"""The language switch on every portal page ("English / Español")."""

from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from portal.language import choose_language
from portal.middleware import portal_prefix
from portal.views import portal_page


def back_to(request: HttpRequest) -> str:
    """The portal page the switch was pressed on (the same-origin Referer, which the portal's
    Referrer-Policy sends); the portal home for anything else."""
    referer = request.headers.get("referer", "")
    same_site = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if not same_site:
        return portal_prefix()
    path = urlsplit(referer).path
    return path if path.startswith(portal_prefix()) else portal_prefix()


# No CSRF token: the switch changes only which language this browser's portal pages are shown in (nothing
# about the patient, nothing stored for them), and a token on every page would make the calm pages differ
# from one request to the next (they must be identical whatever link was used).
@csrf_exempt
@portal_page
@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Keep the chosen language for this session and go back to the same page. Changes nothing else."""
    choose_language(request.session, request.POST.get("language", ""))
    return redirect(back_to(request))
