"""The research export's page (clinic admins): what is in it and what never is, and the download (a POST)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.access.refusals import refuse_unless
from clinic.access.research import ADMINS_ONLY, may_run_research_export
from interop.research_export import FIXED_COLUMNS, research_export_lines


@login_required
@require_http_methods(["GET", "POST"])
def research_export(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: the CSV, streamed; the run is audited with its row count when the stream ends."""
    refuse_unless(may_run_research_export(request.user), ADMINS_ONLY)  # others: the 403 page, audited
    if request.method == "GET":
        return TemplateResponse(request, "interop/research/export.html", {"columns": FIXED_COLUMNS})
    response = StreamingHttpResponse(
        research_export_lines(by=request.user, audit=request.audit), content_type="text/csv; charset=utf-8"
    )
    filename = f"haven-research-export-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
