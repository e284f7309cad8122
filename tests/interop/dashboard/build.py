"""Hand-built clinic data for the dashboard's figures: rows written directly, so each test states exactly which
patients, scores and dates a figure must count (the dashboard only reads)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from careplans.models import CarePlan, Tier
from measures.models import MeasureSummary, Response
from measures.services import latest_instrument
from medications.models import (
    AgreementPolicy,
    DrugScreen,
    Medication,
    MonitoringPlan,
    NaloxoneRecord,
    PdmpCheck,
    TaperPlan,
    TreatmentAgreement,
)
from tests.factories import PatientFactory, StaffFactory


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def moment(days_before_now: float) -> datetime.datetime:
    """This time of day, that many of the clinic's days ago: wall-clock arithmetic in the clinic's zone, so the moment
    falls on ``days_ago(n)`` even when a daylight-saving change lies between (24-hour days would land an hour off,
    on the day before, late in the evening)."""
    return timezone.localtime() - datetime.timedelta(days=days_before_now)


def scores(patient, code: str, *points: tuple[float, object]) -> None:
    """Scored responses at (days before now, total); the first is the baseline (as MeasureSummary keeps it)."""
    instrument = latest_instrument(code)
    made = [
        Response.objects.create(
            patient=patient,
            instrument=instrument,
            started_at=moment(days),
            completed_at=moment(days),
            total=Decimal(str(total)),
            valid=True,
        )
        for days, total in points
    ]
    first, last = made[0], made[-1]
    MeasureSummary.objects.create(
        patient=patient,
        instrument_code=code,
        baseline_total=first.total,
        baseline_at=first.completed_at,
        latest_total=last.total,
        latest_at=last.completed_at,
        responses_count=len(made),
    )


def plan(patient, *, lead, tier_number: int = 1) -> CarePlan:
    tier = Tier.objects.get_or_create(number=tier_number, defaults={"name": f"Step {tier_number}", "description": "-"})[
        0
    ]
    return CarePlan.objects.create(patient=patient, lead=lead, tier=tier)


def opioid(patient, code: str = "oxycodone", strength="5", *, units="1", doses="4", prn_max=None, stopped=False):
    return Medication.objects.create(
        patient=patient,
        drug_code=code,
        drug_class="opioid",
        strength=Decimal(strength),
        units_per_dose=Decimal(units),
        doses_per_day=None if doses is None else Decimal(doses),
        is_prn=prn_max is not None,
        prn_max_doses_per_day=None if prn_max is None else Decimal(prn_max),
        stopped_on=days_ago(1) if stopped else None,
    )


def prescriber():
    return StaffFactory(username="dr.records", role="clinician", discipline="physician", password="!")


def naloxone(patient, status=NaloxoneRecord.Status.PRESCRIBED):
    return NaloxoneRecord.objects.create(patient=patient, status=status, by=prescriber())


def policy(*, drug_screen_days=365, pdmp_days=90) -> AgreementPolicy:
    return AgreementPolicy.objects.create(
        version=(AgreementPolicy.objects.count() + 100),
        drug_screen_every_days=drug_screen_days,
        pdmp_every_days=pdmp_days,
    )


def agreement(patient, *, review_in_days: int):
    return TreatmentAgreement.objects.create(
        patient=patient,
        policy=AgreementPolicy.objects.first() or policy(),
        signed_on=days_ago(300),
        review_on=timezone.localdate() + datetime.timedelta(days=review_in_days),
        recorded_by=prescriber(),
    )


def drug_screen(patient, *, days: int):
    return DrugScreen.objects.create(patient=patient, collected_on=days_ago(days), recorded_by=prescriber())


def pdmp(patient, *, days: int):
    return PdmpCheck.objects.create(patient=patient, checked_on=days_ago(days), recorded_by=prescriber())


def closer_plan(patient, *, drug_screen_days=None, pdmp_days=None):
    return MonitoringPlan.objects.create(
        patient=patient,
        drug_screen_every_days=drug_screen_days,
        pdmp_every_days=pdmp_days,
        reason="Early refills",
        decided_by=prescriber(),
    )


def taper(patient, status=TaperPlan.Status.ACTIVE):
    return TaperPlan.objects.create(
        patient=patient, starting_mme=Decimal(60), starts_on=days_ago(10), status=status, created_by=prescriber()
    )


def patients(n: int, **fields) -> list:
    return [PatientFactory(**fields) for _ in range(n)]


def stored(total) -> Decimal:
    """A total as the database keeps it (4 decimal places), which is what both the chart and the dashboard read."""
    return Decimal(str(total)).quantize(Decimal("0.0001"))
