"""The per-patient, per-instrument summary the caseload reads (measures.models.MeasureSummary): kept in step
when a response is submitted, and filled from existing responses by the data migration and the demo seed."""

import importlib
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from measures.models import MeasureSummary, Response
from measures.services import rebuild_summaries
from tests.measures.responses import gad7, peg, phq9

fill_migration = importlib.import_module("measures.migrations.0003_measure_summary")


def summary(patient, code):
    return MeasureSummary.objects.get(patient=patient, instrument_code=code)


def as_of_summary(row):
    return (row.baseline_total, row.latest_total, row.responses_count, row.not_improving)


def test_a_submission_keeps_the_baseline_and_updates_the_latest(patient):
    peg(patient, 8, days_ago=70)
    first = summary(patient, "peg")
    assert (first.baseline_total, first.latest_total, first.responses_count) == (8, 8, 1)
    assert first.not_improving is False  # nothing is judged before 8 weeks
    peg(patient, 6)  # 25% better after 10 weeks: not a responder
    second = summary(patient, "peg")
    assert (second.baseline_total, second.latest_total, second.responses_count) == (8, 6, 2)
    assert second.baseline_at == Response.objects.filter(patient=patient).earliest("completed_at").completed_at
    assert second.latest_at > timezone.now() - timedelta(minutes=1)
    assert second.not_improving is True
    peg(patient, 4)  # 50% better: a responder
    third = summary(patient, "peg")
    assert (third.baseline_total, third.latest_total, third.responses_count) == (8, 4, 3)
    assert third.not_improving is False


def test_each_instrument_has_its_own_summary_judged_by_its_own_rule(patient):
    phq9(patient, 2, days_ago=70)  # 16
    phq9(patient, 2)  # unchanged, above the lowest band: not improving
    gad7(patient, 2, days_ago=20)
    gad7(patient, 2)  # the same, but only 3 weeks apart: not judged yet
    assert summary(patient, "phq9").not_improving is True
    assert summary(patient, "gad7").not_improving is False
    assert set(MeasureSummary.objects.filter(patient=patient).values_list("instrument_code", flat=True)) == {
        "phq9",
        "gad7",
    }


def test_a_response_not_yet_submitted_is_not_summarised(patient):
    from measures.services import latest_instrument, save_answer, start_response

    response = start_response(patient=patient, instrument=latest_instrument("peg"))
    save_answer(response=response, item_code="peg_1", value=5)
    assert not MeasureSummary.objects.filter(patient=patient).exists()


def test_the_data_migration_fills_the_summaries_from_existing_responses(patient, other_patient):
    peg(patient, 8, days_ago=70)
    peg(patient, 5, days_ago=30)
    peg(patient, 7, days_ago=1)  # the latest by date: 12.5% better, not a responder
    phq9(other_patient, 1, days_ago=90)
    phq9(other_patient, 0, days_ago=2)
    MeasureSummary.objects.all().delete()

    fill_migration.fill_summaries(None, connection.schema_editor())

    peg_row, phq9_row = summary(patient, "peg"), summary(other_patient, "phq9")
    assert as_of_summary(peg_row) == (Decimal(8), Decimal(7), 3, True)
    assert peg_row.latest_at.date() == (timezone.now() - timedelta(days=1)).date()
    assert as_of_summary(phq9_row) == (Decimal(8), Decimal(0), 2, False)
    assert MeasureSummary.objects.count() == 2


def test_a_rebuild_for_some_patients_leaves_the_others_alone(patient, other_patient):
    peg(patient, 8, days_ago=70)
    peg(patient, 8)
    peg(other_patient, 8)
    MeasureSummary.objects.filter(patient=other_patient).update(responses_count=99)
    MeasureSummary.objects.filter(patient=patient).delete()
    assert rebuild_summaries(patient_ids=[patient.pk]) == 1
    assert summary(patient, "peg").not_improving is True
    assert summary(other_patient, "peg").responses_count == 99


def test_the_demo_seed_fills_the_summaries_of_its_histories(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", patients=12, responses_per_patient=10, batch_size=5, stdout=StringIO())
    seeded = rebuilt_from_scratch()
    assert seeded  # every seeded patient with scored responses has its summaries, and they are right
    MeasureSummary.objects.all().delete()
    rebuild_summaries()
    assert rebuilt_from_scratch() == seeded


def rebuilt_from_scratch():
    return sorted(
        MeasureSummary.objects.values_list(
            "patient_id", "instrument_code", "baseline_total", "latest_total", "responses_count", "not_improving"
        )
    )
