"""Appointment pages: the clinic's day (every appointment of a day, by clinician), booking from a patient's
chart (or from an internal referral), one appointment with its history, and moving, changing, cancelling and
recording attendance. Each view finds the appointment or patient through the access rule first (404 to
outsiders, audited), then asks whether this person may make the change (403); the services write the events
of the changes (clinic/appointment_services.py) and the views the events of what they show."""

import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, F, Q, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.refusals import NotVisible
from audit.services import record_access
from clinic import appointment_services as services
from clinic import appointments as rules
from clinic.access import get_patient_for_user
from clinic.access.appointments import (
    ATTENDANCE_ONLY,
    BOOKERS_ONLY,
    appointments_visible_to,
    get_appointment_for_user,
    may_book,
    may_record_attendance,
)
from clinic.access.referrals import get_referral_for_user
from clinic.appointment_forms import AttendanceForm, BookingForm, CancelForm, DayForm, DetailsForm, MoveForm
from clinic.dates import start_of_day, today
from clinic.models import Appointment, Referral
from patients.banner import patient_page

DAY_SHOWN = 500  # a bound: a clinic's day has far fewer
CHART_SHOWN = 20
EVENTS_SHOWN = 100
REFERRAL_SHOWN = 20
# The columns the day page and the chart show.
LISTING_FIELDS = (
    "public_id",
    "patient_id",
    "clinician_id",
    "group_name",
    "discipline",
    "kind",
    "starts_at",
    "ends_at",
    "place",
    "video_link",
    "status",
)
CLINICIAN_FIELDS = tuple(
    f"clinician__{name}" for name in ("id", "first_name", "last_name", "username", "credentials", "discipline")
)
PATIENT_FIELDS = tuple(f"patient__{name}" for name in ("id", "public_id", "mrn", "given_name", "family_name"))


# --------------------------------------------------------------------------- the clinic's day


@login_required
@require_GET
def appointment_list(request: HttpRequest) -> HttpResponse:
    """Every appointment of one day (the clinic's date; default today) that this person may see, in time order,
    optionally one clinician's; three queries whatever the number (the clinicians, the day, the audit row)."""
    form = DayForm(request.GET or None)
    day, clinician = form.chosen(today=today())
    rows = appointments_visible_to(request.user).between(start_of_day(day), start_of_day(day + timedelta(days=1)))
    if clinician is not None:
        rows = rows.filter(clinician=clinician)
    shown = list(
        rows.select_related("patient", "clinician").only(*LISTING_FIELDS, *PATIENT_FIELDS, *CLINICIAN_FIELDS)[
            :DAY_SHOWN
        ]
    )
    record_access(request=request, patient=None, action=Action.VIEW, target="appointments of a day", shown=shown)
    context = {
        "form": form,
        "day": day,
        "clinician": clinician,
        "appointments": shown,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "is_today": day == today(),
        "may_book": may_book(request.user),
    }
    return TemplateResponse(request, "clinic/appointments/list.html", context)


# --------------------------------------------------------------------------- the chart and referral sections


@dataclass(frozen=True)
class ChartAppointments:
    upcoming: list[Appointment]
    recent: list[Appointment]
    more: bool


def chart_appointments(patient) -> ChartAppointments:
    """The chart's section: booked appointments still to come (soonest first), then the others, newest first
    (past ones, cancelled ones). One query, CHART_SHOWN rows at most."""
    now = timezone.now()
    upcoming = Q(status=Appointment.Status.BOOKED, ends_at__gt=now)
    rows = list(
        Appointment.objects.filter(patient=patient)
        .select_related("clinician")
        .only(*LISTING_FIELDS, *CLINICIAN_FIELDS)
        .order_by(
            Case(When(upcoming, then=0), default=1),
            Case(When(upcoming, then=F("starts_at"))).asc(nulls_last=True),
            "-starts_at",
            "-id",
        )[: CHART_SHOWN + 1]
    )
    shown = rows[:CHART_SHOWN]
    coming = [row for row in shown if row.status == Appointment.Status.BOOKED and row.ends_at > now]
    return ChartAppointments(
        upcoming=coming, recent=[row for row in shown if row not in coming], more=len(rows) > CHART_SHOWN
    )


def referral_appointments(referral: Referral) -> list[Appointment]:
    """The appointments booked through a referral, for its page (one query)."""
    return list(
        referral.appointments.select_related("clinician")
        .only(*LISTING_FIELDS, *CLINICIAN_FIELDS)
        .order_by("starts_at", "id")[:REFERRAL_SHOWN]
    )


# --------------------------------------------------------------------------- booking


@login_required
@require_http_methods(["GET", "POST"])
def appointment_new(request: HttpRequest, public_id) -> HttpResponse:
    """Book an appointment for the patient; `?referral=<id>` books it through that (internal) referral."""
    patient = get_patient_for_user(request.user, public_id)
    if not may_book(request.user):
        raise PermissionDenied(BOOKERS_ONLY)
    referral = through_referral(request, patient)
    form = BookingForm(request.POST or None, initial=booking_initial(referral))
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.book_appointment(
                patient=patient,
                by=request.user,
                audit=request.audit,
                starts_at=form.starts_at(),
                referral=referral,
                **{name: form.cleaned_data[name] for name in BOOKED_FIELDS},
            )
        except rules.AppointmentRefused as refused:
            put_on(form, refused)
        else:
            when = rules.when_words(appointment.starts_at, appointment.ends_at)
            messages.success(request, f"Appointment booked: {when}.")
            return redirect("appointments:detail", appointment_id=appointment.public_id)
    if request.method == "GET":
        record_access(request=request, patient=patient, action=Action.VIEW, target="book an appointment")
    context = {"form": form, "patient": patient, "referral": referral, "clinic_time_zone": settings.TIME_ZONE}
    return patient_page(request, "clinic/appointments/book.html", context, status=400 if form.errors else 200)


BOOKED_FIELDS = ("kind", "minutes", "clinician", "group_name", "discipline", "place", "video_link", "note_for_patient")


def through_referral(request: HttpRequest, patient) -> Referral | None:
    """The referral named by `?referral=` (GET) or the form's hidden field (POST); a 404 when it is not a
    referral of this patient this person may see."""
    referral_id = request.POST.get("referral") or request.GET.get("referral")
    if not referral_id:
        return None
    try:
        uuid.UUID(str(referral_id))
    except ValueError:
        raise NotVisible("referral", referral_id, "No such referral.") from None
    referral = get_referral_for_user(request.user, referral_id)
    if referral.patient_id != patient.pk:
        raise NotVisible("referral", referral_id, "No such referral.")
    return referral


def booking_initial(referral: Referral | None) -> dict:
    initial: dict = {"minutes": 30}
    if referral is not None and referral.appointment_on:
        initial["day"] = referral.appointment_on
    return initial


def put_on(form, refused: rules.AppointmentRefused) -> None:
    """The service's refusal on the form: on its field when the form has it, else at the top."""
    form.add_error(refused.field if refused.field in form.fields else None, str(refused))


# --------------------------------------------------------------------------- one appointment


@login_required
@require_GET
def appointment_detail(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, appointment_id)
    record_access(request=request, patient=appointment.patient, action=Action.VIEW, target="appointment")
    return detail_page(request, appointment)


def detail_page(request: HttpRequest, appointment: Appointment, *, failed=None, status: int = 200) -> HttpResponse:
    """The appointment with its history and the forms this person may use; `failed` is a form with errors,
    shown again with what was typed."""
    events = list(appointment.events.select_related("by").order_by("-at", "-id")[: EVENTS_SHOWN + 1])
    version = {"version": appointment.version}
    booker = may_book(request.user) and appointment.status == Appointment.Status.BOOKED
    local = timezone.localtime(appointment.starts_at)
    forms = {
        "move": MoveForm(initial={**version, "day": local.date(), "time": local.time(), "minutes": appointment.minutes})
        if booker
        else None,
        "details": DetailsForm(initial={**version, **{name: getattr(appointment, name) for name in DETAIL_FIELDS}})
        if booker
        else None,
        "cancel": CancelForm(initial=version) if booker else None,
        "attendance": AttendanceForm(initial=version)
        if may_record_attendance(request.user, appointment) and appointment.status != Appointment.Status.CANCELLED
        else None,
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    context = {
        "appointment": appointment,
        "patient": appointment.patient,
        "events": events[:EVENTS_SHOWN],
        "more_events": len(events) > EVENTS_SHOWN,
        "forms": forms,
        "attendance_open": today() >= timezone.localdate(appointment.starts_at),
        "when": rules.when_words(appointment.starts_at, appointment.ends_at),
    }
    return patient_page(request, "clinic/appointments/detail.html", context, status=status)


DETAIL_FIELDS = ("place", "video_link", "note_for_patient")


def get_appointment_to_book(request: HttpRequest, appointment_id) -> Appointment:
    appointment = get_appointment_for_user(request.user, appointment_id)
    if not may_book(request.user):
        raise PermissionDenied(BOOKERS_ONLY)
    return appointment


def shown_again(request: HttpRequest, appointment: Appointment, name: str, form, *, status: int = 400) -> HttpResponse:
    """The appointment's page again (its view audited) with the form ``name`` keeping what was typed."""
    record_access(request=request, patient=appointment.patient, action=Action.VIEW, target="appointment")
    return detail_page(request, appointment, failed=(name, form), status=status)


def changed(request: HttpRequest, appointment: Appointment, name: str, form, error: Exception) -> HttpResponse:
    """A change refused by a rule or made stale by someone else: the page again, the form keeping what was
    typed, its message on it (a stale form now carries the current version, so saving again is a decision)."""
    if isinstance(error, rules.AppointmentChanged):
        fresh = get_appointment_for_user(request.user, appointment.public_id)
        data = request.POST.copy()
        data["version"] = fresh.version
        form = type(form)(data)
        form.is_valid()
        form.add_error(None, f"{error} Your entries are below: check the appointment and save again.")
        return shown_again(request, fresh, name, form, status=409)
    assert isinstance(error, rules.AppointmentRefused)
    put_on(form, error)
    return shown_again(request, appointment, name, form)


@login_required
@require_POST
def appointment_move(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = get_appointment_to_book(request, appointment_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return shown_again(request, appointment, "move", form)
    try:
        services.move_appointment(
            appointment=appointment,
            by=request.user,
            audit=request.audit,
            starts_at=form.starts_at(),
            minutes=form.cleaned_data["minutes"],
            expected_version=form.cleaned_data["version"],
        )
    except (rules.AppointmentRefused, rules.AppointmentChanged) as error:
        return changed(request, appointment, "move", form, error)
    messages.success(request, f"Appointment moved to {rules.when_words(appointment.starts_at, appointment.ends_at)}.")
    return redirect("appointments:detail", appointment_id=appointment.public_id)


@login_required
@require_POST
def appointment_details(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = get_appointment_to_book(request, appointment_id)
    form = DetailsForm(request.POST)
    if not form.is_valid():
        return shown_again(request, appointment, "details", form)
    try:
        names = services.change_appointment_details(
            appointment=appointment,
            by=request.user,
            audit=request.audit,
            expected_version=form.cleaned_data["version"],
            **{name: form.cleaned_data[name] for name in DETAIL_FIELDS},
        )
    except (rules.AppointmentRefused, rules.AppointmentChanged) as error:
        return changed(request, appointment, "details", form, error)
    if names:
        messages.success(request, "Appointment details saved.")
    else:
        messages.info(request, "Nothing was changed.")
    return redirect("appointments:detail", appointment_id=appointment.public_id)


@login_required
@require_POST
def appointment_cancel(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = get_appointment_to_book(request, appointment_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return shown_again(request, appointment, "cancel", form)
    try:
        services.cancel_appointment(
            appointment=appointment,
            by=request.user,
            audit=request.audit,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except (rules.AppointmentRefused, rules.AppointmentChanged) as error:
        return changed(request, appointment, "cancel", form, error)
    messages.success(request, "Appointment cancelled. It stays in the patient's history.")
    return redirect("appointments:detail", appointment_id=appointment.public_id)


@login_required
@require_POST
def appointment_attendance(request: HttpRequest, appointment_id) -> HttpResponse:
    appointment = get_appointment_for_user(request.user, appointment_id)
    if not may_record_attendance(request.user, appointment):
        raise PermissionDenied(ATTENDANCE_ONLY)
    form = AttendanceForm(request.POST)
    if not form.is_valid():
        return shown_again(request, appointment, "attendance", form)
    try:
        services.record_attendance(
            appointment=appointment,
            by=request.user,
            audit=request.audit,
            status=form.cleaned_data["status"],
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except (rules.AppointmentRefused, rules.AppointmentChanged) as error:
        return changed(request, appointment, "attendance", form, error)
    messages.success(request, f"Attendance recorded: {appointment.get_status_display().lower()}.")
    return redirect("appointments:detail", appointment_id=appointment.public_id)
