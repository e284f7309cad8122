"""Autosave for long forms with no draft state of their own: psychotherapy notes, problems (here) and referrals
(clinic/referral_views.py), through ``autosave_form``; their pages read the person's draft with
patients/form_draft_pages.py.

Each autosave view finds the patient and the object through the same rule as the form's own page (404 to
outsiders, audited by audit.refusals; 403 to those who may not use the form), then keeps what was typed as the
person's FormDraft (patients/form_draft_services.py). The answer is JSON for the page's status line. The same
address takes the non-JavaScript "Discard the draft" button.
"""

import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from clinic.access import get_patient_for_user, may_chart, refuse_unless
from clinic.access.form_drafts import PROBLEM_CHARTERS_ONLY
from clinic.session_views import session_answer, signed_in_or_401
from patients.autosave_views import conflict_answer, saved_at
from patients.form_draft_services import DraftConflict, autosave_form_draft, discard_form_draft
from patients.models import FormDraft, Patient, Problem
from patients.problem_forms import ProblemForm
from patients.visit_forms import PsychotherapyNoteForm
from patients.visit_views import patient_for_psychotherapy

SAVED_ELSEWHERE = (
    "You saved this draft in another tab or window at {at}, so this page's changes were not saved and autosave "
    "has stopped here: nothing is overwritten. Reload the page to carry on from that version, or submit this one."
)
DISCARDED = "Draft discarded: the form shows the saved version."


def draft_version(request: HttpRequest) -> int:
    raw = request.headers.get("X-Autosave-Version") or ""
    return int(raw) if raw.isdigit() and len(raw) < 10 else 0


def autosave_form(
    request: HttpRequest, *, patient: Patient, form: str, object_id: uuid.UUID | None, fields, page_url: str
) -> HttpResponse:
    """Keep the typed ``fields`` of the posted form as the person's draft (or discard it: the button)."""
    if request.POST.get("discard"):
        discard_form_draft(by=request.user, audit=request.audit, patient=patient, form=form, object_id=object_id)
        messages.success(request, DISCARDED)
        return redirect(page_url)
    data = {name: request.POST.get(name, "") for name in fields}
    try:
        draft = autosave_form_draft(
            by=request.user,
            audit=request.audit,
            patient=patient,
            form=form,
            object_id=object_id,
            data=data,
            based_on_version=draft_version(request),
        )
    except DraftConflict as conflict:
        message = SAVED_ELSEWHERE.format(at=saved_at(conflict.current.updated_at))
        return conflict_answer(request, message, conflict.current.version)
    return session_answer(request, saved=True, saved_at=saved_at(draft.updated_at), version=draft.version)


def autosave_view(view):
    """The decorators every autosave view has: 401 JSON once signed out, POST only, no typed text in reports."""
    return signed_in_or_401(sensitive_post_parameters()(require_POST(view)))


# --------------------------------------------------------------------------- psychotherapy notes


@autosave_view
def autosave_psychotherapy_note(request: HttpRequest, public_id) -> HttpResponse:
    patient = patient_for_psychotherapy(request, public_id)  # 404 to everyone but psychologists with access
    return autosave_form(
        request,
        patient=patient,
        form=FormDraft.Form.PSYCHOTHERAPY_NOTE,
        object_id=None,
        fields=PsychotherapyNoteForm.base_fields,
        page_url=reverse("patients:new_psychotherapy_note", args=[patient.public_id]),
    )


# --------------------------------------------------------------------------- problems


@autosave_view
def autosave_new_problem(request: HttpRequest, public_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    refuse_unless(may_chart(request.user, patient), PROBLEM_CHARTERS_ONLY)
    return autosave_form(
        request,
        patient=patient,
        form=FormDraft.Form.PROBLEM,
        object_id=None,
        fields=ProblemForm().fields,
        page_url=reverse("patients:problem_add", args=[patient.public_id]),
    )


@autosave_view
def autosave_problem(request: HttpRequest, public_id, problem_id) -> HttpResponse:
    patient = get_patient_for_user(request.user, public_id)
    problem = get_object_or_404(Problem.objects.only("id", "public_id"), patient=patient, public_id=problem_id)
    refuse_unless(may_chart(request.user, patient), PROBLEM_CHARTERS_ONLY)
    return autosave_form(
        request,
        patient=patient,
        form=FormDraft.Form.PROBLEM,
        object_id=problem.public_id,
        fields=ProblemForm(editing=True).fields,
        page_url=reverse("patients:problem_edit", args=[patient.public_id, problem.public_id]),
    )
