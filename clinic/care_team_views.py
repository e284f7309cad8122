"""The care-team page of a patient: the members (discipline, lead marked), the history of changes, and,
for coordinators and clinic admins, the forms that change the team (clinic/care_team_services.py).

Whoever may see the patient (clinic.access) reads the page; everyone else gets a 404. Clinicians on the
team read it and change nothing (a 403 if they post). Every page view and every change is audited.
A form with an error comes back with what was typed and says what to fix; a change made stale by a
colleague (someone already removed, the lead changed) comes back to the page with a calm message.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import record_access
from clinic.access import get_patient_for_user
from clinic.access.staff import may_manage_care_team
from clinic.care_team_forms import AddMemberForm, EndLeadForm, MakeLeadForm, RemoveMemberForm
from clinic.care_team_services import (
    BadReason,
    NotAnActiveClinician,
    StaleChange,
    active_clinicians,
    add_member,
    end_lead,
    make_lead,
    remove_member,
)
from clinic.selectors import history_of, team_of
from patients.banner import banner_for

HISTORY_SHOWN = 50
PAGE = "clinic/care_team.html"
FORMS = {"add": AddMemberForm, "remove": RemoveMemberForm, "lead": MakeLeadForm, "end": EndLeadForm}


@login_required
@require_GET
def care_team(request: HttpRequest, public_id) -> HttpResponse:
    """The patient's care team and its history; the forms for those who may change it."""
    patient = get_patient_for_user(request.user, public_id)
    record_access(request=request, patient=patient, action=Action.VIEW, target="care team")
    return render_page(request, patient)


@login_required
@require_POST
def add(request: HttpRequest, public_id) -> HttpResponse:
    return change(request, public_id, "add")


@login_required
@require_POST
def remove(request: HttpRequest, public_id) -> HttpResponse:
    return change(request, public_id, "remove")


@login_required
@require_POST
def lead(request: HttpRequest, public_id) -> HttpResponse:
    return change(request, public_id, "lead")


@login_required
@require_POST
def end(request: HttpRequest, public_id) -> HttpResponse:
    return change(request, public_id, "end")


def change(request: HttpRequest, public_id, action: str) -> HttpResponse:
    """One change from one of the page's forms: access (404), permission (403), the form, the service."""
    patient = get_patient_for_user(request.user, public_id)
    if not may_manage_care_team(request.user):
        record_access(request=request, patient=patient, action=Action.VIEW, target="care team: change refused")
        raise PermissionDenied("Care coordinators and clinic admins change care teams.")
    team, clinicians = team_of(patient), list(active_clinicians())
    form = FORMS[action](request.POST, team=team, clinicians=clinicians)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = apply(action, request, patient, data)
        except StaleChange as stale:
            messages.info(request, str(stale))
            return redirect("care_team:page", public_id=patient.public_id)
        except BadReason as refused:
            form.add_error("reason", str(refused))
        except NotAnActiveClinician as refused:
            form.add_error("member", str(refused))
        else:
            messages.success(request, done)
            return redirect("care_team:page", public_id=patient.public_id)
    record_access(request=request, patient=patient, action=Action.VIEW, target="care team")
    return render_page(request, patient, team=team, clinicians=clinicians, bound={action: form}, status=400)


def apply(action: str, request: HttpRequest, patient, data: dict) -> str:
    """Call the service for ``action``; returns the message saying what was done."""
    member, reason, by = data["member"], data["reason"], request.user
    if action == "add":
        add_member(patient=patient, member=member, by=by, reason=reason, audit=request.audit)
        return f"{member.display_name} is on the care team."
    if action == "remove":
        remove_member(patient=patient, member=member, by=by, reason=reason, audit=request.audit)
        return f"{member.display_name} is no longer on the care team."
    if action == "lead":
        make_lead(
            patient=patient, member=member, by=by, reason=reason, replacing=data["replacing"], audit=request.audit
        )
        return f"{member.display_name} is the lead clinician."
    end_lead(patient=patient, member=member, by=by, reason=reason, audit=request.audit)
    return f"{member.display_name} is no longer the lead clinician. The patient needs a new lead."


def render_page(
    request: HttpRequest, patient, *, team=None, clinicians=None, bound: dict | None = None, status: int = 200
) -> TemplateResponse:
    """The page, with the forms of those who may change the team (``bound``: a form that came back with an
    error, by its key in FORMS). Five queries besides the banner's, whatever the team's size or history."""
    team = team_of(patient) if team is None else team
    history, more_history = history_of(patient, limit=HISTORY_SHOWN)
    may_manage = may_manage_care_team(request.user)
    context = {
        "patient": patient,
        "banner": banner_for(patient, request.user),
        "team": team,
        "lead": next((membership.member for membership in team if membership.is_lead), None),
        "history": history,
        "more_history": more_history,
        "may_manage": may_manage,
    }
    if may_manage:
        clinicians = list(active_clinicians()) if clinicians is None else clinicians
        bound = bound or {}
        context["forms"] = {
            key: bound.get(key) or form_class(team=team, clinicians=clinicians) for key, form_class in FORMS.items()
        }
    return TemplateResponse(request, PAGE, context, status=status)
