"""The pre-visit intake on the patient's phone: a welcome, one short section per screen saved as they go
(each "Save" and, with JavaScript, every few seconds while typing), the red-flag screen with its
emergency guidance, a review, and "Send to my care team" once.

Only the link in the patient's session leads to an intake: no intake id is ever in a URL. Opening a
page (GET) changes nothing; every save and every page is audited with the patient as the actor.
"""

from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.services import record_access
from measures.definitions import get_definition
from patients import bodymap, redflags
from patients import intake as sections
from patients.intake_services import IntakeClosed, needs_support, save_red_flags, save_section, submit_intake
from patients.models import Intake
from patients.self_harm_services import INTAKE, raised_for
from portal import safety as replies
from portal.models import PatientLink, PatientSession
from portal.sessions import current_session, forget, sign_out
from portal.views import closed_page, not_found, portal_page

SAVE_PROBLEM = "Please check the answer marked below. Everything else on this page is saved."
SAFETY_MISSING = "Please answer yes or no to each question. Your answers so far are saved."
SEND_SAFETY_FIRST = "One more thing before you send: please answer the safety questions."


def finished_intake(visit: PatientSession | None) -> Intake | None:
    """The intake this session's link brought, once sent (for the thank-you page), or None."""
    if visit is None or visit.link.purpose != PatientLink.Purpose.INTAKE:
        return None
    return (
        Intake.objects.select_related("patient")
        .filter(link_id=visit.link_id, patient_id=visit.patient_id, submitted_at__isnull=False)
        .first()
    )


def intake_link(visit: PatientSession | None) -> PatientLink | None:
    """The session's intake link while it is open: the intake lasts as long as its link."""
    if visit is None or visit.link.purpose != PatientLink.Purpose.INTAKE or not visit.link.is_usable():
        return None
    return visit.link


def with_intake(view):
    """Intake pages: a live patient session whose link is an intake link, and that link's open intake."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        visit = current_session(request)
        if visit is not None and visit.link.purpose != PatientLink.Purpose.INTAKE:
            return not_found(request)
        link = intake_link(visit)
        if link is None:
            if finished_intake(visit) is not None:
                return redirect("portal:intake_thanks")
            return closed_page(request, token="")
        intake = Intake.objects.filter(link_id=link.id, patient_id=link.patient_id, submitted_at__isnull=True).first()
        if intake is None:
            return not_found(request)
        return view(request, link, intake, *args, **kwargs)

    return wrapped


def audit(request: HttpRequest, link: PatientLink, action: str, target: str) -> None:
    record_access(request=request, patient=link.patient, action=action, target=target, by_patient=True)


def is_started(intake: Intake) -> bool:
    return bool(intake.sections_saved or intake.answers or intake.red_flag_answers)


def section_url(code: str, *, then: str = "") -> str:
    url = reverse("portal:intake_section", args=[code])
    return f"{url}?then={then}" if then else url


def resume_url(intake: Intake) -> str:
    code = sections.first_unsaved(intake.sections_saved)
    return section_url(code) if code else reverse("portal:intake_review")


def section_states(intake: Intake) -> list[dict]:
    rows = []
    for number, section in enumerate(sections.SECTIONS, start=1):
        if section.code in intake.sections_saved:
            state = "done"
        elif sections.stored_answers(section, intake.answers, intake.red_flag_answers):
            state = "started"
        else:
            state = "not_started"
        rows.append({"number": number, "section": section, "state": state})
    return rows


@portal_page
@require_GET
@with_intake
def resume(request: HttpRequest, link: PatientLink, intake: Intake) -> HttpResponse:
    """Where the link leads: the welcome the first time, else the first section not saved yet."""
    if not is_started(intake):
        return redirect("portal:intake")
    return redirect(resume_url(intake))


@portal_page
@require_GET
@with_intake
def overview(request: HttpRequest, link: PatientLink, intake: Intake) -> HttpResponse:
    """The welcome (why we ask, how long it takes) and the list of sections with what is done."""
    welcome = not is_started(intake) and "all" not in request.GET
    audit(request, link, Action.VIEW, "intake welcome" if welcome else "intake sections")
    rows = section_states(intake)
    done = sum(1 for row in rows if row["state"] == "done")
    context = {
        "patient": link.patient,
        "link": link,
        "welcome": welcome,
        "rows": rows,
        "done": done,
        "count": len(rows),
        "minutes": sections.MINUTES,
        "first_url": section_url(sections.SECTION_CODES[0]),
        "resume_url": resume_url(intake),
        "safety_done": sections.SAFETY in intake.sections_saved,
    }
    return TemplateResponse(request, "portal/intake/overview.html", context)


def section_context(link, intake, section, *, values, errors, then) -> dict:
    number = sections.number_of(section.code)
    where = section.code == sections.WHERE
    regions = values.get("regions", []) if where else []
    worst = values.get("worst", "") if where else ""
    return {
        "patient": link.patient,
        "link": link,
        "section": section,
        "groups": sections.bind(section, values, errors),
        "errors": errors,
        "number": number,
        "count": len(sections.SECTIONS),
        "then": then,
        "is_safety": section.code == sections.SAFETY,
        "is_where": where,
        "bodymap": bodymap_context(regions, worst, interactive=True) if where else None,
        "bodymap_options": bodymap_options(regions) if where else [],
        "attributions": [get_definition(code) for code in section.instruments],
        "saved": section.code in intake.sections_saved,
        "last": number == len(sections.SECTIONS),
    }


def bodymap_context(regions, worst, *, interactive: bool) -> dict:
    return {"interactive": interactive, "figures": bodymap.figures(bodymap.shapes(regions, worst))}


def bodymap_options(regions) -> list[tuple[str, list[dict]]]:
    """The body map's checkboxes, front then back (the real form fields behind the drawing)."""
    chosen = set(regions or ())
    return [
        (
            bodymap.SIDE_LABELS[side],
            [
                {
                    "choice": sections.Choice(region.code, region.label),
                    "name": region.name,
                    "selected": region.code in chosen,
                }
                for region in bodymap.regions_on(side)
            ],
        )
        for side in bodymap.SIDES
    ]


def posted(request: HttpRequest) -> dict:
    return dict(request.POST.lists())


@portal_page
@require_http_methods(["GET", "POST"])
@with_intake
def section(request: HttpRequest, link: PatientLink, intake: Intake, code: str) -> HttpResponse:
    """One section. Every button saves first: "Save and continue", "Back" and "Save and finish later"."""
    section = sections.SECTIONS_BY_CODE.get(code)
    if section is None:
        return not_found(request)
    then = "review" if request.POST.get("then", request.GET.get("then")) == "review" else ""
    if request.method == "GET":
        audit(request, link, Action.VIEW, f"intake section: {section.code}")
        stored = sections.stored_answers(section, intake.answers, intake.red_flag_answers)
        values = sections.as_form_values(section, stored)
        context = section_context(link, intake, section, values=values, errors={}, then=then)
        return TemplateResponse(request, "portal/intake/section.html", context)

    go = request.POST.get("go", "next")
    cleaned = sections.clean_section(section, posted(request))
    errors = dict(cleaned.errors)
    words = False
    try:
        with transaction.atomic():
            if section.code == sections.SAFETY:
                saved = save_red_flags(intake=intake, answers=cleaned.values, finished=cleaned.is_valid)
                intake = saved.intake
            else:
                saved = None
                section_saved = save_section(
                    intake=intake, code=section.code, values=cleaned.values, finished=cleaned.is_valid
                )
                intake, words = section_saved.intake, section_saved.self_harm.matched
            audit(request, link, Action.UPDATE, f"intake section saved: {section.code}")
    except IntakeClosed:
        return redirect("portal:intake_thanks")
    if saved is not None:
        if saved.is_emergency:
            return redirect("portal:intake_safety")
        if go in ("next", "review"):
            for missing in sections.unanswered(section, intake.red_flag_answers):
                errors.setdefault(missing, sections.ANSWER_EACH)
    if errors:
        context = section_context(link, intake, section, values=cleaned.raw, errors=errors, then=then)
        context["problem"] = SAFETY_MISSING if section.code == sections.SAFETY and cleaned.is_valid else SAVE_PROBLEM
        if words:  # self-harm words in what was just saved: the crisis resources at once, on this page
            context |= {"crisis": True, "reply": replies.team_reply()}
        return TemplateResponse(request, "portal/intake/section.html", context, status=400)
    onward = "" if go == "later" else f"?next={next_stop(section, go=go, then=then)}"
    if words:
        return redirect(reverse("portal:intake_support") + onward)
    if saved is not None and saved.assessment.level == redflags.REVIEW:
        # The review guidance (what would mean care today, or now), then on to where the patient was going.
        return redirect(reverse("portal:intake_safety") + onward)
    return after_save(request, link, intake, section, go=go, then=then)


def after_save(request, link, intake, section, *, go: str, then: str) -> HttpResponse:
    if go == "later":
        return saved_for_later(request, link)
    return redirect(stop_url(next_stop(section, go=go, then=then)))


def next_stop(section, *, go: str, then: str) -> str:
    """Where a save leads ("Save and continue", "Back"), as a word a page can carry: a section code, "review"
    or "welcome"."""
    if go == "back":
        return "review" if then else sections.previous_code(section.code) or "welcome"
    following = sections.next_code(section.code)
    if then or go == "review" or following is None:
        return "review"
    return following


def stop_url(stop: str) -> str | None:
    """The page of a ``next_stop`` word; None for anything else (never a URL from the request)."""
    if stop == "review":
        return reverse("portal:intake_review")
    if stop == "welcome":
        return reverse("portal:intake")
    return section_url(stop) if stop in sections.SECTIONS_BY_CODE else None


def saved_for_later(request: HttpRequest, link: PatientLink) -> HttpResponse:
    """ "Save and finish later": the answers are saved; the patient is signed out on this device."""
    audit(request, link, Action.VIEW, "saved for later page")
    context = {"patient": link.patient, "link": link, "crisis": False}
    visit = current_session(request)
    if visit is not None:
        sign_out(visit=visit, everywhere=False, context=request.audit)
    forget(request)
    return TemplateResponse(request, "portal/later.html", context)


@portal_page
@require_POST
def autosave(request: HttpRequest, code: str) -> HttpResponse:
    """Save a section while the patient types or taps (htmx, every few seconds): a small "Saved" status.

    A section does not count as saved until the patient saves it (except the red-flag screen, once every
    item is answered). An emergency answer on the red-flag screen sends the browser straight to the
    emergency guidance.
    """
    section = sections.SECTIONS_BY_CODE.get(code)
    link = intake_link(current_session(request))
    if section is None or link is None:
        return leave_for(reverse("portal:intake_resume"))
    intake = Intake.objects.filter(link_id=link.id, patient_id=link.patient_id, submitted_at__isnull=True).first()
    if intake is None:
        return leave_for(reverse("portal:intake_resume"))
    cleaned = sections.clean_section(section, posted(request))
    new_words = False
    try:
        with transaction.atomic():
            if section.code == sections.SAFETY:
                # The red-flag screen counts as saved once every item is answered: an emergency answer takes
                # the patient to the guidance before they can press "Save".
                saved = save_red_flags(intake=intake, answers=cleaned.values, finished=True)
            else:
                saved = None
                check = save_section(intake=intake, code=section.code, values=cleaned.values, finished=False)
                new_words = check.self_harm.new
            audit(request, link, Action.UPDATE, f"intake section autosaved: {section.code}")
    except IntakeClosed:
        return leave_for(reverse("portal:intake_thanks"))
    if saved is not None and saved.new_emergency:
        return leave_for(reverse("portal:intake_safety"))
    if new_words:  # self-harm words just typed (the task is raised once): the crisis resources at once
        return leave_for(reverse("portal:intake_support"))
    context = {"saved_at": timezone.localtime(), "problem": bool(cleaned.errors)}
    return TemplateResponse(request, "portal/intake/section.html#save_status", context)


def leave_for(url: str) -> HttpResponse:
    """Tell htmx to go to another page (a plain request just gets an empty answer)."""
    response = HttpResponse("", status=200)
    response["HX-Redirect"] = url
    return response


@portal_page
@require_GET
@with_intake
def safety(request: HttpRequest, link: PatientLink, intake: Intake) -> HttpResponse:
    """The red-flag guidance, calm and on its own page, after the answer is saved and its task created: for an
    emergency, "seek emergency care now"; for a review-level flag, what would mean care today or now."""
    level = intake.red_flag_level
    if level not in (redflags.EMERGENCY, redflags.REVIEW):
        return redirect(resume_url(intake))
    emergency = level == redflags.EMERGENCY
    audit(request, link, Action.VIEW, "intake emergency guidance" if emergency else "intake red-flag guidance")
    if sections.SAFETY not in intake.sections_saved:  # some safety questions are still unanswered
        continue_url = section_url(sections.SAFETY)
    else:
        code = sections.first_unsaved(intake.sections_saved)
        continue_url = stop_url(request.GET.get("next", "")) or (
            section_url(code) if code else reverse("portal:intake_review")
        )
    context = {
        "patient": link.patient,
        "link": link,
        "guidance": redflags.GUIDANCE[level],
        "emergency": emergency,
        "reply": replies.team_reply(kind=replies.URGENT if emergency else replies.REVIEW),
        "continue_url": continue_url,
    }
    return TemplateResponse(request, "portal/intake/safety.html", context)


def has_self_harm_task(intake: Intake) -> bool:
    """Whether self-harm words in this intake's free text raised a task (one indexed query)."""
    return raised_for(patient_id=intake.patient_id, where=INTAKE, key_prefix=f"{intake.public_id}:")


@portal_page
@require_GET
@with_intake
def support(request: HttpRequest, link: PatientLink, intake: Intake) -> HttpResponse:
    """The crisis resources after self-harm words in the patient's free text (saved, urgent task created)."""
    if not has_self_harm_task(intake):
        return redirect(resume_url(intake))
    audit(request, link, Action.VIEW, "intake support page")
    context = {
        "patient": link.patient,
        "link": link,
        "reply": replies.team_reply(),
        "continue_url": stop_url(request.GET.get("next", "")) or resume_url(intake),
    }
    return TemplateResponse(request, "portal/intake/support.html", context)


@portal_page
@require_http_methods(["GET", "POST"])
@with_intake
def review(request: HttpRequest, link: PatientLink, intake: Intake) -> HttpResponse:
    """Every section's answers in words, with "Change" links, and "Send to my care team"."""
    safety_done = sections.SAFETY in intake.sections_saved
    if request.method == "POST":
        if not safety_done:
            messages.info(request, SEND_SAFETY_FIRST)
            return redirect(section_url(sections.SAFETY, then="review"))
        with transaction.atomic():
            submission = submit_intake(intake=intake)
            if submission.newly_submitted:
                audit(request, link, Action.CREATE, "intake sent to the care team")
        return redirect("portal:intake_thanks")
    audit(request, link, Action.VIEW, "intake review")
    rows = []
    for row in section_states(intake):
        stored = sections.stored_answers(row["section"], intake.answers, intake.red_flag_answers)
        answered = [answer for answer in sections.describe(row["section"], stored) if answer.text]
        rows.append({**row, "answers": answered})
    context = {
        "patient": link.patient,
        "link": link,
        "rows": rows,
        "done": sum(1 for row in rows if row["state"] == "done"),
        "count": len(rows),
        "safety_done": safety_done,
    }
    return TemplateResponse(request, "portal/intake/review.html", context)


@portal_page
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    intake = finished_intake(current_session(request))
    if intake is None:
        return closed_page(request, token="")
    record_access(
        request=request, patient=intake.patient, action=Action.VIEW, target="intake thank-you page", by_patient=True
    )
    emergency, support = needs_support(intake)
    words = has_self_harm_task(intake)
    review = not emergency and intake.red_flag_level == redflags.REVIEW
    context = {
        "patient": intake.patient,
        "emergency": emergency,
        "guidance": redflags.GUIDANCE[redflags.EMERGENCY if emergency else redflags.REVIEW]
        if emergency or review
        else None,
        "support": support and not words,
        "crisis": words,
        "reply": replies.team_reply(kind=replies.URGENT if emergency or words else replies.REVIEW),
    }
    return TemplateResponse(request, "portal/intake/thanks.html", context)
