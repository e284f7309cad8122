"""Demo intakes: the story each of the first demo patients told before their first visit.

The answers go through the intake's own cleaning (patients.intake.clean_section), so they are stored in
exactly the shapes the portal stores; they are dated a week before the patient's first visit. One
patient reported a history of cancer, flagged for review and already reviewed by their lead clinician.

Idempotent: a patient with any intake is left alone.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from patients import intake as sections
from patients import redflags
from patients.models import Encounter, Intake, PainCondition, Patient, RedFlag

INTAKE_PATIENTS = 40
SEED = 2026
# Patient number 2 reported a history of cancer (reviewed by their lead).
CANCER_HISTORY_PATIENT = 2


@dataclass(frozen=True)
class Story:
    when: str
    how: str
    regions: tuple[str, ...]
    worst: str
    words: tuple[str, ...]
    better: str
    worse: str
    fears: str
    hopes: str
    good_day: str
    goals: tuple[str, str, str]
    think_problem: str
    think_done: str


STORIES = {
    PainCondition.FIBROMYALGIA: Story(
        "over_5_years",
        "It crept up after a bad flu and a hard year at work. Now it is all over, some days worse than others.",
        (
            "back_neck",
            "back_upper_back",
            "back_lower_back",
            "front_right_shoulder",
            "front_left_shoulder",
            "front_right_thigh",
            "front_left_thigh",
        ),
        "back_neck",
        ("aching", "burning", "tingling"),
        "A warm bath, gentle walks on good days, my cat on my lap.",
        "Cold weather, a bad night, rushing around, stress at work.",
        "That it will keep getting worse and I will lose my job.",
        "To understand what is going on and have a plan that works for me.",
        "I wake up rested, walk the dog in the park and cook dinner for the family.",
        ("Walk the dog in the park again", "Sleep through the night", "Work full days without crashing"),
        "I think my nerves are on high alert all the time.",
        "Something for sleep, and exercise I can actually keep up.",
    ),
    PainCondition.LOW_BACK_PAIN: Story(
        "1_to_5_years",
        "I lifted a heavy box at work and felt something go. It never really settled.",
        ("back_lower_back", "back_right_buttock", "back_right_thigh"),
        "back_lower_back",
        ("aching", "stabbing", "shooting"),
        "Lying on my side with a pillow, moving a bit every hour.",
        "Sitting in the car, bending to tie my shoes, long shifts.",
        "That something is broken in my spine and moving will damage it.",
        "To get back to work and not be scared of bending.",
        "I drive to work, do a full shift and still have energy to play with my kids.",
        ("Work a full shift", "Pick up my daughter", "Sit through a film"),
        "A disc problem that never healed.",
        "Maybe a scan, and physical therapy.",
    ),
    PainCondition.NEUROPATHY: Story(
        "1_to_5_years",
        "It started as pins and needles in my toes and slowly moved up to my ankles.",
        ("front_right_foot", "front_left_foot", "back_right_calf", "back_left_calf"),
        "front_left_foot",
        ("burning", "pins_and_needles", "numbness", "electric"),
        "Cool floors, keeping my feet up, keeping busy.",
        "Night time, tight shoes, standing in the kitchen.",
        "Falling, because I cannot always feel where my feet are.",
        "To sleep better and feel steadier on my feet.",
        "I sleep through, walk to the shops and meet my friends for coffee.",
        ("Walk to the shops", "Sleep through the night", "Dance at my granddaughter's wedding"),
        "My diabetes has damaged the nerves.",
        "Better control of the burning at night.",
    ),
    PainCondition.OSTEOARTHRITIS: Story(
        "over_5_years",
        "My knees have been stiff for years; the right one got much worse in the last two.",
        ("front_right_knee", "front_left_knee", "back_right_knee"),
        "front_right_knee",
        ("aching", "sharp"),
        "Moving a little every hour, a warm pack in the morning.",
        "Stairs, long walks, getting up after sitting.",
        "Ending up in a wheelchair.",
        "To keep gardening and looking after my grandchildren.",
        "I potter in the garden, climb the stairs without stopping and take the grandkids to the park.",
        ("Garden for an hour", "Climb the stairs at home without stopping", "Take the grandchildren to the park"),
        "Wear and tear in my knees.",
        "Exercises, and maybe an injection.",
    ),
}
DEFAULT_STORY = STORIES[PainCondition.LOW_BACK_PAIN]


def seed_intakes(count: int) -> int:
    """Give demo patients 0..min(count, INTAKE_PATIENTS)-1 without an intake a submitted one; returns how many."""
    from demo.clinic import demo_mrn  # the demo's numbering (imported here: demo imports the seeders)

    numbers = {demo_mrn(number): number for number in range(min(count, INTAKE_PATIENTS))}
    return seed_intake_batch(numbers)


@transaction.atomic
def seed_intake_batch(numbers: dict[str, int]) -> int:
    patients = list(Patient.objects.filter(mrn__in=numbers).exclude(intakes__isnull=False))
    first_visits = dict(
        Encounter.objects.filter(patient__in=patients, kind=Encounter.Kind.INITIAL).values_list(
            "patient_id", "occurred_on"
        )
    )
    today = timezone.localdate()
    intakes, flags = [], []
    for patient in patients:
        number = numbers[patient.mrn]
        rng = random.Random(SEED * 4_000_037 + number)
        visit = first_visits.get(patient.id, today - timedelta(days=60))
        sent = timezone.make_aware(timezone.datetime.combine(visit - timedelta(days=7), timezone.datetime.min.time()))
        red_flag_answers = {item.code: False for item in redflags.ITEMS}
        if number == CANCER_HISTORY_PATIENT:
            red_flag_answers["history_of_cancer"] = True
        answers = story_answers(STORIES.get(patient.primary_condition, DEFAULT_STORY), rng=rng)
        level = redflags.assess(red_flag_answers).level
        intake = Intake(
            patient=patient,
            answers=answers,
            red_flag_answers=red_flag_answers,
            red_flag_level=level,
            sections_saved=[code for code in sections.SECTION_CODES if code in answers or code == sections.SAFETY],
            created_at=sent,
            updated_at=sent + timedelta(days=1, hours=2),
            submitted_at=sent + timedelta(days=1, hours=2),
        )
        intakes.append(intake)
    Intake.objects.bulk_create(intakes)
    for intake in intakes:
        flags.extend(reviewed_flags(intake))
    RedFlag.objects.bulk_create(flags)
    return len(intakes)


def reviewed_flags(intake: Intake) -> list[RedFlag]:
    """The intake's flagged items, as reviewed by the lead clinician at the first visit."""
    lead = intake.patient.care_team.filter(is_lead=True).values_list("member_id", flat=True).first()
    return [
        RedFlag(
            patient=intake.patient,
            code=item.code,
            level=item.level,
            source=RedFlag.Source.INTAKE,
            intake=intake,
            found_at=intake.submitted_at,
            acknowledged_at=intake.submitted_at + timedelta(days=7),
            acknowledged_by_id=lead,
            acknowledgement="Breast cancer in 2014, in remission, yearly oncology follow-up. "
            "No new symptoms, no weight loss, no night pain. No further tests needed now.",
        )
        for item in redflags.assess(intake.red_flag_answers).flagged
    ]


def story_answers(story: Story, *, rng: random.Random) -> dict:
    """The intake's answers for one story, cleaned by the intake's own rules."""
    impact = ("a_lot", "quite_a_bit", "a_little")
    posted = {
        "onset": {"when": [story.when], "how": [story.how]},
        sections.WHERE: {"regions": list(story.regions), "worst": [story.worst], "where_notes": [""]},
        "feels": {"words": list(story.words), "other_words": [""]},
        "better_worse": {"better": [story.better], "worse": [story.worse]},
        "impact": {code: [rng.choice(impact)] for code, _ in sections.LIFE_AREAS} | {"impact_notes": [""]},
        "treatments": {
            "medications_result": ["did_not_help"],
            "medications_side_effects": ["on"] if rng.random() < 0.5 else [],
            "medications_details": ["Painkillers from my doctor; they made me sleepy."],
            "physical_therapy_result": [rng.choice(["helped", "did_not_help"])],
            "physical_therapy_details": ["Six sessions two years ago."],
            "injections_result": [rng.choice(["not_tried", "did_not_help"])],
            "surgery_result": ["not_tried"],
            "psychology_result": ["not_tried"],
            "other_result": [rng.choice(["not_tried", "helped"])],
            "other_details": ["Swimming"],
        },
        "life": {code: [rng.choice(["no", "some", "a_lot"])] for code, _ in sections.LIFE_TOPICS}
        | {"life_notes": [""]},
        "worries_hopes": {"fears": [story.fears], "hopes": [story.hopes], "good_day": [story.good_day]},
        sections.GOALS: {code: [goal] for code, goal in zip(sections.GOAL_FIELDS, story.goals, strict=True)},
        "your_view": {
            "think_problem": [story.think_problem],
            "think_done": [story.think_done],
            "want_from_us": ["Someone to look at the whole picture with me."],
            "willing_to_try": ["Exercise if it is gentle to start with, and talking to someone."],
        },
    }
    answers = {}
    for code, data in posted.items():
        cleaned = sections.clean_section(sections.SECTIONS_BY_CODE[code], data)
        if not cleaned.is_valid:
            raise ValueError(f"demo intake section {code} does not clean: {cleaned.errors}")
        answers[code] = cleaned.values
    return answers
