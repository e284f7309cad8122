"""The intake on the chart: send the link, "the story in 60 seconds", and the full answers.

Every view checks access to the patient first (404 to outsiders, clinic.access) and writes an audit event.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from audit.models import Action
from audit.services import record_access
from clinic.access import get_patient_for_user, refuse_unless
from clinic.access.patients import LINK_SENDERS_ONLY, may_send_patient_links
from clinic.dates import held_for_message_hours_words
from patients import intake as sections
from patients.banner import patient_page
from patients.intake_services import send_intake_link
from patients.models import Intake
from patients.story import intake_to_show, story_for

CHANNEL_WORDS = {"email": "email", "sms": "text message"}
EARLIER_SHOWN = 10


@never_cache
@login_required
@require_POST
def send_link(request: HttpRequest, public_id) -> HttpResponse:
    """Send (or send again) the intake link. Without a consented channel the link is shown once, here."""
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_send_patient_links(request.user, patient), LINK_SENDERS_ONLY)
    sent = send_intake_link(patient=patient, by=request.user)
    if sent.repeated:  # a double click or a retried POST: the link of a moment ago stands, nothing new was sent
        record_access(
            request=request,
            patient=patient,
            action=Action.VIEW,
            target="intake link: asked again within a minute, nothing new sent",
        )
        if sent.channel is None:
            messages.info(request, "A link was just made a moment ago. To send a new one, wait a minute.")
        else:
            messages.info(
                request,
                f"The intake link is already on its way to {patient.called} by "
                f"{CHANNEL_WORDS.get(sent.channel, sent.channel)}: it was sent a moment ago.",
            )
        return redirect("patients:chart", public_id=patient.public_id)
    record_access(request=request, patient=patient, action=Action.CREATE, target="intake link sent")
    if sent.channel is None:
        context = {"patient": patient, "url": sent.url, "link": sent.link}
        return patient_page(request, "patients/intake/link_given.html", context)
    messages.success(
        request,
        f"The intake link is on its way to {patient.called} by {CHANNEL_WORDS.get(sent.channel, sent.channel)}."
        + held_for_message_hours_words(),
    )
    return redirect("patients:chart", public_id=patient.public_id)


def chosen_intake(request: HttpRequest, patient, *, required: bool = True) -> Intake | None:
    """The intake named in ?intake= (this patient's own only, else 404), else the one the story shows by
    default (None when the patient has none and it is not ``required``)."""
    wanted = request.GET.get("intake")
    try:
        intake = intake_to_show(patient, wanted) if wanted else intake_to_show(patient)
    except ValidationError:  # not a UUID
        intake = None
    if intake is None and (wanted or required):
        raise Http404("No such intake.")
    return intake


@login_required
@require_GET
def story(request: HttpRequest, public_id) -> HttpResponse:
    """'The story in 60 seconds': red flags on top, then the patient's story in a page."""
    patient = get_patient_for_user(request.user, public_id)
    intake = chosen_intake(request, patient, required=False)
    record_access(request=request, patient=patient, action=Action.VIEW, target="intake: story in 60 seconds")
    earlier = []
    if intake is not None:
        earlier = list(
            patient.intakes.exclude(pk=intake.pk)
            .only("public_id", "created_at", "submitted_at")
            .order_by("-created_at", "-id")[:EARLIER_SHOWN]
        )
    context = {
        "patient": patient,
        "intake": intake,
        "story": story_for(intake) if intake is not None else None,
        "earlier": earlier,
    }
    return patient_page(request, "patients/intake/story.html", context)


@login_required
@require_GET
def answers(request: HttpRequest, public_id) -> HttpResponse:
    """Every answer of the intake, section by section, in the patient's words."""
    patient = get_patient_for_user(request.user, public_id)
    intake = chosen_intake(request, patient)
    record_access(request=request, patient=patient, action=Action.VIEW, target="intake: full answers")
    rows = []
    for section in sections.SECTIONS:
        stored = sections.stored_answers(section, intake.answers, intake.red_flag_answers)
        described = sections.describe(section, stored)
        rows.append(
            {
                "section": section,
                "saved": section.code in intake.sections_saved,
                "filled": any(answer.text for answer in described),
                "answers": described,
            }
        )
    context = {
        "patient": patient,
        "intake": intake,
        "rows": rows,
    }
    return patient_page(request, "patients/intake/answers.html", context)
