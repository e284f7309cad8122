"""start_default_schedule and update_schedule (measures/scheduling.py)."""

import datetime

from measures.models import MeasurementSchedule
from measures.scheduling import DEFAULT_PROTOCOL, start_default_schedule, update_schedule

START = datetime.date(2026, 3, 2)


def test_the_default_protocol_asks_everything_at_intake_then_at_its_own_cadence(patient, physician):
    schedules = start_default_schedule(patient=patient, start_on=START, by=physician)

    assert [(s.instrument_code, s.every_days, s.next_due_on) for s in schedules] == [
        ("peg", 14, START),
        ("phq9", 28, START),
        ("gad7", 28, START),
        ("pcptsd5", 182, START),
        ("auditc", 182, START),
    ]
    assert all(s.active and s.updated_by == physician for s in schedules)


def test_starting_the_protocol_twice_changes_nothing_and_keeps_a_clinicians_edits(patient, physician):
    start_default_schedule(patient=patient, start_on=START)
    peg = MeasurementSchedule.objects.get(patient=patient, instrument_code="peg")
    update_schedule(schedule=peg, every_days=7, next_due_on=START, active=True, by=physician)

    again = start_default_schedule(patient=patient, start_on=START + datetime.timedelta(days=30))

    assert len(again) == len(DEFAULT_PROTOCOL) == MeasurementSchedule.objects.filter(patient=patient).count()
    assert MeasurementSchedule.objects.get(pk=peg.pk).every_days == 7
    assert {s.next_due_on for s in again} == {START}


def test_the_protocol_is_per_patient(patient, other_patient):
    start_default_schedule(patient=patient, start_on=START)
    assert not MeasurementSchedule.objects.filter(patient=other_patient).exists()


def test_update_schedule_records_who_changed_it(patient, psychologist):
    start_default_schedule(patient=patient, start_on=START)
    phq9 = MeasurementSchedule.objects.get(patient=patient, instrument_code="phq9")

    update_schedule(schedule=phq9, every_days=42, next_due_on=START, active=False, by=psychologist)

    stored = MeasurementSchedule.objects.get(pk=phq9.pk)
    assert (stored.every_days, stored.active, stored.updated_by) == (42, False, psychologist)
