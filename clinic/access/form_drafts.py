"""Form drafts (patients.FormDraft): the text a person typed into a psychotherapy note, a problem or a referral
before they submitted it, kept by autosave.

- A draft is its owner's alone: nobody else reads, changes or learns that it exists (``form_drafts_visible_to``).
- Its owner keeps one only while they may use the form itself: psychotherapy notes for psychologists with access
  to the patient, problems for clinicians who chart for the patient, referrals for coordinators and clinicians
  who may see the patient. So losing access to the patient stops the autosave too.
"""

from django.db.models import QuerySet

from clinic.access.patients import may_chart
from clinic.access.psychotherapy_notes import PSYCHOLOGISTS_ONLY, may_read_psychotherapy_notes
from clinic.access.referrals import WRITERS_ONLY, may_refer
from patients.models import FormDraft

PROBLEM_CHARTERS_ONLY = "Only a clinician on the patient's care team can change the problem list."
WHO_MAY = {
    FormDraft.Form.PSYCHOTHERAPY_NOTE: PSYCHOLOGISTS_ONLY,
    FormDraft.Form.PROBLEM: PROBLEM_CHARTERS_ONLY,
    FormDraft.Form.REFERRAL: WRITERS_ONLY,
}


def form_drafts_visible_to(user) -> QuerySet[FormDraft]:
    if not (user.is_authenticated and user.is_active):
        return FormDraft.objects.none()
    return FormDraft.objects.filter(owner=user)


def may_keep_form_draft(user, patient, form: str) -> bool:
    """Autosave this form about this patient: whoever may submit the form itself."""
    if form == FormDraft.Form.PSYCHOTHERAPY_NOTE:
        return may_read_psychotherapy_notes(user, patient)
    if form == FormDraft.Form.PROBLEM:
        return may_chart(user, patient)
    if form == FormDraft.Form.REFERRAL:
        return may_refer(user, patient)
    return False
