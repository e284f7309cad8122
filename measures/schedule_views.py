"""The patient's questionnaire schedule: list, edit one instrument, pause/resume, start the protocol.

Who: anyone who may open the patient (clinic/access.py: the care team, coordinators, admins) sees the schedule;
outsiders get a 404. Only clinicians on the patient's care team change it (``may_change_schedule``): pausing the
PHQ-9 also pauses its item-9 screen, a clinical decision. Everyone else is refused (403) before any form is read,
the page offers them no controls, and the refused attempt is audited as REFUSED with what was tried. Changes are
POST only; the services audit them (measures/scheduling.py), the views what they show and what was refused.

"Send what is due now" (measures/send_now.py) is for coordinators, clinic admins and clinicians on the team
(``may_send_questionnaires``); the page also shows the clinic's visit protocol (measures/visits.py).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.models import Action
from audit.services import record_access
from clinic.access import get_patient_for_user
from clinic.access.schedules import (
    SCHEDULE_CHANGERS_ONLY,
    SENDERS_ONLY,
    may_change_schedule,
    may_send_questionnaires,
)
from clinic.dates import held_for_message_hours_words, quiet_hours_words
from measures.forms import ScheduleForm
from measures.models import Instrument, Invitation, MeasurementSchedule
from measures.scheduling import (
    instrument_name,
    schedules_for,
    set_schedule_active,
    start_default_schedule,
    update_schedule,
)
from measures.send_now import Sent, send_due_now
from measures.visits import describe_line, visit_protocol_lines
from patients.banner import patient_page


def instrument_names() -> dict[str, str]:
    return dict(Instrument.objects.order_by("loaded_at").values_list("code", "name"))


def schedule_or_404(patient, instrument_code: str) -> MeasurementSchedule:
    try:
        schedule = MeasurementSchedule.objects.get(patient=patient, instrument_code=instrument_code)
    except MeasurementSchedule.DoesNotExist:
        raise Http404("No such schedule.") from None
    schedule.patient = patient  # reached through the access rule: the service's check needs no query
    return schedule


def back_to_list(patient):
    return redirect("measures:schedule", public_id=patient.public_id)


REFUSED_VERBS = {Action.VIEW: "to see", Action.UPDATE: "to change", Action.CREATE: "to add"}


def refused(
    request: HttpRequest, patient, *, action: Action, target: str, reason: str = SCHEDULE_CHANGERS_ONLY
) -> TemplateResponse:
    """The refusal page (403), after auditing the attempt as REFUSED (with what was tried, like every other
    refusal: audit/refusals.py). A response, not an exception, so that the audit event is kept whatever the
    request's transaction does."""
    tried = REFUSED_VERBS[action]
    record_access(request=request, patient=patient, action=Action.REFUSED, target=f"refused (403) {tried}: {target}")
    context = {"patient": patient, "reason": reason}
    return patient_page(request, "measures/schedule_refused.html", context, status=403)


@login_required
@require_http_methods(["GET"])
def schedule_list(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    record_access(request=request, patient=patient, action=Action.VIEW, target="questionnaire schedule")
    names = instrument_names()
    rows = [
        (schedule, names.get(schedule.instrument_code, schedule.instrument_code)) for schedule in schedules_for(patient)
    ]
    today = timezone.localdate()
    context = {
        "patient": patient,
        "rows": rows,
        "today": today,
        "may_change": may_change_schedule(request.user, patient),
        "changers_only": SCHEDULE_CHANGERS_ONLY,
        "may_send": may_send_questionnaires(request.user, patient),
        "sent_today": Invitation.objects.filter(patient=patient, due_on=today).exists(),
        "visit_lines": [describe_line(line, names) for line in visit_protocol_lines()],
        "quiet_hours": quiet_hours_words(),
    }
    return patient_page(request, "measures/schedule.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, public_id, instrument_code: str) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    schedule = schedule_or_404(patient, instrument_code)
    name = instrument_name(schedule.instrument_code)
    if not may_change_schedule(request.user, patient):
        action = Action.UPDATE if request.method == "POST" else Action.VIEW
        return refused(request, patient, action=action, target=f"questionnaire schedule: {name}")
    today = timezone.localdate()
    if request.method == "POST":
        form = ScheduleForm(request.POST, today=today)
        if form.is_valid():
            update_schedule(schedule=schedule, by=request.user, audit=request.audit, **form.cleaned_data)
            messages.success(request, f"{name} schedule saved.")
            return back_to_list(patient)
    else:
        initial_due = max(schedule.next_due_on, today)
        form = ScheduleForm(
            initial={"every_days": schedule.every_days, "next_due_on": initial_due, "active": schedule.active},
            today=today,
        )
    record_access(request=request, patient=patient, action=Action.VIEW, target=f"questionnaire schedule: {name}")
    context = {"patient": patient, "schedule": schedule, "name": name, "form": form}
    return patient_page(request, "measures/schedule_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def schedule_toggle(request: HttpRequest, public_id, instrument_code: str) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    schedule = schedule_or_404(patient, instrument_code)
    name = instrument_name(schedule.instrument_code)
    active = request.POST.get("active") == "resume"
    if not may_change_schedule(request.user, patient):
        verb = "resume" if active else "pause"
        return refused(request, patient, action=Action.UPDATE, target=f"questionnaire schedule: {name}: {verb}")
    today = timezone.localdate()
    changed = set_schedule_active(schedule=schedule, active=active, by=request.user, today=today, audit=request.audit)
    if active:
        messages.success(request, f"{name} resumed: next due {changed.next_due_on:%b %-d, %Y}.")
    else:
        messages.success(request, f"{name} paused: it is not sent until you resume it.")
    return back_to_list(patient)


@login_required
@require_POST
def schedule_start(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    target = "questionnaire schedule: default protocol"
    if not may_change_schedule(request.user, patient):
        return refused(request, patient, action=Action.CREATE, target=target)
    start_default_schedule(patient=patient, start_on=timezone.localdate(), by=request.user, audit=request.audit)
    messages.success(request, "Default protocol started: the first questionnaires are due today.")
    return back_to_list(patient)


SENT_WORDS = {
    Sent.SENT: "Sent: the patient's questionnaires went out as one link.",
    Sent.HELD: "The patient already had a message from the clinic today, so the link goes tomorrow morning.",
    Sent.NO_CHANNEL: (
        "Not sent: the patient has not agreed to email or text messages. A coordinator task asks someone to call."
    ),
    Sent.ALREADY: "Already sent today: the patient gets one link a day, so nothing more was sent.",
    Sent.NOTHING: "Nothing is due for this patient now, so nothing was sent.",
}


@login_required
@require_POST
def send_now(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    if not may_send_questionnaires(request.user, patient):
        return refused(request, patient, action=Action.CREATE, target="questionnaires: send now", reason=SENDERS_ONLY)
    outcome = send_due_now(patient=patient, by=request.user, audit=request.audit)
    words = SENT_WORDS[outcome.state]
    if outcome.state == Sent.SENT:
        words += held_for_message_hours_words()
    level = messages.success if outcome.state == Sent.SENT else messages.info
    level(request, words)
    return back_to_list(patient)
