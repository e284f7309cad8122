"""Visit notes (new, read, edit a draft, sign, addenda, all visits), psychotherapy notes, and the
compassionate language check.

Every view checks access to the patient first (clinic.access: 404 to outsiders), then what the person may
do (patients.visit_services: clinicians chart, psychologists keep psychotherapy notes; a psychotherapy note
URL answers 404 to everyone else), and writes an audit event for what was seen or changed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import Action
from audit.services import record_access
from clinic.access import get_patient_for_user
from clinic.access.psychotherapy_notes import may_read_psychotherapy_notes, psychotherapy_notes_visible_to
from clinic.access.visit_notes import CLINICIANS_CHART, may_chart_visits, visit_notes_visible_to
from patients.banner import patient_page
from patients.encounters import CATALOGUE, OTHER, EditConflict, NoteLocked, NotTheAuthor
from patients.form_draft_pages import draft_context, with_draft
from patients.form_draft_services import forget_form_draft
from patients.language import kinder_phrasing
from patients.models import Addendum, Encounter, FormDraft, Patient, PsychotherapyNote
from patients.selectors import latest_scores_for, timeline_for
from patients.visit_forms import AddendumForm, EncounterForm, PsychotherapyNoteForm, SignForm, functional_test_formset
from patients.visit_services import (
    PSYCHOTHERAPY_NOTE,
    VISIT_NOTE,
    add_addendum,
    save_visit_draft,
    sign_visit,
    start_visit,
    write_psychotherapy_note,
)

VISITS_PER_PAGE = 50
LAST_PAGE = 1000
PSYCHOTHERAPY_NOTES_SHOWN = 100
LANGUAGE_CHECK_MAX = 20_000  # characters checked per request; the rest is ignored (and the page says so)
SUGGESTIONS_SHOWN = 25
CONTEXT_CHARS = 40


# --------------------------------------------------------------------------- helpers


def patient_to_chart(request: HttpRequest, public_id) -> Patient:
    """The patient, if the user may see them (404) and chart visits (403: they know the patient exists)."""
    patient = get_patient_for_user(request.user, public_id)
    if not may_chart_visits(request.user):
        raise PermissionDenied(CLINICIANS_CHART)
    return patient


def encounter_of(request: HttpRequest, patient: Patient, visit_id) -> Encounter:
    """The patient's visit note, through the rule for visit notes (404 otherwise)."""
    notes = visit_notes_visible_to(request.user).select_related("author")
    try:
        encounter = notes.get(patient=patient, public_id=visit_id)
    except Encounter.DoesNotExist:
        raise Http404("No such visit.") from None
    encounter.patient = patient  # with its proof of access, so the services check it with no query
    return encounter


def back_to_note(patient: Patient, encounter: Encounter):
    return redirect("patients:visit", public_id=patient.public_id, visit_id=encounter.public_id)


def post_or_none(request: HttpRequest):
    return request.POST if request.method == "POST" else None


# --------------------------------------------------------------------------- visit notes


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def new_visit(request: HttpRequest, public_id) -> HttpResponse:
    """Chart a visit: saved as a draft by its author, signed later."""
    patient = patient_to_chart(request, public_id)
    initial = {"occurred_on": timezone.localdate(), "kind": Encounter.Kind.FOLLOW_UP}
    form = EncounterForm(post_or_none(request), patient=patient, initial=initial)
    tests = functional_test_formset(post_or_none(request))
    if request.method == "POST" and all([form.is_valid(), tests.is_valid()]):
        encounter = start_visit(
            patient=patient,
            by=request.user,
            audit=request.audit,
            **form.note_fields(),
            functional_tests=tests.entries(),
        )
        messages.success(request, "Visit note saved as a draft. Sign it when it is complete.")
        return back_to_note(patient, encounter)
    record_access(request=request, patient=patient, action=Action.VIEW, target=f"new {VISIT_NOTE}")
    context = form_context(request, patient, form=form, tests=tests)
    return patient_page(request, "patients/visits/new.html", context, status=400 if form.is_bound else 200)


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def edit_visit(request: HttpRequest, public_id, visit_id) -> HttpResponse:
    """Change a draft (its author only). A save based on an older version is refused and both are shown."""
    patient = patient_to_chart(request, public_id)
    encounter = encounter_of(request, patient, visit_id)
    if encounter.author_id != request.user.pk:
        messages.error(request, str(NotTheAuthor()))
        return back_to_note(patient, encounter)
    if encounter.is_signed and request.method == "GET":
        messages.error(request, str(NoteLocked()))
        return back_to_note(patient, encounter)
    saved_meanwhile = locked = None
    if request.method == "POST":
        form = EncounterForm(request.POST, patient=patient)
        tests = functional_test_formset(request.POST)
        valid = all([form.is_valid(), tests.is_valid()])
        if encounter.is_signed:  # signed in another tab: nothing changes, and what was typed stays on screen
            saved_meanwhile = locked = encounter
        elif valid:
            try:
                save_visit_draft(
                    encounter=encounter,
                    by=request.user,
                    audit=request.audit,
                    based_on_version=form.cleaned_data["version"] or 0,
                    **form.note_fields(),
                    functional_tests=tests.entries(),
                )
            except EditConflict as conflict:
                saved_meanwhile = conflict.current
                # Saving again (after reading both) saves what this clinician wrote over the newer version.
                form = EncounterForm(with_version(request.POST, saved_meanwhile.version), patient=patient)
                form.is_valid()
            except NoteLocked as refused:
                saved_meanwhile = locked = refused.current
            except NotTheAuthor as refused:  # the author check above ran on an older copy
                messages.error(request, str(refused))
                return back_to_note(patient, encounter)
            else:
                messages.success(request, "Draft saved.")
                return back_to_note(patient, encounter)
    else:
        form = EncounterForm(initial=EncounterForm.initial_for(encounter), patient=patient)
        tests = functional_test_formset(encounter=encounter)
    record_access(request=request, patient=patient, action=Action.VIEW, target=f"{VISIT_NOTE} (editing)")
    context = form_context(
        request, patient, form=form, tests=tests, encounter=encounter, saved_meanwhile=saved_meanwhile, locked=locked
    )
    status = 409 if saved_meanwhile else 400 if form.is_bound else 200
    return patient_page(request, "patients/visits/edit.html", context, status=status)


def with_version(data, version: int):
    data = data.copy()
    data["version"] = str(version)
    return data


def form_context(request: HttpRequest, patient: Patient, **extra) -> dict:
    return {
        "patient": patient,
        "scores": latest_scores_for(patient),
        "catalogue": [test for test in CATALOGUE.values() if test.code != OTHER],
        **extra,
    }


@login_required
@require_GET
def visit_detail(request: HttpRequest, public_id, visit_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    encounter = encounter_of(request, patient, visit_id)
    record_access(request=request, patient=patient, action=Action.VIEW, target=VISIT_NOTE)
    return patient_page(request, "patients/visits/detail.html", detail_context(request, patient, encounter))


def detail_context(request: HttpRequest, patient: Patient, encounter: Encounter, **extra) -> dict:
    may_chart = may_chart_visits(request.user)
    is_author = encounter.author_id == request.user.pk
    return {
        "patient": patient,
        "encounter": encounter,
        "addenda": list(Addendum.objects.filter(encounter=encounter).select_related("author")),
        "may_edit": may_chart and is_author and not encounter.is_signed,
        "may_add_addendum": may_chart and encounter.is_signed,
        "addendum_form": AddendumForm(),
        "sign_form": SignForm(initial={"version": encounter.version}),
        **extra,
    }


@login_required
@require_POST
def sign(request: HttpRequest, public_id, visit_id) -> HttpResponse:
    """Sign a draft (its author only): from then on it is locked and changes are addenda."""
    patient = patient_to_chart(request, public_id)
    encounter = encounter_of(request, patient, visit_id)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The note could not be signed: reload the page and try again.")
        return back_to_note(patient, encounter)
    try:
        sign_visit(
            encounter=encounter, by=request.user, audit=request.audit, based_on_version=form.cleaned_data["version"]
        )
    except EditConflict:
        messages.error(
            request, "Someone saved this note after you opened it. Read it again below, then sign it if it is right."
        )
    except NoteLocked:
        messages.info(request, "This note is already signed.")
    except NotTheAuthor as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "Visit note signed. It is now locked; any change is added as an addendum.")
    return back_to_note(patient, encounter)


@login_required
@sensitive_post_parameters()
@require_POST
def addendum(request: HttpRequest, public_id, visit_id) -> HttpResponse:
    """Add an addendum to a signed note (any clinician who may see the patient)."""
    patient = patient_to_chart(request, public_id)
    encounter = encounter_of(request, patient, visit_id)
    if not encounter.is_signed:
        messages.error(request, "Addenda are for signed notes. The author can still change this draft.")
        return back_to_note(patient, encounter)
    form = AddendumForm(request.POST)
    if form.is_valid():
        add_addendum(encounter=encounter, by=request.user, audit=request.audit, text=form.cleaned_data["text"])
        messages.success(request, "Addendum added.")
        return back_to_note(patient, encounter)
    record_access(request=request, patient=patient, action=Action.VIEW, target=VISIT_NOTE)
    context = detail_context(request, patient, encounter, addendum_form=form)
    return patient_page(request, "patients/visits/detail.html", context, status=400)


@login_required
@require_GET
def visit_list(request: HttpRequest, public_id) -> HttpResponse:
    """Every visit and psychotherapy note stub, newest first, VISITS_PER_PAGE a page."""
    patient = get_patient_for_user(request.user, public_id)
    page = page_number(request.GET.get("page"))
    timeline = timeline_for(patient, request.user, limit=VISITS_PER_PAGE, offset=(page - 1) * VISITS_PER_PAGE)
    if page > 1 and not timeline:
        raise Http404("No such page.")
    record_access(request=request, patient=patient, action=Action.VIEW, target="all visits")
    context = {
        "patient": patient,
        "timeline": timeline,
        "page": page,
        "previous_page": page - 1 if page > 1 else None,
        "next_page": page + 1 if timeline.more and page < LAST_PAGE else None,
    }
    return patient_page(request, "patients/visits/list.html", context)


def page_number(raw) -> int:
    try:
        page = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), LAST_PAGE)


# --------------------------------------------------------------------------- psychotherapy notes


def patient_for_psychotherapy(request: HttpRequest, public_id) -> Patient:
    """The patient, for a psychologist who may see them; 404 to everyone else (the notes are not theirs to know)."""
    patient = get_patient_for_user(request.user, public_id)
    if not may_read_psychotherapy_notes(request.user, patient):
        raise Http404("No such page.")
    return patient


@login_required
@require_GET
def psychotherapy_notes(request: HttpRequest, public_id) -> HttpResponse:
    patient = patient_for_psychotherapy(request, public_id)
    notes = list(
        psychotherapy_notes_visible_to(request.user)
        .filter(patient=patient)
        .select_related("author")
        .defer("text")
        .order_by("-occurred_on", "-created_at", "-id")[: PSYCHOTHERAPY_NOTES_SHOWN + 1]
    )
    record_access(request=request, patient=patient, action=Action.VIEW, target=f"{PSYCHOTHERAPY_NOTE} list")
    context = {
        "patient": patient,
        "notes": notes[:PSYCHOTHERAPY_NOTES_SHOWN],
        "more": len(notes) > PSYCHOTHERAPY_NOTES_SHOWN,
    }
    return patient_page(request, "patients/visits/psychotherapy_list.html", context)


@login_required
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def new_psychotherapy_note(request: HttpRequest, public_id) -> HttpResponse:
    patient = patient_for_psychotherapy(request, public_id)
    drafts = draft_context(
        request,
        patient=patient,
        form=FormDraft.Form.PSYCHOTHERAPY_NOTE,
        autosave_url=reverse("patients:autosave_psychotherapy_note", args=[patient.public_id]),
    )
    initial = with_draft({"occurred_on": timezone.localdate()}, drafts)
    form = PsychotherapyNoteForm(post_or_none(request), patient=patient, initial=initial)
    if request.method == "POST" and form.is_valid():
        note = write_psychotherapy_note(patient=patient, by=request.user, audit=request.audit, **form.cleaned_data)
        forget_form_draft(by=request.user, patient=patient, form=FormDraft.Form.PSYCHOTHERAPY_NOTE)  # written now
        messages.success(request, "Psychotherapy note saved. The chart shows that it exists, never what it says.")
        return redirect("patients:psychotherapy_note", public_id=patient.public_id, note_id=note.public_id)
    record_access(request=request, patient=patient, action=Action.VIEW, target=f"new {PSYCHOTHERAPY_NOTE}")
    context = {"patient": patient, "form": form, **drafts}
    return patient_page(
        request, "patients/visits/psychotherapy_new.html", context, status=400 if form.is_bound else 200
    )


@login_required
@require_GET
def psychotherapy_note(request: HttpRequest, public_id, note_id) -> HttpResponse:
    patient = patient_for_psychotherapy(request, public_id)
    try:
        note = (
            psychotherapy_notes_visible_to(request.user)
            .select_related("author")
            .get(patient=patient, public_id=note_id)
        )
    except PsychotherapyNote.DoesNotExist:
        raise Http404("No such note.") from None
    record_access(request=request, patient=patient, action=Action.VIEW, target=PSYCHOTHERAPY_NOTE)
    context = {"patient": patient, "note": note}
    return patient_page(request, "patients/visits/psychotherapy_detail.html", context)


# --------------------------------------------------------------------------- the language check


@login_required
@sensitive_post_parameters("text")
@require_POST
def language_check(request: HttpRequest) -> HttpResponse:
    """Kinder phrasing for the text being written (advisory). No patient, no audit; the text is neither
    stored nor logged. Only the first LANGUAGE_CHECK_MAX characters are checked."""
    text = request.POST.get("text", "")
    checked = text[:LANGUAGE_CHECK_MAX]
    suggestions = kinder_phrasing(checked)
    found = [
        {
            "suggestion": s,
            "before": checked[max(0, s.start - CONTEXT_CHARS) : s.start],
            "after": checked[s.end : s.end + CONTEXT_CHARS],
            "cut_before": s.start > CONTEXT_CHARS,
            "cut_after": s.end + CONTEXT_CHARS < len(checked),
        }
        for s in suggestions[:SUGGESTIONS_SHOWN]
    ]
    context = {
        "found": found,
        "not_shown": max(0, len(suggestions) - SUGGESTIONS_SHOWN),
        "capped": len(text) > LANGUAGE_CHECK_MAX,
        "limit": f"{LANGUAGE_CHECK_MAX:,}",
        "checked_any": bool(checked.strip()),
    }
    response = TemplateResponse(request, "patients/visits/_language_check.html", context)
    response["Cache-Control"] = "no-store"
    return response
