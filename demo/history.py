"""The demo clinic's questionnaire history: months of PEG, PHQ-9 and GAD-7 for every demo patient, the
default protocol's schedules continuing its rhythm, and the demo's one safety alert.

Built on demo/clinic.py's numbering (patient number i, MRN ``demo_mrn(i)``): the history of patient i
depends only on i, and a patient who has answered anything is left alone, so a second run adds nothing.
"""

import csv
import io
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from django.db import connection, transaction
from django.utils import timezone

from demo.clinic import BATCH_SIZE, BUNDLE_EVERY_DAYS, DEMO_PATIENT_BUNDLES, SEED, SeedResult, consents, demo_mrn
from measures.alerts import alert_kinds
from measures.models import MeasurementSchedule, Response
from measures.scheduling import DEFAULT_PROTOCOL
from measures.scoring import score_with
from measures.scoring_context import scoring_context
from measures.services import latest_instrument, rebuild_summaries, save_answer, start_response, submit_response
from patients.models import Patient

# Every patient has been answering the default protocol's PEG (every 2 weeks) and PHQ-9 and GAD-7
# (every 4 weeks) since the start of their care: a "bundle" every 14 days, PEG in each, PHQ-9 and
# GAD-7 in every other one. Totals are never written by hand: the answers are generated and scored
# with measures.scoring.score_with, exactly as a submission would be. Bulk rows never raise an alert
# (item 9 stays 0, totals stay below the severe bands); the one safety alert of the demo goes through
# measures.services.submit_response, so its alert and urgent task are real.

HISTORY_CODES = ("peg", "phq9", "gad7")
ALERT_PATIENT_NUMBER = 1  # on the first physician's team, like Maria
HISTORY_CAPS = {"phq9": 19, "gad7": 14}  # below "severe" (20 and 15): bulk rows raise no review alert


class Course(StrEnum):
    IMPROVING = "improving"
    FLAT = "flat"
    WORSE = "worse"


COURSE_WEIGHTS = {Course.IMPROVING: 50, Course.FLAT: 32, Course.WORSE: 18}


@dataclass(frozen=True)
class Trajectory:
    """How one patient's numbers move from their first bundle to their latest (levels: PEG mean, totals)."""

    course: Course
    bundles: int  # bundles answered so far, 14 days apart
    shift: int  # days after today when the next bundle is due (0 to 13)
    start: dict[str, float]
    end: dict[str, float]


def trajectory(number: int, *, responses_per_patient: int | None = None) -> Trajectory:
    """Patient `number`'s course; the same number gives the same course.

    `responses_per_patient` (the benchmark's scale mode) sets how many responses every patient but
    the demo patient has; without it the history lasts one to about six months.
    """
    if number == 0:
        start = {"peg": 7.3, "phq9": 13, "gad7": 11}
        return Trajectory(Course.IMPROVING, DEMO_PATIENT_BUNDLES, 0, start, {"peg": 4.0, "phq9": 7, "gad7": 6})
    rng = random.Random(SEED * 3_000_003 + number)
    course = Course.WORSE if number == ALERT_PATIENT_NUMBER else pick(rng, COURSE_WEIGHTS)
    if responses_per_patient is not None:
        bundles = bundles_for(responses_per_patient)
    elif course == Course.IMPROVING:
        bundles = rng.randint(9, 13)  # 4 to 6 months
    else:
        bundles = rng.randint(1, 13)
    start = {"peg": rng.uniform(6.2, 7.8), "phq9": rng.uniform(10, 14.4), "gad7": rng.uniform(9.5, 13.5)}
    if course == Course.IMPROVING:
        end = {"peg": rng.uniform(3.4, 4.6), "phq9": rng.uniform(5, 8.5), "gad7": rng.uniform(4.5, 8)}
    elif course == Course.FLAT:
        end = {code: level + rng.uniform(-0.6, 0.6) * (1 if code == "peg" else 2) for code, level in start.items()}
    else:
        end = {"peg": start["peg"] + rng.uniform(0.4, 1.2), "phq9": start["phq9"] + rng.uniform(1, 4)}
        end["gad7"] = start["gad7"] + rng.uniform(0.5, 3)
    return Trajectory(course, bundles, rng.randrange(BUNDLE_EVERY_DAYS), start, end)


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def bundle_codes(index: int) -> tuple[str, ...]:
    return HISTORY_CODES if index % 2 == 0 else ("peg",)


def bundles_for(responses: int) -> int:
    """How many bundles hold at least this many responses."""
    bundles = total = 0
    while total < responses:
        total += len(bundle_codes(bundles))
        bundles += 1
    return bundles


def history_events(path: Trajectory, *, today: date, limit: int | None = None) -> list[tuple[date, str, float]]:
    """(day, instrument code, level) of every response, oldest first; the last bundle is before today."""
    first_day = today + timedelta(days=path.shift - path.bundles * BUNDLE_EVERY_DAYS)
    events = []
    for index in range(path.bundles):
        progress = index / (path.bundles - 1) if path.bundles > 1 else 0.0
        if path.course == Course.IMPROVING:
            progress = 1 - (1 - progress) ** 1.5  # most of the change comes early
        day = first_day + timedelta(days=index * BUNDLE_EVERY_DAYS)
        for code in bundle_codes(index):
            level = path.start[code] + (path.end[code] - path.start[code]) * progress
            events.append((day, code, level))
    return events[:limit] if limit is not None else events


def next_due_dates(path: Trajectory, events, *, today: date, protocol) -> dict[str, date]:
    """Each protocol instrument's next due date, continuing the rhythm of the history."""
    next_bundle = today + timedelta(days=path.shift)
    last = {}
    for day, code, _ in events:
        last[code] = day
    due = {}
    for line in protocol:
        if line.instrument_code not in last:
            due[line.instrument_code] = next_bundle
            continue
        day = last[line.instrument_code] + timedelta(days=line.every_days)
        while day < today:
            day += timedelta(days=line.every_days)
        due[line.instrument_code] = day
    return due


def peg_answers(rng: random.Random, level: float) -> dict[str, int]:
    pain = level + 0.5 + rng.gauss(0, 0.6)  # pain itself eases more slowly than its effect on life
    return {
        "peg_1": clamp(round(pain), 0, 10),
        "peg_2": clamp(round(level + rng.gauss(0, 0.7)), 0, 10),
        "peg_3": clamp(round(level - 0.3 + rng.gauss(0, 0.7)), 0, 10),
    }


def spread_answers(rng: random.Random, spec, level: float, *, cap: int) -> dict[str, int]:
    """Answers whose sum is about `level`, spread over the scored items; alert items (PHQ-9 item 9) stay 0."""
    target = clamp(round(level + rng.gauss(0, 1.1)), 0, cap)
    alert_items = {alert.item for alert in spec.alerts}
    scored = [item.code for item in spec.items if item.scored]
    answers = dict.fromkeys(scored, 0)
    open_items = [code for code in scored if code not in alert_items]
    weights = {code: 1.6 if position in (2, 3) else 1.0 for position, code in enumerate(scored)}  # sleep, tiredness
    for _ in range(target):
        code = rng.choices(open_items, weights=[weights[c] for c in open_items])[0]
        answers[code] += 1
        if answers[code] == 3:
            open_items.remove(code)
    for item in spec.items:
        if not item.scored:  # "how difficult have these problems made it ...": answered by most
            answers[item.code] = 0 if target < 5 else clamp(round(target / 7 + rng.gauss(0, 0.5)), 1, 3)
    return answers


def clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


class HistoryScorer:
    """The latest active instruments, and their scoring through score_with (memoised: answers repeat)."""

    def __init__(self):
        self.instruments = {code: latest_instrument(code) for code in HISTORY_CODES}
        self._cache = {}

    def answers(self, rng: random.Random, code: str, level: float) -> dict[str, int]:
        if code == "peg":
            return peg_answers(rng, level)
        return spread_answers(rng, self.instruments[code].spec, level, cap=HISTORY_CAPS[code])

    def score(self, code: str, answers: dict[str, int]):
        key = (code, tuple(answers.items()))
        if key not in self._cache:
            self._cache[key] = score_with(self.instruments[code].spec, answers)
        return self._cache[key]


# The columns the history is copied into (the others are nullable and stay empty: no invitation, no staff).
RESPONSE_COLUMNS = (
    "public_id",
    "patient_id",
    "instrument_id",
    "source",
    "started_at",
    "completed_at",
    "answers",
    "context",
    "total",
    "band",
    "positive",
    "flags",
    "valid",
)


def history_rows(number: int, patient_id: int, scorer: HistoryScorer, *, today: date, tz, limit=None) -> list[tuple]:
    """The completed responses of patient `number`'s history as RESPONSE_COLUMNS tuples, scored with score_with.

    Tuples, not model instances: at 500,000 responses building models costs more than scoring them.
    """
    path = trajectory(number, responses_per_patient=limit if number else None)
    rng = random.Random(SEED * 4_000_037 + number)
    rows = []
    for day, code, level in history_events(path, today=today, limit=limit if number else None):
        answers = scorer.answers(rng, code, level)
        result = scorer.score(code, answers)
        if alert_kinds(result) or not result.valid:
            raise AssertionError(f"demo history for patient {number} would raise an alert: {code} {answers}")
        completed = datetime.combine(day, time(rng.randint(7, 20), rng.randrange(60)), tzinfo=tz)
        started = completed - timedelta(minutes=rng.randint(1, 6), seconds=rng.randrange(60))
        source = Response.Source.PORTAL if rng.random() < 0.85 else Response.Source.KIOSK
        rows.append(
            (
                uuid.uuid4(),
                patient_id,
                scorer.instruments[code].pk,
                source.value,
                started,
                completed,
                json.dumps(answers),
                "{}",
                Decimal(str(result.total)),  # as measures.services.score_and_complete stores it
                result.band or "",
                result.positive,
                json.dumps(sorted(result.flags)),
                True,
            )
        )
    return rows


def copy_responses(rows: list[tuple]) -> None:
    """Insert history rows with Postgres COPY (several times faster than INSERT for 500,000 rows)."""
    if not rows:
        return
    if connection.vendor != "postgresql":  # the embedded SQLite demo: a small clinic, plain inserts
        Response.objects.bulk_create([Response(**dict(zip(RESPONSE_COLUMNS, row, strict=True))) for row in rows])
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([r"\N" if value is None else ("t" if value is True else "f" if value is False else value)
                         for value in row])  # fmt: skip
    buffer.seek(0)
    columns = ", ".join(RESPONSE_COLUMNS)
    copy = f"COPY {Response._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(copy, buffer)


def schedule_rows(number: int, patient_id: int, *, today: date, limit=None) -> list:
    """The default protocol's schedules (measures.scheduling.DEFAULT_PROTOCOL), due in the history's rhythm."""
    path = trajectory(number, responses_per_patient=limit if number else None)
    events = history_events(path, today=today, limit=limit if number else None)
    due = next_due_dates(path, events, today=today, protocol=DEFAULT_PROTOCOL)
    return [
        MeasurementSchedule(
            patient_id=patient_id,
            instrument_code=line.instrument_code,
            every_days=line.every_days,
            next_due_on=due[line.instrument_code],
        )
        for line in DEFAULT_PROTOCOL
    ]


SAFETY_ANSWERS = {  # PHQ-9 of the demo's one safety alert: item 9 = 1 ("several days"), total 16
    "phq9_1": 2,
    "phq9_2": 2,
    "phq9_3": 3,
    "phq9_4": 3,
    "phq9_5": 1,
    "phq9_6": 2,
    "phq9_7": 1,
    "phq9_8": 1,
    "phq9_9": 1,
    "phq9_difficulty": 2,
}


def add_safety_alert(patient: Patient):
    """Today's PHQ-9 with item 9 above 0, answered and submitted through the real services: the alert
    and the urgent task for the lead clinician are the ones a patient's answer would raise."""
    response = start_response(patient=patient, instrument=latest_instrument("phq9"))
    for item_code, value in SAFETY_ANSWERS.items():
        response = save_answer(response=response, item_code=item_code, value=value)
    return submit_response(response=response, context=scoring_context(patient))


def seed_histories(
    count: int, *, responses_per_patient: int | None = None, batch_size: int = BATCH_SIZE
) -> Iterator[SeedResult]:
    """Give demo patients 0..count-1 who have no questionnaire yet their consents, schedules and history.

    Batch by batch, one transaction each, a handful of queries per batch; a patient with any response
    is left alone, so a second run adds nothing.
    """
    scorer = HistoryScorer()
    today = timezone.localdate()
    for start in range(0, count, batch_size):
        numbers = range(start, min(start + batch_size, count))
        yield seed_history_batch(numbers, scorer, today=today, limit=responses_per_patient)


@transaction.atomic
def seed_history_batch(numbers: range, scorer: HistoryScorer, *, today: date, limit: int | None) -> SeedResult:
    mrns = {demo_mrn(n): n for n in numbers}
    patients = {
        mrns[mrn]: (pk, email, mobile)
        for mrn, pk, email, mobile in Patient.objects.filter(mrn__in=mrns).values_list("mrn", "id", "email", "mobile")
    }
    answered = set(
        Response.objects.filter(patient_id__in=[p[0] for p in patients.values()])
        .values_list("patient_id", flat=True)
        .distinct()
    )
    todo = {n: p for n, p in patients.items() if p[0] not in answered}
    if not todo:
        return SeedResult()
    by_email = [pk for pk, email, mobile in todo.values() if consents(email, mobile)[0]]
    by_sms = [pk for pk, email, mobile in todo.values() if consents(email, mobile)[1]]
    Patient.objects.filter(id__in=by_email, consents_to_email=False).update(consents_to_email=True)
    Patient.objects.filter(id__in=by_sms, consents_to_sms=False).update(consents_to_sms=True)
    tz = timezone.get_current_timezone()
    schedules = [row for n, (pk, *_) in todo.items() for row in schedule_rows(n, pk, today=today, limit=limit)]
    MeasurementSchedule.objects.bulk_create(schedules, ignore_conflicts=True, batch_size=BATCH_SIZE)
    responses = [
        row for n, (pk, *_) in todo.items() for row in history_rows(n, pk, scorer, today=today, tz=tz, limit=limit)
    ]
    copy_responses(responses)
    rebuild_summaries(patient_ids=[pk for pk, *_ in todo.values()])  # set-based, as the caseload reads them
    alerts = 0
    if ALERT_PATIENT_NUMBER in todo:
        alerts = len(add_safety_alert(Patient.objects.get(pk=todo[ALERT_PATIENT_NUMBER][0])).alerts)
    return SeedResult(responses=len(responses) + bool(alerts), schedules=len(schedules), alerts=alerts)
