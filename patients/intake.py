"""The pre-visit intake as data: its sections, their fields, and the pure cleaning of a section's answers.

No ORM, no templates. patients/intake_services.py saves what ``clean_section`` returns; the portal and
the clinician's pages render sections through ``bind`` and ``describe``.

Wording: the section titles, questions, hints and answer options are APP WORDING (plain, grade 6-8,
never blaming), written for issue 3's list of what the intake asks; they are not a validated
questionnaire and need the clinical team's sign-off. Two parts are not app wording:

- the red-flag screen (section ``safety``) uses patients/redflags.py (``SCREEN_INTRO``, ``ITEMS``);
- the PHQ-2 and GAD-2 (section ``mood``) use the shipped instrument definitions word for word
  (measures/instruments/phq2.json, gad2.json; REFERENCE.md 1.3 and 1.4).

Languages: only the app wording is translated (gettext_lazy, catalogue patients/locale/es), because it is ours
to word in any language. The other two parts stay in English on every page: an instrument is valid only in its
publisher's wording and none of the shipped ones has an official Spanish text loaded (README, "Languages"), and
the red-flag questions and guidance are clinical wording taken from the clinic's reference, with no checked
Spanish version. A Spanish-speaking patient is told so, in Spanish, on each section page. The strings are lazy so
each page shows them in its request's language (the patient's on /p/, English on the clinician's summary);
answers are stored by their codes, never by their words.

Stored shapes, per field kind: text -> str ("" when empty); choice -> str or None; yes/no -> True,
False or None; measure item -> int or None; several choices and body-map regions -> list of str in
the order shown; tick box -> bool.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from measures.definitions import get_definition
from patients import bodymap, redflags

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# --------------------------------------------------------------------------- field kinds

TEXT = "text"
LONG_TEXT = "long_text"
CHOICE = "choice"
MULTI = "multi"
CHECK = "check"
YES_NO = "yes_no"
MEASURE = "measure"
REGIONS = "regions"
WORST = "worst"

TEXT_MAX = 200
LONG_TEXT_MAX = 2000
#: How long the whole intake takes, said on the first screen (issue 3: "about 15 minutes").
MINUTES = 15

SAFETY = "safety"
MOOD = "mood"
GOALS = "goals"
WHERE = "where"


@dataclass(frozen=True)
class Choice:
    value: str | int | float  # a measure option may be a decimal (definitions allow it)
    label: StrOrPromise

    @property
    def key(self) -> str:
        """The value as it travels in a form."""
        return str(self.value)


@dataclass(frozen=True)
class Field:
    code: str
    label: StrOrPromise
    kind: str
    options: tuple[Choice, ...] = ()
    hint: StrOrPromise = ""

    @property
    def max_length(self) -> int:
        return {TEXT: TEXT_MAX, LONG_TEXT: LONG_TEXT_MAX}.get(self.kind, 0)

    @property
    def is_text(self) -> bool:
        return self.kind in (TEXT, LONG_TEXT)

    @property
    def is_several(self) -> bool:
        return self.kind in (MULTI, REGIONS)

    def choice_for(self, key: str) -> Choice | None:
        return next((choice for choice in self.options if choice.key == key), None)


@dataclass(frozen=True)
class Group:
    """Fields shown together; with a legend they are one fieldset (a stem, a topic)."""

    fields: tuple[Field, ...]
    legend: StrOrPromise = ""
    hint: StrOrPromise = ""


@dataclass(frozen=True)
class Section:
    code: str
    title: StrOrPromise
    intro: StrOrPromise
    groups: tuple[Group, ...]
    #: Shipped instruments whose items this section asks (their attribution is shown).
    instruments: tuple[str, ...] = ()

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(f for group in self.groups for f in group.fields)

    def field(self, code: str) -> Field:
        for candidate in self.fields:
            if candidate.code == code:
                return candidate
        raise KeyError(f"section {self.code} has no field {code!r}")


def choices(*pairs: tuple[str | int, StrOrPromise]) -> tuple[Choice, ...]:
    return tuple(Choice(value, label) for value, label in pairs)


# --------------------------------------------------------------------------- the sections (app wording)

WHEN_STARTED = choices(
    ("under_3_months", _("Less than 3 months ago")),
    ("3_to_12_months", _("3 to 12 months ago")),
    ("1_to_5_years", _("1 to 5 years ago")),
    ("over_5_years", _("More than 5 years ago")),
    ("not_sure", _("I am not sure")),
)

#: Words for how pain feels. Issue 3 names burning, shooting, tingling, aching and stabbing.
FEELING_WORDS = choices(
    ("aching", pgettext_lazy("how pain feels", "Aching")),
    ("burning", pgettext_lazy("how pain feels", "Burning")),
    ("shooting", pgettext_lazy("how pain feels", "Shooting")),
    ("tingling", pgettext_lazy("how pain feels", "Tingling")),
    ("stabbing", pgettext_lazy("how pain feels", "Stabbing")),
    ("electric", pgettext_lazy("how pain feels", "Like electric shocks")),
    ("pins_and_needles", pgettext_lazy("how pain feels", "Pins and needles")),
    ("numbness", pgettext_lazy("how pain feels", "Numbness")),
    ("throbbing", pgettext_lazy("how pain feels", "Throbbing")),
    ("sharp", pgettext_lazy("how pain feels", "Sharp")),
    ("dull", pgettext_lazy("how pain feels", "Dull")),
    ("cramping", pgettext_lazy("how pain feels", "Cramping")),
)
#: The words the clinician's summary marks as neuropathic features (the lead's brief for issue 3).
NEUROPATHIC_WORDS = frozenset({"burning", "shooting", "tingling", "electric", "pins_and_needles", "numbness"})

HOW_MUCH = choices(
    ("not_at_all", _("Not at all")),
    ("a_little", _("A little")),
    ("quite_a_bit", _("Quite a bit")),
    ("a_lot", _("A lot")),
)
LIFE_AREAS = (
    ("sleep", pgettext_lazy("part of life", "Sleep")),
    ("mood", pgettext_lazy("part of life", "Mood")),
    ("work", _("Work or daily tasks")),
    ("family", _("Family life")),
    ("movement", _("Moving around")),
    ("social", _("Seeing friends and going out")),
)

TREATMENT_RESULTS = choices(
    ("not_tried", _("I have not tried this")), ("helped", _("It helped")), ("did_not_help", _("It did not help"))
)
TREATMENTS = (
    ("medications", _("Medicines")),
    ("physical_therapy", _("Physical therapy or exercise programs")),
    ("injections", _("Injections")),
    ("surgery", _("Surgery")),
    ("psychology", _("Talking therapy or psychology")),
    ("other", _("Anything else")),
)

WORRY = choices(
    ("no", _("Not a worry")),
    ("some", _("A bit of a worry")),
    ("a_lot", _("A big worry")),
    ("rather_not_say", _("I'd rather not say")),
)
LIFE_TOPICS = (
    ("sleep", pgettext_lazy("part of life", "Sleep")),
    ("mood", _("Mood: feeling down, worried or stressed")),
    ("substances", _("Alcohol, cannabis or other drugs")),
    ("family", _("Family or home life")),
    ("money_work", _("Money or work")),
    ("loneliness", _("Feeling lonely")),
)

YES_NO_CHOICES = choices(("yes", pgettext_lazy("answer", "Yes")), ("no", pgettext_lazy("answer", "No")))

#: The four questions (issue 3), in the patient's words.
FOUR_QUESTIONS = (
    ("think_problem", _("What do you think the problem is?")),
    ("think_done", _("What do you think should be done?")),
    ("want_from_us", _("What would you like from us?")),
    ("willing_to_try", _("What are you willing to try?")),
)
GOAL_FIELDS = ("goal_1", "goal_2", "goal_3")


def _measure_groups(code: str) -> Group:
    """One shipped instrument's items, word for word, under its stem."""
    spec = get_definition(code)
    return Group(
        legend=spec.stem or "",
        fields=tuple(
            Field(item.code, item.text, MEASURE, tuple(Choice(option.value, option.label) for option in item.options))
            for item in spec.items
        ),
    )


def _treatment_group(code: str, name: StrOrPromise) -> Group:
    return Group(
        legend=name,
        fields=(
            Field(
                f"{code}_result", format_lazy(_("{treatment}: did it help?"), treatment=name), CHOICE, TREATMENT_RESULTS
            ),
            Field(f"{code}_side_effects", _("It gave me side effects"), CHECK),
            Field(
                f"{code}_details",
                _("What did you try? (optional)"),
                TEXT,
                hint=_("For example, the names of medicines."),
            ),
        ),
    )


def _body_places() -> tuple[Choice, ...]:
    """The body map's places as answers (their labels stay lazy: ``Region.label``)."""
    return tuple(Choice(region.code, region.label) for region in bodymap.REGIONS)


SECTIONS: tuple[Section, ...] = (
    Section(
        "onset",
        _("When and how it started"),
        _("Every pain story starts somewhere. Tell us about yours in your own words."),
        (
            Group(
                (
                    Field("when", _("When did your pain start?"), CHOICE, WHEN_STARTED),
                    Field(
                        "how",
                        _("How did it start?"),
                        LONG_TEXT,
                        hint=_("For example: after a fall, after an illness, or slowly with no clear cause."),
                    ),
                )
            ),
        ),
    ),
    Section(
        WHERE,
        _("Where it hurts"),
        _(
            "Tap the places where you feel pain, on the front or the back, or tick them in the list. "
            "Then tell us which one hurts most."
        ),
        (
            Group(
                (
                    Field("regions", _("Where do you feel pain?"), REGIONS, _body_places()),
                    Field("worst", _("Which one hurts most?"), WORST, _body_places()),
                    Field("where_notes", _("Anything else about where it hurts? (optional)"), TEXT),
                )
            ),
        ),
    ),
    Section(
        SAFETY,
        _("A few safety questions"),
        redflags.SCREEN_INTRO,  # clinical wording: English only (see the module's docstring)
        (Group(tuple(Field(item.code, item.text, YES_NO, YES_NO_CHOICES) for item in redflags.ITEMS)),),
    ),
    Section(
        "feels",
        _("What it feels like"),
        _("Pain feels different for different people. Tick any words that fit your pain."),
        (
            Group(
                (
                    Field("words", _("My pain feels:"), MULTI, FEELING_WORDS),
                    Field("other_words", _("Other words for how it feels (optional)"), TEXT),
                )
            ),
        ),
    ),
    Section(
        "better_worse",
        _("What makes it better or worse"),
        _("Knowing what helps, and what makes it worse, helps us plan with you."),
        (
            Group(
                (
                    Field(
                        "better",
                        _("What makes your pain better?"),
                        LONG_TEXT,
                        hint=_("For example: heat, rest, a walk."),
                    ),
                    Field(
                        "worse",
                        _("What makes your pain worse?"),
                        LONG_TEXT,
                        hint=_("For example: sitting, cold, stress."),
                    ),
                )
            ),
        ),
    ),
    Section(
        "impact",
        _("How pain affects your life"),
        _("Pain can touch many parts of life. Tell us how much it gets in the way of each of these."),
        (
            Group(
                tuple(Field(code, label, CHOICE, HOW_MUCH) for code, label in LIFE_AREAS),
                legend=_("How much does pain get in the way of:"),
            ),
            Group((Field("impact_notes", _("Anything you want to add? (optional)"), LONG_TEXT),)),
        ),
    ),
    Section(
        "treatments",
        _("What you have tried"),
        _("Tell us what you have already tried, so we build on what helped and do not repeat what did not."),
        tuple(_treatment_group(code, name) for code, name in TREATMENTS),
    ),
    Section(
        "life",
        _("Your life right now"),
        _(
            "Pain affects the rest of life, and the rest of life affects pain. There are no right or wrong "
            "answers; many people living with pain find some of these hard."
        ),
        (
            Group(
                tuple(Field(code, label, CHOICE, WORRY) for code, label in LIFE_TOPICS),
                legend=_("Is any of this a worry for you right now?"),
            ),
            Group((Field("life_notes", _("Anything you want us to know? (optional)"), LONG_TEXT),)),
        ),
    ),
    Section(
        MOOD,
        _("Mood and worry"),
        _("Many clinics ask these four short questions. They help us understand how you have been feeling."),
        (_measure_groups("phq2"), _measure_groups("gad2")),  # the instruments' own wording: English only
        instruments=("phq2", "gad2"),
    ),
    Section(
        "worries_hopes",
        _("Worries and hopes"),
        _("It is normal to have worries about pain. Telling us helps us talk about them with you."),
        (
            Group(
                (
                    Field("fears", _("Is there anything about your pain that worries or scares you?"), LONG_TEXT),
                    Field("hopes", _("What do you hope for from your care here?"), LONG_TEXT),
                    Field("good_day", _("What does a good day look like for you?"), LONG_TEXT),
                )
            ),
        ),
    ),
    Section(
        GOALS,
        _("What you want to get back to"),
        _("What matters most to you? You and your care team will use these to set goals together."),
        (
            Group(
                tuple(
                    Field(code, format_lazy(_("Thing {number}"), number=n), TEXT)
                    for n, code in enumerate(GOAL_FIELDS, start=1)
                ),
                legend=_("What are the three things you most want to get back to doing?"),
                hint=_("For example: walking the dog, playing with my grandchildren, going back to work."),
            ),
        ),
    ),
    Section(
        "your_view",
        _("Your thoughts"),
        _("You know your body and your life best. We would like to hear your ideas."),
        (Group(tuple(Field(code, label, LONG_TEXT) for code, label in FOUR_QUESTIONS)),),
    ),
)

SECTIONS_BY_CODE: dict[str, Section] = {section.code: section for section in SECTIONS}
SECTION_CODES: tuple[str, ...] = tuple(SECTIONS_BY_CODE)


def number_of(code: str) -> int:
    """The section's number (1-based)."""
    return SECTION_CODES.index(code) + 1


def next_code(code: str) -> str | None:
    number = number_of(code)
    return SECTION_CODES[number] if number < len(SECTION_CODES) else None


def previous_code(code: str) -> str | None:
    number = number_of(code)
    return SECTION_CODES[number - 2] if number > 1 else None


def first_unsaved(saved: Sequence[str]) -> str | None:
    """The first section the patient has not saved yet, or None when every one is saved."""
    done = set(saved)
    return next((code for code in SECTION_CODES if code not in done), None)


# --------------------------------------------------------------------------- cleaning a section's answers

# Lazy like the rest of the app wording: a message takes the language of the page that shows it.
TOO_LONG = _("Please shorten this to {limit} characters or fewer (it has {count}).")
NOT_AN_OPTION = _("Please choose one of the answers shown.")
WORST_NOT_MARKED = _("Please also tick this place in the list above, or choose one of the places you ticked.")
ANSWER_EACH = _("Please answer yes or no.")


@dataclass
class Cleaned:
    """What a section's posted answers became.

    ``values`` holds the valid fields only (stored shapes); ``errors`` a message per invalid field;
    ``raw`` every field as it was posted, to show the form again exactly as typed.
    """

    values: dict = field(default_factory=dict)
    errors: dict[str, StrOrPromise] = field(default_factory=dict)
    raw: dict = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def clean_text(value: str) -> str:
    """Strip the ends, use plain newlines, and drop control characters (a NUL cannot even be stored)."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    kept = (ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return "".join(kept).strip()


def clean_section(section: Section, data: Mapping[str, Sequence[str]]) -> Cleaned:
    """Clean a section's posted answers (``data``: field code -> the posted strings, as QueryDict.lists()).

    Fields missing from ``data`` count as left empty; keys that are not the section's fields are ignored.
    Never raises for any input.
    """
    result = Cleaned()
    for f in section.fields:
        posted = [str(value) for value in data.get(f.code, ())][:200]
        if f.is_text:
            raw = posted[0] if posted else ""
            result.raw[f.code] = raw
            text = clean_text(raw)
            if len(text) > f.max_length:
                result.errors[f.code] = format_lazy(TOO_LONG, limit=f.max_length, count=len(text))
            else:
                result.values[f.code] = text
        elif f.is_several:
            result.raw[f.code] = posted
            keys = set(posted)
            if keys - {choice.key for choice in f.options}:
                result.errors[f.code] = NOT_AN_OPTION
            else:
                result.values[f.code] = [choice.value for choice in f.options if choice.key in keys]
        elif f.kind == CHECK:
            result.raw[f.code] = bool(posted and posted[0])
            result.values[f.code] = bool(posted and posted[0])
        else:
            raw = posted[0] if posted else ""
            result.raw[f.code] = raw
            if raw == "":
                result.values[f.code] = None
            elif (choice := f.choice_for(raw)) is None:
                result.errors[f.code] = NOT_AN_OPTION
            elif f.kind == YES_NO:
                result.values[f.code] = choice.value == "yes"
            else:
                result.values[f.code] = choice.value
    worst = result.values.get("worst")
    if worst is not None and worst not in result.values.get("regions", ()):
        del result.values["worst"]
        result.errors["worst"] = WORST_NOT_MARKED
    return result


def unanswered(section: Section, values: Mapping) -> list[str]:
    """The yes/no fields without an answer (the red-flag screen must be answered in full)."""
    return [f.code for f in section.fields if f.kind == YES_NO and values.get(f.code) is None]


def stored_answers(section: Section, answers: Mapping, red_flag_answers: Mapping) -> dict:
    """A section's saved answers (the red-flag screen keeps its own)."""
    if section.code == SAFETY:
        return dict(red_flag_answers)
    found = answers.get(section.code)
    return dict(found) if isinstance(found, Mapping) else {}


def as_form_values(section: Section, stored: Mapping) -> dict:
    """Saved answers in the shape a posted form has (so a form shows them the same way)."""
    values: dict[str, str | bool | list[str]] = {}
    for f in section.fields:
        value = stored.get(f.code)
        if f.is_text:
            values[f.code] = value if isinstance(value, str) else ""
        elif f.is_several:
            values[f.code] = [str(v) for v in value] if isinstance(value, list) else []
        elif f.kind == CHECK:
            values[f.code] = value is True
        elif f.kind == YES_NO:
            values[f.code] = {True: "yes", False: "no"}.get(value, "") if isinstance(value, bool) else ""
        else:
            values[f.code] = "" if value is None or isinstance(value, bool) else str(value)
    return values


# --------------------------------------------------------------------------- rendering helpers


@dataclass(frozen=True)
class BoundOption:
    choice: Choice
    selected: bool


@dataclass(frozen=True)
class BoundField:
    field: Field
    value: object
    error: StrOrPromise
    options: tuple[BoundOption, ...]

    @property
    def code(self) -> str:
        return self.field.code


@dataclass(frozen=True)
class BoundGroup:
    group: Group
    fields: tuple[BoundField, ...]


def bind(section: Section, values: Mapping, errors: Mapping[str, StrOrPromise] | None = None) -> list[BoundGroup]:
    """The section's groups and fields with their form values (as ``as_form_values`` or ``Cleaned.raw``)."""
    errors = errors or {}
    groups = []
    for group in section.groups:
        bound = []
        for f in group.fields:
            value = values.get(f.code, [] if f.is_several else "")
            chosen = set(value) if isinstance(value, list) else {value}
            options = tuple(BoundOption(choice, choice.key in chosen) for choice in f.options)
            bound.append(BoundField(f, value, errors.get(f.code, ""), options))
        groups.append(BoundGroup(group, tuple(bound)))
    return groups


@dataclass(frozen=True)
class Answer:
    label: StrOrPromise
    #: The answer in words; "" when not answered.
    text: str
    group: StrOrPromise = ""


def words_for(f: Field, value) -> str:
    """One stored answer in words ("" for no answer), in the language active now (the page's)."""
    if f.is_text:
        return value if isinstance(value, str) else ""
    if f.is_several:
        keys = {str(v) for v in value} if isinstance(value, list) else set()
        return ", ".join(str(choice.label) for choice in f.options if choice.key in keys)
    yes, no = str(YES_NO_CHOICES[0].label), str(YES_NO_CHOICES[1].label)
    if f.kind == CHECK:
        return yes if value is True else ""
    if f.kind == YES_NO:
        return {True: yes, False: no}.get(value, "") if isinstance(value, bool) else ""
    if value is None or isinstance(value, bool):
        return ""
    choice = f.choice_for(str(value))
    return str(choice.label) if choice else ""


def describe(section: Section, stored: Mapping) -> list[Answer]:
    """Every field of the section with its saved answer in words, in order."""
    return [
        Answer(f.label, words_for(f, stored.get(f.code)), group.legend)
        for group in section.groups
        for f in group.fields
    ]
