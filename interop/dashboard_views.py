"""The outcomes and opioid-safety dashboard (clinic admins and the medical lead: clinic.access.dashboard), its
lists of patients behind each figure, and its figures as CSV.

The dashboard and the CSV show counts, never a patient; opening a list of patients is an access to each of
them and is audited as the worklists are (one event naming everyone on the page).
"""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import record_access
from clinic.access import patients_visible_to
from clinic.access.dashboard import refuse_unless_dashboard_reader
from interop.dashboard_safety import list_title, patients_in
from interop.dashboard_snapshot import FRESH_FOR, current_figures, refresh_figures
from interop.dashboard_sql import figures_available
from interop.replica import reading_from_replica

LIST_SIZE = 200
NEEDS_POSTGRES = "interop/dashboard/needs_postgres.html"


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    refuse_unless_dashboard_reader(request.user)
    if not figures_available():
        return TemplateResponse(request, NEEDS_POSTGRES)
    figures = current_figures()
    record_access(request=request, patient=None, action=Action.VIEW, target="outcomes and safety dashboard")
    context = {
        "report": figures.report,
        "worked_out_at": figures.worked_out_at,
        "fresh_minutes": int(FRESH_FOR.total_seconds() // 60),
        "today": timezone.localdate(),
    }
    return TemplateResponse(request, "interop/dashboard/dashboard.html", context)


@login_required
@require_POST
def work_out_again(request: HttpRequest) -> HttpResponse:
    """The figures worked out now, for a reader who has just changed something they count."""
    refuse_unless_dashboard_reader(request.user)
    if figures_available():
        refresh_figures()
        messages.success(request, "The figures have been worked out again.")
    return redirect("dashboard:dashboard")


@login_required
@require_GET
def figures_csv(request: HttpRequest) -> HttpResponse:
    refuse_unless_dashboard_reader(request.user)
    if not figures_available():
        return TemplateResponse(request, NEEDS_POSTGRES)
    report = current_figures().report
    record_access(request=request, patient=None, action=Action.EXPORT, target="outcomes and safety figures (CSV)")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="haven-figures-{timezone.localdate():%Y-%m-%d}.csv"'
    csv.writer(response).writerows(report.csv_rows())
    return response


@login_required
@require_GET
def patient_list(request: HttpRequest, measure: str) -> HttpResponse:
    """The patients behind one figure, first LIST_SIZE by name, each linking to the chart."""
    refuse_unless_dashboard_reader(request.user)
    title = list_title(measure)
    if title is None:
        raise Http404("No such list.")
    if not figures_available():
        return TemplateResponse(request, NEEDS_POSTGRES)
    with reading_from_replica():
        chosen = (patients_in(measure) & patients_visible_to(request.user)).order_by("family_name", "given_name", "id")
        found = list(
            chosen.only("public_id", "mrn", "given_name", "family_name", "preferred_name", "date_of_birth")[
                : LIST_SIZE + 1
            ]
        )
    rows, more = found[:LIST_SIZE], len(found) > LIST_SIZE
    record_access(request=request, patient=None, action=Action.VIEW, target=f"dashboard list: {measure}", shown=rows)
    context = {
        "title": title,
        "rows": rows,
        "more": more,
        "list_size": LIST_SIZE,
        "sees_every_patient": request.user.sees_every_patient,
    }
    return TemplateResponse(request, "interop/dashboard/patient_list.html", context)
