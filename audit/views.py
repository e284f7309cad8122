from datetime import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from audit.models import Action, AuditEvent
from audit.services import record_access
from clinic.access import get_patient_for_user
from patients.banner import patient_page

PAGE_SIZE = 100


@login_required
@permission_required("audit.view_access_report", raise_exception=True)
@require_GET
def patient_access_report(request: HttpRequest, public_id) -> HttpResponse:
    """Who has looked at this record: newest first, 100 a page, keyset-paged by (time, id).

    ``?refused=1`` keeps only the refused attempts (a 404 or 403 on this patient's record: who tried what)."""
    patient = get_patient_for_user(request.user, public_id)
    refused_only = request.GET.get("refused") == "1"
    record_access(request=request, patient=patient, action=Action.VIEW, target="access report")
    events = AuditEvent.objects.for_patient(patient)
    if refused_only:
        events = events.refused()
    before, before_id = read_cursor(request.GET)
    if before and before_id:
        # Events can share a timestamp; the id breaks the tie so none is skipped between pages.
        events = events.filter(Q(at__lt=before) | Q(at=before, id__lt=before_id))
    elif before:
        events = events.filter(at__lt=before)
    page = list(events[: PAGE_SIZE + 1])
    last = page[PAGE_SIZE - 1] if len(page) > PAGE_SIZE else None
    cursor = {"before": last.at.isoformat(), "before_id": last.id} if last else {}
    context = {
        "patient": patient,
        "events": page[:PAGE_SIZE],
        "refused_only": refused_only,
        "next_query": urlencode({**cursor, **({"refused": "1"} if refused_only else {})}) if last else "",
    }
    return patient_page(request, "audit/access_report.html", context)


def read_cursor(params) -> tuple[datetime | None, int | None]:
    """The page cursor from the query string; anything unreadable means the first page."""
    try:
        before = parse_datetime(params.get("before", "") or "")
    except ValueError:  # well formed but impossible, like February 30
        return None, None
    if before and timezone.is_naive(before):
        before = timezone.make_aware(before)
    before_id = params.get("before_id", "")
    return before, int(before_id) if before and before_id.isdecimal() and len(before_id) < 19 else None
