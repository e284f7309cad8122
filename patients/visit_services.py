"""Charting workflows and reads: visit notes (draft, sign, addenda), psychotherapy notes, the chart's timeline,
the latest questionnaire scores shown while writing, and the unsigned notes of a clinician's worklist.

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
import uuid
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db import transaction
from django.db.models import CharField, Count, DateTimeField, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic.access import patients_visible_to
from clinic.access.psychotherapy_notes import (
    PSYCHOLOGISTS_ONLY,
    may_read_psychotherapy_notes,
    may_use_psychotherapy_notes,
)
from clinic.access.refusals import refuse_unless
from clinic.access.visit_notes import (
    CLINICIANS_CHART,
    may_change_visit_note,
    may_chart_visits,
    may_write_visit_note,
)
from clinic.models import User
from clinic.roles import Discipline
from measures.change import change_with
from measures.models import Instrument, MeasureSummary
from patients.encounters import NotTheAuthor, clean_functional_tests
from patients.models import Addendum, Encounter, Patient, PsychotherapyNote

TIMELINE_LIMIT = 20

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


def unsigned_notes_for(user) -> QuerySet[Encounter]:
    """The user's own drafts (not signed yet), newest first, of patients they can still open.

    For the clinician's worklist: chain ``.select_related("patient")`` and slice as needed. The partial
    index encounter_unsigned_by_author serves it.
    """
    return (
        Encounter.objects.drafts()
        .filter(author=user, patient__in=patients_visible_to(user))
        .defer(*_NOTE_TEXT)
        .newest_first()
    )


_NOTE_TEXT = ("priorities", "findings", "functional_tests", "assessment", "plan", "free_text")


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


# --------------------------------------------------------------------------- the timeline


VISIT, PSYCHOTHERAPY = "visit", "psychotherapy_note"


@dataclass(frozen=True)
class TimelineEntry:
    """A visit (with its status and number of addenda) or the stub of a psychotherapy note."""

    entry: str  # VISIT or PSYCHOTHERAPY
    public_id: uuid.UUID
    occurred_on: datetime.date
    created_at: datetime.datetime
    kind: str
    discipline: str
    status: str
    signed_at: datetime.datetime | None
    author_id: int
    author_name: str
    addenda: int

    @property
    def is_visit(self) -> bool:
        return self.entry == VISIT

    @property
    def is_signed(self) -> bool:
        return self.status == Encounter.Status.SIGNED

    @property
    def kind_label(self) -> str:
        return Encounter.Kind(self.kind).label if self.is_visit else "Psychotherapy note"

    @property
    def discipline_label(self) -> str:
        return Discipline(self.discipline).label if self.discipline in Discipline.values else self.discipline


class Timeline(list):
    """The newest entries (a list of TimelineEntry), with what the page around them needs to know."""

    def __init__(self, entries, *, more: bool, may_chart: bool, may_read_psychotherapy: bool):
        super().__init__(entries)
        self.more = more
        self.may_chart = may_chart
        self.may_read_psychotherapy = may_read_psychotherapy


def timeline_for(patient: Patient, user, *, limit: int = TIMELINE_LIMIT, offset: int = 0) -> Timeline:
    """The patient's visits and psychotherapy note stubs, newest first: ``limit`` of them from ``offset``.

    One query (a UNION of both, each side bounded), whatever the length of the history; the user's
    permissions come from the user's permission cache (the chart page loads it anyway).
    """
    bound = offset + limit + 1
    addenda = (
        Addendum.objects.filter(encounter=OuterRef("pk"))
        .order_by()
        .values("encounter")
        .annotate(n=Count("id"))
        .values("n")
    )
    visits = (
        Encounter.objects.filter(patient=patient)
        .annotate(
            t_entry=Value(VISIT, CharField()),
            t_public_id=F("public_id"),
            t_on=F("occurred_on"),
            t_created=F("created_at"),
            t_kind=F("kind"),
            t_discipline=F("discipline"),
            t_status=F("status"),
            t_signed_at=F("signed_at"),
            t_author=F("author_id"),
            t_first=F("author__first_name"),
            t_last=F("author__last_name"),
            t_username=F("author__username"),
            t_credentials=F("author__credentials"),
            t_addenda=Coalesce(Subquery(addenda, output_field=IntegerField()), Value(0)),
        )
        .values_list(*_TIMELINE_COLUMNS)
        .order_by("-occurred_on", "-created_at", "-id")[:bound]
    )
    notes = (
        PsychotherapyNote.objects.filter(patient=patient)
        .annotate(
            t_entry=Value(PSYCHOTHERAPY, CharField()),
            t_public_id=F("public_id"),
            t_on=F("occurred_on"),
            t_created=F("created_at"),
            t_kind=Value("", CharField()),
            t_discipline=F("author__discipline"),
            t_status=Value("", CharField()),
            t_signed_at=Value(None, DateTimeField()),
            t_author=F("author_id"),
            t_first=F("author__first_name"),
            t_last=F("author__last_name"),
            t_username=F("author__username"),
            t_credentials=F("author__credentials"),
            t_addenda=Value(0, IntegerField()),
        )
        .values_list(*_TIMELINE_COLUMNS)
        .order_by("-occurred_on", "-created_at", "-id")[:bound]
    )
    rows = list(visits.union(notes, all=True).order_by("-t_on", "-t_created", "t_entry")[offset:bound])
    entries = [_entry(row) for row in rows]
    return Timeline(
        entries[:limit],
        more=len(entries) > limit,
        may_chart=may_chart_visits(user),
        may_read_psychotherapy=may_use_psychotherapy_notes(user),
    )


_TIMELINE_COLUMNS = (
    "t_entry",
    "t_public_id",
    "t_on",
    "t_created",
    "t_kind",
    "t_discipline",
    "t_status",
    "t_signed_at",
    "t_author",
    "t_first",
    "t_last",
    "t_username",
    "t_credentials",
    "t_addenda",
)


def _entry(row) -> TimelineEntry:
    entry, public_id, on, created, kind, discipline, status, signed_at, author_id, first, last, username, creds, n = row
    author = User(first_name=first, last_name=last, username=username, credentials=creds)  # for its display name
    return TimelineEntry(
        entry=entry,
        public_id=public_id,
        occurred_on=on,
        created_at=created,
        kind=kind,
        discipline=discipline,
        status=status,
        signed_at=signed_at,
        author_id=author_id,
        author_name=author.display_name,
        addenda=n,
    )


# --------------------------------------------------------------------------- scores while writing


@dataclass(frozen=True)
class ScoreLine:
    """An instrument's latest score, its band, and the change since baseline in words."""

    code: str
    name: str
    latest: str
    band: str | None
    latest_at: datetime.datetime
    baseline: str
    baseline_at: datetime.datetime
    count: int
    change_words: str


def latest_scores_for(patient: Patient) -> list[ScoreLine]:
    """The patient's latest questionnaire scores (measures.models.MeasureSummary) by instrument name.

    Two queries whatever the number of responses: the summaries, and the newest version of their instruments
    (for the name, the bands and the change rules).
    """
    summaries = list(MeasureSummary.objects.filter(patient=patient))
    if not summaries:
        return []
    instruments: dict[str, Instrument] = {
        instrument.code: instrument  # the newest version loaded wins (active ones after inactive ones)
        for instrument in Instrument.objects.filter(code__in={s.instrument_code for s in summaries})
        .only("code", "name", "definition", "checksum", "loaded_at", "active")
        .order_by("active", "loaded_at", "id")
    }
    lines = []
    for summary in summaries:
        instrument = instruments.get(summary.instrument_code)
        if instrument is None:
            continue
        definition = instrument.spec
        if summary.responses_count > 1:
            words = change_with(definition, summary.baseline_total, summary.latest_total).clinician_words
        else:
            words = "One response so far: this is the baseline."
        lines.append(
            ScoreLine(
                code=summary.instrument_code,
                name=definition.name,
                latest=_score(summary.latest_total, definition.display_decimals),
                band=definition.band_for(Fraction(summary.latest_total)),  # the Decimal total, exactly
                latest_at=summary.latest_at,
                baseline=_score(summary.baseline_total, definition.display_decimals),
                baseline_at=summary.baseline_at,
                count=summary.responses_count,
                change_words=words,
            )
        )
    return sorted(lines, key=lambda line: line.name.lower())


def _score(total: Decimal, places: int) -> str:
    return f"{total:.{places}f}"
