"""The red-flag screen at intake, as data and rules (pure: no ORM, no settings, no templates).

    >>> assess({"leg_weakness": True}).level
    'emergency'

Source: ../shared/clinical/REFERENCE.md section 3.1 (VERIFIED): AHCPR Clinical Practice Guideline No. 14,
"Acute Low Back Problems in Adults", Table 1 "Red flags for potentially serious conditions", plus the
secondary items listed under it. The items and their patient wording are the ones issue 3 lists
("Red flags (safety)"), plus urinary retention ("trouble passing urine", named by REFERENCE.md 3.1 and added
by the issue "Safety net"). The patient wording is NOT from a validated source: REFERENCE.md says it needs
clinical sign-off (it says so for the saddle-numbness wording; the same holds for every item here).

Levels (issue 3 and REFERENCE.md 3.1 "App design"):

- ``emergency``: any cauda-equina item or a progressive neurological deficit. The patient sees the
  "seek emergency care now" guidance (``GUIDANCE[EMERGENCY]``) and the service creates an urgent task for
  the clinician on duty, in the same transaction as the answer.
- ``review``: infection and cancer items, and (an app decision, see ``FRACTURE`` below) the fracture
  item. The service creates a high-priority review task; the patient sees ``GUIDANCE[REVIEW]``, with
  safety-net advice (what would mean urgent care today, or 911 now).
- ``none``: nothing flagged *among the answered items*. With unanswered items this is not a negative
  screen: check ``complete`` (or ``is_clear``) before treating the screen as done.

The most urgent level wins: one emergency answer makes the whole screen ``emergency`` whatever else is
answered. Answers are ``True`` (yes), ``False`` (no) or ``None``/absent (unanswered); a missing answer
is never read as "no", it is reported in ``unanswered``.

Scope: low back pain red flags only (REFERENCE.md 3.1). The red flags for headache, neck, limb/joint and
widespread pain in REFERENCE.md 3.2 are UNVERIFIED (no source checked) and are deliberately not in this
screen until the clinical team sources them. Other 3.1 items the issue does not list (age over 50 or under
20, pain worse lying down, severe night pain, recent bacterial infection, the secondary items such as
failure to improve after 4-6 weeks) are not asked here either.

Red flags found at examination (``EXAM_ITEMS``: the "From examination" column of the same table, in the
table's clinician wording) are recorded by clinicians on the chart, not asked by this patient screen; a
clinician may also record any screen item (``ITEMS``) as found from the history. ``item_for`` looks up
any code, screen or examination, for display.

    >>> item_for("anal_sphincter_laxity").text
    'Unexpected laxity of the anal sphincter'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "ALL_ITEMS",
    "ALL_ITEMS_BY_CODE",
    "CAUDA_EQUINA",
    "EMERGENCY",
    "EXAMINATION",
    "EXAM_ITEMS",
    "EXAM_ITEMS_BY_CODE",
    "FRACTURE",
    "GUIDANCE",
    "HISTORY",
    "INFECTION",
    "ITEMS",
    "ITEMS_BY_CODE",
    "LEVELS",
    "MALIGNANCY",
    "NONE",
    "PROGRESSIVE_NEUROLOGICAL_DEFICIT",
    "REVIEW",
    "SCREEN_INTRO",
    "Advice",
    "Guidance",
    "InvalidRedFlagAnswerError",
    "RedFlagAssessment",
    "RedFlagItem",
    "UnknownRedFlagError",
    "assess",
    "item_for",
]

# --------------------------------------------------------------------------- levels

EMERGENCY = "emergency"
REVIEW = "review"
NONE = "none"

#: Most urgent first.
LEVELS = (EMERGENCY, REVIEW, NONE)

# --------------------------------------------------------------------------- clinical categories

#: AHCPR Table 1 row "Cauda equina syndrome".
CAUDA_EQUINA = "cauda_equina"
#: AHCPR Table 1, row "Cauda equina syndrome": "Severe or progressive neurologic deficit in the lower
#: extremity". Kept as its own category because issue 3 and REFERENCE.md 3.1 "App design" name it apart
#: ("a cauda-equina or progressive-weakness answer").
PROGRESSIVE_NEUROLOGICAL_DEFICIT = "progressive_neurological_deficit"
#: AHCPR Table 1 row "Tumour or infection" (infection side).
INFECTION = "infection"
#: AHCPR Table 1 row "Tumour or infection" (tumour side).
MALIGNANCY = "malignancy"
#: AHCPR Table 1 row "Fracture". REFERENCE.md 3.1 "App design" gives no response for fracture items; the
#: app treats them as ``review`` (a high-priority clinician review), because a possible fracture is one
#: of the "potentially serious conditions" of the table and a patient's "recent significant injury" cannot
#: be triaged further by a yes/no question. This is an app decision that needs clinical sign-off.
FRACTURE = "fracture"

_AHCPR = 'AHCPR CPG No. 14, Table 1 (REFERENCE.md 3.1, VERIFIED), row "{row}": {text}'


#: Where an item is found: the history (the patient's screen, or a clinician taking the history) or the
#: examination (the "From examination" column of AHCPR Table 1).
HISTORY = "history"
EXAMINATION = "examination"


@dataclass(frozen=True)
class RedFlagItem:
    """One red flag: a yes/no question of the screen (history) or a finding at examination."""

    code: str
    #: Screen items: the patient's words, as issue 3 lists them (sentence case), not validated, needs clinical
    #: sign-off. Examination items: the clinician wording of AHCPR Table 1, verbatim.
    text: str
    #: Clinical categories from REFERENCE.md 3.1 (an item can point to more than one condition).
    categories: tuple[str, ...]
    level: str
    #: Where the item comes from in REFERENCE.md.
    source: str
    #: HISTORY or EXAMINATION.
    found_in: str = HISTORY


ITEMS: tuple[RedFlagItem, ...] = (
    RedFlagItem(
        code="bladder_bowel_control",
        text="New trouble controlling bladder or bowels",
        categories=(CAUDA_EQUINA,),
        level=EMERGENCY,
        source=_AHCPR.format(
            row="Cauda equina syndrome",
            text="recent onset of bladder dysfunction (urinary retention, increased frequency, overflow incontinence)",
        )
        + "; bowels: faecal incontinence, a secondary-source item listed under REFERENCE.md 3.1",
    ),
    # REFERENCE.md 3.1 names urinary retention first among the bladder signs of cauda equina syndrome, and the
    # secondary summaries it quotes say its absence makes the syndrome very unlikely: the control question above
    # does not ask about it, so it has its own question (a new code; the others keep theirs).
    RedFlagItem(
        code="trouble_passing_urine",
        text="New trouble passing urine (peeing), or not being able to pee",
        categories=(CAUDA_EQUINA,),
        level=EMERGENCY,
        source=_AHCPR.format(
            row="Cauda equina syndrome", text="recent onset of bladder dysfunction (urinary retention)"
        )
        + "; patient wording is the app's, not validated",
    ),
    RedFlagItem(
        code="saddle_numbness",
        text="Numbness around the genitals, bottom or inner thighs",
        categories=(CAUDA_EQUINA,),
        level=EMERGENCY,
        source=_AHCPR.format(row="Cauda equina syndrome", text="saddle anaesthesia")
        + "; patient wording suggested by REFERENCE.md 3.1, not validated",
    ),
    RedFlagItem(
        code="leg_weakness",
        text="New or worsening weakness in the legs",
        categories=(PROGRESSIVE_NEUROLOGICAL_DEFICIT,),
        level=EMERGENCY,
        source=_AHCPR.format(
            row="Cauda equina syndrome", text="severe or progressive neurologic deficit in the lower extremity"
        ),
    ),
    RedFlagItem(
        code="fever_with_back_pain",
        text="Fever with back pain",
        # AHCPR lists fever as a constitutional symptom of the whole "Tumour or infection" row.
        categories=(INFECTION, MALIGNANCY),
        level=REVIEW,
        source=_AHCPR.format(row="Tumour or infection", text="constitutional symptoms (recent fever or chills)"),
    ),
    RedFlagItem(
        code="history_of_cancer",
        text="History of cancer",
        categories=(MALIGNANCY,),
        level=REVIEW,
        source=_AHCPR.format(row="Tumour or infection", text="history of cancer"),
    ),
    RedFlagItem(
        code="unexplained_weight_loss",
        text="Unexplained weight loss",
        # AHCPR lists weight loss as a constitutional symptom of the whole "Tumour or infection" row.
        categories=(MALIGNANCY, INFECTION),
        level=REVIEW,
        source=_AHCPR.format(row="Tumour or infection", text="constitutional symptoms (unexplained weight loss)"),
    ),
    RedFlagItem(
        code="recent_significant_injury",
        text="Recent significant injury",
        categories=(FRACTURE,),
        level=REVIEW,  # app decision, see FRACTURE
        source=_AHCPR.format(
            row="Fracture",
            text="major trauma (vehicle accident, fall from height); minor trauma or even strenuous lifting "
            "in an older or potentially osteoporotic patient",
        ),
    ),
    RedFlagItem(
        code="injecting_drugs",
        text="Injecting drugs",
        categories=(INFECTION,),
        level=REVIEW,
        source=_AHCPR.format(row="Tumour or infection", text="risk factors for spinal infection: IV drug abuse"),
    ),
    RedFlagItem(
        code="weakened_immune_system",
        text="Weakened immune system",
        categories=(INFECTION,),
        level=REVIEW,
        source=_AHCPR.format(
            row="Tumour or infection",
            text="risk factors for spinal infection: immune suppression (steroids, transplant, HIV)",
        ),
    ),
)

ITEMS_BY_CODE: Mapping[str, RedFlagItem] = {item.code: item for item in ITEMS}

_AHCPR_EXAM = 'AHCPR CPG No. 14, Table 1 (REFERENCE.md 3.1, VERIFIED), row "Cauda equina syndrome", from examination'

#: The "From examination" column of AHCPR Table 1, row "Cauda equina syndrome", in its words and order. Every one
#: is a cauda-equina finding, so an emergency (REFERENCE.md 3.1 "App design": "any cauda-equina item").
#: The table's "Major motor weakness" names two muscle groups; each is its own item so the chart says which.
EXAM_ITEMS: tuple[RedFlagItem, ...] = (
    RedFlagItem(
        code="anal_sphincter_laxity",
        text="Unexpected laxity of the anal sphincter",
        categories=(CAUDA_EQUINA,),
        level=EMERGENCY,
        source=_AHCPR_EXAM,
        found_in=EXAMINATION,
    ),
    RedFlagItem(
        code="perianal_sensory_loss",
        text="Perianal/perineal sensory loss",
        categories=(CAUDA_EQUINA,),
        level=EMERGENCY,
        source=_AHCPR_EXAM,
        found_in=EXAMINATION,
    ),
    RedFlagItem(
        code="quadriceps_weakness",
        text="Major motor weakness: quadriceps (knee extension)",
        categories=(CAUDA_EQUINA,),
        level=EMERGENCY,
        source=_AHCPR_EXAM,
        found_in=EXAMINATION,
    ),
    RedFlagItem(
        code="ankle_weakness",
        text="Major motor weakness: ankle plantar flexors, evertors, dorsiflexors (foot drop)",
        categories=(CAUDA_EQUINA,),
        level=EMERGENCY,
        source=_AHCPR_EXAM,
        found_in=EXAMINATION,
    ),
)

EXAM_ITEMS_BY_CODE: Mapping[str, RedFlagItem] = {item.code: item for item in EXAM_ITEMS}

#: Every item a red flag can name: the examination findings first, then the screen's.
ALL_ITEMS: tuple[RedFlagItem, ...] = EXAM_ITEMS + ITEMS
ALL_ITEMS_BY_CODE: Mapping[str, RedFlagItem] = {item.code: item for item in ALL_ITEMS}


def item_for(code: str) -> RedFlagItem:
    """The item (screen or examination) with this code; UnknownRedFlagError for any other code."""
    try:
        return ALL_ITEMS_BY_CODE[code]
    except (KeyError, TypeError):
        raise UnknownRedFlagError(f"unknown red-flag code: {code!r}") from None


# --------------------------------------------------------------------------- patient-facing text


@dataclass(frozen=True)
class Advice:
    """Safety-net advice: what would mean getting care sooner (``lead``, then each of ``signs`` as a list)."""

    lead: str
    signs: tuple[str, ...]
    #: For a tap-to-call link (``tel:``) under the list; None when there is nothing to call.
    phone: str | None = None


@dataclass(frozen=True)
class Guidance:
    """Text a patient sees after the screen. Templates render ``title``, each of ``paragraphs``, then each
    ``advice`` block."""

    key: str
    title: str
    paragraphs: tuple[str, ...]
    #: For a tap-to-call link (``tel:``) next to the text; None when there is nothing to call.
    phone: str | None = None
    advice: tuple[Advice, ...] = ()


#: App wording (not from REFERENCE.md or the issue): the line above the screen's questions.
SCREEN_INTRO = "Do you have any of these? Please answer yes or no to each one. These questions help us keep you safe."

#: Patient-facing guidance by level. The emergency text follows issue 3 ("seek emergency care now");
#: the rest of the wording is the app's, plain (grade 6-8), calm and never blaming. It says the care team
#: has been told, so show it only once the answer and the urgent task are saved (same transaction).
GUIDANCE: Mapping[str, Guidance] = {
    EMERGENCY: Guidance(
        key="redflags.emergency",
        title="Please get emergency care now",
        paragraphs=(
            "Your answers can be a sign of a problem that needs care right away.",
            "Please go to the emergency department now or call 911.",
            "Please do not wait for your visit with us.",
            "Thank you for telling us. We have let your care team know.",
            "You can finish the rest of these questions later with the same link.",
        ),
        phone="911",
    ),
    # The patient is told their answers will be read, and (the issue "Safety net": safety-net advice with a time
    # frame) what would mean getting care today rather than waiting for the team. REFERENCE.md 3.1 gives no
    # patient wording for this, so ALL of it is the app's wording, pending clinical sign-off: the "today" signs
    # are the worsening of the review-level conditions (infection: fever with feeling very unwell or shaking
    # chills; fracture: not able to stand or walk, a new fall; any: pain getting much worse fast), and the "now"
    # signs are the emergency items of this screen (cauda equina, progressive weakness), which infection, cancer
    # and fracture of the spine can all lead to.
    REVIEW: Guidance(
        key="redflags.review",
        title="Thank you for telling us",
        paragraphs=("Your care team will look at these answers.",),
        advice=(
            Advice(
                lead="Until then, please go to urgent care or an emergency department today if:",
                signs=(
                    "Your pain gets much worse, fast.",
                    "You have a fever and feel very unwell, or you have shaking chills.",
                    "You cannot stand or walk because of the pain.",
                    "You have a new fall or injury.",
                ),
            ),
            Advice(
                lead="Call 911 or go to the emergency department now if you get:",
                signs=(
                    "New weakness in your legs",
                    "Numbness around your genitals, bottom or inner thighs",
                    "New trouble passing urine, or controlling your bladder or bowels",
                ),
                phone="911",
            ),
        ),
    ),
}

# --------------------------------------------------------------------------- assessment


class UnknownRedFlagError(ValueError):
    """An answer was given for a code the screen does not have."""


class InvalidRedFlagAnswerError(TypeError):
    """An answer was something other than True, False or None."""


@dataclass(frozen=True)
class RedFlagAssessment:
    level: str
    #: Items answered "yes", in screen order.
    flagged: tuple[RedFlagItem, ...]
    #: Codes with no answer (None or absent), in screen order. Never counted as "no".
    unanswered: tuple[str, ...]
    #: Key of the patient-facing guidance (``GUIDANCE``), or None when there is none to show.
    guidance_key: str | None

    @property
    def flagged_codes(self) -> tuple[str, ...]:
        return tuple(item.code for item in self.flagged)

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(category for item in self.flagged for category in item.categories)

    @property
    def complete(self) -> bool:
        return not self.unanswered

    @property
    def is_emergency(self) -> bool:
        return self.level == EMERGENCY

    @property
    def is_clear(self) -> bool:
        """Every item answered and none of them "yes": the only truly negative screen."""
        return self.level == NONE and self.complete

    @property
    def guidance(self) -> Guidance | None:
        return GUIDANCE.get(self.level)


def assess(answers: Mapping[str, bool | None]) -> RedFlagAssessment:
    """Assess the screen's answers (item code -> True / False / None).

    Raises UnknownRedFlagError for a code the screen does not have, and InvalidRedFlagAnswerError for
    a value that is not True, False or None (``1``, ``"yes"`` and ``"no"`` are never guessed at).
    """
    if not isinstance(answers, Mapping):
        raise TypeError(f"answers must be a mapping of item code to True/False/None, not {type(answers).__name__}")
    unknown = sorted(str(code) for code in answers if code not in ITEMS_BY_CODE)
    if unknown:
        raise UnknownRedFlagError(
            f"unknown red-flag code(s): {', '.join(unknown)}; known codes: {', '.join(ITEMS_BY_CODE)}"
        )
    for code, answer in answers.items():
        if answer is not None and not isinstance(answer, bool):
            raise InvalidRedFlagAnswerError(
                f"answer for {code!r} must be True, False or None, not {type(answer).__name__}"
            )

    flagged = tuple(item for item in ITEMS if answers.get(item.code) is True)
    unanswered = tuple(item.code for item in ITEMS if answers.get(item.code) is None)
    level = next((level for level in LEVELS if any(item.level == level for item in flagged)), NONE)
    guidance = GUIDANCE.get(level)
    return RedFlagAssessment(
        level=level,
        flagged=flagged,
        unanswered=unanswered,
        guidance_key=guidance.key if guidance else None,
    )
