"""The patient's "Your referrals" page: where each referral is, in plain words, and what to do while
waiting. Any live session of the patient opens it, whichever link started it (portal.sessions).

Never shown here: the reason, the question asked, or anything else written for clinicians. All the
wording below is the app's own (not from a clinical source), kept plain (grade 6-8) and never
blaming; a missed visit is "did not go ahead", never "you missed".
"""

from dataclasses import dataclass
from datetime import date

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from audit.models import Action
from audit.services import record_access
from clinic.models import Referral
from portal.sessions import current_session
from portal.views import closed_page, portal_page

SHOWN = 20
# The service in words for a heading, and inside a sentence ("We have sent your referral to ...").
SERVICE_WORDS = {
    Referral.Service.PHYSICAL_THERAPY: ("Physical therapy", "physical therapy"),
    Referral.Service.OCCUPATIONAL_THERAPY: ("Occupational therapy", "occupational therapy"),
    Referral.Service.BEHAVIOURAL_HEALTH: ("Counselling and support", "a counselling and support team"),
    Referral.Service.PAIN_PSYCHOLOGY: ("Pain psychology", "a pain psychologist"),
    Referral.Service.PAIN_MEDICINE: ("Pain medicine", "a pain medicine doctor"),
    Referral.Service.INTERVENTIONAL: ("Pain procedures", "a pain procedure clinic"),
    Referral.Service.SLEEP_MEDICINE: ("Sleep clinic", "a sleep clinic"),
    Referral.Service.ADDICTION_MEDICINE: ("Addiction medicine", "an addiction medicine team"),
    Referral.Service.SOCIAL_WORK: ("Social work", "a social worker"),
    Referral.Service.SURGERY: ("Surgery", "a surgeon"),
}
WAITING = {Referral.State.SENT, Referral.State.ACKNOWLEDGED, Referral.State.SCHEDULED, Referral.State.NO_SHOW}


@dataclass(frozen=True)
class PatientReferral:
    """One referral as the patient reads it."""

    title: str
    status: str
    wait: str
    bridge_steps: list[str]
    bridge_contact: str
    is_open: bool


def day_words(day: date) -> str:
    """Tuesday, March 3."""
    return f"{day:%A}, {day:%B} {day.day}"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def wait_words(days: int | None) -> str:
    if not days:
        return ""
    if days < 14:
        return f"The wait is usually about {days} day{'s' if days != 1 else ''}."
    return f"The wait is usually about {round(days / 7)} weeks."


def for_patient(referral: Referral) -> PatientReferral:
    """The referral in plain words for its patient."""
    if referral.service == Referral.Service.OTHER:
        name = referral.service_other or "another service"
        title, service = capital(name), name
    else:
        title, service = SERVICE_WORDS[referral.service]
    who = referral.receiving_provider or service
    state, day = referral.state, referral.appointment_on
    states = Referral.State
    if state == states.SENT:
        status = (
            f"We have sent your referral to {who}. They usually contact you within a week to set up a visit. "
            "If you have not heard from them by then, please call us."
        )
    elif state == states.ACKNOWLEDGED:
        status = f"{capital(who)} has your referral. They will contact you to set up a visit."
    elif state == states.SCHEDULED:
        status = f"Your appointment is on {day_words(day)}." if day else "Your appointment is booked."
    elif state == states.ATTENDED:
        status = (
            "Thank you for going to your visit. We are waiting for their notes, "
            "and your care team will go over them with you."
        )
    elif state == states.REPORT_RECEIVED:
        status = "We have the notes from your visit. Your care team will go over them with you."
    elif state == states.NO_SHOW:
        status = (
            f"Your visit{f' on {day_words(day)}' if day else ''} did not go ahead. That is okay. "
            "We will contact you to find a new time, or you can call us."
        )
    elif state == states.DECLINED:
        status = f"{capital(who)} could not take this referral. Your care team will talk with you about other options."
    elif state == states.CANCELLED:
        status = "This referral has stopped. If you have questions about it, please call us."
    else:  # closed
        status = "This referral is complete."
    waiting = state in WAITING
    return PatientReferral(
        title=title,
        status=status,
        wait=wait_words(referral.expected_wait_days) if state in (states.SENT, states.ACKNOWLEDGED) else "",
        bridge_steps=plan_steps(referral.bridge_plan) if waiting else [],
        bridge_contact=referral.bridge_contact if waiting else "",
        is_open=referral.is_open,
    )


def plan_steps(plan: str) -> list[str]:
    """The bridge plan's lines as steps (list marks typed by staff dropped)."""
    return [step for step in (line.strip(" -*\u2022\t") for line in plan.splitlines()) if step]


@portal_page
@require_GET
def referrals(request: HttpRequest) -> HttpResponse:
    visit = current_session(request)
    if visit is None:
        return closed_page(request, token="")
    record_access(
        request=request, patient=visit.patient, action=Action.VIEW, target="portal referrals", by_patient=True
    )
    shown = (
        Referral.objects.for_portal(visit.patient)
        .only(
            "service",
            "service_other",
            "receiving_provider",
            "state",
            "appointment_on",
            "expected_wait_days",
            "bridge_plan",
            "bridge_contact",
        )
        .order_by(Referral.objects.ended_last(), "-state_changed_at", "-id")[:SHOWN]
    )
    context = {"patient": visit.patient, "referrals": [for_patient(referral) for referral in shown]}
    return TemplateResponse(request, "portal/referrals.html", context)
