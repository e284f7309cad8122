"""Referral pages: the referral list, a referral (its state, history and the steps allowed now),
writing and editing one, and taking a step. Every view checks access to the patient first (404 to
outsiders), then the permission to change referrals (403), and writes an audit event of what it shows (the
services write the events of the changes, clinic/referral_services.py)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.services import record_access
from clinic import referrals as rules
from clinic.access import get_patient_for_user
from clinic.access.appointments import may_book
from clinic.access.referrals import get_referral_for_user, may_write_referrals, referrals_visible_to
from clinic.appointment_views import referral_appointments
from clinic.models import Referral
from clinic.referral_forms import ReferralFilterForm, ReferralForm, ReferralStepForm
from clinic.referral_services import create_referral, take_referral_step, update_referral
from patients.banner import patient_page
from patients.form_draft_pages import draft_context, with_draft
from patients.form_draft_services import forget_form_draft
from patients.form_draft_views import autosave_form, autosave_view
from patients.models import FormDraft

PAGE_SIZE = 50
CHART_SHOWN = 20
EVENTS_SHOWN = 100
# The columns the list and the chart section show (the patient's come from for_listing()).
LISTING_FIELDS = (
    "public_id",
    "patient_id",
    "service",
    "service_other",
    "is_internal",
    "receiving_provider",
    "urgency",
    "state",
    "state_changed_at",
    "appointment_on",
    "visits_authorised",
    "visits_used",
    "expected_wait_days",
    "bridge_plan",
    "created_at",
)
PATIENT_FIELDS = tuple(f"patient__{name}" for name in ("public_id", "mrn", "given_name", "family_name"))


def get_referral_to_change(request: HttpRequest, referral_id) -> Referral:
    referral = get_referral_for_user(request.user, referral_id)
    if not may_write_referrals(request.user):
        raise PermissionDenied("Coordinators and clinicians change referrals.")
    return referral


# --------------------------------------------------------------------------- the list


@login_required
@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    """Referrals of the patients this person may see, newest change first, with filters; one page of
    PAGE_SIZE by keyset (the last row's public id), a constant number of queries."""
    form = ReferralFilterForm(request.GET)
    chosen = form.filters()
    referrals = referrals_visible_to(request.user).with_overdue()
    if chosen["state"] == ReferralFilterForm.OPEN:
        referrals = referrals.open()
    elif chosen["state"]:
        referrals = referrals.filter(state=chosen["state"])
    if chosen["service"]:
        referrals = referrals.filter(service=chosen["service"])
    if chosen["overdue"]:
        referrals = referrals.overdue()
    if chosen["after"]:
        last = Referral.objects.filter(public_id=chosen["after"]).values("state_changed_at", "id").first()
        if last:
            referrals = referrals.filter(
                Q(state_changed_at__lt=last["state_changed_at"])
                | Q(state_changed_at=last["state_changed_at"], id__lt=last["id"])
            )
    rows = list(
        referrals.select_related("patient")
        .only(*LISTING_FIELDS, *PATIENT_FIELDS)
        .order_by("-state_changed_at", "-id")[: PAGE_SIZE + 1]
    )
    shown = rows[:PAGE_SIZE]
    record_access(request=request, patient=None, action=Action.VIEW, target="referral list", shown=shown)
    next_query = None
    if len(rows) > PAGE_SIZE:
        query = request.GET.copy()
        query["after"] = str(shown[-1].public_id)
        next_query = query.urlencode()
    context = {"form": form, "referrals": shown, "next_query": next_query, "paged": bool(chosen["after"])}
    return TemplateResponse(request, "clinic/referrals/list.html", context)


# --------------------------------------------------------------------------- the chart section


@dataclass(frozen=True)
class ChartReferrals:
    rows: list[Referral]
    more: bool


def chart_referrals(patient) -> ChartReferrals:
    """The chart's referral section: open referrals first, then the newest (one query)."""
    rows = list(
        Referral.objects.filter(patient=patient)
        .with_overdue()
        .only(*LISTING_FIELDS)
        .order_by(Referral.objects.ended_last(), "-created_at", "-id")[: CHART_SHOWN + 1]
    )
    return ChartReferrals(rows=rows[:CHART_SHOWN], more=len(rows) > CHART_SHOWN)


# --------------------------------------------------------------------------- one referral


@login_required
@require_GET
def referral_detail(request: HttpRequest, referral_id) -> HttpResponse:
    referral = get_referral_for_user(request.user, referral_id)
    record_access(request=request, patient=referral.patient, action=Action.VIEW, target="referral")
    return detail_page(request, referral)


def detail_page(request: HttpRequest, referral: Referral, *, failed: ReferralStepForm | None = None) -> HttpResponse:
    """The referral page; `failed` is a step's form with errors, shown again with what was typed."""
    events = list(referral.events.select_related("by").order_by("-at", "-id")[: EVENTS_SHOWN + 1])
    may_change = may_write_referrals(request.user)
    steps = []
    if may_change:
        for step in referral.allowed_steps:
            if failed is not None and failed.step.action == step.action:
                form = failed
            else:
                form = ReferralStepForm(step=step, initial={"version": referral.version}, auto_id=f"{step.action}-%s")
            steps.append((step, form))
    context = {
        "referral": referral,
        "patient": referral.patient,
        "events": events[:EVENTS_SHOWN],
        "more_events": len(events) > EVENTS_SHOWN,
        "steps": steps,
        "may_change": may_change,
        # Appointments booked in the clinic's diary through this referral (clinic/appointment_views.py).
        "referral_appointments": referral_appointments(referral),
        "may_book_appointment": may_book(request.user) and referral.is_internal and referral.is_open,
    }
    status = 400 if failed is not None else 200
    return patient_page(request, "clinic/referrals/detail.html", context, status=status)


@login_required
@require_POST
def referral_step(request: HttpRequest, referral_id, action: str) -> HttpResponse:
    """Take one step (clinic/referrals.py STEPS); a step not allowed now is refused with its reason."""
    referral = get_referral_to_change(request, referral_id)
    step = rules.STEPS.get(action)
    if step is None:
        raise Http404("No such step.")
    form = ReferralStepForm(request.POST, step=step, auto_id=f"{action}-%s")
    if not form.is_valid():
        record_access(request=request, patient=referral.patient, action=Action.VIEW, target="referral")
        return detail_page(request, referral, failed=form)
    try:
        take_referral_step(
            referral=referral,
            action=action,
            by=request.user,
            audit=request.audit,
            expected_version=form.cleaned_data["version"],
            on=form.cleaned_data["on"],
            reason=form.cleaned_data["reason"].strip(),
            note=form.cleaned_data["note"].strip(),
        )
    except (rules.ReferralTransitionError, rules.ReferralChanged) as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{referral.service_name} referral {step.verb}.")
    return redirect("referrals:detail", referral_id=referral.public_id)


# --------------------------------------------------------------------------- writing and editing


@login_required
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    if not may_write_referrals(request.user):
        raise PermissionDenied("Coordinators and clinicians write referrals.")
    drafts = referral_drafts(request, patient)
    form = ReferralForm(request.POST or None, initial=with_draft({}, drafts))
    if request.method == "POST" and form.is_valid():
        referral = create_referral(patient=patient, by=request.user, audit=request.audit, details=form.details())
        forget_form_draft(by=request.user, patient=patient, form=FormDraft.Form.REFERRAL)  # written now
        messages.success(request, f"{referral.service_name} referral saved as a draft. Mark it as sent once it is.")
        return redirect("referrals:detail", referral_id=referral.public_id)
    if request.method == "GET":
        record_access(request=request, patient=patient, action=Action.VIEW, target="new referral")
    context = {"form": form, "patient": patient, **drafts}
    return patient_page(request, "clinic/referrals/form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, referral_id) -> HttpResponse:
    """Change the details; a form based on an older version of the referral is refused, not merged."""
    referral = get_referral_to_change(request, referral_id)
    patient = referral.patient
    drafts = referral_drafts(request, patient, referral)
    status = 200
    if request.method == "POST":
        form = ReferralForm(request.POST)
        if form.is_valid():
            try:
                changed = update_referral(
                    referral=referral,
                    by=request.user,
                    audit=request.audit,
                    details=form.details(),
                    expected_version=form.cleaned_data["version"] or 0,
                )
            except rules.ReferralChanged as stale:
                form, status = changed_meanwhile(request, referral, stale), 409
            else:
                forget_form_draft(
                    by=request.user, patient=patient, form=FormDraft.Form.REFERRAL, object_id=referral.public_id
                )
                if changed:
                    messages.success(request, f"{referral.service_name} referral saved.")
                else:
                    messages.info(request, "Nothing was changed.")
                return redirect("referrals:detail", referral_id=referral.public_id)
        else:
            status = 400
    else:
        initial = {name: getattr(referral, name) for name in ReferralForm.Meta.fields}
        form = ReferralForm(initial=with_draft({**initial, "version": referral.version}, drafts))
        record_access(request=request, patient=patient, action=Action.VIEW, target="edit referral")
    context = {"form": form, "patient": patient, "referral": referral, **drafts}
    return patient_page(request, "clinic/referrals/form.html", context, status=status)


# --------------------------------------------------------------------------- autosave (patients/form_draft_views.py)


def referral_drafts(request: HttpRequest, patient, referral: Referral | None = None) -> dict:
    """The person's autosaved draft of this referral form: the reason, the question and the rest as typed."""
    if referral is None:
        url = reverse("referrals:autosave_new", args=[patient.public_id])
    else:
        url = reverse("referrals:autosave", args=[referral.public_id])
    object_id = referral.public_id if referral else None
    return draft_context(request, patient=patient, form=FormDraft.Form.REFERRAL, object_id=object_id, autosave_url=url)


@autosave_view
def autosave_new_referral(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    if not may_write_referrals(request.user):
        raise PermissionDenied("Coordinators and clinicians write referrals.")
    page = reverse("referrals:new", args=[patient.public_id])
    return autosave_form(
        request,
        patient=patient,
        form=FormDraft.Form.REFERRAL,
        object_id=None,
        fields=ReferralForm().fields,
        page_url=page,
    )


@autosave_view
def autosave_referral(request: HttpRequest, referral_id) -> HttpResponse:
    referral = get_referral_to_change(request, referral_id)
    return autosave_form(
        request,
        patient=referral.patient,
        form=FormDraft.Form.REFERRAL,
        object_id=referral.public_id,
        fields=ReferralForm().fields,
        page_url=reverse("referrals:edit", args=[referral.public_id]),
    )


def changed_meanwhile(request: HttpRequest, referral: Referral, stale: rules.ReferralChanged) -> ReferralForm:
    """The edit form again with what was typed, saying who changed the referral meanwhile; saving
    again is then a decision taken knowing it (the form now carries the current version)."""
    last = referral.events.select_related("by").order_by("-at", "-id").first()
    data = request.POST.copy()
    data["version"] = referral.version
    form = ReferralForm(data)
    form.is_valid()
    if last is not None:
        who = last.by.display_name if last.by else "The app"
        change = last.note or last.get_to_state_display()
        form.add_error(None, f"{who} changed it at {timezone.localtime(last.at):%H:%M}: {change}")
    form.add_error(None, f"{stale} Your entries are below: compare them with the referral and save again.")
    return form
