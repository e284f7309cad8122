"""The clinic admin's FHIR API client pages: the list with the issue form, issuing (the token shown once),
and revoking. Thin views: permission first, a form, one service call, a message or a page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.services import record_access
from clinic.access.fhir_clients import may_manage_fhir_clients
from interop.api import clients
from interop.api.bearer import REQUESTS_PER_MINUTE
from interop.api.client_forms import MAX_LISTED, IssueClientForm
from interop.api.paging import DEFAULT_COUNT, MAX_COUNT
from interop.models import FhirClient


def refuse_unless_admin(user) -> None:
    if not may_manage_fhir_clients(user):
        raise PermissionDenied(clients.ONLY_ADMINS)


def render_list(request: HttpRequest, *, form: IssueClientForm | None = None, status: int = 200) -> TemplateResponse:
    rows = FhirClient.objects.for_admin_list().annotate(patient_count=Count("patients"))
    context = {
        "clients": rows,
        "form": form or IssueClientForm(),
        "api_base": request.build_absolute_uri("/fhir/"),
        "max_listed": MAX_LISTED,
        "per_minute": REQUESTS_PER_MINUTE,
        "default_count": DEFAULT_COUNT,
        "max_count": MAX_COUNT,
    }
    return TemplateResponse(request, "interop/clients/list.html", context, status=status)


@login_required
@require_GET
def client_list(request: HttpRequest) -> HttpResponse:
    refuse_unless_admin(request.user)
    record_access(request=request, patient=None, action=Action.VIEW, target="FHIR API clients")
    return render_list(request)


@login_required
@require_POST
def issue(request: HttpRequest) -> HttpResponse:
    refuse_unless_admin(request.user)
    form = IssueClientForm(request.POST)
    if not form.is_valid():
        return render_list(request, form=form, status=400)
    data = form.cleaned_data
    issued = clients.issue_client(
        name=data["name"], scopes=data["scopes"], patients=data["patients"], by=request.user, audit=request.audit
    )
    # The token is in this page's body only: never in a URL, a message, the session or a log.
    context = {"client": issued.client, "token": issued.token, "patient_count": len(data["patients"] or ())}
    return TemplateResponse(request, "interop/clients/issued.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, client_id) -> HttpResponse:
    refuse_unless_admin(request.user)
    client = get_object_or_404(FhirClient.objects.select_related("revoked_by"), public_id=client_id)
    if request.method == "GET":
        record_access(request=request, patient=None, action=Action.VIEW, target="FHIR API client: revoke?")
        return TemplateResponse(request, "interop/clients/revoke.html", {"client": client})
    if clients.revoke_client(client=client, by=request.user, audit=request.audit):
        messages.success(request, f"{client.name} is revoked: its token is refused from now on.")
    else:
        messages.info(request, f"{client.name} was already revoked; nothing changed.")
    return redirect("fhir_clients:list")
