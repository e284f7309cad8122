from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET

from audit.models import Action, AuditEvent
from audit.services import record_access
from clinic.access import get_patient_for_user

PAGE_SIZE = 100


@login_required
@permission_required("audit.view_access_report", raise_exception=True)
@require_GET
def patient_access_report(request: HttpRequest, public_id) -> HttpResponse:
    """Who has looked at this record: newest first, 100 a page, keyset-paged by time."""
    patient = get_patient_for_user(request.user, public_id)
    record_access(request=request, patient=patient, action=Action.VIEW, target="access report")
    events = AuditEvent.objects.for_patient(patient)
    before = parse_datetime(request.GET.get("before", "") or "")
    if before:
        events = events.filter(at__lt=before)
    page = list(events[: PAGE_SIZE + 1])
    context = {
        "patient": patient,
        "events": page[:PAGE_SIZE],
        "next_before": page[PAGE_SIZE - 1].at if len(page) > PAGE_SIZE else None,
    }
    return TemplateResponse(request, "audit/access_report.html", context)
