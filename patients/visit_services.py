"""Charting workflows: visit notes (draft, sign, addenda) and psychotherapy notes. The reads for the chart's
pages (the timeline, the scores shown while writing, the worklist's unsigned notes) are patients/selectors.py.

Who may do what (clinic/access/visit_notes.py and psychotherapy_notes.py); every change below checks it
itself and raises ``Refused``, writing nothing, when the person may not:

- Chart a visit, add an addendum: clinicians with access to the patient who may chart
  (``clinic.chart_clinical_notes``). Only the author changes or signs a draft (NotTheAuthor to a colleague
  who may chart, as the pages say). Coordinators and clinic admins read the chart, never chart.
- Psychotherapy notes: psychologists with access to the patient only (create, list, read). Everyone who can
  see the chart sees that a note exists (date and author), never its content.

Every change writes an audit event in the same transaction; no target names the content of a note.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access.psychotherapy_notes import (
    PSYCHOLOGISTS_ONLY,
    may_read_psychotherapy_notes,
)
from clinic.access.refusals import refuse_unless
from clinic.access.visit_notes import (
    CLINICIANS_CHART,
    may_change_visit_note,
    may_write_visit_note,
)
from clinic.models import User
from patients.encounters import NotTheAuthor, clean_functional_tests
from patients.models import Addendum, Encounter, Patient, PsychotherapyNote

# Audit targets: what was seen or changed, never what a note says.
VISIT_NOTE = "visit note"
PSYCHOTHERAPY_NOTE = "psychotherapy note"


# --------------------------------------------------------------------------- who may


def refuse_unless_may_change(by: User, encounter: Encounter) -> None:
    """Saving or signing a draft: its author, while they may chart for the patient.

    A colleague who may chart gets NotTheAuthor (the page tells them only the author changes a draft);
    anyone who may not chart for the patient at all is Refused.
    """
    if may_change_visit_note(by, encounter):
        return
    refuse_unless(may_write_visit_note(by, encounter.patient), CLINICIANS_CHART)
    raise NotTheAuthor()


# --------------------------------------------------------------------------- visit notes


@transaction.atomic
def start_visit(*, patient: Patient, by: User, audit: AuditContext | None = None, **fields: Any) -> Encounter:
    """Save a new visit note as a draft by ``by``, with their discipline as it is now.

    Refused unless ``may_write_visit_note(by, patient)``. Preconditions: ``fields`` are among
    Encounter.DRAFT_FIELDS, cleaned by the visit form (functional tests are cleaned again here:
    patients.encounters.FunctionalTestError if they are not valid).
    """
    refuse_unless(may_write_visit_note(by, patient), CLINICIANS_CHART)
    _check_fields(fields)
    fields["functional_tests"] = clean_functional_tests(fields.get("functional_tests") or [])
    encounter = Encounter.objects.create(patient=patient, author=by, discipline=by.discipline, **fields)
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target=f"{VISIT_NOTE} (draft)")
    return encounter


@transaction.atomic
def save_visit_draft(
    *, encounter: Encounter, by: User, audit: AuditContext | None = None, based_on_version: int, **fields: Any
) -> Encounter:
    """Save the author's changes to their draft if nobody saved it after ``based_on_version``.

    Refused unless ``may_change_visit_note(by, encounter)`` (NotTheAuthor to a colleague who may chart).
    Preconditions: ``fields`` as for start_visit. Raises NoteLocked (signed) or EditConflict (saved
    meanwhile; its ``current`` is the note as saved now). Whatever it raises, it writes nothing, audit
    included.
    """
    refuse_unless_may_change(by, encounter)
    _check_fields(fields)
    if "functional_tests" in fields:
        fields["functional_tests"] = clean_functional_tests(fields["functional_tests"] or [])
    encounter.save_draft(by=by, based_on_version=based_on_version, **fields)
    record_event(
        actor=by, context=audit, patient=encounter.patient, action=Action.UPDATE, target=f"{VISIT_NOTE} (draft)"
    )
    return encounter


@transaction.atomic
def sign_visit(
    *, encounter: Encounter, by: User, audit: AuditContext | None = None, based_on_version: int
) -> Encounter:
    """Sign the author's draft as they read it; from now on it is locked and changes are addenda.

    Refused unless ``may_change_visit_note(by, encounter)`` (NotTheAuthor to a colleague who may chart).
    Raises NoteLocked (already signed) or EditConflict (saved after the author read it), writing nothing.
    """
    refuse_unless_may_change(by, encounter)
    encounter.sign(by=by, based_on_version=based_on_version)
    record_event(
        actor=by, context=audit, patient=encounter.patient, action=Action.UPDATE, target=f"{VISIT_NOTE} signed"
    )
    return encounter


@transaction.atomic
def add_addendum(*, encounter: Encounter, by: User, audit: AuditContext | None = None, text: str) -> Addendum:
    """Add an addendum (author and time) to a signed note.

    Refused unless ``may_write_visit_note(by, encounter.patient)``. Preconditions: the note is signed
    (ValueError otherwise); ``text`` is not blank (ValueError).
    """
    refuse_unless(may_write_visit_note(by, encounter.patient), CLINICIANS_CHART)
    if not text.strip():
        raise ValueError("An addendum needs text.")
    addendum = encounter.add_addendum(by=by, text=text)
    record_event(
        actor=by, context=audit, patient=encounter.patient, action=Action.CREATE, target=f"{VISIT_NOTE} addendum"
    )
    return addendum


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(Encounter.DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"not visit note fields: {sorted(unknown)}")


# --------------------------------------------------------------------------- psychotherapy notes


@transaction.atomic
def write_psychotherapy_note(
    *, patient: Patient, by: User, audit: AuditContext | None = None, occurred_on: datetime.date, text: str
) -> PsychotherapyNote:
    """Keep a psychotherapy note apart from the chart.

    Refused unless ``may_read_psychotherapy_notes(by, patient)`` (psychologists with access to the patient).
    Preconditions: ``text`` is not blank (ValueError).
    """
    refuse_unless(may_read_psychotherapy_notes(by, patient), PSYCHOLOGISTS_ONLY)
    if not text.strip():
        raise ValueError("A psychotherapy note needs text.")
    note = PsychotherapyNote.objects.create(patient=patient, author=by, occurred_on=occurred_on, text=text)
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target=PSYCHOTHERAPY_NOTE)
    return note
