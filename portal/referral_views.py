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
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from audit.models import Action
from audit.services import record_access
from clinic.models import Referral
from portal.sessions import current_session
from portal.views import closed_page, portal_page

SHOWN = 20
# The service in words for a heading, and inside a sentence ("We have sent your referral to ...").
SERVICE_WORDS = {
    Referral.Service.PHYSICAL_THERAPY: (gettext_lazy("Physical therapy"), gettext_lazy("physical therapy")),
    Referral.Service.OCCUPATIONAL_THERAPY: (gettext_lazy("Occupational therapy"), gettext_lazy("occupational therapy")),
    Referral.Service.BEHAVIOURAL_HEALTH: (
        gettext_lazy("Counselling and support"),
        gettext_lazy("a counselling and support team"),
    ),
    Referral.Service.PAIN_PSYCHOLOGY: (gettext_lazy("Pain psychology"), gettext_lazy("a pain psychologist")),
    Referral.Service.PAIN_MEDICINE: (gettext_lazy("Pain medicine"), gettext_lazy("a pain medicine doctor")),
    Referral.Service.INTERVENTIONAL: (gettext_lazy("Pain procedures"), gettext_lazy("a pain procedure clinic")),
    Referral.Service.SLEEP_MEDICINE: (gettext_lazy("Sleep clinic"), gettext_lazy("a sleep clinic")),
    Referral.Service.ADDICTION_MEDICINE: (
        gettext_lazy("Addiction medicine"),
        gettext_lazy("an addiction medicine team"),
    ),
    Referral.Service.SOCIAL_WORK: (gettext_lazy("Social work"), gettext_lazy("a social worker")),
    Referral.Service.SURGERY: (gettext_lazy("Surgery"), gettext_lazy("a surgeon")),
}
WAITING = {Referral.State.SENT, Referral.State.ACKNOWLEDGED, Referral.State.SCHEDULED, Referral.State.NO_SHOW}

# What a patient's page says of a referral (the home's "coming up" reads the same).
SHOWN_FIELDS = (
    "service",
    "service_other",
    "receiving_provider",
    "state",
    "appointment_on",
    "expected_wait_days",
    "bridge_plan",
    "bridge_contact",
)


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
    """Tuesday, March 3 (in the page's language)."""
    return date_format(day, gettext("l, F j"))


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def wait_words(days: int | None) -> str:
    if not days:
        return ""
    if days < 14:
        return ngettext("The wait is usually about %(days)d day.", "The wait is usually about %(days)d days.", days) % {
            "days": days
        }
    return gettext("The wait is usually about %(weeks)d weeks.") % {"weeks": round(days / 7)}


def for_patient(referral: Referral) -> PatientReferral:
    """The referral in plain words for its patient."""
    if referral.service == Referral.Service.OTHER:
        name = referral.service_other or gettext("another service")
        title, service = capital(name), name
    else:
        title, service = (str(words) for words in SERVICE_WORDS[referral.service])
    who = referral.receiving_provider or service
    state, day = referral.state, referral.appointment_on
    states = Referral.State
    if state == states.SENT:
        status = gettext(
            "We have sent your referral to %(who)s. They usually contact you within a week to set up a visit. "
            "If you have not heard from them by then, please call us."
        ) % {"who": who}
    elif state == states.ACKNOWLEDGED:
        status = gettext("%(who)s has your referral. They will contact you to set up a visit.") % {"who": capital(who)}
    elif state == states.SCHEDULED:
        status = (
            gettext("Your appointment is on %(day)s.") % {"day": day_words(day)}
            if day
            else gettext("Your appointment is booked.")
        )
    elif state == states.ATTENDED:
        status = gettext(
            "Thank you for going to your visit. We are waiting for their notes, "
            "and your care team will go over them with you."
        )
    elif state == states.REPORT_RECEIVED:
        status = gettext("We have the notes from your visit. Your care team will go over them with you.")
    elif state == states.NO_SHOW:
        status = (
            gettext(
                "Your visit on %(day)s did not go ahead. That is okay. "
                "We will contact you to find a new time, or you can call us."
            )
            % {"day": day_words(day)}
            if day
            else gettext(
                "Your visit did not go ahead. That is okay. We will contact you to find a new time, or you can call us."
            )
        )
    elif state == states.DECLINED:
        status = gettext(
            "%(who)s could not take this referral. Your care team will talk with you about other options."
        ) % {"who": capital(who)}
    elif state == states.CANCELLED:
        status = gettext("This referral has stopped. If you have questions about it, please call us.")
    else:  # closed
        status = gettext("This referral is complete.")
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
        .only(*SHOWN_FIELDS)
        .order_by(Referral.objects.ended_last(), "-state_changed_at", "-id")[:SHOWN]
    )
    context = {"patient": visit.patient, "referrals": [for_patient(referral) for referral in shown]}
    return TemplateResponse(request, "portal/referrals.html", context)
