"""The clinician's "Today" (their landing page after sign-in), the pre-visit summary of an appointment, and
starting the visit note from it. Thin views: access (the patient's rule: 404 to outsiders, audited), one read
or one service, an audit event, a page."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST, require_safe

from audit.models import Action
from audit.services import record_access
from clinic.access import patients_visible_to
from clinic.access.appointments import get_appointment_for_user
from clinic.access.visit_notes import CLINICIANS_CHART, may_chart_visits, may_write_visit_note
from clinic.dates import today as clinic_today
from clinic.models import Appointment, TeamTask
from clinic.previsit import previsit_summary
from clinic.previsit_services import start_note_from_summary
from clinic.today import SPRINT_ENDING_DAYS, day_for, with_since
from clinic.worklists import pressing_tasks
from patients.banner import banner_for, patient_page
from patients.models import Encounter

SUMMARY = "pre-visit summary"
TODAY_TASKS = 5
#: How far from today the day picker goes (the app's choice: a day further is a typed address, not a page).
FURTHEST_DAYS = 366


def chosen_day(request: HttpRequest) -> datetime.date:
    """The ?day= asked for (YYYY-MM-DD, within FURTHEST_DAYS of today), else today; never an error."""
    today = clinic_today()
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", "")[:10])
    except ValueError:
        return today
    return day if abs((day - today).days) <= FURTHEST_DAYS else today


@login_required
@require_safe
def today(request: HttpRequest) -> HttpResponse:
    """The signed-in clinician's appointments of one clinic-local day, each with one line of what needs
    attention; a constant number of queries."""
    day = chosen_day(request)
    schedule = day_for(request.user, day, visible_patients=patients_visible_to(request.user))
    tasks, more_tasks = pressing_tasks(request.user, limit=TODAY_TASKS)
    record_access(
        request=request,
        patient=None,
        action=Action.VIEW,
        target=f"today: appointments on {day.isoformat()}",
        shown=[row.patient for row in schedule.rows] + [task.patient for task in tasks if task.patient_id],
    )
    today = clinic_today()
    context = {
        "schedule": schedule,
        "tasks": tasks,
        "more_tasks": more_tasks,
        # Urgent work goes above the day, where it cannot be missed; other tasks below it.
        "urgent_first": any(task.priority == TeamTask.Priority.URGENT for task in tasks),
        "is_today": day == today,
        "today": today,
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1),
        "sprint_ending_days": SPRINT_ENDING_DAYS,
    }
    return TemplateResponse(request, "clinic/today.html", context)


def appointment_for(request: HttpRequest, appointment_id) -> Appointment:
    rows = with_since(Appointment.objects.select_related("patient", "clinician"))
    return get_appointment_for_user(request.user, appointment_id, queryset=rows)


@login_required
@require_safe
def summary(request: HttpRequest, appointment_id) -> HttpResponse:
    """One printable screen of what changed since the patient's last visit, each line linking to its page."""
    appointment = appointment_for(request, appointment_id)
    patient = appointment.patient
    banner = banner_for(patient, request.user)
    previsit = previsit_summary(appointment, request.user, banner=banner)
    may_start = may_write_visit_note(request.user, patient)
    draft = None
    if may_start:
        drafts = Encounter.objects.drafts().filter(appointment=appointment, author=request.user)
        draft = drafts.only("public_id").order_by("-id").first()
    record_access(request=request, patient=patient, action=Action.VIEW, target=SUMMARY)
    context = {"patient": patient, "banner": banner, "appointment": appointment, "summary": previsit}
    return patient_page(request, "clinic/previsit_summary.html", {**context, "may_start": may_start, "draft": draft})


@login_required
@require_POST
def start_note(request: HttpRequest, appointment_id) -> HttpResponse:
    """Start (or reopen) the clinician's draft visit note with the interval history drafted from the summary."""
    appointment = appointment_for(request, appointment_id)
    if not may_chart_visits(request.user):
        raise PermissionDenied(CLINICIANS_CHART)
    encounter, created = start_note_from_summary(appointment=appointment, by=request.user, audit=request.audit)
    if created:
        messages.success(request, "Draft started with the interval history from the summary. Edit it, then sign.")
    else:
        messages.info(request, "You had already started this visit's note: here is your draft.")
    return redirect("patients:edit_visit", public_id=appointment.patient.public_id, visit_id=encounter.public_id)
