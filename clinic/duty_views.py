"""The Team page: who is on duty now, the rota, who is away, the medical lead, and how each person is told
about urgent tasks. Thin views: a permission check, a form, one service call, an audit event, a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import record_access
from clinic import rota_services, selectors
from clinic.access import staff as staff_rules
from clinic.models import StaffAbsence, User
from clinic.roles import Role
from clinic.safety_forms import AbsenceForm, DutyShiftForm, MedicalLeadForm, NotifyForm


def away_people_for(user) -> QuerySet[User]:
    """Whom this person may mark away: themselves, or (coordinators and admins) any active staff."""
    people = User.objects.filter(is_active=True).order_by("last_name", "first_name", "id")
    return people if staff_rules.may_keep_rota(user) else people.filter(pk=user.pk)


def render_team(request: HttpRequest, *, status: int = 200, **forms) -> TemplateResponse:
    user = request.user
    overview = selectors.duty_overview()
    context = {
        "overview": overview,
        "may_keep_rota": staff_rules.may_keep_rota(user),
        "may_name_medical_lead": staff_rules.may_name_medical_lead(user),
        "shift_form": forms.get("shift_form") or DutyShiftForm(initial={"on": overview.now_slot.on}),
        "absence_form": forms.get("absence_form")
        or AbsenceForm(people=away_people_for(user), initial={"staff": user.pk}),
        "lead_form": forms.get("lead_form") or MedicalLeadForm(initial={"clinician": overview.medical_lead}),
        "notify_form": forms.get("notify_form") or NotifyForm(instance=user),
        "is_clinician": user.role == Role.CLINICIAN,
    }
    return TemplateResponse(request, "clinic/team_page.html", context, status=status)


@login_required
@require_GET
def team(request: HttpRequest) -> HttpResponse:
    record_access(request=request, patient=None, action=Action.VIEW, target="team: on duty and rota")
    return render_team(request)


@login_required
@require_POST
def set_shift(request: HttpRequest) -> HttpResponse:
    if not staff_rules.may_keep_rota(request.user):
        raise PermissionDenied("Coordinators and clinic admins keep the rota.")
    form = DutyShiftForm(request.POST)
    if not form.is_valid():
        return render_team(request, status=400, shift_form=form)
    data = form.cleaned_data
    rota_services.set_shift(on=data["on"], slot=data["slot"], clinician=data["clinician"], by=request.user)
    record_access(request=request, patient=None, action=Action.UPDATE, target="team: rota changed")
    slot_words = dict(form.fields["slot"].choices)[data["slot"]].lower()
    who = data["clinician"].display_name if data["clinician"] else "nobody (a gap)"
    messages.success(request, f"Rota for {data['on']:%a %b} {data['on'].day}, {slot_words}: {who}.")
    return redirect("team:team")


@login_required
@require_POST
def mark_away(request: HttpRequest) -> HttpResponse:
    form = AbsenceForm(request.POST, people=away_people_for(request.user))
    if not form.is_valid():
        return render_team(request, status=400, absence_form=form)
    data = form.cleaned_data
    rota_services.mark_away(
        staff=data["staff"], starts_on=data["starts_on"], ends_on=data["ends_on"], note=data["note"], by=request.user
    )
    record_access(request=request, patient=None, action=Action.UPDATE, target="team: staff marked away")
    who = "You are" if data["staff"].pk == request.user.pk else f"{data['staff'].display_name} is"
    messages.success(
        request, f"{who} marked away {data['starts_on']:%b} {data['starts_on'].day} to {data['ends_on']:%b} "
        f"{data['ends_on'].day}. Urgent work goes to the clinician on duty meanwhile."
    )  # fmt: skip
    return redirect("team:team")


@login_required
@require_POST
def end_absence(request: HttpRequest, absence_id) -> HttpResponse:
    absence = get_object_or_404(StaffAbsence.objects.select_related("staff"), public_id=absence_id)
    if not staff_rules.may_mark_away(request.user, absence.staff):
        raise PermissionDenied("You can change your own time away; coordinators and clinic admins change others'.")
    rota_services.end_absence(absence=absence, by=request.user)
    record_access(request=request, patient=None, action=Action.UPDATE, target="team: time away ended")
    messages.success(request, f"{absence.staff.display_name} is no longer marked away.")
    return redirect("team:team")


@login_required
@require_POST
def set_medical_lead(request: HttpRequest) -> HttpResponse:
    if not staff_rules.may_name_medical_lead(request.user):
        raise PermissionDenied("Clinic admins name the medical lead.")
    form = MedicalLeadForm(request.POST)
    if not form.is_valid():
        return render_team(request, status=400, lead_form=form)
    rota_services.set_medical_lead(clinician=form.cleaned_data["clinician"], by=request.user)
    record_access(request=request, patient=None, action=Action.UPDATE, target="team: medical lead named")
    messages.success(request, f"{form.cleaned_data['clinician'].display_name} is now the medical lead.")
    return redirect("team:team")


@login_required
@require_POST
def notifications(request: HttpRequest) -> HttpResponse:
    """How urgent tasks reach me: my own profile only."""
    form = NotifyForm(request.POST, instance=request.user)
    if not form.is_valid():
        return render_team(request, status=400, notify_form=form)
    form.save()
    record_access(request=request, patient=None, action=Action.UPDATE, target="team: own notification settings")
    messages.success(request, "Saved: this is how Haven tells you about urgent tasks.")
    return redirect("team:team")
