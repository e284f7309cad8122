"""Form drafts: keep what a person types into a long form with no draft state of its own (patients.FormDraft),
while they type, and let it go once the form is submitted.

Who may: the owner only, while they may use the form (clinic/access/form_drafts.py); ``autosave_form_draft``
raises ``Refused`` otherwise and writes nothing. Every autosave writes an audit event like any other change
(DESIGN: every change of a patient's data is audited; autosave runs at most every few seconds while typing);
the event names the form, never what was typed.
"""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.form_drafts import WHO_MAY, form_drafts_visible_to, may_keep_form_draft
from clinic.access.refusals import refuse_unless
from clinic.models import User
from patients.models import FormDraft, Patient

# Characters kept of one field (above every form's own limit, which the Save button checks), and fields kept.
VALUE_MAX = 60_000
FIELDS_MAX = 40


class DraftConflict(Exception):
    """The draft was saved from another tab or window after the version this page has."""

    def __init__(self, current: FormDraft):
        super().__init__("This draft was saved elsewhere meanwhile.")
        self.current = current


def form_draft_for(user, *, patient: Patient, form: str, object_id: uuid.UUID | None = None) -> FormDraft | None:
    """The person's own draft of this form, if any (one query)."""
    return form_drafts_visible_to(user).filter(patient=patient, form=form, object_id=object_id).first()


@transaction.atomic
def autosave_form_draft(
    *,
    by: User,
    audit: AuditContext | None = None,
    patient: Patient,
    form: str,
    object_id: uuid.UUID | None = None,
    data: dict[str, str],
    based_on_version: int,
) -> FormDraft:
    """Keep ``data`` (field name -> value as typed) as the person's draft of this form.

    Refused unless ``may_keep_form_draft(by, patient, form)``. ``based_on_version`` is the draft's version the
    page has (0: none yet); DraftConflict if the draft was saved after it (then nothing is written). A draft
    that was submitted or discarded elsewhere meanwhile is started again: the text is what matters.
    """
    refuse_unless(may_keep_form_draft(by, patient, form), WHO_MAY.get(form, "No such form."))
    values = {str(name)[:100]: str(value)[:VALUE_MAX] for name, value in list(data.items())[:FIELDS_MAX]}
    key = {"owner": by, "patient": patient, "form": form, "object_id": object_id}
    now = timezone.now()
    current = FormDraft.objects.select_for_update().filter(**key).first()
    if current is None:
        draft = start_draft(key, values, now)
    elif current.version != based_on_version:
        raise DraftConflict(current)
    else:
        current.data, current.version, current.updated_at = values, current.version + 1, now
        current.save(update_fields=["data", "version", "updated_at"])
        draft = current
    label = FormDraft.Form(form).label
    record_event(actor=by, context=audit, patient=patient, action=Action.UPDATE, target=f"{label} draft (autosaved)")
    return draft


def start_draft(key: dict, values: dict, now) -> FormDraft:
    try:
        with transaction.atomic():  # a savepoint: another tab may start the same draft at the same moment
            return FormDraft.objects.create(**key, data=values, updated_at=now)
    except IntegrityError:
        raise DraftConflict(FormDraft.objects.get(**key)) from None


@transaction.atomic
def discard_form_draft(
    *, by: User, audit: AuditContext | None = None, patient: Patient, form: str, object_id: uuid.UUID | None = None
) -> bool:
    """The owner throws their draft away ("Discard the draft"); False if there was none."""
    deleted, _ = forget_form_draft(by=by, patient=patient, form=form, object_id=object_id)
    if deleted:
        label = FormDraft.Form(form).label
        record_event(actor=by, context=audit, patient=patient, action=Action.UPDATE, target=f"{label} draft discarded")
    return bool(deleted)


def forget_form_draft(*, by: User, patient: Patient, form: str, object_id: uuid.UUID | None = None):
    """After the form was submitted: its draft has done its job (the submit's own event is the audit)."""
    return form_drafts_visible_to(by).filter(patient=patient, form=form, object_id=object_id).delete()
