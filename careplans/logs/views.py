"""The clinician's pages for the flare-up plan, pacing plans (planned vs actual) and daily-log trends.

Thin views: the patient through `get_patient_for_user` (404 to outsiders), the active care plan (404
without one), a form, one service call, a message, a redirect. Editing is for those who may edit the
plan (clinic.access.plans.may_edit_plan: clinicians on the team; 403 to others, before any form is
read; the services check again). Every page shown writes an audit event; every change's is the service's.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.services import record_access
from careplans.logs import pacing, selectors, services
from careplans.logs.forms import FlarePlanForm, PacingPlanForm, StopPacingForm
from careplans.models import CarePlan, DailyLog, PacingPlan
from clinic.access import get_patient_for_user
from clinic.access.plans import EDITORS_ONLY, may_edit_plan
from clinic.access.refusals import refuse_unless
from clinic.dates import start_of_day
from patients.banner import banner_for, patient_page

ENTRIES_SHOWN = 100
TREND_WEEKS = (2, 4, 6, 12)


def plan_for(request: HttpRequest, public_id, *, edit: bool = False):
    """(patient, active care plan, may_edit, banner); 404 to outsiders and without an active plan, 403 to
    non-editors when `edit` (before any form is read)."""
    patient = get_patient_for_user(request.user, public_id)
    may_edit = may_edit_plan(request.user, patient)
    if edit:
        refuse_unless(may_edit, EDITORS_ONLY)
    banner = banner_for(patient, request.user)
    plan = banner.care_plan  # the active plan (the banner shows its tier)
    if plan is None:
        raise Http404("This patient has no active care plan.")
    plan.patient = patient
    return patient, plan, may_edit, banner


def plan_url(patient, anchor: str = "") -> str:
    url = reverse("careplans:plan", args=[patient.public_id])
    return f"{url}#{anchor}" if anchor else url


# --------------------------------------------------------------------------- the flare-up plan


@login_required
@require_http_methods(["GET", "POST"])
def flare_edit(request: HttpRequest, public_id) -> HttpResponse:
    """Write or change the flare-up plan; a save based on an older version is refused and shows what changed."""
    patient, plan, _, banner = plan_for(request, public_id, edit=True)
    flare_plan = selectors.flare_plan_for(plan)
    conflict = None
    status = 200
    if request.method == "POST":
        form = FlarePlanForm(request.POST)
        if form.is_valid():
            try:
                services.save_flare_plan(
                    plan=plan,
                    by=request.user,
                    version=form.cleaned_data["version"],
                    values=form.values(),
                    reason=form.cleaned_data["reason"],
                    audit=request.audit,
                )
            except services.StaleEdit as stale:
                conflict = stale
                status = 409
                data = request.POST.copy()
                data["version"] = str(stale.current.version)  # saving again now overwrites knowingly
                form = FlarePlanForm(data)
                form.is_valid()
                record_access(
                    request=request, patient=patient, action=Action.VIEW, target="flare-up plan: edit conflict"
                )
            else:
                messages.success(request, "The flare-up plan is saved. The patient sees it in their portal.")
                return redirect(plan_url(patient, "flare-up-plan"))
        else:
            status = 400
            record_access(request=request, patient=patient, action=Action.VIEW, target="flare-up plan: edit")
    else:
        form = FlarePlanForm(initial=FlarePlanForm.initial_for(flare_plan))
        record_access(request=request, patient=patient, action=Action.VIEW, target="flare-up plan: edit")
    context = {
        "patient": patient,
        "plan": plan,
        "flare_plan": flare_plan,
        "form": form,
        "conflict": conflict_rows(conflict) if conflict else None,
        "banner": banner,
    }
    return patient_page(request, "careplans/flare/edit.html", context, status=status)


def conflict_rows(stale: services.StaleEdit) -> list[dict]:
    """What changed since the editor opened the flare-up plan: who, when, and each field before and after."""
    rows = []
    for change in stale.changes:
        before, after = change.details.get("before", {}), change.details.get("after", {})
        fields = [
            (services.flare_label(name), before.get(name, ""), after.get(name, ""))
            for name in services.FLARE_FIELDS
            if name in after
        ]
        rows.append({"by": change.by, "at": change.at, "summary": change.summary, "fields": fields})
    return rows


# --------------------------------------------------------------------------- pacing plans


@login_required
@require_http_methods(["GET", "POST"])
def pacing_create(request: HttpRequest, public_id) -> HttpResponse:
    """Start a pacing plan; "Preview" shows the dated steps before saving."""
    patient, plan, _, banner = plan_for(request, public_id, edit=True)
    form = PacingPlanForm(request.POST or None)
    preview = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            if "preview" in request.POST:
                preview = pacing.schedule(form.spec(), today=timezone.localdate())
                record_access(request=request, patient=patient, action=Action.VIEW, target="pacing plan: preview")
            else:
                pacing_plan = services.create_pacing_plan(
                    plan=plan, by=request.user, audit=request.audit, **form.cleaned_data
                )
                messages.success(request, f"Pacing plan started: {pacing_plan.activity}.")
                return redirect("careplans:pacing_detail", public_id=patient.public_id, pacing_id=pacing_plan.public_id)
        else:
            status = 400
            record_access(request=request, patient=patient, action=Action.VIEW, target="pacing plan: new")
    else:
        record_access(request=request, patient=patient, action=Action.VIEW, target="pacing plan: new")
    context = {
        "patient": patient,
        "plan": plan,
        "form": form,
        "preview": preview,
        "banner": banner,
    }
    return patient_page(request, "careplans/pacing/new.html", context, status=status)


def pacing_plan_for(plan: CarePlan, pacing_id) -> PacingPlan:
    found = PacingPlan.objects.filter(plan=plan, public_id=pacing_id).select_related("created_by").first()
    if found is None:
        raise Http404("No such pacing plan.")
    found.plan = plan  # with the patient as the page reached it (the service's check needs no query)
    return found


@login_required
@require_GET
def pacing_detail(request: HttpRequest, public_id, pacing_id) -> HttpResponse:
    """Planned vs actual (table and chart) and the dated steps of one pacing plan."""
    patient, plan, may_edit, banner = plan_for(request, public_id)
    pacing_plan = pacing_plan_for(plan, pacing_id)
    record_access(request=request, patient=patient, action=Action.VIEW, target="pacing plan")
    today = timezone.localdate()
    view = selectors.pacing_view(pacing_plan, today=today)
    since = max(pacing_plan.starts_on, today - timedelta(days=selectors.LOG_WEEKS * 7 - 1))
    context = {
        "patient": patient,
        "plan": plan,
        "view": view,
        "chart": view.chart(since=since, until=max(today, since), width=640, height=220),
        "rows": view.rows(days=selectors.LOG_WEEKS * 7),
        "adherence": view.adherence(since=since, until=today),
        "since": since,
        "may_edit": may_edit,
        "stop_form": StopPacingForm() if may_edit and view.is_active else None,
        "banner": banner,
    }
    return patient_page(request, "careplans/pacing/detail.html", context)


@login_required
@require_POST
def pacing_end(request: HttpRequest, public_id, pacing_id) -> HttpResponse:
    """End a running pacing plan: target reached, or stopped (with a reason)."""
    patient, plan, _, _ = plan_for(request, public_id, edit=True)
    pacing_plan = pacing_plan_for(plan, pacing_id)
    form = StopPacingForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose why the plan ends: target reached, or stop it.")
    elif services.stop_pacing_plan(
        pacing_plan=pacing_plan,
        by=request.user,
        reason=form.cleaned_data["reason"],
        status=form.cleaned_data["status"],
        audit=request.audit,
    ):
        messages.success(request, f"Pacing plan ended: {pacing_plan.activity}.")
    else:
        messages.info(request, "This pacing plan had already ended.")
    return redirect("careplans:pacing_detail", public_id=patient.public_id, pacing_id=pacing_plan.public_id)


# --------------------------------------------------------------------------- daily logs


@login_required
@require_GET
def log_trends(request: HttpRequest, public_id) -> HttpResponse:
    """The patient's check-ins: trend charts over 2 to 12 weeks and the latest entries."""
    patient, plan, _, banner = plan_for(request, public_id)
    try:
        weeks = int(request.GET.get("weeks", selectors.LOG_WEEKS))
    except ValueError:
        weeks = selectors.LOG_WEEKS
    weeks = weeks if weeks in TREND_WEEKS else selectors.LOG_WEEKS
    record_access(request=request, patient=patient, action=Action.VIEW, target="daily logs")
    today = timezone.localdate()
    since = today - timedelta(days=weeks * 7 - 1)
    points = selectors.log_series(patient, since=since, until=today)
    entries = list(
        DailyLog.objects.filter(patient=patient, logged_at__gte=start_of_day(since))
        .select_related("pacing_session")
        .order_by("-logged_at", "-id")[: ENTRIES_SHOWN + 1]
    )
    context = {
        "patient": patient,
        "plan": plan,
        "weeks": weeks,
        "week_choices": TREND_WEEKS,
        "charts": selectors.log_charts(points, since=since, until=today),
        "entries": entries[:ENTRIES_SHOWN],
        "more": len(entries) > ENTRIES_SHOWN,
        "banner": banner,
    }
    return patient_page(request, "careplans/logs/trends.html", context)
