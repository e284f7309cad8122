"""Opioid-safety rules (pure: no ORM, no settings): which flags apply and what the guideline says about each,
whether an acknowledgement still holds, opioid trials without documented benefit, monitoring due dates and
when repeated events suggest closer monitoring.

Facts and quotations: ../shared/clinical/REFERENCE.md section 2 (CDC 2022 Clinical Practice Guideline for
Prescribing Opioids for Pain). Quotations are verbatim from REFERENCE.md; where the app must choose (the number
of events that counts as "repeated", how an acknowledgement ends), the rule is marked APP RULE for clinical
sign-off.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from medications.rules import drugs
from medications.rules.mme import (
    BUPRENORPHINE_EXCLUDED,
    FENTANYL_CAUTION,
    HIGH_DOSE,
    METHADONE_CAUTION,
    NALOXONE,
)
from medications.rules.tapering import add_periods

__all__ = [
    "FLAGS",
    "OPIOID_BENZODIAZEPINE",
    "REPEATED_EVENTS",
    "SAFETY_FLAG_ORDER",
    "Acknowledgement",
    "Due",
    "FlagText",
    "TrialState",
    "flags_for",
    "increased_risk_reasons",
    "mme_line",
    "monitoring_due",
    "suggests_closer_monitoring",
    "taper_follow_up_due",
    "trial_review_window",
    "trial_state",
    "unacknowledged",
]

#: An opioid and a benzodiazepine on the current list at the same time (REFERENCE.md 2.4).
OPIOID_BENZODIAZEPINE = "opioid_benzodiazepine"

CDC_2022 = (
    "CDC Clinical Practice Guideline for Prescribing Opioids for Pain, 2022 (Dowell D et al., MMWR Recomm Rep "
    "2022;71(No. RR-3):1-95)"
)


@dataclass(frozen=True)
class FlagText:
    code: str
    title: str
    #: The guideline's words, verbatim from REFERENCE.md.
    quotes: tuple[str, ...]
    source: str
    #: Informational flags are shown but are never a limit.
    informational: bool = False
    #: The flag asks for naloxone to be offered.
    offer_naloxone: bool = False


FLAGS: Mapping[str, FlagText] = {
    NALOXONE: FlagText(
        code=NALOXONE,
        title="50 MME/day or more: pause and reassess before increasing; offer naloxone",
        quotes=(
            "before increasing total opioid dosage to ≥50 MME/day, clinicians should pause and carefully reassess "
            "evidence of individual benefits and risks",
            "If a patient's opioid dosage for all sources of opioids reaches or exceeds 50 MME/day, clinicians "
            "should implement additional precautions, including increased frequency of follow-up, and offer "
            "naloxone and overdose prevention education to both the patient and the patient's household members.",
        ),
        source=f"{CDC_2022}, implementation considerations, p.14",
        offer_naloxone=True,
    ),
    OPIOID_BENZODIAZEPINE: FlagText(
        code=OPIOID_BENZODIAZEPINE,
        title="Opioid with a benzodiazepine: particular caution; offer naloxone",
        quotes=(
            "Clinicians should use particular caution when prescribing opioid pain medication and benzodiazepines "
            "concurrently…",
            "Clinicians should work with patients to incorporate into the management plan strategies to mitigate "
            "risk, including offering naloxone.",
        ),
        source=f"{CDC_2022}, Recommendation 11 (p.25) and Recommendation 8",
        offer_naloxone=True,
    ),
    HIGH_DOSE: FlagText(
        code=HIGH_DOSE,
        title="Informational: 90 MME/day or more (not a limit)",
        quotes=(
            "should avoid increasing dosage to 90 MME or more per day or carefully justify a decision to titrate "
            "dosage to 90 MME or more per day",
            "should avoid increasing dosage above levels likely to yield diminishing returns in benefits relative "
            "to risks to patients.",
        ),
        source=(
            "CDC guideline 2016, Recommendation 5 (the first quotation; CDC 2022 replaced fixed thresholds) and "
            f"{CDC_2022}, Recommendation 4 (the second)"
        ),
        informational=True,
    ),
    METHADONE_CAUTION: FlagText(
        code=METHADONE_CAUTION,
        title="Methadone: particular caution",
        quotes=(
            "Use particular caution with methadone dose conversions: methadone has a long and variable half-life, "
            "and peak respiratory depressant effect occurs later and lasts longer than peak analgesic effect.",
        ),
        source=f"{CDC_2022}, MME conversion table, caution 4",
    ),
    FENTANYL_CAUTION: FlagText(
        code=FENTANYL_CAUTION,
        title="Transdermal fentanyl: particular caution",
        quotes=(
            "Use particular caution with transdermal fentanyl: it is dosed in mcg/hr instead of mg/day, and its "
            "absorption is affected by heat and other factors.",
        ),
        source=f"{CDC_2022}, MME conversion table, caution 5",
    ),
    BUPRENORPHINE_EXCLUDED: FlagText(
        code=BUPRENORPHINE_EXCLUDED,
        title="Buprenorphine: MME not applicable (partial agonist)",
        quotes=(
            "Buprenorphine products approved for the treatment of pain are not included in the table, because of "
            "their partial µ-receptor agonist activity and resultant ceiling effects compared with full µ-receptor "
            "agonists.",
        ),
        source=f"{CDC_2022}, MME conversion table, caution 6",
        informational=True,
    ),
}

#: The safety flags a prescriber acknowledges, most pressing first. (Buprenorphine's note goes with its line.)
SAFETY_FLAG_ORDER: tuple[str, ...] = (
    NALOXONE,
    OPIOID_BENZODIAZEPINE,
    HIGH_DOSE,
    METHADONE_CAUTION,
    FENTANYL_CAUTION,
)


# --------------------------------------------------------------------------- lines and flags


def mme_line(line: Mapping[str, Any]) -> dict | None:
    """A medication line (drug_code, drug_class, strength, units_per_dose, doses_per_day, is_prn,
    prn_max_doses_per_day) as a regimen_mme line, or None for a line that is not an opioid.

    An opioid whose code is not on the maintained list keeps its own code, so regimen_mme raises
    UnknownDrugError for it: an unknown drug is an error shown plainly, never a guess. A PRN line counts its
    maximum doses a day (REFERENCE.md 2.1, app policy) and is marked ``prn``.
    """
    code = line["drug_code"]
    try:
        drug = drugs.by_code(code)
    except KeyError:
        if line.get("drug_class") != drugs.DrugClass.OPIOID:
            return None
        mme_code = code
    else:
        if drug.drug_class is not drugs.DrugClass.OPIOID:
            return None
        mme_code = drug.mme_code
    prn = bool(line.get("is_prn"))
    return {
        "drug": mme_code,
        "strength": _number(line.get("strength")),
        "units_per_dose": _number(line.get("units_per_dose")),
        "doses_per_day": _number(line.get("prn_max_doses_per_day") if prn else line.get("doses_per_day")),
        "prn": prn,
    }


def _number(value):
    return Decimal(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else value


def flags_for(*, mme_flags: Iterable[str], has_opioid: bool, has_benzodiazepine: bool) -> list[str]:
    """The safety flags that apply, in SAFETY_FLAG_ORDER: the MME flags (regimen_mme's, with the clinic's
    high-dose level) plus an opioid with a benzodiazepine. Buprenorphine's exclusion is a note on its line."""
    found = set(mme_flags)
    if has_opioid and has_benzodiazepine:
        found.add(OPIOID_BENZODIAZEPINE)
    return [code for code in SAFETY_FLAG_ORDER if code in found]


# --------------------------------------------------------------------------- acknowledgements


@dataclass(frozen=True)
class Acknowledgement:
    flag: str
    review_on: datetime.date
    mme_at_the_time: Decimal | None = None


def acknowledgement_holds(ack: Acknowledgement, *, today: datetime.date, total_mme: Decimal) -> bool:
    """An acknowledgement holds until its review date (inclusive); the flag reappears the day after.

    APP RULE: it also ends when the total MME/day rises above the MME it was acknowledged at (a higher dose is a
    new decision: "pause and carefully reassess" before increasing).
    """
    if today > ack.review_on:
        return False
    return ack.mme_at_the_time is None or total_mme <= ack.mme_at_the_time


def unacknowledged(
    flags: Sequence[str], acks: Iterable[Acknowledgement], *, today: datetime.date, total_mme: Decimal
) -> list[str]:
    """The flags with no acknowledgement that still holds, in the order given."""
    held = {ack.flag for ack in acks if acknowledgement_holds(ack, today=today, total_mme=total_mme)}
    return [flag for flag in flags if flag not in held]


# --------------------------------------------------------------------------- opioid trials

#: "Evaluate within 1-4 weeks of starting or escalating." (REFERENCE.md 2.2)
TRIAL_REVIEW_MIN_DAYS = 7
TRIAL_REVIEW_MAX_DAYS = 28


def trial_review_window(started_on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last allowed review dates: 1 to 4 weeks after the start."""
    return (
        started_on + datetime.timedelta(days=TRIAL_REVIEW_MIN_DAYS),
        started_on + datetime.timedelta(days=TRIAL_REVIEW_MAX_DAYS),
    )


class TrialState:
    REVIEW_DUE = "review_due"  # not reviewed, review date not passed
    REVIEW_OVERDUE = "review_overdue"  # not reviewed, review date passed, opioid still taken
    WITHOUT_BENEFIT = "without_benefit"  # continued (or adjusted) with no documented functional benefit
    BENEFIT = "benefit"  # continued with documented functional benefit
    ENDED = "ended"  # tapered or stopped, or the opioid is no longer on the list


CONTINUING = frozenset({"continue", "adjust"})


def trial_state(
    *,
    review_on: datetime.date,
    reviewed: bool,
    decision: str,
    benefit_documented: bool | None,
    opioid_current: bool,
    today: datetime.date,
) -> str:
    """Where a trial stands. "Continuing without a documented functional benefit" (flagged on the chart) is a
    decision to continue or adjust with no benefit documented (TrialState.WITHOUT_BENEFIT), or an opioid still
    taken after the review date with no review at all (TrialState.REVIEW_OVERDUE)."""
    if not opioid_current:
        return TrialState.ENDED
    if not reviewed:
        return TrialState.REVIEW_OVERDUE if today > review_on else TrialState.REVIEW_DUE
    if decision in CONTINUING:
        return TrialState.BENEFIT if benefit_documented is True else TrialState.WITHOUT_BENEFIT
    return TrialState.ENDED


def continuing_without_benefit(state: str) -> bool:
    return state in (TrialState.WITHOUT_BENEFIT, TrialState.REVIEW_OVERDUE)


# --------------------------------------------------------------------------- monitoring


class DueKind:
    DRUG_SCREEN = "drug_screen"
    PDMP = "pdmp"
    AGREEMENT = "agreement"


DUE_TITLES = {
    DueKind.DRUG_SCREEN: "Urine drug screen",
    DueKind.PDMP: "PDMP check",
    DueKind.AGREEMENT: "Treatment agreement review",
}


@dataclass(frozen=True)
class Due:
    kind: str
    due_on: datetime.date
    every_days: int | None  # None for the agreement (its own review date)
    basis: str  # why this date, in words
    last_done: datetime.date | None = None

    @property
    def title(self) -> str:
        return DUE_TITLES[self.kind]

    def is_due(self, today: datetime.date) -> bool:
        return self.due_on <= today

    def is_overdue(self, today: datetime.date) -> bool:
        return self.due_on < today


def monitoring_due(
    *,
    opioid_since: datetime.date,
    last_drug_screen: datetime.date | None,
    last_pdmp: datetime.date | None,
    agreement_review_on: datetime.date | None,
    policy_drug_screen_days: int,
    policy_pdmp_days: int,
    plan_drug_screen_days: int | None = None,
    plan_pdmp_days: int | None = None,
) -> list[Due]:
    """When the next drug screen, PDMP check and agreement review are due, for a patient on an opioid.

    The interval is the clinic policy's, or the prescriber's closer monitoring plan when that is shorter
    (a plan never loosens the policy). Never done: due when the opioid started ("Toxicology testing: consider
    before starting and at least annually"; "PDMP: ... at minimum before the initial prescription and every 3
    months", REFERENCE.md 2.2; the defaults of the clinic's sample policy follow these). No agreement: due when
    the opioid started; else its review date.
    """
    result = []
    for kind, last, policy_days, plan_days in (
        (DueKind.DRUG_SCREEN, last_drug_screen, policy_drug_screen_days, plan_drug_screen_days),
        (DueKind.PDMP, last_pdmp, policy_pdmp_days, plan_pdmp_days),
    ):
        every = min(policy_days, plan_days) if plan_days else policy_days
        basis = "closer monitoring plan" if plan_days and plan_days < policy_days else "clinic policy"
        if last is None:
            result.append(Due(kind, opioid_since, every, "not done since the opioid started"))
        else:
            result.append(
                Due(kind, last + datetime.timedelta(days=every), every, f"every {every} days ({basis})", last)
            )
    if agreement_review_on is None:
        result.append(Due(DueKind.AGREEMENT, opioid_since, None, "no treatment agreement recorded"))
    else:
        result.append(Due(DueKind.AGREEMENT, agreement_review_on, None, "the agreement's review date"))
    return result


def increased_risk_reasons(*, flags: Iterable[str], events_since_plan: int) -> list[str]:
    """Why a patient on an opioid is at increased risk, in words (REFERENCE.md 2.2's list where the app knows
    it: 50 MME/day or more, concurrent benzodiazepines; plus repeated events). Risk raises the priority of the
    monitoring tasks and suggests a closer plan; the intervals stay the policy's or the prescriber's."""
    found = set(flags)
    reasons = []
    if NALOXONE in found:
        reasons.append("50 MME/day or more")
    if OPIOID_BENZODIAZEPINE in found:
        reasons.append("an opioid with a benzodiazepine")
    if suggests_closer_monitoring(events_since_plan):
        reasons.append("repeated medication events")
    return reasons


#: APP RULE: "repeated" is read literally: two or more events (early refill requests, lost or stolen
#: medication, taking more than prescribed) since the monitoring plan was last decided (or ever, with no plan).
REPEATED_EVENTS = 2


def suggests_closer_monitoring(events_since_plan: int) -> bool:
    return events_since_plan >= REPEATED_EVENTS


# --------------------------------------------------------------------------- taper follow-up


def taper_follow_up_due(*, starts_on: datetime.date, last_follow_up: datetime.date | None) -> datetime.date:
    """ "Follow-up: at least monthly during tapering" (REFERENCE.md 2.3): one month after the last recorded
    follow-up (an actual dose recorded), or one month after the taper began."""
    return add_periods(max(starts_on, last_follow_up) if last_follow_up else starts_on, 1, "month")
