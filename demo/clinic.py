"""The demo clinic: its staff (as data, so other code can print the sign-ins), its patients and
their care teams, built in bulk so that 50,000 patients take seconds, not minutes, and the demo
patient's link. Their questionnaire history is demo/history.py's.

Everything is stable: staff have fixed usernames, patients fixed MRNs ("100001" upwards) and
the data of patient number i depends only on i, so a second run adds nothing twice.
"""

import dataclasses
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from clinic.models import CareTeamMember, User
from clinic.roles import Discipline, Role
from measures.models import Invitation
from measures.scheduling import attach_link, create_invitation
from patients.models import Language, PainCondition, Patient, Sex
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
    "sex": Sex.FEMALE,
    "email": "mari.garcia-lopez@example.com",
    "mobile": "555-0134",
}
DEMO_PATIENT_TEAM = {"amara.okonkwo": True, "leila.haddad": False, "marcus.bell": False}  # username -> is lead
# Questionnaires come in a bundle every 14 days (demo/history.py); Maria has answered 12 (about 5 months),
# ending so that all three are due today, and was registered the week before her first.
BUNDLE_EVERY_DAYS = 14
DEMO_PATIENT_BUNDLES = 12


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
# Of the patients named from a Spanish-speaking pool, the share who chose Spanish (a demo figure).
SPANISH_SHARE = 0.6
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
    locale = rng.choices(list(LOCALE_WEIGHTS), weights=list(LOCALE_WEIGHTS.values()))[0]
    pool = name_pools()[locale]
    # The same draws as before the record had a sex: the sex is the pool the given name came from.
    is_female = rng.random() < profile.share_female
    given = rng.choice(pool.female if is_female else pool.male)
    family = rng.choice(pool.family)
    patient = Patient(
        mrn=demo_mrn(number),
        date_of_birth=birth_date(rng, today=today, min_age=profile.min_age, max_age=profile.max_age),
        primary_condition=condition,
        sex=Sex.FEMALE if is_female else Sex.MALE,
        email=email_for(given, family, number) if rng.random() < EMAIL_SHARE else "",
        mobile=f"555-01{rng.randrange(100):02d}" if rng.random() < MOBILE_SHARE else "",
        created_at=now - timedelta(days=rng.randrange(REGISTERED_WITHIN_DAYS), minutes=rng.randrange(24 * 60)),
    )
    patient.consents_to_email, patient.consents_to_sms = consents(patient.email, patient.mobile)
    patient.set_names(given=given, family=family)
    # Drawn last, so the rest of the demo stays as it was: some Spanish-named patients read Spanish best.
    if locale.startswith("es_") and rng.random() < SPANISH_SHARE:
        patient.preferred_language = Language.SPANISH
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
        return DemoLink(fresh_portal_link(patient), None)
    return DemoLink(attach_link(invitation), invitation)


def spanish_speaking_demo_patient() -> Patient | None:
    """The first demo patient who reads Spanish best: the welcome prints a link to their portal."""
    return Patient.objects.filter(preferred_language=Language.SPANISH).order_by("mrn").first()


@transaction.atomic
def fresh_portal_link(patient: Patient) -> str:
    """A new sign-in link to the patient's portal (their earlier open links are closed); the raw token."""
    PatientLink.objects.filter(patient=patient).usable().update(revoked_at=timezone.now())
    _, token = issue_link(patient=patient)
    return token


REFERRAL_PATIENTS = 40


def seed_demo_referrals(count: int) -> int:
    """The referral demo for the first patients (the demo patient first) by the demo staff."""
    from demo.referrals import seed_referrals  # imported here: it builds on this module's staff

    mrns = [demo_mrn(number) for number in range(min(count, REFERRAL_PATIENTS))]
    patients = list(Patient.objects.filter(mrn__in=mrns).order_by("mrn"))
    staff = User.objects.filter(username__in=[s["username"] for s in DEMO_STAFF]).order_by("id")
    return seed_referrals(patients, staff, today=timezone.localdate())
