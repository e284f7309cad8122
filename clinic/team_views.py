"""Team coordination pages: the worklist, team tasks, team messages and the early warning on the chart,
and case conferences. Thin views: access first (404 for what the person may not see), a form, one
service call or model method, an audit event, a message, a redirect.

Clinic admins read every page here and change nothing (clinic.access.tasks.may_coordinate).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.services import record_access, record_access_each, record_event
from clinic import conferences, outbox_restore, selectors
from clinic.access import get_patient_for_user, patients_visible_to
from clinic.access import staff as staff_rules
from clinic.access.alerts import may_review_flag
from clinic.access.tasks import get_task_for_user, may_acknowledge_urgent, may_coordinate, tasks_visible_to
from clinic.models import CaseConference, EscalationFlag, TeamTask
from clinic.own_task_forms import OwnTaskForm
from clinic.safety_forms import AcknowledgeUrgentForm
from clinic.safety_net import acknowledge_task
from clinic.team_forms import (
    AddCandidateForm,
    AddPatientForm,
    ConferenceForm,
    DecisionTaskForm,
    DiscussionForm,
    FlagReviewForm,
    ReassignForm,
    TaskNoteForm,
    TeamMessageForm,
    WorklistFilterForm,
)
from clinic.team_services import (
    create_own_task,
    hand_on_task,
    mark_task_done,
    post_team_message,
    reopen_task,
    review_flag,
)
from clinic.worklists import TaskFilters, worklist_for
from patients.banner import patient_page
from patients.models import Patient

CONFERENCES_SHOWN = 20
HISTORY_SHOWN = 100  # a task's events, oldest first (a task rarely has more than a handful)


def refuse_unless_coordinating(user) -> None:
    if not may_coordinate(user):
        raise PermissionDenied("Clinic admins read the team's work; clinicians and coordinators change it.")


# --- Worklist ------------------------------------------------------------------------------------


@login_required
@require_GET
def worklist(request: HttpRequest) -> HttpResponse:
    """The signed-in person's worklist: urgent tasks first, then their role's sections (clinic/worklists.py)."""
    form = WorklistFilterForm(request.GET or None)
    filters = form.filters() if request.GET else TaskFilters()
    found = worklist_for(request.user, filters=filters)
    on_page = [row for section in (found.urgent, *found.sections) for row in section.rows]
    record_access(request=request, patient=None, action=Action.VIEW, target=f"worklist: {found.kind}", shown=on_page)
    context = {
        "worklist": found,
        "filter_form": form,
        "filters": filters,
        "may_act": may_coordinate(request.user),
        "today": timezone.localdate(),
    }
    if request.htmx:  # a filter change: the sections alone, which show neither warning below
        return TemplateResponse(request, "clinic/worklist.html#sections", context)
    # Coordinators and admins keep the rota: tomorrow's gaps are their warning today (one query).
    context["rota_gaps"] = selectors.tomorrow_gaps() if staff_rules.may_keep_rota(request.user) else []
    # After a restore: messages held for a coordinator's decision (clinic/outbox_restore.py; one query).
    context["held_messages"] = outbox_restore.held_count() if outbox_restore.may_review_held(request.user) else 0
    return TemplateResponse(request, "clinic/worklist.html", context)


# --- Tasks ---------------------------------------------------------------------------------------


@login_required
@require_GET
def task_detail(request: HttpRequest, task_id) -> HttpResponse:
    task = get_task_for_user(request.user, task_id)
    record_access(request=request, patient=task.patient, action=Action.VIEW, target="team task")
    return render_task(request, task)


def render_task(request: HttpRequest, task: TeamTask, *, status: int = 200, **forms) -> TemplateResponse:
    may_act = may_coordinate(request.user)
    events = list(task.events.select_related("by", "to_assignee")[:HISTORY_SHOWN])
    context = {
        "task": task,
        "events": events,
        "created_event": next((e for e in events if e.kind == e.Kind.CREATED), None),
        "may_act": may_act,
        "done_form": forms.get("done_form") or TaskNoteForm(prefix="done"),
        "reopen_form": forms.get("reopen_form") or TaskNoteForm(prefix="reopen"),
        "reassign_form": (forms.get("reassign_form") or ReassignForm(task=task, by=request.user))
        if may_act and task.is_open
        else None,
        "is_urgent": task.priority == TeamTask.Priority.URGENT,
        "may_acknowledge": task.is_open and may_acknowledge_urgent(request.user, task),
        "acknowledge_form": forms.get("acknowledge_form") or AcknowledgeUrgentForm(prefix="ack"),
        "today": timezone.localdate(),
    }
    if task.patient:
        context["patient"] = task.patient
    return patient_page(request, "clinic/task.html", context, status=status)


@login_required
@require_POST
def task_done(request: HttpRequest, task_id) -> HttpResponse:
    task = get_task_for_user(request.user, task_id)
    refuse_unless_coordinating(request.user)
    if task.priority == TeamTask.Priority.URGENT and task.is_open:
        messages.error(request, "An urgent task is closed by acknowledging it: say what was done.")
        return redirect("team:task", task_id=task.public_id)
    form = TaskNoteForm(request.POST, prefix="done")
    if not form.is_valid():
        return render_task(request, task, status=400, done_form=form)
    if mark_task_done(task=task, by=request.user, note=form.cleaned_data["note"], audit=request.audit):
        messages.success(request, f"Done: {task.title}.")
    else:
        messages.info(request, "This task was already closed.")
    return redirect("team:worklist")


@login_required
@require_POST
def task_reopen(request: HttpRequest, task_id) -> HttpResponse:
    task = get_task_for_user(request.user, task_id)
    refuse_unless_coordinating(request.user)
    form = TaskNoteForm(request.POST, prefix="reopen")
    if not form.is_valid():
        return render_task(request, task, status=400, reopen_form=form)
    if reopen_task(task=task, by=request.user, note=form.cleaned_data["note"], audit=request.audit):
        messages.success(request, f"Reopened: {task.title}.")
    else:
        messages.info(request, "This task is already open.")
    return redirect("team:task", task_id=task.public_id)


@login_required
@require_POST
def task_reassign(request: HttpRequest, task_id) -> HttpResponse:
    task = get_task_for_user(request.user, task_id)
    refuse_unless_coordinating(request.user)
    if not task.is_open:
        messages.info(request, "This task is closed; reopen it before handing it on.")
        return redirect("team:task", task_id=task.public_id)
    form = ReassignForm(request.POST, task=task, by=request.user)
    if not form.is_valid():
        return render_task(request, task, status=400, reassign_form=form)
    person, role = form.assignee()
    note = form.cleaned_data["note"]
    if hand_on_task(task=task, to=person, to_role=role, by=request.user, note=note, audit=request.audit):
        messages.success(request, f"Handed on to {task.assigned_to}: {task.title}.")
    else:
        messages.info(request, f"This task is already with {task.assigned_to}.")
    if tasks_visible_to(request.user).filter(pk=task.pk).exists():
        return redirect("team:task", task_id=task.public_id)
    return redirect("team:worklist")


@login_required
@require_POST
def task_acknowledge(request: HttpRequest, task_id) -> HttpResponse:
    """Acknowledge an urgent task with what was done: closes it, stops its escalation, and acknowledges the
    alert or red flags that raised it (clinicians who may see the patient)."""
    task = get_task_for_user(request.user, task_id)
    if not may_acknowledge_urgent(request.user, task):
        raise PermissionDenied("A clinician who may see the patient acknowledges urgent work.")
    form = AcknowledgeUrgentForm(request.POST, prefix="ack")
    if not form.is_valid():
        return render_task(request, task, status=400, acknowledge_form=form)
    data = form.cleaned_data
    if acknowledge_task(task=task, by=request.user, action=data["action"], note=data["note"]):
        record_access(request=request, patient=task.patient, action=Action.UPDATE, target="urgent task acknowledged")
        messages.success(request, f"Acknowledged: {task.title.rstrip('.')}. The escalation has stopped.")
    else:
        messages.info(request, "Someone acted on this task a moment ago; it is already closed.")
    if tasks_visible_to(request.user).filter(pk=task.pk).exists():
        return redirect("team:task", task_id=task.public_id)
    return redirect("team:worklist")


@login_required
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest) -> HttpResponse:
    """A task of one's own, about a patient (by MRN; prefilled from the chart) or about nobody."""
    refuse_unless_coordinating(request.user)
    if request.method == "GET":
        form = OwnTaskForm(initial={"mrn": prefilled_mrn(request)}, by=request.user)
        return TemplateResponse(request, "clinic/task_new.html", {"form": form})
    form = OwnTaskForm(request.POST, by=request.user)
    if not form.is_valid():
        if form.mrn_refused:
            record_mrn_refusal(request, form.data.get("mrn", ""))
        return TemplateResponse(request, "clinic/task_new.html", {"form": form}, status=400)
    person, role = form.assignee()
    data = form.cleaned_data
    task, created = create_own_task(
        by=request.user,
        audit=request.audit,
        token=str(data["token"]),
        title=data["title"],
        details=data["details"],
        patient=form.patient,
        assignee=person,
        assignee_role=role,
        priority=data["priority"],
        due_on=data["due_on"],
    )
    if created:
        messages.success(request, f"Task for {task.assigned_to}: {task.title}.")
    else:
        messages.info(request, "This form was sent twice; the task was created once.")
    if tasks_visible_to(request.user).filter(pk=task.pk).exists():
        return redirect("team:task", task_id=task.public_id)
    return redirect("team:worklist")


def prefilled_mrn(request: HttpRequest) -> str:
    """The chart's "New task" link names its patient by public id: 404 (audited) unless the person may see them."""
    public_id = request.GET.get("patient", "")
    if not public_id:
        return ""
    try:
        uuid.UUID(public_id)
    except ValueError:
        raise Http404("No such patient.") from None
    return get_patient_for_user(request.user, public_id).mrn


def record_mrn_refusal(request: HttpRequest, mrn: str) -> None:
    """An MRN the person may not see is refused like a 404 and audited as one: on that patient's access report
    when the MRN exists (the target names the page, never the MRN)."""
    concerned = Patient.objects.filter(mrn__iexact=mrn.strip()).values_list("pk", flat=True).first()
    record_event(
        actor=request.user,
        context=request.audit,
        patient=concerned,
        action=Action.REFUSED,
        target="refused (404) at team:task_new: patient by MRN",
    )


# --- The chart's team section: messages and the early warning -----------------------------------


@login_required
@require_POST
def team_message(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless_coordinating(request.user)
    form = TeamMessageForm(request.POST, patient=patient, author=request.user)
    if not form.is_valid():
        record_access(request=request, patient=patient, action=Action.VIEW, target="team message form")
        context = {"patient": patient, "form": form}
        return patient_page(request, "clinic/team/message_form.html", context, status=400)
    message = post_team_message(
        patient=patient,
        author=request.user,
        body=form.cleaned_data["body"],
        mentions=list(form.cleaned_data["mentions"]),
    )
    record_access(request=request, patient=patient, action=Action.CREATE, target="team message")
    mentioned = message.mentions.count()
    told = f" {mentioned} colleague{'s' if mentioned != 1 else ''} got a task." if mentioned else ""
    messages.success(request, f"Message posted for the team.{told}")
    return redirect(reverse("patients:chart", args=[patient.public_id]) + f"#team-message-{message.public_id}")


@login_required
@require_http_methods(["GET", "POST"])
def flag_review(request: HttpRequest, public_id, flag_id) -> HttpResponse:
    """Mark the patient's early-warning flag reviewed, with what the team decided."""
    patient = get_patient_for_user(request.user, public_id)
    try:
        flag = EscalationFlag.objects.get(patient=patient, public_id=flag_id)
    except EscalationFlag.DoesNotExist:
        raise Http404("No such flag.") from None
    flag.patient = patient  # reached through the access rule: the service's check needs no query
    if not may_review_flag(request.user, patient):
        raise PermissionDenied("A clinician on the patient's care team reviews the early warning.")
    chart = reverse("patients:chart", args=[patient.public_id]) + "#team-escalation"
    if not flag.is_open:
        messages.info(request, "This flag was already reviewed.")
        return redirect(chart)
    form = FlagReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        review_flag(flag=flag, by=request.user, note=form.cleaned_data["note"], audit=request.audit)
        messages.success(request, "The early-warning flag is marked reviewed.")
        return redirect(chart)
    record_access(request=request, patient=patient, action=Action.VIEW, target="early warning review")
    context = {"patient": patient, "flag": flag, "form": form}
    return patient_page(request, "clinic/team/flag_review.html", context, status=400 if form.errors else 200)


# --- Case conferences ----------------------------------------------------------------------------


def get_conference(public_id) -> CaseConference:
    try:
        return CaseConference.objects.select_related("created_by").get(public_id=public_id)
    except CaseConference.DoesNotExist:
        raise Http404("No such conference.") from None


def refuse_unless_staff_reader(user) -> None:
    """Conferences: clinicians and coordinators run them, admins read them."""
    if not (user.is_active and (may_coordinate(user) or user.is_clinic_admin)):
        raise PermissionDenied


@login_required
@require_GET
def conference_list(request: HttpRequest) -> HttpResponse:
    refuse_unless_staff_reader(request.user)
    now = timezone.now()
    upcoming = list(CaseConference.objects.upcoming(now)[: CONFERENCES_SHOWN + 1])
    past = list(CaseConference.objects.past(now)[: CONFERENCES_SHOWN + 1])
    record_access(request=request, patient=None, action=Action.VIEW, target="case conferences")
    context = {
        "upcoming": upcoming[:CONFERENCES_SHOWN],
        "more_upcoming": len(upcoming) > CONFERENCES_SHOWN,
        "past": past[:CONFERENCES_SHOWN],
        "more_past": len(past) > CONFERENCES_SHOWN,
        "may_act": may_coordinate(request.user),
    }
    return TemplateResponse(request, "clinic/conferences/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def conference_new(request: HttpRequest) -> HttpResponse:
    refuse_unless_coordinating(request.user)
    form = ConferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        conference = conferences.schedule_conference(
            title=form.cleaned_data["title"],
            scheduled_for=form.cleaned_data["scheduled_for"],
            attendees=list(form.cleaned_data["attendees"]),
            by=request.user,
        )
        messages.success(request, "Conference planned. Add patients to its agenda below.")
        return redirect("team:conference", conference_id=conference.public_id)
    return TemplateResponse(request, "clinic/conferences/new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_GET
def conference_detail(request: HttpRequest, conference_id) -> HttpResponse:
    refuse_unless_staff_reader(request.user)
    conference = get_conference(conference_id)
    return render_conference(request, conference)


def render_conference(request: HttpRequest, conference: CaseConference, *, status: int = 200, add_form=None):
    may_act = may_coordinate(request.user)
    items, hidden = conferences.agenda_for(conference, request.user)
    candidates, more_candidates = ([], False)
    if may_act and conference.is_planned:
        candidates, more_candidates = conferences.candidates_for(conference, request.user)
    shown = [item.patient for item in items] + [candidate.patient for candidate in candidates]
    record_access(request=request, patient=None, action=Action.VIEW, target="case conference")
    record_access_each(request=request, patients=shown, action=Action.VIEW, target="case conference agenda")
    context = {
        "conference": conference,
        "attendees": list(conference.attendees.order_by("last_name", "first_name", "id")),
        "items": items,
        "hidden_items": hidden,
        "candidates": candidates,
        "more_candidates": more_candidates,
        "may_act": may_act,
        "add_form": add_form or AddPatientForm(),
    }
    return TemplateResponse(request, "clinic/conferences/detail.html", context, status=status)


@login_required
@require_POST
def conference_add(request: HttpRequest, conference_id) -> HttpResponse:
    """Put a candidate (by its public id) or any patient the person may see (by MRN) on the agenda."""
    refuse_unless_coordinating(request.user)
    conference = get_conference(conference_id)
    visible = patients_visible_to(request.user)
    if "mrn" in request.POST:
        form = AddPatientForm(request.POST)
        if not form.is_valid():
            return render_conference(request, conference, status=400, add_form=form)
        patient = visible.filter(mrn__iexact=form.cleaned_data["mrn"].strip()).first()
        if patient is None:
            form.add_error("mrn", "No patient with this MRN that you may see. Check the number.")
            return render_conference(request, conference, status=400, add_form=form)
        reason, detail = conferences.Reason.ADDED, form.cleaned_data["reason_detail"]
    else:
        form = AddCandidateForm(request.POST)
        if not form.is_valid():
            raise Http404("No such patient.")
        patient = visible.filter(public_id=form.cleaned_data["patient"]).first()
        if patient is None:
            raise Http404("No such patient.")
        reason, detail = form.cleaned_data["reason"], ""
    _item, created = conferences.add_to_agenda(
        conference=conference, patient=patient, reason=reason, detail=detail, by=request.user
    )
    if created:
        record_access(request=request, patient=patient, action=Action.UPDATE, target="case conference agenda: added")
        messages.success(request, f"{patient.full_name} is on the agenda.")
    else:
        messages.info(request, f"{patient.full_name} was already on the agenda.")
    return redirect("team:conference", conference_id=conference.public_id)


@login_required
@require_POST
def conference_held(request: HttpRequest, conference_id) -> HttpResponse:
    refuse_unless_coordinating(request.user)
    conference = get_conference(conference_id)
    if conference.mark_held():
        messages.success(request, "The conference is marked as held.")
    else:
        messages.info(request, "This conference is not planned any more.")
    return redirect("team:conference", conference_id=conference.public_id)


def get_item(request: HttpRequest, conference_id, public_id):
    refuse_unless_staff_reader(request.user)
    conference = get_conference(conference_id)
    patient = get_patient_for_user(request.user, public_id)
    try:
        item = conferences.item_for(conference, patient)
    except conferences.NotOnAgenda:
        raise Http404("This patient is not on the agenda.") from None
    item.conference, item.patient = conference, patient
    return conference, patient, item


@login_required
@require_http_methods(["GET", "POST"])
def conference_item(request: HttpRequest, conference_id, public_id) -> HttpResponse:
    """One patient at the conference: the summary, the discussion and decisions, tasks from them."""
    conference, patient, item = get_item(request, conference_id, public_id)
    form = None
    if request.method == "POST":
        refuse_unless_coordinating(request.user)
        form = DiscussionForm(request.POST)
        if form.is_valid():
            reviewed = conferences.record_discussion(
                item=item,
                discussion=form.cleaned_data["discussion"],
                decisions=form.cleaned_data["decisions"],
                by=request.user,
                review_flag=form.cleaned_data["review_flag"],
            )
            record_access(request=request, patient=patient, action=Action.UPDATE, target="case conference discussion")
            messages.success(
                request, "Discussion saved." + (" The early-warning flag is marked reviewed." if reviewed else "")
            )
            return redirect("team:conference_item", conference_id=conference.public_id, public_id=patient.public_id)
    return render_item(request, conference, patient, item, discussion_form=form)


def render_item(request, conference, patient: Patient, item, *, discussion_form=None, task_form=None):
    may_act = may_coordinate(request.user)
    if discussion_form is None and may_act:
        discussion_form = DiscussionForm(initial={"discussion": item.discussion, "decisions": item.decisions})
    if task_form is None and may_act:
        task_form = DecisionTaskForm(patient=patient, by=request.user)
    record_access(request=request, patient=patient, action=Action.VIEW, target="case conference summary")
    context = {
        "conference": conference,
        "patient": patient,
        "item": item,
        "summary": conferences.summary_for(patient),
        "tasks": list(conferences.tasks_from(item)),
        "may_act": may_act,
        "may_review_flag": may_act and may_review_flag(request.user, patient),
        "discussion_form": discussion_form,
        "task_form": task_form,
    }
    invalid = (discussion_form is not None and discussion_form.errors) or (task_form is not None and task_form.errors)
    return patient_page(request, "clinic/conferences/item.html", context, status=400 if invalid else 200)


@login_required
@require_POST
def conference_item_task(request: HttpRequest, conference_id, public_id) -> HttpResponse:
    conference, patient, item = get_item(request, conference_id, public_id)
    refuse_unless_coordinating(request.user)
    form = DecisionTaskForm(request.POST, patient=patient, by=request.user)
    if not form.is_valid():
        return render_item(request, conference, patient, item, task_form=form)
    person, role = form.assignee()
    task = conferences.decision_task(
        item=item,
        title=form.cleaned_data["title"],
        assignee=person,
        assignee_role=role,
        due_on=form.cleaned_data["due_on"],
        priority=form.cleaned_data["priority"],
        by=request.user,
    )
    record_access(request=request, patient=patient, action=Action.CREATE, target="case conference decision task")
    messages.success(request, f"Task for {task.assigned_to}: {task.title}.")
    return redirect("team:conference_item", conference_id=conference.public_id, public_id=patient.public_id)
