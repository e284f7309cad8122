"""Treatment sprints, the pure part: how long a sprint may be, when its review is due, how each of its
metrics is judged, and what the review suggests. No ORM, no Django: table-tested in
tests/careplans/test_sprint_rules.py.

Metrics are codes: ``"goal:<goal public id>"`` or ``"measure:<instrument code>"`` (``"measure:peg"``).

Judging one metric (baseline = the value at the start of the sprint, latest = the newest one in it):

- A questionnaire with a points rule is judged by the points: a change of at least that many points is
  *improved* or *worse*, anything smaller is *not improved*. PHQ-9: "a 5-point change is clinically
  meaningful" (REFERENCE.md 1.2, PARTIAL); its 50% response rule is for a course of treatment and is shown
  in the words but does not judge a 4-6 week sprint (**app policy**: the points rule comes first).
  GAD-7: REFERENCE.md 1.4 gives its bands and cut-point but no change threshold, so the review uses the
  app's own rule, ``APP_MEANINGFUL_POINTS`` (5 points, as for the PHQ-9 on the same 0-3 item scale), for the
  clinical team to confirm.
- A questionnaire with a responder rule and no points rule (PEG: at least 30% better than baseline, CDC 2022,
  VERIFIED in REFERENCE.md 1.1) is judged by that rule through ``measures.change``: a responder has
  *improved*, and any worsening is *worse*. One with neither rule is shown but not judged.
- A goal is judged by the share of the way from its value at the start of the sprint to its target that
  the sprint covered: at least ``GOAL_MEANINGFUL_SHARE`` is *improved*, at or past the target is
  *reached*. Which way is better comes from the metric (a PEG score and custom metrics marked so are
  lower-is-better). **App policy**: no published threshold exists for a goal's own metric; the clinical
  team may change the share here.

The suggestion (one of continue, step up, step down, pivot) follows one rule per case, explained in one
sentence (``Suggestion.reason``; the sentences are app wording):

1. Nothing could be judged: continue and measure.
2. Every judged metric improved and every goal reached its target: step down a tier (continue at tier 1).
3. At least half of the judged metrics improved (**app policy**): continue.
4. Otherwise, when the sprint before did not improve either: step up a tier (pivot at the top tier).
5. Otherwise: pivot (change the interventions before changing the tier).

A worsening mood measure (``MOOD_MEASURES``: PHQ-9 or GAD-7 judged *worse*, among the sprint's metrics or
watched beside them, ``mood_watch``) overrides rules 1-3 (**app policy**): the suggestion is to pivot, review
mood and change the interventions, never "continue what is working" or step down. With rules 4 and 5 the
decision stands and the sentence adds that mood is worse.

A sprint counts as improved under the same "at least half" rule (None when nothing could be judged), whatever
the mood override; two reviewed sprints in a row without improvement make the patient a case-conference
candidate.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import Any

from measures.change import ARROW, MINUS, change_with
from measures.definitions import InstrumentDefinition

MIN_WEEKS, MAX_WEEKS = 4, 6
REVIEW_DAYS_BEFORE_END = 3
# App policy (see the module docstring): the share of the way to a goal's target that counts as improvement.
GOAL_MEANINGFUL_SHARE = Fraction(1, 4)
LOWEST_TIER, HIGHEST_TIER = 1, 3

GOAL_PREFIX, MEASURE_PREFIX = "goal:", "measure:"

#: APP RULE: points rules the review uses for questionnaires whose definition has no change rule of its own.
#: GAD-7: REFERENCE.md 1.4 gives bands (0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe) and the cut-point
#: >= 10 but no change threshold. The app uses 5 points, the PHQ-9's commonly cited meaningful change
#: (REFERENCE.md 1.2, PARTIAL) on the same 0-3 item scale. Not a published GAD-7 threshold: for clinical sign-off.
APP_MEANINGFUL_POINTS: dict[str, int] = {"gad7": 5}

#: APP RULE: the mood questionnaires whose meaningful worsening overrides "continue" (see the docstring).
MOOD_MEASURES: tuple[str, ...] = ("phq9", "gad7")


class Decision(StrEnum):
    """The same values as careplans.models.Sprint.Decision."""

    CONTINUE = "continue"
    STEP_UP = "step_up"
    STEP_DOWN = "step_down"
    PIVOT = "pivot"


class Verdict(StrEnum):
    REACHED = "reached"  # a goal at or past its target
    IMPROVED = "improved"  # meaningfully better (responder, points rule, or share of the way to target)
    NOT_IMPROVED = "not_improved"  # better but not meaningfully, or unchanged
    WORSE = "worse"
    NO_DATA = "no_data"  # no value at the start or none since
    NOT_JUDGED = "not_judged"  # a questionnaire without a change rule

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self]

    @property
    def counts_as_improved(self) -> bool:
        return self in (Verdict.REACHED, Verdict.IMPROVED)

    @property
    def is_judged(self) -> bool:
        return self not in (Verdict.NO_DATA, Verdict.NOT_JUDGED)


VERDICT_LABELS = {
    Verdict.REACHED: "Target reached",
    Verdict.IMPROVED: "Meaningful improvement",
    Verdict.NOT_IMPROVED: "No meaningful improvement",
    Verdict.WORSE: "Worse",
    Verdict.NO_DATA: "Not enough data",
    Verdict.NOT_JUDGED: "No change rule for this questionnaire",
}


# --------------------------------------------------------------------------- metric codes


def goal_metric(goal_public_id: uuid.UUID | str) -> str:
    return f"{GOAL_PREFIX}{goal_public_id}"


def measure_metric(code: str) -> str:
    return f"{MEASURE_PREFIX}{code}"


def parse_metric(code: str) -> tuple[str, str]:
    """("goal", "<uuid>") or ("measure", "<instrument code>"); ValueError for anything else."""
    if not isinstance(code, str):
        raise ValueError("A metric code is text.")
    if code.startswith(GOAL_PREFIX):
        try:
            return "goal", str(uuid.UUID(code.removeprefix(GOAL_PREFIX)))
        except ValueError:
            raise ValueError(f"Not a goal metric: {code!r}") from None
    if code.startswith(MEASURE_PREFIX):
        instrument = code.removeprefix(MEASURE_PREFIX)
        if instrument and len(instrument) <= 40 and all(c.isalnum() or c in "-_" for c in instrument):
            return "measure", instrument
    raise ValueError(f"Not a metric: {code!r}")


# --------------------------------------------------------------------------- dates


def sprint_length_problem(starts_on: date, ends_on: date) -> str | None:
    """Why these dates do not make a 4-6 week sprint, in words; None when they do."""
    days = (ends_on - starts_on).days
    if days < MIN_WEEKS * 7 or days > MAX_WEEKS * 7:
        weeks = days / 7
        shown = f"{weeks:.1f}".removesuffix(".0")
        return (
            f"A sprint lasts {MIN_WEEKS} to {MAX_WEEKS} weeks ({MIN_WEEKS * 7} to {MAX_WEEKS * 7} days); "
            f"these dates make {days} days ({shown} weeks)."
        )
    return None


def review_due_on(ends_on: date) -> date:
    """The day the lead clinician's review task arrives: 3 days before the sprint ends."""
    return ends_on - timedelta(days=REVIEW_DAYS_BEFORE_END)


def next_sprint_dates(previous_ends_on: date | None, *, today: date, weeks: int = MIN_WEEKS) -> tuple[date, date]:
    """Dates for a new sprint: from the end of the previous one (or today, whichever is later)."""
    starts_on = max(previous_ends_on or today, today)
    if starts_on > date.max - timedelta(weeks=weeks):  # a previous sprint at the end of the calendar
        starts_on = today
    return starts_on, starts_on + timedelta(weeks=weeks)


# --------------------------------------------------------------------------- judging one metric


@dataclass(frozen=True)
class Judgement:
    code: str
    label: str
    verdict: Verdict
    baseline: float | None
    latest: float | None
    target: float | None = None
    unit: str = ""
    words: str = ""  # baseline -> latest in words, with the rule's result

    @property
    def verdict_label(self) -> str:
        return self.verdict.label

    def as_snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy, kept on the sprint when it is reviewed."""
        return asdict(self) | {"verdict": self.verdict.value}

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Judgement:
        fields: dict[str, Any] = {name: data.get(name) for name in cls.__dataclass_fields__}
        try:
            fields["verdict"] = Verdict(str(data.get("verdict")))
        except ValueError:
            fields["verdict"] = Verdict.NO_DATA
        fields["unit"] = fields["unit"] or ""
        fields["words"] = fields["words"] or ""
        fields["code"] = fields["code"] or ""
        fields["label"] = fields["label"] or ""
        return cls(**fields)


def judge_measure(code: str, definition: InstrumentDefinition, baseline: Any, latest: Any) -> Judgement:
    """A questionnaire's totals at the start of the sprint and now, judged by its change rule: the points rule
    first (the definition's, else the app's), then the responder rule (see the module docstring)."""
    change = change_with(definition, baseline, latest)
    rules = definition.change
    points, app_rule = meaningful_points(definition)
    words = change.clinician_words
    if change.direction is None:
        verdict = Verdict.NO_DATA
    elif points is not None:
        absolute = _exact(change.absolute_change)
        assert absolute is not None  # a change with a direction has both values
        moved = abs(absolute)
        if moved >= points and change.direction in ("improved", "worse"):
            verdict = Verdict.IMPROVED if change.direction == "improved" else Verdict.WORSE
            if app_rule:
                kind = "improvement" if verdict == Verdict.IMPROVED else "worsening"
                words += f": meaningful {kind} (\u2265{_number(points)} points, app rule)"
        else:
            verdict = Verdict.NOT_IMPROVED
    elif change.responder is not None:
        verdict = Verdict.IMPROVED if change.responder else _not_improved(change.direction)
    elif rules.responder_min_percent is not None:  # a baseline of 0: no percentage, so only "worse" is known
        verdict = Verdict.WORSE if change.direction == "worse" else Verdict.NOT_JUDGED
    else:
        verdict = Verdict.NOT_JUDGED
    return Judgement(
        code=code,
        label=definition.name,
        verdict=verdict,
        baseline=_float(change.baseline),
        latest=_float(change.latest),
        words=words,
    )


def meaningful_points(definition: InstrumentDefinition) -> tuple[Fraction | None, bool]:
    """The points that make a meaningful change, and whether that is the app's rule rather than the
    definition's: the definition's own points rule; else, for a definition with no change rule at all, the
    app's (``APP_MEANINGFUL_POINTS``); else None."""
    rules = definition.change
    if rules.meaningful_points is not None:
        return _exact(rules.meaningful_points), False
    if rules.responder_min_percent is None and definition.code in APP_MEANINGFUL_POINTS:
        return Fraction(APP_MEANINGFUL_POINTS[definition.code]), True
    return None, False


def is_mood_measure(judgement: Judgement) -> bool:
    return judgement.code in {measure_metric(code) for code in MOOD_MEASURES}


def judge_goal(
    code: str,
    *,
    label: str,
    baseline: Any,
    latest: Any,
    target: Any,
    lower_is_better: bool,
    unit: str = "",
) -> Judgement:
    """A goal's value at the start of the sprint and now, judged against its target (see the docstring)."""
    first, last, goal = _exact(baseline), _exact(latest), _exact(target)
    common: dict[str, Any] = dict(
        code=code, label=label, baseline=_float(first), latest=_float(last), target=_float(goal), unit=unit
    )
    if first is None or last is None or goal is None:
        return Judgement(verdict=Verdict.NO_DATA, words=f"{label}: not enough values yet", **common)
    sign = -1 if lower_is_better else 1
    better_by = (last - first) * sign  # positive = better
    to_go = (goal - first) * sign  # how far the target was at the start
    if (goal - last) * sign <= 0:
        verdict = Verdict.REACHED
    elif better_by < 0:
        verdict = Verdict.WORSE
    elif better_by == 0:
        verdict = Verdict.NOT_IMPROVED
    elif better_by / to_go >= GOAL_MEANINGFUL_SHARE:
        verdict = Verdict.IMPROVED
    else:
        verdict = Verdict.NOT_IMPROVED
    words = f"{_number(first)} {ARROW} {_number(last)}{_unit(unit)} (target {_number(goal)})"
    if verdict != Verdict.REACHED and better_by > 0:
        words += f": {_whole_percent(better_by / to_go)}% of the way to the target"
    elif verdict == Verdict.REACHED:
        words += ": target reached"
    elif verdict == Verdict.WORSE:
        words += ": further from the target"
    else:
        words += ": unchanged"
    return Judgement(verdict=verdict, words=words, **common)


def goal_direction_lower_is_better(metric: str, *, custom_lower_is_better: bool) -> bool:
    """Which way a goal's metric is better: a PEG score is lower-is-better; a custom metric says so itself."""
    if metric == "peg":
        return True
    if metric == "custom":
        return custom_lower_is_better
    return False


# --------------------------------------------------------------------------- the sprint as a whole


@dataclass(frozen=True)
class Suggestion:
    decision: Decision
    reason: str  # one sentence (app wording)
    improved: bool | None  # whether the sprint counts as improved (None: nothing could be judged)


def sprint_improved(judgements: Sequence[Judgement]) -> bool | None:
    """At least half of the judged metrics improved (app policy); None when none could be judged."""
    judged = [j for j in judgements if j.verdict.is_judged]
    if not judged:
        return None
    better = sum(1 for j in judged if j.verdict.counts_as_improved)
    return better * 2 >= len(judged)


def suggest(
    judgements: Sequence[Judgement],
    *,
    tier: int,
    previous_improved: bool | None,
    mood_watch: Sequence[Judgement] = (),
) -> Suggestion:
    """What the review suggests, with the rule behind it in one sentence (see the module docstring).

    ``previous_improved``: whether the sprint reviewed before this one improved (None: none, or unjudged).
    ``mood_watch``: mood measures judged over the sprint that are not among its metrics; they count only for
    the mood override, never in the "at least half" rule.
    """
    suggestion = _suggest(judgements, tier=tier, previous_improved=previous_improved)
    worse: dict[str, Judgement] = {}
    for judgement in (*judgements, *mood_watch):
        if is_mood_measure(judgement) and judgement.verdict == Verdict.WORSE:
            worse.setdefault(judgement.code, judgement)
    if not worse:
        return suggestion
    which = " and ".join(_mood_words(j) for j in worse.values())
    verb = "is" if len(worse) == 1 else "are"
    if suggestion.decision in (Decision.CONTINUE, Decision.STEP_DOWN):
        return Suggestion(
            Decision.PIVOT,
            f"{which} {verb} meaningfully worse, so rather than continue as before, review mood and change "
            "the interventions.",
            suggestion.improved,
        )
    return Suggestion(
        suggestion.decision,
        f"{suggestion.reason.removesuffix('.')}; {which} {verb} also meaningfully worse, so review mood.",
        suggestion.improved,
    )


def _mood_words(judgement: Judgement) -> str:
    """ "PHQ-9 (10 → 16)": the measure with its values, as the reason sentence names it."""
    first, last = _exact(judgement.baseline), _exact(judgement.latest)
    if first is None or last is None:
        return judgement.label
    return f"{judgement.label} ({_number(first)} {ARROW} {_number(last)})"


def _suggest(judgements: Sequence[Judgement], *, tier: int, previous_improved: bool | None) -> Suggestion:
    """The suggestion by rules 1-5 (see the module docstring), before the mood override."""
    judged = [j for j in judgements if j.verdict.is_judged]
    improved = sprint_improved(judgements)
    if improved is None:
        return Suggestion(
            Decision.CONTINUE,
            "No metric of this sprint has a value at its start and one since, so keep going and measure again.",
            None,
        )
    better = sum(1 for j in judged if j.verdict.counts_as_improved)
    goals = [j for j in judged if j.code.startswith(GOAL_PREFIX)]
    all_better = better == len(judged)
    if all_better and goals and all(j.verdict == Verdict.REACHED for j in goals):
        if tier > LOWEST_TIER:
            return Suggestion(
                Decision.STEP_DOWN,
                "Every metric improved and every goal reached its target, so a lower tier may now be enough.",
                True,
            )
        return Suggestion(
            Decision.CONTINUE,
            "Every metric improved and every goal reached its target at the first tier, "
            "so keep going and set the next goals.",
            True,
        )
    if improved:
        return Suggestion(
            Decision.CONTINUE,
            f"{_of(better, len(judged))} improved meaningfully, so continue what is working.",
            True,
        )
    if previous_improved is False:
        if tier < HIGHEST_TIER:
            return Suggestion(
                Decision.STEP_UP,
                f"Only {_of(better, len(judged))} improved meaningfully, for the second sprint in a row, "
                "so consider stepping up a tier.",
                False,
            )
        return Suggestion(
            Decision.PIVOT,
            f"Only {_of(better, len(judged))} improved meaningfully, for the second sprint in a row and at "
            "the highest tier, so change the interventions and bring the plan to a case conference.",
            False,
        )
    return Suggestion(
        Decision.PIVOT,
        f"Only {_of(better, len(judged))} improved meaningfully, so change the interventions before changing the tier.",
        False,
    )


def two_sprints_without_improvement(improved_newest_first: Sequence[bool | None]) -> bool:
    """Whether the two most recently reviewed sprints both did not improve (a case-conference candidate)."""
    return len(improved_newest_first) >= 2 and improved_newest_first[0] is False and improved_newest_first[1] is False


def tier_after(decision: str, tier: int) -> int | None:
    """The tier a decision moves the plan to, or None when it keeps the tier (or cannot move it)."""
    if decision == Decision.STEP_UP and tier < HIGHEST_TIER:
        return tier + 1
    if decision == Decision.STEP_DOWN and tier > LOWEST_TIER:
        return tier - 1
    return None


# --------------------------------------------------------------------------- numbers and words


def _not_improved(direction: str) -> Verdict:
    return Verdict.WORSE if direction == "worse" else Verdict.NOT_IMPROVED


def _of(count: int, total: int) -> str:
    noun = "metric" if total == 1 else "metrics"
    return f"{count} of {total} {noun}"


def _exact(value: Any) -> Fraction | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        return Fraction(repr(value))
    if isinstance(value, int | Decimal | Fraction):
        return Fraction(value)
    raise TypeError(f"a metric value must be a number or None, not {type(value).__name__}")


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _number(value: Fraction) -> str:
    text = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return text.replace("-", MINUS) if text != "-0" else "0"


def _unit(unit: str) -> str:
    return f" {unit}" if unit else ""


def _whole_percent(share: Fraction) -> int:
    """A share as a whole percent, never rounded up across the meaningful-share line."""
    percent = share * 100
    whole = round(percent)
    line = GOAL_MEANINGFUL_SHARE * 100
    if (whole >= line) != (percent >= line):
        whole = int(percent)  # just under the line: 24.6% shows as 24, not 25
    return whole
