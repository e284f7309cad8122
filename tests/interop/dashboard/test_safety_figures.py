"""Opioid-safety figures counted from hand-built patients: every numerator and denominator exact, the MME as
the medication list counts it (medications.rules.mme), intervals from the policy or a closer plan."""

from decimal import Decimal

import pytest

from interop.dashboard_safety import MEASURES, patients_in, safety_figures
from medications.models import Medication, NaloxoneRecord, TaperPlan
from medications.rules.mme import counted_mme
from medications.rules.safety import mme_line
from tests.interop.dashboard import build

pytestmark = pytest.mark.django_db


def figure(figures, measure):
    return next(f for f in figures.figures if f.measure == measure)


def test_it_counts_patients_on_an_opioid_once_whatever_their_number_of_lines():
    two_lines, one_line, stopped_only = build.patients(3)
    build.opioid(two_lines)
    build.opioid(two_lines, "morphine", "10", doses="2")
    build.opioid(one_line)
    build.opioid(stopped_only, stopped=True)
    build.patients(1)  # no medication at all

    assert safety_figures().on_opioids == 2


def test_it_counts_50_mme_or_more_inclusive_and_links_to_those_patients():
    at_50, at_49, at_90 = build.patients(3)
    build.opioid(at_50, "oxycodone", "5", units="2", doses="3.33")  # 49.95: below 50
    build.opioid(at_49, "morphine", "49", doses="1")
    build.opioid(at_90, "morphine", "30", doses="3")
    exactly = build.patients(1)[0]
    build.opioid(exactly, "morphine", "25", doses="2")  # 50.0: reaches 50

    figures = safety_figures()

    high = figure(figures, "mme-50")
    assert (high.count, high.of) == (2, 4)
    assert set(patients_in("mme-50")) == {at_90, exactly}


def test_it_agrees_with_the_medication_lists_own_mme_arithmetic():
    """Each line's MME in SQL equals counted_mme over the same lines (patch, PRN, buprenorphine, unknown)."""
    cases = [
        [("fentanyl_transdermal", "25", "1", "3", None)],  # 25 mcg/hr x 1 x 2.4 = 60 (doses ignored)
        [("hydromorphone", "2", "2", None, "4")],  # PRN: 2 x 2 x 4 x 5 = 80
        [("buprenorphine", "8", "1", "2", None), ("tramadol", "50", "1", "4", None)],  # 0 + 40
        [("methadone", "10", "1", "1", None), ("codeine", "30", "2", "4", None)],  # 47 + 36 = 83
        [("oxycodone", "5", "1", None, None), ("morphine", "60", "1", "1", None)],  # not counted + 60
        [("tapentadol", "50", "1", "2", None)],  # 40
    ]
    people = build.patients(len(cases))
    for person, lines in zip(people, cases, strict=True):
        for code, strength, units, doses, prn_max in lines:
            build.opioid(person, code, strength, units=units, doses=doses, prn_max=prn_max)

    expected = set()
    for person in people:
        values = Medication.objects.filter(patient=person).values()
        total = counted_mme([mme_line(v) for v in values]).total
        if total is not None and total >= Decimal(50):
            expected.add(person)

    assert set(patients_in("mme-50")) == expected
    assert len(expected) == 4  # the fentanyl, PRN hydromorphone, methadone + codeine and morphine 60 patients


def test_it_counts_naloxone_of_those_on_50_mme_or_more_only_when_prescribed():
    prescribed, offered, declined, none, low_with_naloxone = build.patients(5)
    for person in (prescribed, offered, declined, none):
        build.opioid(person, "morphine", "60", doses="1")
    build.opioid(low_with_naloxone, "morphine", "10", doses="1")
    build.naloxone(prescribed)
    build.naloxone(offered, NaloxoneRecord.Status.OFFERED)
    build.naloxone(declined, NaloxoneRecord.Status.DECLINED)
    build.naloxone(low_with_naloxone)

    naloxone = figure(safety_figures(), "mme-50-naloxone")

    assert (naloxone.count, naloxone.of, naloxone.gap) == (1, 4, 3)
    assert set(patients_in("mme-50-naloxone")) == {prescribed}
    assert set(patients_in("mme-50-no-naloxone")) == {offered, declined, none}


def test_a_current_agreement_is_one_whose_latest_review_date_has_not_passed():
    due_today, passed, none = build.patients(3)
    for person in (due_today, passed, none):
        build.opioid(person)
    build.agreement(due_today, review_in_days=0)
    build.agreement(passed, review_in_days=-1)

    agreement = figure(safety_figures(), "agreement")

    assert (agreement.count, agreement.of) == (1, 3)
    assert set(patients_in("no-agreement")) == {passed, none}


def test_drug_screens_and_pdmp_checks_count_within_the_policy_interval_or_a_closer_plan():
    build.policy(drug_screen_days=365, pdmp_days=90)
    on_time, late, never, closer = build.patients(4)
    for person in (on_time, late, never, closer):
        build.opioid(person)
    build.drug_screen(on_time, days=365)  # due today: within
    build.pdmp(on_time, days=90)
    build.drug_screen(late, days=366)  # overdue since yesterday
    build.pdmp(late, days=91)
    build.drug_screen(closer, days=40)  # within the policy's year, not the plan's 30 days
    build.pdmp(closer, days=20)
    build.closer_plan(closer, drug_screen_days=30, pdmp_days=28)

    figures = safety_figures()

    assert (figure(figures, "drug-screen").count, figure(figures, "drug-screen").of) == (1, 4)
    assert (figure(figures, "pdmp").count, figure(figures, "pdmp").of) == (2, 4)
    assert set(patients_in("no-drug-screen")) == {late, never, closer}
    assert set(patients_in("pdmp")) == {on_time, closer}
    assert (figures.drug_screen_every_days, figures.pdmp_every_days) == (365, 90)


def test_it_counts_patients_with_tapers_in_progress_and_paused():
    active, paused, both, done = build.patients(4)
    build.taper(active)
    build.taper(paused, TaperPlan.Status.PAUSED)
    build.taper(both)
    build.taper(both, TaperPlan.Status.PAUSED)
    build.taper(done, TaperPlan.Status.COMPLETED)

    figures = safety_figures()

    assert (figures.tapers_active, figures.tapers_paused) == (2, 2)
    assert set(patients_in("taper-active")) == {active, both}
    assert set(patients_in("taper-paused")) == {paused, both}


def test_with_nobody_on_an_opioid_every_share_is_none_not_zero():
    figures = safety_figures()

    assert figures.on_opioids == 0
    assert all(f.percent is None for f in figures.figures)


def test_every_measure_selects_with_one_query(django_assert_num_queries):
    build.opioid(build.patients(1)[0])
    for key in MEASURES:
        with django_assert_num_queries(2):  # the policy, then the patients
            list(patients_in(key))
