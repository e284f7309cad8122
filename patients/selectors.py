"""Reads for the chart's pages (no writes): the timeline of visits and psychotherapy note stubs, the latest
questionnaire scores shown while writing a visit note, the unsigned notes of a clinician's worklist and the
problem list grouped by domain. The workflows that write are visit_services and problem_services.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import CharField, Count, DateTimeField, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from clinic.access import patients_visible_to
from clinic.access.psychotherapy_notes import may_use_psychotherapy_notes
from clinic.access.visit_notes import may_chart_visits
from clinic.models import User
from clinic.roles import Discipline
from measures.change import change_with
from measures.models import Instrument, MeasureSummary
from patients.models import Addendum, Encounter, Patient, Problem, PsychotherapyNote

TIMELINE_LIMIT = 20


# --------------------------------------------------------------------------- the worklist's unsigned notes


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


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class ProblemGroup:
    """One domain of the problem list as the chart shows it."""

    domain: str
    label: str
    #: Active, then monitoring; by title within each.
    current: list[Problem]
    #: Most recently changed first (the chart collapses them).
    resolved: list[Problem]


STATUS_ORDER = {status: rank for rank, status in enumerate(Problem.Status.values)}


def group_by_domain(problems) -> list[ProblemGroup]:
    """Problems grouped by domain in the list's domain order; domains without problems are left out."""
    groups = []
    for domain, label in Problem.Domain.choices:
        mine = [problem for problem in problems if problem.domain == domain]
        if not mine:
            continue
        current = sorted(
            (p for p in mine if not p.is_resolved), key=lambda p: (STATUS_ORDER[p.status], p.title.casefold(), p.pk)
        )
        resolved = sorted((p for p in mine if p.is_resolved), key=lambda p: (p.updated_at, p.pk), reverse=True)
        groups.append(ProblemGroup(domain=domain, label=label, current=current, resolved=resolved))
    return groups


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
