"""The demo clinic: its staff (as data, so other code can print the sign-ins), its patients and
their care teams, and months of questionnaire history, built in bulk so that 50,000 patients take
seconds, not minutes.

Everything is stable: staff have fixed usernames, patients fixed MRNs ("100001" upwards) and
the data of patient number i depends only on i, so a second run adds nothing twice.
"""

import csv
import dataclasses
import io
import json
import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from clinic.models import CareTeamMember, User
from clinic.roles import Discipline, Role
from measures.alerts import alert_kinds
from measures.models import Invitation, MeasurementSchedule, Response
from measures.scheduling import DEFAULT_PROTOCOL, attach_link, create_invitation
from measures.scoring import score_with
from measures.services import latest_instrument, rebuild_summaries, save_answer, start_response, submit_response
from patients.models import PainCondition, Patient
from patients.names import normalise
from portal.models import PatientLink
from portal.services import issue_link

DEMO_PASSWORD = "haven-demo-2026"
SEED = 2026
FIRST_MRN = 100001
BATCH_SIZE = 5000


def staff(username, first_name, last_name, credentials, role, discipline) -> dict:
    return {
        "username": username,
        "first_name": first_name,
        "last_name": last_name,
        "credentials": credentials,
        "role": role,
        "discipline": discipline,
    }


# The first physician leads the demo patient's team; the psychologist is on it too.
DEMO_STAFF = [
    staff("amara.okonkwo", "Amara", "Okonkwo", "MD", Role.CLINICIAN, Discipline.PHYSICIAN),
    staff("rafael.mendoza", "Rafael", "Mendoza", "MD", Role.CLINICIAN, Discipline.PHYSICIAN),
    staff("priya.raman", "Priya", "Raman", "NP", Role.CLINICIAN, Discipline.NURSE_PRACTITIONER),
    staff("hannah.kowalski", "Hannah", "Kowalski", "RN", Role.CLINICIAN, Discipline.NURSE),
    staff("marcus.bell", "Marcus", "Bell", "DPT", Role.CLINICIAN, Discipline.PHYSICAL_THERAPIST),
    staff("aiko.tanaka", "Aiko", "Tanaka", "OTR/L", Role.CLINICIAN, Discipline.OCCUPATIONAL_THERAPIST),
    staff("leila.haddad", "Leila", "Haddad", "PhD", Role.CLINICIAN, Discipline.PSYCHOLOGIST),
    staff("tomas.herrera", "Tomás", "Herrera", "PharmD", Role.CLINICIAN, Discipline.PHARMACIST),
    staff("deshawn.carter", "DeShawn", "Carter", "LCSW", Role.CLINICIAN, Discipline.SOCIAL_WORKER),
    staff("sofia.rossi", "Sofia", "Rossi", "", Role.COORDINATOR, Discipline.CARE_COORDINATOR),
    staff("jamal.wright", "Jamal", "Wright", "", Role.COORDINATOR, Discipline.CARE_COORDINATOR),
    staff("ingrid.larsen", "Ingrid", "Larsen", "", Role.ADMIN, Discipline.CARE_COORDINATOR),
]
LEAD_DISCIPLINES = (Discipline.PHYSICIAN, Discipline.NURSE_PRACTITIONER)

# Patient number 0: the one every demo sign-in can open.
DEMO_PATIENT = {
    "mrn": str(FIRST_MRN),
    "given": "Maria",
    "family": "Garcia-López",
    "preferred": "Mari",
    "date_of_birth": date(1971, 3, 14),
    "primary_condition": PainCondition.FIBROMYALGIA,
    "email": "mari.garcia-lopez@example.com",
    "mobile": "555-0134",
}
DEMO_PATIENT_TEAM = {"amara.okonkwo": True, "leila.haddad": False, "marcus.bell": False}  # username -> is lead


def demo_staff_username(discipline: str, role: str = Role.CLINICIAN) -> str:
    """The first demo sign-in with this discipline and role."""
    return next(s["username"] for s in DEMO_STAFF if s["discipline"] == discipline and s["role"] == role)


# --- Staff ---------------------------------------------------------------------------------------


def seed_staff() -> int:
    """Create the demo staff who do not exist yet; returns how many were created."""
    existing = set(
        User.objects.filter(username__in=[s["username"] for s in DEMO_STAFF]).values_list("username", flat=True)
    )
    missing = [s for s in DEMO_STAFF if s["username"] not in existing]
    if not missing:
        return 0
    password_hash = make_password(DEMO_PASSWORD)  # hashed once, shared: hashing is slow on purpose
    users = [User(**s, email=f"{s['username']}@clinic.example", password=password_hash) for s in missing]
    User.objects.bulk_create(users, ignore_conflicts=True)
    return len(users)


# --- Patients ------------------------------------------------------------------------------------

# Where the names come from: a US clinic with a mixed population.
LOCALE_WEIGHTS = {
    "en_US": 46,
    "es_MX": 12,
    "es_ES": 3,
    "en_IN": 5,
    "vi_VN": 4,
    "pt_BR": 4,
    "fr_CA": 3,
    "fr_FR": 2,
    "it_IT": 3,
    "pl_PL": 3,
    "de_DE": 3,
    "yo_NG": 2,
    "en_KE": 2,
    "tw_GH": 2,
}
NAMES_PER_POOL = 250


@dataclass(frozen=True)
class ConditionProfile:
    """How a condition presents in this clinic: its share of patients, ages, and share of women."""

    weight: int
    min_age: int
    max_age: int
    share_female: float


CONDITION_PROFILES = {
    PainCondition.LOW_BACK_PAIN: ConditionProfile(24, 22, 85, 0.55),
    PainCondition.OSTEOARTHRITIS: ConditionProfile(14, 50, 88, 0.6),
    PainCondition.NEUROPATHY: ConditionProfile(12, 35, 88, 0.5),
    PainCondition.FIBROMYALGIA: ConditionProfile(12, 25, 75, 0.85),
    PainCondition.MIGRAINE: ConditionProfile(11, 19, 65, 0.75),
    PainCondition.POST_SURGICAL: ConditionProfile(10, 25, 85, 0.55),
    PainCondition.SICKLE_CELL: ConditionProfile(5, 19, 50, 0.5),
    PainCondition.ENDOMETRIOSIS: ConditionProfile(6, 19, 52, 1.0),
    PainCondition.CANCER_RELATED: ConditionProfile(4, 30, 88, 0.5),
    PainCondition.OTHER: ConditionProfile(6, 19, 88, 0.55),
}
EMAIL_SHARE = 0.85
MOBILE_SHARE = 0.45
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
REGISTERED_WITHIN_DAYS = 5 * 365


@dataclass(frozen=True)
class NamePool:
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


@cache
def name_pools() -> dict[str, NamePool]:
    """A few hundred names per locale, made once by Faker with a fixed seed (fast to pick from)."""
    from faker import Faker  # a development dependency: only the demo needs it

    pools = {}
    for locale in LOCALE_WEIGHTS:
        fake = Faker(locale)
        fake.seed_instance(SEED)
        pools[locale] = NamePool(
            female=distinct(fake.first_name_female for _ in range(NAMES_PER_POOL)),
            male=distinct(fake.first_name_male for _ in range(NAMES_PER_POOL)),
            family=distinct(fake.last_name for _ in range(NAMES_PER_POOL)),
        )
    return pools


def distinct(makers) -> tuple[str, ...]:
    return tuple(dict.fromkeys(make() for make in makers))


def demo_mrn(number: int) -> str:
    return str(FIRST_MRN + number)


def patient_row(number: int, *, today: date, now: datetime) -> Patient:
    """Demo patient `number` (0 is the fixed demo patient); the same number gives the same person."""
    if number == 0:
        return fixed_demo_patient(now=now)
    rng = random.Random(SEED * 1_000_003 + number)
    condition = rng.choices(list(CONDITION_PROFILES), weights=[p.weight for p in CONDITION_PROFILES.values()])[0]
    profile = CONDITION_PROFILES[condition]
    pool = name_pools()[rng.choices(list(LOCALE_WEIGHTS), weights=list(LOCALE_WEIGHTS.values()))[0]]
    given = rng.choice(pool.female if rng.random() < profile.share_female else pool.male)
    family = rng.choice(pool.family)
    patient = Patient(
        mrn=demo_mrn(number),
        date_of_birth=birth_date(rng, today=today, min_age=profile.min_age, max_age=profile.max_age),
        primary_condition=condition,
        email=email_for(given, family, number) if rng.random() < EMAIL_SHARE else "",
        mobile=f"555-01{rng.randrange(100):02d}" if rng.random() < MOBILE_SHARE else "",
        created_at=now - timedelta(days=rng.randrange(REGISTERED_WITHIN_DAYS), minutes=rng.randrange(24 * 60)),
    )
    patient.consents_to_email, patient.consents_to_sms = consents(patient.email, patient.mobile)
    patient.set_names(given=given, family=family)
    return patient


def consents(email: str, mobile: str) -> tuple[bool, bool]:
    """Most patients agreed to email; those without an address, to texts (when they gave a mobile)."""
    return bool(email), bool(mobile) and not email


def fixed_demo_patient(*, now: datetime) -> Patient:
    fields = {k: v for k, v in DEMO_PATIENT.items() if k not in ("given", "family", "preferred")}
    patient = Patient(**fields, created_at=now - timedelta(days=DEMO_PATIENT_BUNDLES * BUNDLE_EVERY_DAYS + 7))
    patient.consents_to_email, patient.consents_to_sms = consents(patient.email, patient.mobile)
    patient.set_names(given=DEMO_PATIENT["given"], family=DEMO_PATIENT["family"], preferred=DEMO_PATIENT["preferred"])
    return patient


def birth_date(rng: random.Random, *, today: date, min_age: int, max_age: int) -> date:
    """Ages skew towards the middle of the condition's range (triangular), not flat."""
    age_in_years = rng.triangular(min_age, max_age + 0.99)
    return today - timedelta(days=int(age_in_years * 365.25))


def email_for(given: str, family: str, number: int) -> str:
    ascii_name = normalise(f"{given} {family}")
    local = re.sub(r"[^a-z0-9]+", ".", ascii_name).strip(".")
    return f"{local}{number % 100}@{EMAIL_DOMAINS[number % len(EMAIL_DOMAINS)]}"


# --- Care teams ----------------------------------------------------------------------------------


def team_rows(number: int, patient_id: int, staff_ids: dict[str, int], *, now: datetime) -> list[CareTeamMember]:
    """A lead (a physician or nurse practitioner) and one to three other clinicians."""
    if number == 0:
        chosen = DEMO_PATIENT_TEAM
    else:
        rng = random.Random(SEED * 2_000_003 + number)
        leads = [s["username"] for s in DEMO_STAFF if s["discipline"] in LEAD_DISCIPLINES]
        lead = rng.choice(leads)
        others = [s["username"] for s in DEMO_STAFF if s["role"] == Role.CLINICIAN and s["username"] != lead]
        chosen = {lead: True} | dict.fromkeys(rng.sample(others, rng.randint(1, 3)), False)
    return [
        CareTeamMember(patient_id=patient_id, member_id=staff_ids[username], is_lead=is_lead, added_at=now)
        for username, is_lead in chosen.items()
    ]


@dataclass
class SeedResult:
    staff: int = 0
    patients: int = 0
    team_members: int = 0
    schedules: int = 0
    responses: int = 0
    alerts: int = 0

    def add(self, other: "SeedResult") -> None:
        for field in dataclasses.fields(self):
            setattr(self, field.name, getattr(self, field.name) + getattr(other, field.name))


# --- Questionnaire history ---------------------------------------------------------------------
#
# Every patient has been answering the default protocol's PEG (every 2 weeks) and PHQ-9 and GAD-7
# (every 4 weeks) since the start of their care: a "bundle" every 14 days, PEG in each, PHQ-9 and
# GAD-7 in every other one. Totals are never written by hand: the answers are generated and scored
# with measures.scoring.score_with, exactly as a submission would be. Bulk rows never raise an alert
# (item 9 stays 0, totals stay below the severe bands); the one safety alert of the demo goes through
# measures.services.submit_response, so its alert and urgent task are real.

HISTORY_CODES = ("peg", "phq9", "gad7")
BUNDLE_EVERY_DAYS = 14
DEMO_PATIENT_BUNDLES = 12  # Maria: about 5 months, ending so that all three are due today
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
    return submit_response(response=response)


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


# --- Putting it together -------------------------------------------------------------------------


def seed_patients(count: int, *, batch_size: int = BATCH_SIZE) -> Iterator[SeedResult]:
    """Create the demo patients 0..count-1 that are missing, with their care teams, batch by batch.

    Yields what each batch created (a handful of queries per batch, never one per patient).
    Each batch is one transaction, so a patient never exists without their team.
    """
    staff_ids = dict(
        User.objects.filter(username__in=[s["username"] for s in DEMO_STAFF]).values_list("username", "id")
    )
    now, today = timezone.now(), timezone.localdate()
    for start in range(0, count, batch_size):
        yield seed_patient_batch(range(start, min(start + batch_size, count)), staff_ids, today=today, now=now)


@transaction.atomic
def seed_patient_batch(numbers: range, staff_ids: dict[str, int], *, today: date, now: datetime) -> SeedResult:
    mrns = {demo_mrn(n): n for n in numbers}
    existing = set(Patient.objects.filter(mrn__in=mrns).values_list("mrn", flat=True))
    missing = [n for mrn, n in mrns.items() if mrn not in existing]
    if not missing:
        return SeedResult()
    Patient.objects.bulk_create([patient_row(n, today=today, now=now) for n in missing], ignore_conflicts=True)
    created_ids = dict(Patient.objects.filter(mrn__in=[demo_mrn(n) for n in missing]).values_list("mrn", "id"))
    members = [row for n in missing for row in team_rows(n, created_ids[demo_mrn(n)], staff_ids, now=now)]
    CareTeamMember.objects.bulk_create(members, ignore_conflicts=True)
    return SeedResult(patients=len(missing), team_members=len(members))


def demo_patient() -> Patient | None:
    return Patient.objects.filter(mrn=DEMO_PATIENT["mrn"]).first()


DEMO_BUNDLE = ("peg", "phq9", "gad7")


@dataclass(frozen=True)
class DemoLink:
    """A fresh link for the demo patient: to today's questionnaires, or to the portal when she has
    already answered them today (``invitation`` is then None)."""

    token: str
    invitation: Invitation | None


@transaction.atomic
def fresh_demo_link(patient: Patient, *, today: date | None = None) -> DemoLink:
    """Revoke the patient's links that are still open and hand out one to today's questionnaires.

    Today's invitation (PEG, PHQ-9 and GAD-7) is created with measures.scheduling.create_invitation
    without a message (the link is printed, not sent). When it already exists (an earlier run, or the
    due sweep got there first), the demo questionnaires are added to it and it gets a fresh link,
    since the old one was just revoked and its token is not kept anywhere. When today's invitation
    is already completed, the link opens the portal with nothing due: answers are never undone.
    """
    today = today or timezone.localdate()
    PatientLink.objects.filter(patient=patient).usable().update(revoked_at=timezone.now())
    invitation, token = create_invitation(patient=patient, due_on=today, instrument_codes=DEMO_BUNDLE, send=False)
    if token is not None:
        return DemoLink(token, invitation)
    if invitation.completed_at is not None:
        _, token = issue_link(patient=patient)
        return DemoLink(token, None)
    return DemoLink(attach_link(invitation), invitation)


REFERRAL_PATIENTS = 40


def seed_demo_referrals(count: int) -> int:
    """The referral demo for the first patients (the demo patient first) by the demo staff."""
    from demo.referrals import seed_referrals  # imported here: it builds on this module's staff

    mrns = [demo_mrn(number) for number in range(min(count, REFERRAL_PATIENTS))]
    patients = list(Patient.objects.filter(mrn__in=mrns).order_by("mrn"))
    staff = User.objects.filter(username__in=[s["username"] for s in DEMO_STAFF]).order_by("id")
    return seed_referrals(patients, staff, today=timezone.localdate())
