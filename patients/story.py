"""'The story in 60 seconds': the clinician's one-page summary of an intake, and reads about intakes.

``build_story`` is pure (it reads only the objects it is given); the reads around it are bounded:
``latest_intake_for`` is one query, and the story page loads the intake, its red flags and its
measures responses in one query each, whatever the size of the patient's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F

from measures.models import Response
from patients import bodymap, redflags
from patients import intake as sections
from patients.intake_services import MEASURES_KEY
from patients.models import Intake, RedFlag


def latest_intake_for(patient) -> Intake | None:
    """The patient's newest intake with its link and its number of red flags (one query), or None.

    The result carries ``red_flag_count``, ``sections_done`` and ``sections_total`` for the chart card.
    """
    intake = (
        Intake.objects.filter(patient=patient)
        .select_related("link")
        .annotate(red_flag_count=Count("red_flags"))
        .order_by("-created_at", "-id")
        .first()
    )
    if intake is not None:
        intake.sections_done = len(set(intake.sections_saved) & set(sections.SECTION_CODES))
        intake.sections_total = len(sections.SECTION_CODES)
    return intake


def intake_to_show(patient, public_id=None) -> Intake | None:
    """The intake the story page shows: the one asked for (of this patient only), else the newest one
    sent by the patient, else the newest one in progress. One query."""
    intakes = Intake.objects.filter(patient=patient).select_related("link")
    if public_id is not None:
        return intakes.filter(public_id=public_id).first()
    return intakes.order_by(F("submitted_at").desc(nulls_last=True), "-created_at", "-id").first()


def goal_suggestions(intake: Intake) -> list[str]:
    """The three things the patient most wants to get back to, as they wrote them (empty ones left out).
    For the care plan's goal suggestions."""
    goals = intake.answers.get(sections.GOALS)
    if not isinstance(goals, dict):
        return []
    return [text for code in sections.GOAL_FIELDS if isinstance(text := goals.get(code), str) and text.strip()]


# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class FlagLine:
    flag: RedFlag
    text: str
    is_emergency: bool
    #: The patient answered "yes", then changed the answer to "no" (the flag stays for a clinician to review).
    changed_to_no: bool


@dataclass(frozen=True)
class Word:
    label: str
    neuropathic: bool


@dataclass(frozen=True)
class Treatment:
    name: str
    details: str


@dataclass(frozen=True)
class Score:
    response: Response
    name: str
    total: int | None
    maximum: int
    positive: bool | None


@dataclass
class Story:
    intake: Intake
    red_flags: list[FlagLine]
    safety_answered: bool
    shapes: list[bodymap.Shape]
    regions: list[str]
    worst: str
    where_notes: str
    words: list[Word]
    other_words: str
    onset_when: str
    onset_how: str
    better: str
    worse: str
    impact: list[tuple[str, str]]
    impact_notes: str
    helped: list[Treatment] = field(default_factory=list)
    did_not_help: list[Treatment] = field(default_factory=list)
    side_effects: list[Treatment] = field(default_factory=list)
    fears: str = ""
    hopes: str = ""
    good_day: str = ""
    goals: list[str] = field(default_factory=list)
    four_questions: list[tuple[str, str]] = field(default_factory=list)
    life: list[tuple[str, str]] = field(default_factory=list)
    life_notes: str = ""
    scores: list[Score] = field(default_factory=list)
    sections_done: int = 0
    sections_total: int = len(sections.SECTION_CODES)

    @property
    def has_neuropathic_words(self) -> bool:
        return any(word.neuropathic for word in self.words)

    @property
    def emergency(self) -> bool:
        return any(line.is_emergency for line in self.red_flags)

    @property
    def worst_region(self) -> bodymap.Region | None:
        return next((shape.region for shape in self.shapes if shape.worst), None)

    @property
    def bodymap(self) -> dict:
        """The read-only body map (templates/patients/intake/_bodymap_svg.html)."""
        return {"interactive": False, "figures": bodymap.figures(self.shapes)}

    @property
    def map_title(self) -> str:
        places = f"{len(self.regions)} place{'s' if len(self.regions) != 1 else ''}"
        return f"Body map: pain in {places}; hurts most: {self.worst or 'not chosen'}."

    @property
    def treatment_columns(self) -> list[tuple[str, list[Treatment]]]:
        return [("Helped", self.helped), ("Did not help", self.did_not_help), ("Side effects", self.side_effects)]


def _section(intake: Intake, code: str) -> dict:
    return sections.stored_answers(sections.SECTIONS_BY_CODE[code], intake.answers, intake.red_flag_answers)


def _words(code: str, name: str, stored: dict) -> str:
    return sections.words_for(sections.SECTIONS_BY_CODE[code].field(name), stored.get(name))


def _text(stored: dict, name: str) -> str:
    value = stored.get(name)
    return value if isinstance(value, str) else ""


def _list(stored: dict, name: str) -> list:
    value = stored.get(name)
    return value if isinstance(value, list) else []


def build_story(intake: Intake, *, red_flags: list[RedFlag], responses: list[Response]) -> Story:
    """The summary of one intake. ``red_flags`` are the intake's own (emergency ones are listed first);
    ``responses`` its measures responses (see patients.intake_services.submit_intake)."""
    flags = sorted(red_flags, key=lambda f: (f.level != redflags.EMERGENCY, f.found_at, f.pk or 0))
    flag_lines = [
        FlagLine(
            flag=flag,
            text=item.text if (item := redflags.ITEMS_BY_CODE.get(flag.code)) else flag.code,
            is_emergency=flag.level == redflags.EMERGENCY,
            changed_to_no=intake.red_flag_answers.get(flag.code) is False,
        )
        for flag in flags
    ]
    where = _section(intake, sections.WHERE)
    regions = bodymap.known(_list(where, "regions"))
    worst = where.get("worst") if where.get("worst") in regions else None
    feels = _section(intake, "feels")
    chosen_words = {str(word) for word in _list(feels, "words")}
    onset = _section(intake, "onset")
    better_worse = _section(intake, "better_worse")
    impact = _section(intake, "impact")
    life = _section(intake, "life")
    hopes = _section(intake, "worries_hopes")
    view = _section(intake, "your_view")
    story = Story(
        intake=intake,
        red_flags=flag_lines,
        safety_answered=sections.SAFETY in intake.sections_saved,
        shapes=bodymap.shapes(regions, worst),
        regions=bodymap.labels(regions),
        worst=bodymap.REGIONS_BY_CODE[worst].label if worst else "",
        where_notes=_text(where, "where_notes"),
        words=[
            Word(choice.label, choice.value in sections.NEUROPATHIC_WORDS)
            for choice in sections.FEELING_WORDS
            if choice.key in chosen_words
        ],
        other_words=_text(feels, "other_words"),
        onset_when=_words("onset", "when", onset),
        onset_how=_text(onset, "how"),
        better=_text(better_worse, "better"),
        worse=_text(better_worse, "worse"),
        impact=[(label, _words("impact", code, impact)) for code, label in sections.LIFE_AREAS],
        impact_notes=_text(impact, "impact_notes"),
        fears=_text(hopes, "fears"),
        hopes=_text(hopes, "hopes"),
        good_day=_text(hopes, "good_day"),
        goals=goal_suggestions(intake),
        four_questions=[(label, _text(view, code)) for code, label in sections.FOUR_QUESTIONS],
        life=[(label, _words("life", code, life)) for code, label in sections.LIFE_TOPICS],
        life_notes=_text(life, "life_notes"),
        sections_done=len(set(intake.sections_saved) & set(sections.SECTION_CODES)),
    )
    treatments = _section(intake, "treatments")
    for code, name in sections.TREATMENTS:
        line = Treatment(name, _text(treatments, f"{code}_details"))
        result = treatments.get(f"{code}_result")
        if result == "helped":
            story.helped.append(line)
        elif result == "did_not_help":
            story.did_not_help.append(line)
        if treatments.get(f"{code}_side_effects") is True:
            story.side_effects.append(line)
    by_code = {response.instrument.code: response for response in responses}
    for code in sections.SECTIONS_BY_CODE[sections.MOOD].instruments:
        response = by_code.get(code)
        if response is not None:
            spec = response.instrument.spec
            total = None if response.total is None else int(response.total)
            story.scores.append(Score(response, spec.name, total, int(spec.max_total), response.positive))
    return story


def story_for(intake: Intake) -> Story:
    """Load what the summary needs (two queries) and build it."""
    red_flags = list(intake.red_flags.all())
    ids = list((intake.answers.get(MEASURES_KEY) or {}).values())
    responses = list(Response.objects.filter(public_id__in=ids).select_related("instrument")) if ids else []
    return build_story(intake, red_flags=red_flags, responses=responses)
