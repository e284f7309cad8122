"""A clinician's caseload at a glance: their patients who are not improving, whose questionnaires are
overdue, or who have open alerts. Three queries whatever the size of the caseload (measures.models.MeasureSummary
keeps each patient's baseline and latest score per instrument, judged by ``not_improving`` on submission).

Not improving (after at least 8 weeks between the first and the latest scored response):
- PEG: the latest is not at least 30% better than baseline (the instrument's responder rule).
- PHQ-9 and GAD-7: the latest is not lower than baseline and is still above the lowest band.
Overdue: an active schedule whose next due date has passed, or an invitation still not completed a
week after its due date.
"""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, DecimalField, DurationField, Exists, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from clinic.access import patients_visible_to
from measures.change import Change, change_with
from measures.definitions import get_definition
from measures.models import Alert, Invitation, MeasurementSchedule, MeasureSummary

NOT_IMPROVING_AFTER = datetime.timedelta(weeks=8)
INVITATION_OVERDUE_AFTER = datetime.timedelta(days=7)
CHANGE_CODES = ("peg", "phq9", "gad7")
CASELOAD_LIMIT = 50


@dataclass
class CaseloadEntry:
    patient: object
    open_alerts: int = 0
    urgent_alerts: int = 0
    overdue: list[str] = field(default_factory=list)  # instrument names
    waiting_since: datetime.date | None = None
    not_improving: list[Change] = field(default_factory=list)


def not_improving(change: Change, *, since: datetime.timedelta) -> bool:
    """Pure: is this change, over this time, "not improving" by the caseload's rules?"""
    if since < NOT_IMPROVING_AFTER or change.direction is None:
        return False
    definition = get_definition(change.code)
    if definition.change.responder_min_percent is not None and change.code == "peg":
        return change.responder is False
    lowest = definition.bands[0].label if definition.bands else None
    return change.direction != "improved" and definition.band_for(change.latest) != lowest


@functools.lru_cache(maxsize=4096)
def _change(code: str, baseline, latest) -> Change:
    return change_with(get_definition(code), baseline, latest)


def stalled_change(code: str, baseline, latest, *, since: datetime.timedelta) -> Change | None:
    """Pure: the change from ``baseline`` to ``latest`` when the caseload's rule (``not_improving``) judges
    it not improving, else None. Only the instruments in CHANGE_CODES are judged."""
    if code not in CHANGE_CODES or since < NOT_IMPROVING_AFTER:
        return None
    change = _change(code, baseline, latest)
    return change if not_improving(change, since=since) else None


def caseload_for(user, *, now: datetime.datetime | None = None, limit: int = CASELOAD_LIMIT):
    """(entries, more): the user's patients needing attention, open urgent alerts first.

    Starts from the small sets of rows that need attention (open alerts, overdue schedules, invitations
    waiting more than a week, summaries judged not improving; each has a partial index), keeps the
    patients the user may see (clinic.access), and reads at most ``limit + 1`` of them: three queries,
    whatever the size of the caseload or of the patients' histories.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    waiting_before = today - INVITATION_OVERDUE_AFTER
    open_alerts = Alert.objects.unacknowledged()
    overdue = MeasurementSchedule.objects.filter(active=True, next_due_on__lt=today)
    waiting = Invitation.objects.filter(completed_at__isnull=True, due_on__lt=waiting_before)
    stalled_rows = MeasureSummary.objects.not_improving()
    visible = patients_visible_to(user).for_listing()
    waiting_since = Subquery(waiting.filter(patient=OuterRef("pk")).order_by("due_on").values("due_on")[:1])
    # Open alerts first: a few patients, found from the open alerts (partial index alert_open_by_patient).
    alerted = (
        visible.filter(pk__in=open_alerts.values("patient_id"))
        .annotate(
            open_alerts=count_of(open_alerts.filter(patient=OuterRef("pk"))),
            urgent_alerts=Coalesce(
                count_of(open_alerts.filter(patient=OuterRef("pk"), kind=Alert.Kind.SAFETY)), Value(0)
            ),
            waiting_since=waiting_since,
        )
        .order_by("-urgent_alerts", "-open_alerts", "family_name", "given_name", "id")
    )
    # Then the others in name order: the walk along patient_by_name stops after limit + 1 patients.
    others = (
        # One EXISTS over a UNION, not an OR of three: an OR of EXISTS makes Postgres hash every summary judged
        # not improving in the clinic (26,500 rows at 50,000 patients) before the walk starts.
        visible.filter(
            Exists(
                stalled_rows.filter(patient=OuterRef("pk"))
                .values("pk")
                .union(
                    overdue.filter(patient=OuterRef("pk")).values("pk"),
                    waiting.filter(patient=OuterRef("pk")).values("pk"),
                    all=True,
                )
            )
        )
        .exclude(Exists(open_alerts.filter(patient=OuterRef("pk"))))
        .annotate(open_alerts=Value(0), urgent_alerts=Value(0), waiting_since=waiting_since)
        .order_by("family_name", "given_name", "id")
    )
    # Two queries rather than one UNION of two LIMITed parts, which SQLite (the embedded demo) refuses.
    shown = list(alerted[: limit + 1])
    if len(shown) <= limit:
        shown += list(others[: limit + 1 - len(shown)])
    ids = [p.pk for p in shown[:limit]]
    overdue_codes: dict[int, list[str]] = defaultdict(list)
    stalled: dict[int, list[Change]] = defaultdict(list)
    for patient_id, code, baseline, latest, since in (
        MeasureSummary.objects.not_improving()
        .filter(patient__in=ids)
        .annotate(since=F("latest_at") - F("baseline_at"))
        .values_list("patient_id", "instrument_code", "baseline_total", "latest_total", "since")
        .union(
            overdue.filter(patient__in=ids)
            .annotate(
                baseline_total=Value(None, DecimalField()),
                latest_total=Value(None, DecimalField()),
                since=Value(None, DurationField()),
            )
            .values_list("patient_id", "instrument_code", "baseline_total", "latest_total", "since"),
            all=True,
        )
        .order_by("patient_id", "instrument_code")
    ):
        if since is None:
            overdue_codes[patient_id].append(code)
        elif change := stalled_change(code, baseline, latest, since=since):
            stalled[patient_id].append(change)
    entries = [
        CaseloadEntry(
            patient=patient,
            open_alerts=patient.open_alerts,
            urgent_alerts=patient.urgent_alerts,
            overdue=[instrument_name(code) for code in overdue_codes[patient.pk]],
            waiting_since=patient.waiting_since,
            not_improving=stalled[patient.pk],
        )
        for patient in shown[:limit]
    ]
    return entries, len(shown) > limit


def count_of(queryset) -> Subquery:
    return Subquery(
        queryset.order_by().values("patient").annotate(n=Count("id")).values("n")[:1], output_field=IntegerField()
    )


def instrument_name(code: str) -> str:
    try:
        return get_definition(code).name
    except LookupError:
        return code
