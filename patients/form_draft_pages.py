"""What a long form's page needs for autosave into a FormDraft (patients/form_draft_views.py): the person's
own draft, restored into the form when the page is opened, and the address autosave posts to."""

from django.http import HttpRequest

from patients.form_draft_services import form_draft_for
from patients.models import Patient


def draft_context(request: HttpRequest, *, patient: Patient, form: str, object_id=None, autosave_url: str) -> dict:
    """What a form's page needs for autosave: the person's draft (its version), and on a GET the draft to
    restore into the form (the page says so and offers to discard it)."""
    draft = form_draft_for(request.user, patient=patient, form=form, object_id=object_id)
    return {
        "form_draft": draft,
        "restored_draft": draft if request.method == "GET" else None,
        "autosave_url": autosave_url,
    }


def with_draft(initial: dict, context: dict) -> dict:
    """The form's initial values with the restored draft's typed values over them."""
    draft = context["restored_draft"]
    return {**initial, **draft.data} if draft is not None else initial
