"""A saved taper as the planner's schedule, and what in a taper or a recorded dose needs a reason (faster than
the guideline's rate, below the plan, a stop from above the policy's MME). The planner and its checks are pure
(medications/rules/tapering.py).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from medications.models import AgreementPolicy, Medication, TaperActual, TaperPlan
from medications.rules import drugs, mme, taper_doses, tapering
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


# --------------------------------------------------------------------------- doses a person can take


def taper_lines(patient) -> list[taper_doses.Line]:
    """The patient's current opioid lines as taper_doses lines (one query). Buprenorphine is not converted to MME
    (REFERENCE.md 2.1) and is not part of an MME taper, so it is left out."""
    current = Medication.objects.filter(patient=patient).current().opioids().exclude(drug_code=mme.BUPRENORPHINE)
    return [_taper_line(medication) for medication in current.order_by("drug_code", "id")]


def _taper_line(medication: Medication) -> taper_doses.Line:
    times = medication.prn_max_doses_per_day if medication.is_prn else medication.doses_per_day
    patch = medication.form == Medication.Form.PATCH
    times_a_day = Decimal(1) if patch else Decimal(times or 0)
    strength = Decimal(medication.strength)
    drug = medication.drug
    name = drug.name.split(" (")[0] if drug else medication.drug_code
    formulary = {Decimal(s) for s in drugs.formulary_strengths(medication.drug_code, medication.form)}
    is_liquid = medication.form == Medication.Form.LIQUID
    return taper_doses.Line(
        key=str(medication.public_id),
        drug_code=medication.drug_code,
        name=name,
        form=medication.form,
        strengths=(strength,) if is_liquid else tuple(sorted({strength} | formulary)),
        unit="mg/mL" if is_liquid else medication.strength_unit,
        times_a_day=times_a_day,
        factor=mme.CDC_2022_FACTORS.get(medication.drug_code, Decimal(0)),
        daily=strength * Decimal(medication.units_per_dose) * times_a_day,
        as_needed=medication.is_prn,
        own_strength=strength,
        route=medication.route,
    )


def rounded_doses(taper: TaperPlan) -> dict:
    """The taper's steps rounded to the patient's current opioid lines (taper_doses.steps_to_json), or
    {"problem": why} when the app cannot work them out. One query."""
    lines = taper_lines(taper.patient)
    try:
        steps = taper_doses.round_taper(taper_schedule(taper).steps, lines)
    except taper_doses.CannotRound as problem:
        return {"problem": str(problem)}
    if not steps:
        return {"problem": "The medication list is already at or below every step of this taper."}
    return taper_doses.steps_to_json(steps, lines)


def stored_doses(taper: TaperPlan) -> tuple[taper_doses.RoundedStep, ...]:
    """The stored rounded steps (no queries); () when none were worked out."""
    return taper_doses.steps_from_json(taper.doses) if taper.doses.get("steps") else ()


def patient_copy(taper: TaperPlan | None) -> dict:
    """What the patient's print and portal page show (no queries): the confirmed schedule as periods of the same
    dose, or only that it is being prepared (unconfirmed) or on pause; never a dose no prescriber confirmed."""
    if taper is None:
        return {"taper": None, "ready": False, "paused": False, "periods": []}
    ready = taper.doses_for_patient and bool(taper.doses.get("steps"))
    periods = taper_doses.patient_periods(stored_doses(taper)) if ready else []
    return {
        "taper": taper,
        "ready": ready,
        "paused": taper.status == TaperPlan.Status.PAUSED,
        "periods": periods,
    }


def confirmed_taper_of(patient) -> TaperPlan | None:
    """The patient's active taper with a confirmed schedule, if any (one query; the portal's plan page)."""
    return (
        TaperPlan.objects.filter(patient=patient, status=TaperPlan.Status.ACTIVE, doses_confirmed_at__isnull=False)
        .order_by("-created_at")
        .first()
    )


def taper_in_progress_of(patient) -> TaperPlan | None:
    """The patient's active or paused taper, if any (one query)."""
    in_progress = (TaperPlan.Status.ACTIVE, TaperPlan.Status.PAUSED)
    return TaperPlan.objects.filter(patient=patient, status__in=in_progress).order_by("-created_at").first()
