"""Autosave for visit notes (static/js/autosave.js posts here while the clinician types).

A visit note's draft is the note itself: the first autosave of a new note starts it as a draft (the page then
moves onto the draft), every later one saves the draft through the same service as the Save button, with the
same optimistic lock (the version the page has) and the same audit event. So an autosave is a normal save:
same access rule (404 to outsiders, audited; the author only), same audit, same refusal of a stale version.

What differs is the answer: JSON for the page's status line, and it saves what it can. A half-typed date or
functional test row does not stop the text from being saved; the answer names the fields left as they were
(the Save button checks them all, as always). No patient data in the URL; the answer goes only to the author.
"""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinic.session_views import session_answer, signed_in_or_401
from patients.encounters import EditConflict, NoteLocked, NotTheAuthor
from patients.models import Encounter
from patients.visit_forms import EncounterForm, functional_test_formset
from patients.visit_services import save_visit_draft, start_visit
from patients.visit_views import encounter_of, patient_to_chart

TEXT_FIELDS = ("priorities", "findings", "assessment", "plan", "free_text")
NOTHING_YET = "Nothing to save yet."
SAVED_ELSEWHERE = (
    "Someone else saved this note at {at} (or you did, in another tab or window), so this page's changes were "
    "not saved and autosave has stopped: nothing is overwritten. Press Save draft to see both versions."
)
SIGNED_MEANWHILE = (
    "This note was signed, so it can no longer change and your latest changes were not saved. Your text is still "
    "on the screen: copy what you need into an addendum on the signed note."
)


def saved_at(moment) -> str:
    """The time of a save as the clinic reads it (its own time zone)."""
    return timezone.localtime(moment).strftime("%H:%M")


def typed_fields(request: HttpRequest, patient) -> tuple[dict, list[str]]:
    """The note's fields that are valid as typed, and the labels of those that are not (left as saved)."""
    form = EncounterForm(request.POST, patient=patient)
    tests = functional_test_formset(request.POST)
    form.is_valid()
    fields = {name: value for name, value in form.cleaned_data.items() if name in Encounter.DRAFT_FIELDS}
    skipped = [str(form.fields[name].label) for name in form.errors if name in form.fields and name != "version"]
    if tests.is_valid():
        fields["functional_tests"] = tests.entries()
    else:
        skipped.append("Functional tests")
    return fields, skipped


def skipped_note(skipped: list[str]) -> str:
    if not skipped:
        return ""
    return f"Not saved until you correct them: {', '.join(skipped)}."


def saved_answer(request: HttpRequest, encounter: Encounter, skipped: list[str], *, new: bool) -> JsonResponse:
    patient_id, visit_id = encounter.patient.public_id, encounter.public_id
    answer: dict = {
        "saved": True,
        "saved_at": saved_at(encounter.updated_at),
        "version": encounter.version,
        "set_fields": {"version": str(encounter.version)},
        "keep_draft_key": f"visit:{visit_id}:v{encounter.version}",
        "note": skipped_note(skipped),
    }
    if new:
        edit = reverse("patients:edit_visit", args=[patient_id, visit_id])
        answer["urls"] = {
            "action": edit,
            "page": edit,
            "autosave": reverse("patients:autosave_visit", args=[patient_id, visit_id]),
        }
    return session_answer(request, **answer)


@signed_in_or_401
@sensitive_post_parameters()
@require_POST
def autosave_new_visit(request: HttpRequest, public_id) -> HttpResponse:
    """The first autosave of a new note: it becomes a draft (once there is some text to keep)."""
    patient = patient_to_chart(request, public_id)
    fields, skipped = typed_fields(request, patient)
    if not any((fields.get(name) or "").strip() for name in TEXT_FIELDS):
        return session_answer(request, saved=False, message=NOTHING_YET)
    encounter = start_visit(patient=patient, by=request.user, audit=request.audit, **fields)
    return saved_answer(request, encounter, skipped, new=True)


@signed_in_or_401
@sensitive_post_parameters()
@require_POST
def autosave_visit(request: HttpRequest, public_id, visit_id) -> HttpResponse:
    """Save the author's draft as typed, if nobody saved it after the version this page has."""
    patient = patient_to_chart(request, public_id)
    encounter = encounter_of(request, patient, visit_id)
    fields, skipped = typed_fields(request, patient)
    try:
        save_visit_draft(
            encounter=encounter,
            by=request.user,
            audit=request.audit,
            based_on_version=based_on_version(request),
            **fields,
        )
    except EditConflict as conflict:
        message = SAVED_ELSEWHERE.format(at=saved_at(conflict.current.updated_at))
        return conflict_answer(request, message, conflict.current.version)
    except NoteLocked as locked:
        return conflict_answer(request, SIGNED_MEANWHILE, locked.current.version)
    except NotTheAuthor as refused:
        raise PermissionDenied(str(refused)) from None  # audited as a refused attempt, like any 403
    return saved_answer(request, encounter, skipped, new=False)


def based_on_version(request: HttpRequest) -> int:
    """The version the page has: the autosave header, else the form's own field; 0 (always stale) if neither
    reads as a number."""
    raw = request.headers.get("X-Autosave-Version") or request.POST.get("version") or ""
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


def conflict_answer(request: HttpRequest, message: str, version: int) -> JsonResponse:
    response = session_answer(request, saved=False, conflict=True, message=message, current_version=version)
    response.status_code = 409
    return response
