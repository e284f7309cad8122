"""The patient-facing pages. Opening a link (GET) changes nothing a mail scanner could trigger: it shows a
"Continue" page, and only that button (a POST) signs the patient in (portal.sessions). Every portal page
asks `current_session`; a link's own task (questionnaires, intake) stays open while the link does, and the
session reaches the patient's other pages (home, plan, check-in, referrals) until it ends."""

from functools import wraps
from uuid import UUID

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.services import record_access
from measures.models import Invitation, Response
from measures.services import AnswerRefused
from portal import home_content, questionnaire
from portal.language import start_in_patient_language
from portal.models import PatientLink, PatientSession
from portal.ratelimit import too_many
from portal.safety import team_reply
from portal.services import find_link, renew_expired_link
from portal.sessions import IDLE, REMEMBER, SESSION_KEY, current_session, forget, sign_in, sign_out

IDLE_MINUTES = int(IDLE.total_seconds() // 60)  # said on the pages


def portal_page(view):
    """Portal pages: never cached, and no Referer ever leaves for another site (the link token
    must not leak). Not "no-referrer": with it browsers send `Origin: null` on form posts, which
    Django's CSRF check rightly refuses, so patients could not submit anything."""

    @wraps(view)
    @never_cache
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapped


@portal_page
@require_http_methods(["GET", "POST"])
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the calm "Continue" page, writing nothing (mail scanners open links). POST: sign in."""
    if too_many(request, "open"):
        return closed_page(request, token="", status=429)
    link = find_link(token)
    if link is None or not link.is_usable():
        return closed_page(request, token=token)
    if request.method == "GET":
        # The link's patient only picks the page's language (their language on file; the page shows nothing of them).
        context = {"token": token, "idle_minutes": IDLE_MINUTES, "patient": link.patient}
        return TemplateResponse(request, "portal/continue.html", context)
    remember = request.POST.get("remember") == "yes"
    request.session.cycle_key()  # a new session id at sign-in, as for staff
    _, key = sign_in(link=link, remember=remember, context=request.audit)
    request.session[SESSION_KEY] = key
    start_in_patient_language(request.session, link.patient)
    # "Remember this phone": the cookie lasts as long as the session may; otherwise it ends with the browser.
    request.session.set_expiry(int(REMEMBER.total_seconds()) if remember else 0)
    return redirect(landing_page(link))


def landing_page(link: PatientLink) -> str:
    """Where a link leads: an intake link to the intake, any other to the home (which lists the questionnaires)."""
    if link.purpose == PatientLink.Purpose.INTAKE:
        return reverse("portal:intake_resume")
    return reverse("portal:home")


@portal_page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    visit = current_session(request)
    if visit is None:
        return closed_page(request, token="")
    link, patient = visit.link, visit.patient
    if link.purpose == PatientLink.Purpose.INTAKE and link.is_usable():  # the intake has its own pages
        return redirect("portal:intake_resume")
    record_access(request=request, patient=patient, action=Action.VIEW, target="portal home", by_patient=True)
    invitation = questionnaire.invitation_of(link) if link.is_usable() else None
    steps = questionnaire.bundle(invitation) if invitation else []
    due = [step for step in steps if not step.done]
    context = {
        "patient": patient,
        "visit": visit,
        "idle_minutes": IDLE_MINUTES,
        "steps": steps if due else [],
        "minutes": questionnaire.minutes_for(sum(step.count - step.answered for step in due)),
        "due_count": len(due),
        "home": home_content.for_patient(patient),
    }
    context |= crisis_context(questionnaire.invitation_of(link))
    return TemplateResponse(request, "portal/home.html", context)


@portal_page
@require_POST
def request_new_link(request: HttpRequest, token: str) -> HttpResponse:
    if not too_many(request, "renew"):
        renew_expired_link(token=token)
    # The same words whatever happened, so the page reveals nothing about the link.
    return TemplateResponse(request, "portal/new_link_requested.html", {})


@portal_page
@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponse:
    """ "Sign out" (this device) or "Sign out on all devices": the session ends at once."""
    everywhere = request.POST.get("everywhere") == "yes"
    visit = current_session(request)
    if visit is not None:
        sign_out(visit=visit, everywhere=everywhere, context=request.audit)
    forget(request)
    if everywhere:
        messages.info(request, gettext("You are now signed out on all your phones and computers."))
    return redirect("portal:signed_out")


@portal_page
@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    return TemplateResponse(request, "portal/signed_out.html", {})


def closed_page(request: HttpRequest, *, token: str, status: int = 200) -> HttpResponse:
    """One calm page for unknown, expired, used and throttled links alike."""
    return TemplateResponse(request, "portal/link_closed.html", {"token": token}, status=status)


# --------------------------------------------------------------------------- the questionnaire journey

SENT_ALREADY = gettext_lazy("These answers were already sent. Thank you!")


def not_found(request: HttpRequest) -> HttpResponse:
    """A calm page for a questionnaire address that is not this patient's (or no longer exists)."""
    return TemplateResponse(request, "portal/not_found.html", {}, status=404)


def journey_link(visit: PatientSession | None) -> PatientLink | None:
    """The session's link while its questionnaires are open: a link's own task lasts as long as the link."""
    if visit is None or not visit.link.is_usable():
        return None
    return visit.link


def finished_invitation(visit: PatientSession | None) -> Invitation | None:
    """The invitation this session's link brought, once all of it is sent (the thank-you page), or None."""
    invitation = questionnaire.invitation_of(visit.link) if visit is not None else None
    return invitation if invitation is not None and invitation.completed_at is not None else None


def journey_closed(request: HttpRequest, visit: PatientSession | None) -> HttpResponse:
    """No open questionnaires: the thank-you page if this session has sent them (a double tap on "Send my
    answers" closes the link under the second tap), else the one calm page."""
    if finished_invitation(visit) is not None:
        return redirect("portal:thanks")
    return closed_page(request, token="")


def with_response(view):
    """Journey views: a live patient session, and a response of that link's own invitation (else 404)."""

    @wraps(view)
    def wrapped(request: HttpRequest, response_id: UUID, *args, **kwargs) -> HttpResponse:
        visit = current_session(request)
        link = journey_link(visit)
        if link is None:
            return journey_closed(request, visit)
        response = questionnaire.response_for(link, response_id)
        if response is None:
            return not_found(request)
        return view(request, link, response, *args, **kwargs)

    return wrapped


def crisis_context(invitation: Invitation | None) -> dict:
    """The crisis card's context: shown on every page once an answer of this invitation raised a safety alert
    (PHQ-9 item 9 above 0: the alert and its urgent task are saved with the answer), with the care team's reply
    honest about time (portal/safety.py). One query."""
    crisis = questionnaire.needs_crisis_resources(invitation)
    return {"crisis": crisis, "reply": team_reply() if crisis else None}


def questionnaire_target(response: Response) -> str:
    return f"questionnaire {response.instrument.spec.name}"


def question_url(response: Response, number: int, *, then: str = "") -> str:
    url = reverse("portal:question", args=[response.public_id, number])
    return f"{url}?then={then}" if then else url


def resume_url(response: Response) -> str:
    number = questionnaire.first_unanswered(response.instrument.spec, response.answers)
    return question_url(response, number) if number else reverse("portal:review", args=[response.public_id])


@portal_page
@require_POST
def start(request: HttpRequest, code: str) -> HttpResponse:
    visit = current_session(request)
    link = journey_link(visit)
    if link is None:
        return journey_closed(request, visit)
    invitation = questionnaire.invitation_of(link)
    response = questionnaire.start(invitation=invitation, code=code, reads=get_language()) if invitation else None
    if response is None:
        return not_found(request)
    if response.completed_at is not None:
        return redirect("portal:home")
    return redirect(resume_url(response))


@portal_page
@require_GET
@with_response
def resume(request: HttpRequest, link: PatientLink, response: Response) -> HttpResponse:
    if response.completed_at is not None:
        return redirect("portal:home")
    return redirect(resume_url(response))


@portal_page
@require_http_methods(["GET", "POST"])
@with_response
def question(request: HttpRequest, link: PatientLink, response: Response, number: int) -> HttpResponse:
    spec = response.worded_spec
    if not 1 <= number <= len(spec.items):
        return not_found(request)
    if response.completed_at is not None:
        messages.info(request, SENT_ALREADY)
        return redirect("portal:home")
    item = spec.items[number - 1]
    if questionnaire.is_skipped(spec, response.answers, item.code):  # the screen stopped at its gate
        return redirect("portal:review", response.public_id)
    then = "review" if request.POST.get("then", request.GET.get("then")) == "review" else ""
    error, status = "", 200
    if request.method == "POST":
        try:
            saved = questionnaire.answer(response=response, item_code=item.code, raw_value=request.POST.get("answer"))
        except AnswerRefused as refused:
            error, status = str(refused), 400
        else:
            if saved.completed_at is not None:  # sent from another tab meanwhile: nothing to change
                messages.info(request, SENT_ALREADY)
                return redirect("portal:home")
            return redirect(after_answer(saved, item.code, number, then=then))
    record_access(
        request=request,
        patient=link.patient,
        action=Action.VIEW,
        target=questionnaire_target(response),
        by_patient=True,
    )
    chosen = response.answers.get(item.code)
    codes = link.invitation.instrument_codes
    if then:
        back_url = reverse("portal:review", args=[response.public_id])
    elif number > 1:
        back_url = question_url(response, number - 1)
    else:
        back_url = reverse("portal:home")
    context = {
        "patient": link.patient,
        "response": response,
        "spec": spec,
        "item": item,
        "number": number,
        "count": len(questionnaire.asked_codes(spec, response.answers)),
        "stem": spec.stem if item.uses_stem else None,
        "options": [(option, chosen is not None and option.value == chosen) for option in item.options],
        "is_scale": questionnaire.is_scale(item),
        "low_anchor": item.options[0].anchor,
        "high_anchor": item.options[-1].anchor,
        "part": codes.index(spec.code) + 1 if spec.code in codes else None,
        "parts": len(codes),
        "then": then,
        "back_url": back_url,
        "error": error,
        **crisis_context(link.invitation),
    }
    return TemplateResponse(request, "portal/question.html", context, status=status)


def after_answer(response: Response, item_code: str, number: int, *, then: str) -> str:
    """Where an answer leads: the next question asked, else the review. From the review ("then"), back to it,
    unless a changed gate answer now asks questions still unanswered (PC-PTSD-5: "No" changed to "Yes")."""
    spec = response.instrument.spec
    gate = spec.gate
    if then and gate is not None and item_code == gate.item:
        missing = questionnaire.first_unanswered(spec, response.answers)
        return (
            question_url(response, missing, then="review")
            if missing
            else reverse("portal:review", args=[response.public_id])
        )
    following = questionnaire.next_question(spec, response.answers, number)
    if then or following is None:
        return reverse("portal:review", args=[response.public_id])
    return question_url(response, following)


@portal_page
@require_http_methods(["GET", "POST"])
@with_response
def review(request: HttpRequest, link: PatientLink, response: Response) -> HttpResponse:
    spec = response.worded_spec
    if request.method == "POST":
        return send(request, link, response)
    if response.completed_at is not None:
        messages.info(request, SENT_ALREADY)
        return redirect("portal:home")
    record_access(
        request=request,
        patient=link.patient,
        action=Action.VIEW,
        target=questionnaire_target(response),
        by_patient=True,
    )
    asked = set(questionnaire.asked_codes(spec, response.answers))
    rows = []
    for number, item in enumerate(spec.items, start=1):
        if item.code in asked:
            option = item.option_for(response.answers.get(item.code))
            rows.append({"number": number, "item": item, "option": option})
    answered = sum(1 for row in rows if row["option"] is not None)
    context = {
        "patient": link.patient,
        "response": response,
        "spec": spec,
        "rows": rows,
        "answered": answered,
        "count": len(rows),
        "stopped": len(rows) < len(spec.items),
        "last_number": rows[-1]["number"] if rows else len(spec.items),
        "first_missing": next((row["number"] for row in rows if row["option"] is None), None),
        **crisis_context(link.invitation),
    }
    return TemplateResponse(request, "portal/review.html", context)


def send(request: HttpRequest, link: PatientLink, response: Response) -> HttpResponse:
    """ "Send my answers": every question answered first; then submit (once), and on to what is next."""
    spec = response.instrument.spec
    missing = questionnaire.first_unanswered(spec, response.answers)
    if response.completed_at is None and missing:
        messages.info(request, gettext("One more thing before you send: please answer this question."))
        return redirect(question_url(response, missing, then="review"))
    with transaction.atomic():
        newly_sent, following = questionnaire.send(response=response, reads=get_language())
        if newly_sent:
            record_access(
                request=request,
                patient=link.patient,
                action=Action.CREATE,
                target=f"{questionnaire_target(response)} answers sent",
                by_patient=True,
            )
    if following is None:
        return redirect("portal:thanks")
    if newly_sent:
        messages.success(
            request,
            gettext("Thank you! Your %(name)s answers are sent. Next: %(next)s.")
            % {"name": spec.name, "next": following.instrument.spec.name},
        )
    return redirect(resume_url(following))


@portal_page
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    invitation = finished_invitation(current_session(request))
    if invitation is None:
        return closed_page(request, token="")
    patient = invitation.patient
    record_access(request=request, patient=patient, action=Action.VIEW, target="thank-you page", by_patient=True)
    order = {code: index for index, code in enumerate(invitation.instrument_codes)}
    sent = sorted(
        invitation.responses.completed().select_related("instrument"),
        key=lambda r: order.get(r.instrument.code, len(order)),
    )
    context = {
        "patient": patient,
        "numbers": questionnaire.your_numbers(patient=patient, latest=sent),
        "sent": sent,
        **crisis_context(invitation),
    }
    return TemplateResponse(request, "portal/thanks.html", context)


@portal_page
@require_POST
def later(request: HttpRequest) -> HttpResponse:
    """ "Save and finish later": the answers are already saved; the patient is signed out on this device."""
    visit = current_session(request)
    link = journey_link(visit)
    if visit is None or link is None:
        return journey_closed(request, visit)
    invitation = questionnaire.invitation_of(link)
    record_access(
        request=request, patient=link.patient, action=Action.VIEW, target="saved for later page", by_patient=True
    )
    context = {"patient": link.patient, "link": link, **crisis_context(invitation)}
    sign_out(visit=visit, everywhere=False, context=request.audit)
    forget(request)
    return TemplateResponse(request, "portal/later.html", context)
