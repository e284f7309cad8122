"""A saved taper as the planner's schedule, and what in a taper or a recorded dose needs a reason (faster than
the guideline's rate, below the plan, a stop from above the policy's MME). The planner and its checks are pure
(medications/rules/tapering.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from medications.models import AgreementPolicy, Medication, TaperActual, TaperPlan
from medications.rules import tapering
from medications.selectors.monitoring import policy_or_defaults


def taper_schedule(taper: TaperPlan) -> tapering.TaperSchedule:
    """The stored plan as the planner's schedule (no queries)."""
    return tapering.TaperSchedule(
        original_mme=Decimal(taper.starting_mme),
        starts_on=taper.starts_on,
        rate_percent=Decimal(taper.rate_percent),
        period=tapering.Period(taper.period),
        target_mme=Decimal(taper.target_mme),
        steps=tuple(tapering.TaperStep.from_json(row) for row in taper.schedule),
    )


@dataclass(frozen=True)
class OpioidUse:
    """How long the patient has been on opioids, from the medication history (tapering.opioid_use_began)."""

    began: datetime.date | None  # None: not known (a line with no start date)
    long_term: bool


def opioid_use(patient, today: datetime.date) -> OpioidUse:
    """One query: every opioid line's dates, current and past."""
    lines = Medication.objects.filter(patient=patient).opioids().values_list("started_on", "stopped_on")
    began = tapering.opioid_use_began(lines, today)
    return OpioidUse(began=began, long_term=tapering.is_long_term(began, today))


@dataclass(frozen=True)
class TaperConcerns:
    rapid: bool  # faster than the guideline's rate, or in one step
    stops_from: Decimal | None  # a stop from above the policy's MME: the MME it stops from
    threshold: Decimal
    # A weekly taper for long-term use: rapid because of how long the patient has been on opioids.
    weekly_for_long_term: bool = False

    @property
    def need_reason(self) -> bool:
        return self.rapid or self.stops_from is not None


def taper_concerns(
    schedule: tapering.TaperSchedule, *, single_step: bool, policy: AgreementPolicy, use: OpioidUse
) -> TaperConcerns:
    threshold = Decimal(policy.taper_reason_above_mme)
    weekly_for_long_term = use.long_term and schedule.period is tapering.Period.WEEK
    return TaperConcerns(
        rapid=single_step or tapering.is_rapid(schedule.rate_percent, schedule.period, long_term=use.long_term),
        stops_from=tapering.stops_from_above(schedule.points(), threshold, start=schedule.original_mme),
        threshold=threshold,
        weekly_for_long_term=weekly_for_long_term,
    )


def actual_concerns(taper: TaperPlan, *, on: datetime.date, mme: Decimal) -> dict:
    """Whether an actual dose is below the plan on its date, and whether it stops from above the policy's MME
    (from the latest earlier actual, or the starting dose). One query."""
    schedule = taper_schedule(taper)
    previous = (
        TaperActual.objects.filter(taper=taper, on__lte=on).order_by("-on", "-id").values_list("mme", flat=True).first()
    )
    start = previous if previous is not None else schedule.original_mme
    threshold = Decimal(policy_or_defaults().taper_reason_above_mme)
    return {
        "faster": tapering.faster_than_plan(schedule, on, mme),
        "stops_from": start if Decimal(mme) == 0 and start > threshold else None,
        "threshold": threshold,
    }
