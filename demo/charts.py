"""Demo charts: problem lists, pain classification, complexity and a few visits for the first demo patients.

Visits are written as their authors would write them: the patient's priorities in their words, findings,
functional tests, a plan; most are signed, a few are drafts waiting for their author (unsigned notes on the
worklist), some carry an addendum. Psychologists on a team keep a psychotherapy note apart.

Idempotent: a patient with any visit is left alone. Only the first CHART_PATIENTS patients get a chart, so
the benchmark's 50,000-patient clinic is seeded in bulk without writing notes for everyone.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from clinic.models import CareTeamMember
from clinic.roles import PRESCRIBING_DISCIPLINES, Discipline
from patients.models import (
    Addendum,
    Complexity,
    ComplexityRating,
    Encounter,
    PainClassification,
    PainCondition,
    PainType,
    Patient,
    Problem,
    PsychotherapyNote,
)

CHART_PATIENTS = 200
SEED = 2026

# A plausible classification per condition for the demo (a clinician decides this for real patients).
DEMO_PAIN_TYPES = {
    PainCondition.LOW_BACK_PAIN: PainType.MIXED,
    PainCondition.OSTEOARTHRITIS: PainType.NOCICEPTIVE,
    PainCondition.NEUROPATHY: PainType.NEUROPATHIC,
    PainCondition.FIBROMYALGIA: PainType.NOCIPLASTIC,
    PainCondition.MIGRAINE: PainType.NOCIPLASTIC,
    PainCondition.POST_SURGICAL: PainType.NEUROPATHIC,
    PainCondition.SICKLE_CELL: PainType.NOCICEPTIVE,
    PainCondition.ENDOMETRIOSIS: PainType.MIXED,
    PainCondition.CANCER_RELATED: PainType.MIXED,
    PainCondition.OTHER: PainType.MIXED,
}

# Problems beyond pain, as a team would word them: (domain, title, owner discipline, notes).
OTHER_PROBLEMS = [
    (
        Problem.Domain.SLEEP,
        "Wakes three or four times a night; about 5 hours of sleep",
        Discipline.PSYCHOLOGIST,
        "Sleep diary started. Discuss CBT for insomnia.",
    ),
    (Problem.Domain.MOOD, "Low mood since stopping work", Discipline.PSYCHOLOGIST, "PHQ-9 trend on the chart."),
    (
        Problem.Domain.SUBSTANCE_USE,
        "Drinks three or four beers most evenings to get to sleep",
        Discipline.PHYSICIAN,
        "Open to talking about it; AUDIT-C at next visit.",
    ),
    (
        Problem.Domain.FAMILY,
        "Caring for a parent at home; little time for own exercise",
        Discipline.SOCIAL_WORKER,
        "Respite options discussed.",
    ),
    (
        Problem.Domain.FINANCIAL_VOCATIONAL,
        "Off work for five months; worried about keeping the job",
        Discipline.OCCUPATIONAL_THERAPIST,
        "Graded return-to-work plan to draft with the employer's consent.",
    ),
    (
        Problem.Domain.RECREATIONAL_SOCIAL,
        "Stopped seeing friends and going to choir",
        Discipline.OCCUPATIONAL_THERAPIST,
        "Would like to go back to choir: one of the three things to get back to.",
    ),
    (Problem.Domain.MEDICAL_OTHER, "Type 2 diabetes, managed by primary care", "", "HbA1c reported stable."),
]

PRIORITIES = [
    "Walk the dog around the block again.",
    "Sleep through the night more often.",
    "Sit through a film with my kids.",
    "Get back to work, even part time.",
    "Cook a meal standing up without stopping.",
    "Play with my grandchildren on the floor.",
]


@dataclass
class ChartSeedResult:
    patients: int = 0
    encounters: int = 0
    problems: int = 0


def seed_charts(count: int) -> ChartSeedResult:
    """Give demo patients 0..min(count, CHART_PATIENTS)-1 without any visit a chart; returns what was added."""
    from demo.clinic import demo_mrn  # the demo's MRN numbering (imported here: demo imports this module)

    mrns = [demo_mrn(number) for number in range(min(count, CHART_PATIENTS))]
    return seed_chart_batch(mrns)


@transaction.atomic
def seed_chart_batch(mrns: list[str]) -> ChartSeedResult:
    patients = list(Patient.objects.filter(mrn__in=mrns).exclude(encounters__isnull=False).order_by("mrn"))
    if not patients:
        return ChartSeedResult()
    teams = team_by_patient([p.id for p in patients])
    today = timezone.localdate()
    plan = ChartPlan()
    for patient in patients:
        number = int(patient.mrn) - int(mrns[0])
        plan.add_patient(patient, teams.get(patient.id, []), rng=random.Random(SEED * 3_000_017 + number), today=today)
    plan.save()
    return ChartSeedResult(patients=len(patients), encounters=len(plan.encounters), problems=len(plan.problems))


def team_by_patient(patient_ids: list[int]) -> dict[int, list[CareTeamMember]]:
    teams: dict[int, list[CareTeamMember]] = {}
    members = CareTeamMember.objects.filter(patient_id__in=patient_ids).select_related("member").order_by("-is_lead")
    for membership in members:
        teams.setdefault(membership.patient_id, []).append(membership)
    return teams


class ChartPlan:
    """The rows to insert for a batch of patients, written with one bulk insert per table."""

    def __init__(self) -> None:
        self.encounters: list[Encounter] = []
        self.addenda: list[tuple[int, Addendum]] = []  # (index in encounters, addendum)
        self.problems: list[Problem] = []
        self.classifications: list[PainClassification] = []
        self.ratings: list[ComplexityRating] = []
        self.psychotherapy_notes: list[PsychotherapyNote] = []
        self.patients: list[Patient] = []

    def add_patient(self, patient: Patient, team: list[CareTeamMember], *, rng: random.Random, today: date) -> None:
        lead = next((m.member for m in team if m.is_lead), None)
        if lead is None:
            return
        first_visit = today - timedelta(days=rng.randint(45, 180))
        self.add_classification(patient, lead, rng=rng, on=first_visit)
        self.add_problems(patient, lead, rng=rng, on=first_visit)
        initial = self.visit(patient, lead, on=first_visit, kind=Encounter.Kind.INITIAL, rng=rng)
        if rng.random() < 0.3:
            self.addenda.append(
                (
                    len(self.encounters) - 1,
                    Addendum(
                        author=lead,
                        text="Imaging report received: no new findings. Plan unchanged.",
                        created_at=initial.signed_at + timedelta(days=3),
                    ),
                )
            )
        others = [m.member for m in team if not m.is_lead]
        for offset, member in enumerate(others, start=1):
            visit_day = min(first_visit + timedelta(days=14 * offset + rng.randint(0, 6)), today)
            self.visit(patient, member, on=visit_day, kind=Encounter.Kind.FOLLOW_UP, rng=rng)
            if member.discipline == Discipline.PSYCHOLOGIST:
                self.psychotherapy_notes.append(
                    PsychotherapyNote(
                        patient=patient,
                        author=member,
                        occurred_on=visit_day,
                        text="Explored the fear of making things worse by moving. Began a values exercise.",
                        created_at=as_time(visit_day, hour=15),
                    )
                )
        if rng.random() < 0.25:  # the lead's latest visit is still a draft: an unsigned note
            self.visit(
                patient,
                lead,
                on=today - timedelta(days=rng.randint(0, 3)),
                kind=Encounter.Kind.FOLLOW_UP,
                rng=rng,
                signed=False,
            )

    def add_classification(self, patient: Patient, lead, *, rng: random.Random, on: date) -> None:
        pain_type = DEMO_PAIN_TYPES.get(patient.primary_condition, PainType.MIXED)
        conditions = [patient.primary_condition, *patient.other_conditions]
        self.classifications.append(
            PainClassification(
                patient=patient,
                pain_type=pain_type,
                conditions=conditions,
                note="From the initial assessment.",
                recorded_by=lead,
                recorded_at=as_time(on, hour=11),
            )
        )
        patient.pain_type = pain_type
        complex_case = rng.random() < 0.15
        level = Complexity.COMPLEX if complex_case else Complexity.SIMPLE
        reason = (
            "Function declining over a year despite two procedures and four specialists; many providers."
            if complex_case
            else "Functional at work and home; expected to respond to standard care."
        )
        self.ratings.append(
            ComplexityRating(
                patient=patient, level=level, reason=reason, recorded_by=lead, recorded_at=as_time(on, hour=11)
            )
        )
        patient.complexity = level
        self.patients.append(patient)

    def add_problems(self, patient: Patient, lead, *, rng: random.Random, on: date) -> None:
        condition = PainCondition(patient.primary_condition).label
        self.problems.append(
            Problem(
                patient=patient,
                domain=Problem.Domain.PAIN,
                title=f"{condition}: daily pain limiting walking and sitting",
                owner_discipline=lead.discipline,
                notes="Goals in the patient's words on the care plan.",
                created_by=lead,
                updated_by=lead,
                created_at=as_time(on, hour=11),
                updated_at=as_time(on, hour=11),
            )
        )
        for domain, title, owner, notes in rng.sample(OTHER_PROBLEMS, rng.randint(1, 3)):
            status = Problem.Status.RESOLVED if rng.random() < 0.15 else Problem.Status.ACTIVE
            self.problems.append(
                Problem(
                    patient=patient,
                    domain=domain,
                    title=title,
                    status=status,
                    owner_discipline=owner,
                    notes=notes,
                    created_by=lead,
                    updated_by=lead,
                    created_at=as_time(on, hour=11),
                    updated_at=as_time(on, hour=11),
                )
            )

    def visit(self, patient: Patient, author, *, on: date, kind: str, rng: random.Random, signed: bool = True):
        note = visit_text(author.discipline, kind, rng=rng)
        encounter = Encounter(
            patient=patient,
            author=author,
            discipline=author.discipline,
            occurred_on=on,
            kind=kind,
            status=Encounter.Status.SIGNED if signed else Encounter.Status.DRAFT,
            signed_at=as_time(on, hour=17) if signed else None,
            created_at=as_time(on, hour=9),
            updated_at=as_time(on, hour=17),
            **note,
        )
        self.encounters.append(encounter)
        return encounter

    def save(self) -> None:
        Encounter.objects.bulk_create(self.encounters)
        for index, addendum in self.addenda:
            addendum.encounter = self.encounters[index]
        Addendum.objects.bulk_create([addendum for _, addendum in self.addenda])
        PsychotherapyNote.objects.bulk_create(self.psychotherapy_notes)
        Problem.objects.bulk_create(self.problems)
        PainClassification.objects.bulk_create(self.classifications)
        ComplexityRating.objects.bulk_create(self.ratings)
        Patient.objects.bulk_update(self.patients, ["pain_type", "complexity"])


def as_time(day: date, *, hour: int):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, hour))


def visit_text(discipline: str, kind: str, *, rng: random.Random) -> dict:
    """The words of one visit note, by the author's discipline."""
    priorities = rng.choice(PRIORITIES)
    if discipline == Discipline.PHYSICAL_THERAPIST:
        stands, walk = rng.randint(6, 12), round(rng.uniform(8.0, 14.0), 1)
        return {
            "priorities": priorities,
            "findings": "Guarded movement on bending; tolerates walking about 10 minutes before pain climbs.",
            "functional_tests": [
                {"test": "sit_to_stand_30s", "value": stands, "note": ""},
                {"test": "timed_10m_walk", "value": walk, "note": "comfortable pace"},
            ],
            "assessment": "Deconditioned and wary of movement; good understanding of pacing.",
            "plan": "Graded walking from 8 minutes, +1 minute every 3 days. Home exercise sheet given.",
        }
    if discipline == Discipline.PSYCHOLOGIST:
        return {
            "priorities": priorities,
            "findings": "Engaged and thoughtful. Describes pain and worry feeding each other at night.",
            "assessment": "Pain-related fear and poor sleep maintain disability. Good fit for ACT.",
            "plan": "Six sessions of ACT; sleep diary until next visit.",
        }
    if discipline in PRESCRIBING_DISCIPLINES:
        return {
            "priorities": priorities,
            "findings": "No new neurological signs. Tender over the lower back muscles; full strength in the legs.",
            "assessment": "Chronic pain with a large impact on sleep and work; we can help you live better with it.",
            "plan": "Start stepped-care tier 2: physical therapy and pain psychology. Review in 6 weeks with PEG.",
            "free_text": "Explained how stress turns up the volume of everyone's pain." if kind == "initial" else "",
        }
    return {
        "priorities": priorities,
        "findings": "Reviewed the daily routine and what makes the pain better or worse.",
        "assessment": "Keen to get back to valued activities; needs support to pace them.",
        "plan": "Activity diary for two weeks; follow up by phone.",
    }
