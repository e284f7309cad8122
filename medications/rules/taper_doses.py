"""A taper's steps as doses a person can take (pure: no ORM, no settings; the words go through translation
functions the medications app installs at start-up, so the patient's portal page reads them in its language while
staff pages stay English; on their own, these rules speak English).

The planner (medications/rules/tapering.py) gives each step a daily MME. A person cannot take "54 MME": they take
1 tablet of oxycodone 5 mg, 3 times a day. This module rounds each step, for each opioid line being tapered, to
tablets, patches or millilitres of a stated strength, and says what was rounded (target vs actual daily amount and
MME) so the prescriber sees the difference before confirming the schedule.

    >>> line = Line(key="a", drug_code="oxycodone", name="Oxycodone", form="tablet", strengths=(Decimal(5),),
    ...             unit="mg", times_a_day=Decimal(3), factor=Decimal("1.5"), daily=Decimal(15))
    >>> round_dose(line, target_daily=Decimal(10), cap_per_dose=Decimal(5)).words
    'take half a tablet of oxycodone 5 mg, 3 times a day'

The app's rules (REFERENCE.md gives no rounding rule; these are the app's choices, for clinical sign-off):

1. Each line is tapered in proportion: at a step planned at p% of the starting daily MME, each line's target is
   p% of that line's starting daily amount. Times a day stay as the line has them.
2. Forms: a plain tablet (``tablet``) is taken as scored and may be halved (at most one half-tablet per dose);
   capsules and extended-release tablets or capsules are never split; patches are never cut (whole patches of the
   available strengths, worn at once); a liquid is measured in steps of LIQUID_MEASURE_ML (0.5 mL) of the line's
   own concentration. At most MAX_UNITS_PER_DOSE tablets or patches a dose.
3. Strengths: the line's own and the clinic's formulary (medications/rules/drugs.py) for that drug and form.
4. Each dose is the takeable amount nearest the target, never above the previous step's dose (never rounded UP
   above the previous step); on a tie, the higher (the gentler step). Among equal amounts: one strength rather
   than two, then the strength the patient already has, then the fewest tablets or patches, then no half-tablet.
5. A step whose rounded doses are not lower than the previous step's is a hold ("stay on the same dose"), never
   a bigger cut to make up for it. A target nearer 0 than the smallest takeable dose rounds to 0: when every line
   reaches 0 the step is the stop, the last step of the schedule (later planned rows are dropped).
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# The words' translation functions: English until the medications app installs Django's (MedicationsConfig.ready),
# which keeps these rules free of Django. makemessages still finds every gettext/ngettext call below.
_translations: dict[str, Callable] = {
    "gettext": lambda message: message,
    "ngettext": lambda singular, plural, count: singular if count == 1 else plural,
}


def use_translations(*, gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str]) -> None:
    """Translate the words of doses with these functions (Django's, installed when the app is ready)."""
    _translations.update(gettext=gettext, ngettext=ngettext)


def gettext(message: str) -> str:
    return _translations["gettext"](message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translations["ngettext"](singular, plural, count)


__all__ = [
    "LIQUID_MEASURE_ML",
    "MAX_UNITS_PER_DOSE",
    "CannotRound",
    "Dose",
    "Line",
    "Period",
    "Piece",
    "RoundedStep",
    "StepKind",
    "count_words",
    "patient_periods",
    "round_dose",
    "round_taper",
    "route_words",
    "steps_from_json",
    "steps_to_json",
]

#: The app's rule: a liquid dose is measured to the nearest 0.5 mL (an oral syringe's usual marks).
LIQUID_MEASURE_ML = Decimal("0.5")
#: The app's rule: never more than 4 tablets (or patches) in one dose.
MAX_UNITS_PER_DOSE = 4
HALF = Decimal("0.5")
CENT = Decimal("0.01")


class CannotRound(ValueError):
    """A line whose form or numbers the app cannot turn into takeable doses (the message says which)."""


class Split(StrEnum):
    HALVES = "halves"  # a plain tablet: whole or half tablets
    WHOLE = "whole"  # capsules, extended-release: whole units only
    PATCH = "patch"  # whole patches worn at once
    LIQUID = "liquid"  # millilitres of the line's concentration


#: Medication.Form values the app can round, and how.
SPLITS = {
    "tablet": Split.HALVES,
    "capsule": Split.WHOLE,
    "extended_release": Split.WHOLE,
    "patch": Split.PATCH,
    "liquid": Split.LIQUID,
}
# How many of a form, in words ("1 tablet", "2 patches"): ngettext with literal words, so each is translated.
WHOLE_WORDS = {
    "tablet": lambda n: ngettext("%(count)s tablet", "%(count)s tablets", n),
    "capsule": lambda n: ngettext("%(count)s capsule", "%(count)s capsules", n),
    "extended_release": lambda n: ngettext(
        "%(count)s extended-release tablet or capsule", "%(count)s extended-release tablets or capsules", n
    ),
    "patch": lambda n: ngettext("%(count)s patch", "%(count)s patches", n),
}


class StepKind(StrEnum):
    REDUCE = "reduce"
    HOLD = "hold"
    STOP = "stop"


@dataclass(frozen=True)
class Line:
    """One opioid line being tapered, as it is at the start of the rounding."""

    key: str  # the medication line's public id
    drug_code: str
    name: str
    form: str  # a Medication.Form value
    strengths: tuple[Decimal, ...]  # available strengths (mg; mcg/hr for a patch; mg per mL for a liquid)
    unit: str  # "mg", "mcg/hr", "mg/mL"
    times_a_day: Decimal  # 1 for a patch (worn continuously)
    factor: Decimal  # the CDC 2022 MME factor
    daily: Decimal  # the starting daily amount: mg a day, or mcg/hr worn for a patch
    as_needed: bool = False
    own_strength: Decimal | None = None  # the strength the patient has now: kept when it serves as well
    route: str = ""  # a medications.rules.routes value; "" in schedules stored before lines had a route

    @property
    def split(self) -> Split:
        return SPLITS[self.form]

    @property
    def per_dose(self) -> Decimal:
        return self.daily / self.times_a_day

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "drug_code": self.drug_code,
            "name": self.name,
            "form": self.form,
            "strengths": [_plain(s) for s in self.strengths],
            "unit": self.unit,
            "times_a_day": _plain(self.times_a_day),
            "factor": _plain(self.factor),
            "daily": _plain(self.daily),
            "as_needed": self.as_needed,
            "own_strength": None if self.own_strength is None else _plain(self.own_strength),
            "route": self.route,
        }

    @classmethod
    def from_json(cls, row: dict) -> Line:
        return cls(
            key=row["key"],
            drug_code=row["drug_code"],
            name=row["name"],
            form=row["form"],
            strengths=tuple(Decimal(s) for s in row["strengths"]),
            unit=row["unit"],
            times_a_day=Decimal(row["times_a_day"]),
            factor=Decimal(row["factor"]),
            daily=Decimal(row["daily"]),
            as_needed=bool(row.get("as_needed")),
            own_strength=Decimal(row["own_strength"]) if row.get("own_strength") else None,
            route=row.get("route", ""),
        )


def check_line(line: Line) -> None:
    """CannotRound when the app cannot work out takeable doses for this line."""
    if line.form not in SPLITS:
        raise CannotRound(f"{line.name}: the app cannot work out doses for this form ({line.form}).")
    if not line.strengths or any(s <= 0 for s in line.strengths):
        raise CannotRound(f"{line.name}: no strength to round to.")
    if line.times_a_day <= 0 or line.daily <= 0:
        raise CannotRound(f"{line.name}: the line has no daily dose (how many times a day?).")


@dataclass(frozen=True)
class Piece:
    strength: Decimal
    count: Decimal  # whole or half tablets, whole patches


@dataclass(frozen=True)
class Dose:
    """One line's rounded dose at one step: per dose, ``pieces`` (tablets, patches) or ``volume_ml`` (liquid)."""

    line: Line
    per_dose: Decimal  # mg (mcg/hr for a patch) per dose
    target_daily: Decimal
    pieces: tuple[Piece, ...] = ()
    volume_ml: Decimal | None = None

    @property
    def daily(self) -> Decimal:
        return self.per_dose * self.line.times_a_day

    @property
    def mme(self) -> Decimal:
        return _cents(self.daily * self.line.factor)

    @property
    def target_mme(self) -> Decimal:
        return _cents(self.target_daily * self.line.factor)

    @property
    def stopped(self) -> bool:
        return self.per_dose == 0

    @property
    def amount_words(self) -> str:
        """ "1 tablet of oxycodone 5 mg", "2.5 mL of methadone 1 mg/mL liquid"."""
        # The medicine's name and strength stay as written; only the words around them are translated.
        name = self.line.name.lower()
        if self.volume_ml is not None:
            medicine = f"{name} {_plain(self.line.strengths[0])} {self.line.unit}"
            return gettext("%(ml)s mL of %(medicine)s liquid") % {"ml": _plain(self.volume_ml), "medicine": medicine}
        parts = [
            gettext("%(amount)s of %(medicine)s")
            % {
                "amount": count_words(p.count, self.line.form),
                "medicine": f"{name} {_plain(p.strength)} {self.line.unit}",
            }
            for p in self.pieces
        ]
        return _joined(parts, gettext("%(first)s and %(then)s"))

    @property
    def words(self) -> str:
        """The instruction in plain words: "take 1 tablet of oxycodone 5 mg, 3 times a day"."""
        name = self.line.name.lower()
        if self.stopped:
            if self.line.split is Split.PATCH:
                return gettext("stop wearing %(name)s") % {"name": name}
            return gettext("stop taking %(name)s") % {"name": name}
        if self.line.split is Split.PATCH:
            return gettext("wear %(amount)s at the same time") % {"amount": self.amount_words}
        amount = self.amount_words
        if route := route_words(self.line.route):
            amount = gettext("%(amount)s %(route)s") % {"amount": amount, "route": route}
        words = {"amount": amount, "how_often": _how_often(self.line.times_a_day)}
        if self.line.as_needed:
            return gettext("take %(amount)s only when you need it, at most %(how_often)s") % words
        return gettext("take %(amount)s, %(how_often)s") % words

    def as_json(self) -> dict:
        return {
            "line": self.line.key,
            "per_dose": _plain(self.per_dose),
            "target_daily": _plain(self.target_daily),
            "pieces": [[_plain(p.strength), _plain(p.count)] for p in self.pieces],
            "volume_ml": None if self.volume_ml is None else _plain(self.volume_ml),
        }

    @classmethod
    def from_json(cls, row: dict, lines: dict[str, Line]) -> Dose:
        volume = row.get("volume_ml")
        return cls(
            line=lines[row["line"]],
            per_dose=Decimal(row["per_dose"]),
            target_daily=Decimal(row["target_daily"]),
            pieces=tuple(Piece(Decimal(s), Decimal(c)) for s, c in row.get("pieces", [])),
            volume_ml=None if volume is None else Decimal(volume),
        )


@dataclass(frozen=True)
class RoundedStep:
    number: int  # the planner's step number
    starts_on: datetime.date
    ends_on: datetime.date | None  # the day before the next step; None for the last
    kind: StepKind
    target_mme: Decimal  # the planner's daily MME for this step
    doses: tuple[Dose, ...]

    @property
    def mme(self) -> Decimal:
        return _cents(sum((dose.mme for dose in self.doses), Decimal(0)))

    @property
    def difference_mme(self) -> Decimal:
        """Rounded minus planned daily MME (negative: the rounded dose is lower than planned)."""
        return self.mme - self.target_mme

    @property
    def words(self) -> str:
        return doses_words(self.doses)


# --------------------------------------------------------------------------- one dose


def round_dose(line: Line, *, target_daily: Decimal, cap_per_dose: Decimal) -> Dose:
    """The takeable dose nearest ``target_daily`` (per the module's rules), never above ``cap_per_dose``."""
    check_line(line)
    target = max(Decimal(0), target_daily) / line.times_a_day
    if line.split is Split.LIQUID:
        return _liquid(line, target, target_daily, cap_per_dose)
    best = min(
        (option for option in _options(line) if option[0] <= cap_per_dose),
        key=lambda option: _preference(option, target, line.own_strength),
    )
    amount, pieces = best
    return Dose(line=line, per_dose=amount, target_daily=target_daily, pieces=pieces)


def _liquid(line: Line, target: Decimal, target_daily: Decimal, cap: Decimal) -> Dose:
    concentration = line.strengths[0]
    measures = (target / concentration / LIQUID_MEASURE_ML).to_integral_value(rounding=ROUND_HALF_UP)
    volume = measures * LIQUID_MEASURE_ML  # nearest measure; a tie (half a measure) goes to the higher one
    most = (cap / concentration / LIQUID_MEASURE_ML).to_integral_value(rounding="ROUND_FLOOR") * LIQUID_MEASURE_ML
    volume = min(volume, most)
    return Dose(line=line, per_dose=volume * concentration, target_daily=target_daily, volume_ml=volume)


def _options(line: Line) -> list[tuple[Decimal, tuple[Piece, ...]]]:
    """Every dose the line's strengths allow: (amount per dose, pieces), including nothing (0)."""
    strengths = sorted(set(line.strengths), reverse=True)
    step = HALF if line.split is Split.HALVES else Decimal(1)
    counts = [step * n for n in range(int(MAX_UNITS_PER_DOSE / step) + 1)]
    options = []
    for combination in itertools.product(counts, repeat=len(strengths)):
        halves = sum(1 for c in combination if c != c.to_integral_value())
        units = sum(c.to_integral_value(rounding="ROUND_CEILING") for c in combination)
        if halves > 1 or units > MAX_UNITS_PER_DOSE:
            continue
        pieces = tuple(Piece(s, c) for s, c in zip(strengths, combination, strict=True) if c)
        options.append((sum((p.strength * p.count for p in pieces), Decimal(0)), pieces))
    return options


def _preference(option: tuple[Decimal, tuple[Piece, ...]], target: Decimal, own: Decimal | None) -> tuple:
    amount, pieces = option
    halves = any(p.count != p.count.to_integral_value() for p in pieces)
    units = sum(p.count.to_integral_value(rounding="ROUND_CEILING") for p in pieces)
    other_strength = own is not None and any(p.strength != own for p in pieces)
    return (abs(amount - target), -amount, len(pieces), other_strength, units, halves)


# --------------------------------------------------------------------------- a schedule


def round_taper(steps: Sequence, lines: Sequence[Line]) -> tuple[RoundedStep, ...]:
    """The planner's steps (tapering.TaperStep: ``number``, ``on``, ``mme``) as doses of ``lines``.

    Steps planned at or above the lines' starting daily MME are already reached and left out. Raises CannotRound
    when a line cannot be rounded or there is no line to taper.
    """
    if not lines:
        raise CannotRound("There is no opioid line to round the taper to.")
    for line in lines:
        check_line(line)
    start_mme = sum((line.daily * line.factor for line in lines), Decimal(0))
    previous = {line.key: line.per_dose for line in lines}
    rounded: list[tuple[int, datetime.date, StepKind, Decimal, tuple[Dose, ...]]] = []
    for step in steps:
        if step.mme >= start_mme:
            continue
        share = step.mme / start_mme
        doses = tuple(
            round_dose(line, target_daily=line.daily * share, cap_per_dose=previous[line.key]) for line in lines
        )
        kind = _kind(doses, previous)
        previous = {dose.line.key: dose.per_dose for dose in doses}
        rounded.append((step.number, step.on, kind, step.mme, doses))
        if kind is StepKind.STOP:
            break
    ends = [on - datetime.timedelta(days=1) for _, on, *_ in rounded[1:]] + [None]
    return tuple(
        RoundedStep(number=n, starts_on=on, ends_on=end, kind=kind, target_mme=mme, doses=doses)
        for (n, on, kind, mme, doses), end in zip(rounded, ends, strict=True)
    )


def _kind(doses: Sequence[Dose], previous: dict[str, Decimal]) -> StepKind:
    if all(dose.stopped for dose in doses):
        return StepKind.STOP
    if any(dose.per_dose < previous[dose.line.key] for dose in doses):
        return StepKind.REDUCE
    return StepKind.HOLD


@dataclass(frozen=True)
class Period:
    """What the patient does from one date to another: consecutive steps with the same doses, as one."""

    starts_on: datetime.date
    ends_on: datetime.date | None
    doses: tuple[Dose, ...]
    stop: bool

    @property
    def words(self) -> str:
        return doses_words(self.doses)


def patient_periods(steps: Iterable[RoundedStep]) -> list[Period]:
    """The schedule as the patient follows it: a hold continues the dose before it, so it joins that period, and
    a medicine stopped in an earlier period is not named again."""
    periods: list[Period] = []
    stopped: set[str] = set()
    for step in steps:
        doses = tuple(dose for dose in step.doses if dose.line.key not in stopped)
        if periods and _amounts(periods[-1].doses) == _amounts(doses):
            last = periods[-1]
            periods[-1] = Period(last.starts_on, step.ends_on, last.doses, last.stop)
        else:
            periods.append(Period(step.starts_on, step.ends_on, doses, step.kind is StepKind.STOP))
        stopped |= {dose.line.key for dose in step.doses if dose.stopped}
    return periods


def _amounts(doses: Sequence[Dose]) -> tuple:
    return tuple((dose.line.key, dose.per_dose, dose.pieces, dose.volume_ml) for dose in doses)


# --------------------------------------------------------------------------- storage


def steps_to_json(steps: Sequence[RoundedStep], lines: Sequence[Line]) -> dict:
    return {
        "lines": [line.as_json() for line in lines],
        "steps": [
            {
                "number": step.number,
                "starts_on": step.starts_on.isoformat(),
                "ends_on": step.ends_on.isoformat() if step.ends_on else None,
                "kind": str(step.kind),
                "target_mme": _plain(step.target_mme),
                "doses": [dose.as_json() for dose in step.doses],
            }
            for step in steps
        ],
    }


def steps_from_json(data: dict) -> tuple[RoundedStep, ...]:
    lines = {row["key"]: Line.from_json(row) for row in data.get("lines", [])}
    return tuple(
        RoundedStep(
            number=int(row["number"]),
            starts_on=datetime.date.fromisoformat(row["starts_on"]),
            ends_on=datetime.date.fromisoformat(row["ends_on"]) if row.get("ends_on") else None,
            kind=StepKind(row["kind"]),
            target_mme=Decimal(row["target_mme"]),
            doses=tuple(Dose.from_json(dose, lines) for dose in row["doses"]),
        )
        for row in data.get("steps", [])
    )


# --------------------------------------------------------------------------- words


def count_words(count: Decimal, form: str) -> str:
    """ "half a tablet", "1 tablet", "1 and a half tablets", "2 tablets", "1 patch", "2 patches"."""
    whole = int(count)
    if count != whole:  # only a plain tablet is ever halved (rule 2)
        if whole == 0:
            return gettext("half a tablet")
        return ngettext("%(count)s and a half tablets", "%(count)s and a half tablets", whole) % {"count": whole}
    return WHOLE_WORDS[form](whole) % {"count": whole}


# Routes a patient could get wrong from "take a tablet" alone get words; by mouth is what "take" already says, a
# patch says "wear", and a route not recorded says nothing. APP WORDING (REFERENCE.md has none), for clinical
# sign-off. Keys are medications.rules.routes values.
_SAID_BY_THE_VERB = {"", "oral", "transdermal", "not_recorded"}


def route_words(route: str) -> str:
    """How the dose is taken, when "take" does not say it: "under your tongue or inside your cheek"."""
    if route in _SAID_BY_THE_VERB:
        return ""
    if route == "sublingual_buccal":
        return gettext("under your tongue or inside your cheek")
    if route == "rectal":
        return gettext("rectally (in your bottom)")
    return gettext("the way your prescriber showed you")


def doses_words(doses: Iterable[Dose]) -> str:
    """Each medicine's instruction, joined: "take ...; and stop taking ..."."""
    return _joined([dose.words for dose in doses], gettext("%(first)s; and %(then)s"))


def _joined(parts: Sequence[str], pattern: str) -> str:
    if not parts:
        return ""
    words = parts[0]
    for then in parts[1:]:
        words = pattern % {"first": words, "then": then}
    return words


def _how_often(times: Decimal) -> str:
    plain = _plain(times)
    if plain == "1":
        return gettext("once a day")
    if plain == "2":
        return gettext("twice a day")
    return gettext("%(times)s times a day") % {"times": plain}


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
