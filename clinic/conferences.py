"""Case conferences: a scheduled team review of a few patients.

The agenda is built from candidates (patients flagged complex, patients with an open early-warning
flag; "not improving after two sprints" joins with the care-plan issue), and the team may add any
patient they may see. Per patient the page shows a summary (problem list, questionnaire trends in
words, referrals, the early-warning facts); the team records the discussion and the decisions, and
turns decisions into tasks (source CONFERENCE) straight from the item. Decisions are kept as text on
the agenda item; writing them into the care plan comes with the care-plan issue.

Coordinators and clinicians run conferences; clinic admins read them. A clinician sees only the agenda
items about patients they may see (clinic.access). The writing services check this themselves and raise
``Refused`` before writing anything; marking the early-warning flag reviewed is a clinician's act
(clinic.access.alerts.may_review_flag).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from clinic.access import patients_visible_to
from clinic.access.alerts import CLINICIANS_REVIEW, may_review_flag
from clinic.access.refusals import refuse_unless
from clinic.access.tasks import PATIENTS_WORKERS_ONLY, WORKERS_ONLY, may_coordinate, may_coordinate_for
from clinic.escalation import SUGGESTION
from clinic.models import CaseConference, ConferenceItem, EscalationFlag, Referral, TeamTask, User
from clinic.services import create_task
from measures.caseload import stalled_change
from measures.change import Change, change_with
from measures.definitions import get_definition
from measures.models import MeasureSummary
from patients.models import Complexity, Patient, PatientQuerySet, Problem

CANDIDATES_SHOWN = 30
REFERRALS_SHOWN = 10
SUMMARY_CODES = ("peg", "phq9")  # the questionnaire trends the summary puts in words (issue 7)
Reason = ConferenceItem.Reason


class NotOnAgenda(LookupError):
    pass


# --- Reading -------------------------------------------------------------------------------------


@dataclass
class Candidate:
    patient: Patient
    reason: str  # a ConferenceItem.Reason value
    detail: str = ""

    @property
    def reason_label(self) -> str:
        return Reason(self.reason).label


def candidates_for(conference: CaseConference, user, *, limit: int = CANDIDATES_SHOWN) -> tuple[list[Candidate], bool]:
    """(candidates, more): patients the person may see, not yet on this agenda, with an open
    early-warning flag (first, newest flag first) or flagged complex. Two queries, bounded."""
    visible = patients_visible_to(user)
    on_agenda = ConferenceItem.objects.filter(conference=conference, patient=OuterRef("pk"))
    open_flag = EscalationFlag.objects.open().filter(patient=OuterRef("pk"))
    flagged = list(
        EscalationFlag.objects.open()
        .filter(patient__in=visible.exclude(Exists(on_agenda)))
        .select_related("patient")
        .only("facts", "flagged_at", "patient_id", *(f"patient__{name}" for name in PatientQuerySet.LISTING_FIELDS))
        .order_by("-flagged_at", "-id")[: limit + 1]
    )
    candidates = [Candidate(flag.patient, Reason.ESCALATION, "; ".join(flag.facts[:2])) for flag in flagged[:limit]]
    more = len(flagged) > limit
    room = limit - len(candidates)
    if room > 0:
        complex_patients = list(
            visible.filter(complexity=Complexity.COMPLEX)
            .exclude(Exists(on_agenda))
            .exclude(Exists(open_flag))
            .for_listing()
            .order_by("family_name", "given_name", "id")[: room + 1]
        )
        candidates += [Candidate(patient, Reason.COMPLEX) for patient in complex_patients[:room]]
        more = more or len(complex_patients) > room
    # "Not improving after two sprints" joins here with the care-plan issue.
    return candidates, more


def agenda_for(conference: CaseConference, user) -> tuple[list[ConferenceItem], int]:
    """(items the person may see, how many items are hidden from them). One query."""
    visible_ids = patients_visible_to(user).filter(pk=OuterRef("patient_id"))
    items = list(
        conference.items.select_related("patient", "discussed_by")
        .annotate(may_see=Exists(visible_ids))
        .only(
            "reason",
            "reason_detail",
            "position",
            "discussion",
            "decisions",
            "discussed_at",
            "conference_id",
            "patient_id",
            "discussed_by_id",
            "discussed_by__first_name",
            "discussed_by__last_name",
            "discussed_by__username",
            "discussed_by__credentials",
            *(f"patient__{name}" for name in PatientQuerySet.LISTING_FIELDS),
            "patient__complexity",
        )
    )
    shown = [item for item in items if item.may_see]
    return shown, len(items) - len(shown)


@dataclass
class TrendWords:
    name: str
    words: str
    not_improving: bool


@dataclass
class PatientSummary:
    """What the team reads about one patient at the conference (the care plan's tier and MME join
    with the care-plan and medication issues)."""

    problems: list[Problem] = field(default_factory=list)
    trends: list[TrendWords] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    more_referrals: bool = False
    flag: EscalationFlag | None = None
    suggestion: str = SUGGESTION


def summary_for(patient: Patient) -> PatientSummary:
    """Four queries, whatever the length of the patient's history."""
    problems = list(
        Problem.objects.filter(patient=patient)
        .exclude(status=Problem.Status.RESOLVED)
        .order_by("domain", "-updated_at", "id")
    )
    trends = []
    for row in MeasureSummary.objects.filter(patient=patient, instrument_code__in=SUMMARY_CODES).order_by(
        "instrument_code"
    ):
        change = trend_change(row)
        stalled = stalled_change(
            row.instrument_code, row.baseline_total, row.latest_total, since=row.latest_at - row.baseline_at
        )
        name = get_definition(row.instrument_code).name
        trends.append(TrendWords(name=name, words=words_for(row, change), not_improving=stalled is not None))
    referrals = list(
        Referral.objects.filter(patient=patient)
        .only("public_id", "service", "service_other", "receiving_provider", "state", "created_at", "sent_at")
        .order_by("-created_at", "-id")[: REFERRALS_SHOWN + 1]
    )
    flag = EscalationFlag.objects.open().filter(patient=patient).first()
    return PatientSummary(
        problems=problems,
        trends=trends,
        referrals=referrals[:REFERRALS_SHOWN],
        more_referrals=len(referrals) > REFERRALS_SHOWN,
        flag=flag,
    )


def trend_change(row: MeasureSummary) -> Change:
    return change_with(get_definition(row.instrument_code), row.baseline_total, row.latest_total)


def words_for(row: MeasureSummary, change: Change) -> str:
    if row.responses_count < 2:
        return f"{get_definition(row.instrument_code).name}: one answer so far (the baseline)"
    first, latest = timezone.localdate(row.baseline_at), timezone.localdate(row.latest_at)  # the clinic's months
    return f"{change.clinician_words} ({row.responses_count} answers, {first:%b %Y} to {latest:%b %Y})"


def item_for(conference: CaseConference, patient: Patient) -> ConferenceItem:
    try:
        return conference.items.select_related("discussed_by").get(patient=patient)
    except ConferenceItem.DoesNotExist:
        raise NotOnAgenda from None


def tasks_from(item: ConferenceItem) -> QuerySet[TeamTask]:
    """The tasks created from this agenda item (their source key starts with the item's key)."""
    return (
        TeamTask.objects.filter(
            patient=item.patient_id, source=TeamTask.Source.CONFERENCE, source_key__startswith=item_key(item) + ":"
        )
        .select_related("assignee")
        .order_by("created_at", "id")
    )


# --- Writing -------------------------------------------------------------------------------------


@transaction.atomic
def schedule_conference(*, title: str, scheduled_for: datetime, attendees: list[User], by: User) -> CaseConference:
    """Plan a conference. Refused unless ``by`` may run conferences (clinic.access.tasks.may_coordinate)."""
    refuse_unless(may_coordinate(by), WORKERS_ONLY)
    conference = CaseConference.objects.create(title=title, scheduled_for=scheduled_for, created_by=by)
    conference.attendees.set(attendees)
    return conference


@transaction.atomic
def add_to_agenda(
    *, conference: CaseConference, patient: Patient, reason: str, by: User, detail: str = ""
) -> tuple[ConferenceItem, bool]:
    """Put a patient on the agenda once (a second add keeps the first); returns (item, created).

    Refused unless ``by`` may run conferences and may see the patient.
    """
    refuse_unless(may_coordinate_for(by, patient), PATIENTS_WORKERS_ONLY)
    existing = ConferenceItem.objects.filter(conference=conference, patient=patient).first()
    if existing:
        return existing, False
    # Lock the conference row so two people adding at once get distinct positions.
    CaseConference.objects.select_for_update().filter(pk=conference.pk).first()
    last = conference.items.aggregate(last=Max("position"))["last"]
    item, created = ConferenceItem.objects.get_or_create(
        conference=conference,
        patient=patient,
        defaults={
            "reason": reason,
            "reason_detail": detail,
            "position": 0 if last is None else last + 1,
            "added_by": by,
        },
    )
    return item, created


@transaction.atomic
def record_discussion(
    *, item: ConferenceItem, discussion: str, decisions: str, by: User, review_flag: bool = False
) -> EscalationFlag | None:
    """Keep the discussion and decisions; with ``review_flag``, mark the patient's open early-warning
    flag reviewed with the decisions as its note. Returns the flag reviewed, if any.

    Refused unless ``by`` may run conferences and may see the item's patient, and, with ``review_flag``, is a
    clinician who may review the flag (``may_review_flag``): then nothing is kept.
    """
    refuse_unless(may_coordinate_for(by, item.patient), PATIENTS_WORKERS_ONLY)
    if review_flag:
        refuse_unless(may_review_flag(by, item.patient), CLINICIANS_REVIEW)
    item.record_discussion(discussion=discussion, decisions=decisions, by=by)
    if not review_flag:
        return None
    flag = EscalationFlag.objects.open().filter(patient=item.patient_id).first()
    if flag is None:
        return None
    conference = item.conference
    note = f"Reviewed at {conference.title} ({day_words(conference.scheduled_for)})."
    if decisions.strip():
        note += f" Decisions: {decisions.strip()}"
    return flag if flag.mark_reviewed(by=by, note=note[:2000]) else None


def day_words(moment: datetime) -> str:
    local = timezone.localtime(moment)
    return f"{local:%b} {local.day}, {local.year}"


def item_key(item: ConferenceItem) -> str:
    return f"conference:{item.conference_id}:item:{item.pk}"


def decision_task(
    *,
    item: ConferenceItem,
    title: str,
    assignee: User | None,
    assignee_role: str,
    due_on,
    priority: str,
    by: User,
) -> TeamTask:
    """A task from a conference decision. The same decision submitted twice (a double click, a
    retried request) is one task: its source key is the item and a digest of what was asked.

    Refused unless ``by`` may run conferences and may see the item's patient (create_task checks).
    Precondition: ``assignee`` was offered to them (clinic.selectors.assignable_people).
    """
    asked = f"{title}|{assignee.pk if assignee else ''}|{assignee_role}|{due_on.isoformat()}|{priority}"
    digest = hashlib.sha256(asked.encode()).hexdigest()[:20]
    conference = item.conference
    patient = item.patient
    return create_task(
        title=title,
        source=TeamTask.Source.CONFERENCE,
        source_key=f"{item_key(item)}:{digest}",
        patient=patient,
        assignee=assignee,
        assignee_role=assignee_role,
        priority=priority,
        due_on=due_on,
        details=f"Decided at {conference.title} on {day_words(conference.scheduled_for)}.",
        link=reverse("team:conference_item", args=[conference.public_id, patient.public_id]),
        by=by,
    )
