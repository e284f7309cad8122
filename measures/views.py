"""Questionnaire pages on the chart: an instrument's responses, alert acknowledgement, and entering a
questionnaire in clinic (kiosk or on the patient's behalf). Every view checks access to the patient
first (404 to outsiders) and audits what it shows; the services it calls audit the changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from audit.models import Action
from audit.services import record_access
from clinic.access import get_patient_for_user
from clinic.access.alerts import may_acknowledge_alerts
from clinic.access.schedules import may_enter_responses
from clinic.middleware import KIOSK_LOCK
from clinic.safety_forms import AcknowledgeUrgentForm
from clinic.sign_in import (
    PASSWORD_MAX_LENGTH,
    cooloff_minutes,
    forget_kiosk_unlock_failures,
    kiosk_unlock_paused,
    record_kiosk_unlock_failure,
)
from measures.entry import record_in_clinic
from measures.entry_forms import ResponseEntryForm
from measures.models import Alert, Instrument, Response
from measures.scoring_context import scoring_context
from measures.services import acknowledge_alert, latest_instrument
from measures.trends import trends_for
from patients.banner import patient_page

RESPONSES_SHOWN = 100
ALERTS_SHOWN = 50


def current_instrument(code: str) -> Instrument:
    """The newest active version of an instrument, or a 404."""
    try:
        return latest_instrument(code)
    except Instrument.DoesNotExist:
        raise Http404("No such questionnaire.") from None


@login_required
@require_GET
def instrument_detail(request: HttpRequest, public_id, code: str) -> HttpResponse:
    """One instrument's responses for one patient: trend, table with item answers, alert history."""
    patient = get_patient_for_user(request.user, public_id)
    responses = list(
        Response.objects.completed()
        .filter(patient=patient, instrument__code=code)
        .select_related("entered_by")
        .prefetch_related(Prefetch("instrument", queryset=Instrument.objects.all()))
        .order_by("-completed_at", "-id")[: RESPONSES_SHOWN + 1]
    )
    if not responses:
        raise Http404("No responses to this questionnaire.")
    record_access(request=request, patient=patient, action=Action.VIEW, target=f"questionnaire responses: {code}")
    trends = trends_for(patient, codes=[code])
    definition = trends[0].definition if trends else responses[0].instrument.spec
    rows = [response_row(response) for response in responses[:RESPONSES_SHOWN]]
    alerts = list(Alert.objects.history_for(patient, code=code)[:ALERTS_SHOWN])
    context = {
        "patient": patient,
        "code": code,
        "definition": definition,
        "trend": trends[0] if trends else None,
        "rows": rows,
        "more": len(responses) > RESPONSES_SHOWN,
        "alerts": alerts,
    }
    return patient_page(request, "measures/instrument_detail.html", context)


def response_row(response: Response) -> dict:
    """A response with its item answers in words (the item text and the chosen option's label)."""
    spec = response.instrument.spec
    places = spec.display_decimals
    answers = []
    for item in spec.items:
        value = response.answers.get(item.code)
        option = item.option_for(value) if value is not None else None
        label = option.label if option else ("Not answered" if value is None else f"Not an option ({value})")
        answers.append({"code": item.code, "text": item.text, "label": label, "value": value})
    return {
        "response": response,
        "total": None if response.total is None else f"{float(response.total):.{places}f}",
        "answers": answers,
        "version": spec.version,
    }


@login_required
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, public_id, response_id, kind: str) -> HttpResponse:
    """Acknowledge one alert with a note of what was done (clinicians on the care team only)."""
    patient = get_patient_for_user(request.user, public_id)
    try:
        alert = (
            Alert.objects.select_related("response__instrument", "acknowledged_by")
            .defer("response__answers", "response__instrument__definition")
            .get(patient=patient, response__public_id=response_id, kind=kind)
        )
    except Alert.DoesNotExist:
        raise Http404("No such alert.") from None
    alert.patient = patient  # reached through the access rule: the service's check needs no query
    if not may_acknowledge_alerts(request.user, patient):
        raise PermissionDenied("Only a clinician on the patient's care team can acknowledge an alert.")
    back = safe_next(request, default=reverse("patients:chart", args=[patient.public_id]))
    if alert.acknowledged_at is not None:
        messages.info(request, f"This alert was already acknowledged by {alert.acknowledged_by}.")
        return redirect(back)
    form = AcknowledgeUrgentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        acknowledge_alert(alert=alert, by=request.user, audit=request.audit, note=data["note"], action=data["action"])
        messages.success(request, f"Alert acknowledged: {alert.get_kind_display()}.")
        return redirect(back)
    record_access(request=request, patient=patient, action=Action.VIEW, target="alert to acknowledge")
    context = {"patient": patient, "alert": alert, "form": form, "next": back}
    return patient_page(request, "measures/acknowledge.html", context, status=400 if form.errors else 200)


def safe_next(request: HttpRequest, *, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=False)
    return wanted if wanted.startswith("/") and allowed else default


# --------------------------------------------------------------------------- entering in clinic


def patient_for_entry(request: HttpRequest, public_id):
    patient = get_patient_for_user(request.user, public_id)
    if not may_enter_responses(request.user, patient):
        raise PermissionDenied("Clinicians on the care team and coordinators enter questionnaires.")
    return patient


@login_required
@require_GET
def choose_instrument(request: HttpRequest, public_id) -> HttpResponse:
    patient = patient_for_entry(request, public_id)
    record_access(request=request, patient=patient, action=Action.VIEW, target="enter a questionnaire")
    newest = Instrument.objects.only("code", "name", "version", "loaded_at").newest_active()
    instruments = sorted(newest.values(), key=lambda i: i.name.lower())
    return patient_page(request, "measures/choose.html", {"patient": patient, "instruments": instruments})


@login_required
@require_http_methods(["GET", "POST"])
def enter_on_behalf(request: HttpRequest, public_id, code: str) -> HttpResponse:
    """Staff type the patient's answers (read out or from paper); the source and who typed are recorded."""
    patient = patient_for_entry(request, public_id)
    instrument = current_instrument(code)
    form = ResponseEntryForm(request.POST or None, definition=instrument.spec, recorded=scoring_context(patient))
    if request.method == "POST" and form.is_valid():
        submission = save_entry(request, patient, instrument, form, source=Response.Source.ON_BEHALF)
        messages.success(request, entered_message(submission))
        if submission.needs_crisis_resources:  # stay with the patient: the crisis resources (entry_views.py)
            response_id = submission.response.public_id
            return redirect("measures:entered_safety", public_id=patient.public_id, response_id=response_id)
        return redirect("measures:detail", public_id=patient.public_id, code=code)
    if request.method == "GET":
        record_access(request=request, patient=patient, action=Action.VIEW, target=f"enter on behalf: {code}")
    context = {"patient": patient, "instrument": instrument, "definition": instrument.spec, "form": form}
    return patient_page(request, "measures/enter.html", context, status=400 if form.errors else 200)


def save_entry(request: HttpRequest, patient, instrument: Instrument, form, *, source: str):
    """Record answers typed in clinic; on a tablet the patient typed them, so no staff member entered them."""
    return record_in_clinic(
        patient=patient,
        instrument=instrument,
        answers=form.answers,
        source=source,
        by=request.user,
        audit=request.audit,
        context=form.scoring_context,
    )


def entered_message(submission) -> str:
    response = submission.response
    text = f"{response.instrument.name} saved"
    if response.total is not None:
        places = response.instrument.spec.display_decimals
        text += f": total {float(response.total):.{places}f}" + (f" ({response.band})" if response.band else "")
    if submission.alerts:
        kinds = ", ".join(alert.get_kind_display() for alert in submission.alerts)
        text += f". Alert raised: {kinds}."
    return text


@login_required
@require_http_methods(["GET", "POST"])
def kiosk(request: HttpRequest, public_id, code: str) -> HttpResponse:
    """The tablet handed to the patient: no staff chrome, large answers, one page."""
    patient = patient_for_entry(request, public_id)
    instrument = current_instrument(code)
    form = ResponseEntryForm(request.POST or None, definition=instrument.spec, recorded=scoring_context(patient))
    if request.method == "POST" and form.is_valid():
        submission = save_entry(request, patient, instrument, form, source=Response.Source.KIOSK)
        return redirect("measures:kiosk_done", public_id=patient.public_id, response_id=submission.response.public_id)
    if request.method == "GET":
        request.session[KIOSK_LOCK] = str(patient.public_id)
        record_access(request=request, patient=patient, action=Action.VIEW, target=f"clinic tablet: {code}")
    context = {"patient": patient, "instrument": instrument, "definition": instrument.spec, "form": form}
    return TemplateResponse(request, "measures/kiosk.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def kiosk_done(request: HttpRequest, public_id, response_id) -> HttpResponse:
    patient = patient_for_entry(request, public_id)
    try:
        response = (
            Response.objects.completed()
            .select_related("instrument")
            .only("id", "public_id", "source", "instrument__name", "instrument__code")
            .get(patient=patient, public_id=response_id, source=Response.Source.KIOSK)
        )
    except Response.DoesNotExist:
        raise Http404("No such response.") from None
    needs_crisis_resources = response.alerts.filter(kind=Alert.Kind.SAFETY).exists()
    record_access(
        request=request, patient=patient, action=Action.VIEW, target=f"clinic tablet: {response.instrument.code} sent"
    )
    context = {"patient": patient, "response": response, "needs_crisis_resources": needs_crisis_resources}
    return TemplateResponse(request, "measures/kiosk_done.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def kiosk_unlock(request: HttpRequest, public_id) -> HttpResponse:
    """Hand the tablet back: the clinician's password ends the tablet lock and returns to the chart.

    Limited like sign-in (clinic/sign_in.py): AXES_FAILURE_LIMIT wrong passwords for the account within the
    cool-off pause the unlock; signing out stays possible. Every attempt is audited, right or wrong."""
    patient = patient_for_entry(request, public_id)
    username = request.user.get_username()
    wrong = False
    if request.method == "POST":
        if kiosk_unlock_paused(username):
            record_access(
                request=request, patient=patient, action=Action.VIEW, target="clinic tablet: unlock refused, paused"
            )
        else:
            password = request.POST.get("password", "")
            if len(password) <= PASSWORD_MAX_LENGTH and request.user.check_password(password):
                forget_kiosk_unlock_failures(username)
                request.session.pop(KIOSK_LOCK, None)
                record_access(request=request, patient=patient, action=Action.VIEW, target="clinic tablet: unlocked")
                return redirect("patients:chart", public_id=patient.public_id)
            record_kiosk_unlock_failure(username)
            record_access(
                request=request,
                patient=patient,
                action=Action.VIEW,
                target="clinic tablet: unlock refused, wrong password",
            )
            wrong = True
    paused = kiosk_unlock_paused(username)
    context = {
        "patient": patient,
        "wrong": wrong and not paused,
        "paused_minutes": cooloff_minutes() if paused else None,
    }
    status = 429 if paused and request.method == "POST" else 400 if wrong else 200
    return TemplateResponse(request, "measures/kiosk_unlock.html", context, status=status)
