"""Rounding a taper's steps to doses a person can take (medications/rules/taper_doses.py), as tables: strengths
and targets in, tablets, patches or millilitres out, with what was rounded. No taper vectors exist in
../shared/clinical/vectors.json (its vectors are MME and instruments), so the tables are the app's own."""

import datetime
from decimal import Decimal

import pytest

from medications.rules import tapering
from medications.rules.taper_doses import (
    CannotRound,
    Line,
    StepKind,
    count_words,
    patient_periods,
    round_dose,
    round_taper,
    steps_from_json,
    steps_to_json,
)

D = Decimal
MON_14_DEC = datetime.date(2026, 12, 14)


def line(name="Oxycodone", form="tablet", strengths=(5,), times=3, factor="1.5", daily=15, unit="mg", **extra):
    return Line(
        key=name.lower(),
        drug_code=name.lower(),
        name=name,
        form=form,
        strengths=tuple(D(str(s)) for s in strengths),
        unit=unit,
        times_a_day=D(str(times)),
        factor=D(factor),
        daily=D(str(daily)),
        **extra,
    )


OXYCODONE_5 = line()
MORPHINE_ER = line("Morphine", "extended_release", (15, 30), times=2, factor="1.0", daily=60)
FENTANYL = line("Fentanyl", "patch", (12, 25), times=1, factor="2.4", daily=50, unit="mcg/hr")
METHADONE_LIQUID = line("Methadone", "liquid", (1,), times=2, factor="4.7", daily=10, unit="mg/mL")


@pytest.mark.parametrize(
    ("the_line", "target_daily", "cap", "per_dose", "words"),
    [
        # oxycodone 5 mg tablets, 3 times a day: whole and half tablets
        (OXYCODONE_5, 15, 5, "5", "take 1 tablet of oxycodone 5 mg, 3 times a day"),
        (OXYCODONE_5, 10, 5, "2.5", "take half a tablet of oxycodone 5 mg, 3 times a day"),
        (OXYCODONE_5, 22.5, 10, "7.5", "take 1 and a half tablets of oxycodone 5 mg, 3 times a day"),
        (OXYCODONE_5, 11.25, 5, "5", "take 1 tablet of oxycodone 5 mg, 3 times a day"),  # a tie: the gentler
        (OXYCODONE_5, 3.6, 5, "0", "stop taking oxycodone"),  # nearer none than half a tablet
        (OXYCODONE_5, 4, 5, "2.5", "take half a tablet of oxycodone 5 mg, 3 times a day"),
        # morphine ER 15/30: never split; one strength before two, fewest tablets
        (MORPHINE_ER, 60, 30, "30", "take 1 extended-release tablet or capsule of morphine 30 mg, twice a day"),
        (MORPHINE_ER, 50, 30, "30", "take 1 extended-release tablet or capsule of morphine 30 mg, twice a day"),
        (MORPHINE_ER, 40, 30, "15", "take 1 extended-release tablet or capsule of morphine 15 mg, twice a day"),
        # 45 mg: one strength (3 x 15 mg) rather than 30 mg + 15 mg
        (MORPHINE_ER, 90, 60, "45", "take 3 extended-release tablets or capsules of morphine 15 mg, twice a day"),
        # fentanyl patches 12/25 mcg/hr: whole patches worn at once
        (
            FENTANYL,
            37,
            50,
            "37",
            "wear 1 patch of fentanyl 25 mcg/hr and 1 patch of fentanyl 12 mcg/hr at the same time",
        ),
        (FENTANYL, 25, 50, "25", "wear 1 patch of fentanyl 25 mcg/hr at the same time"),
        (FENTANYL, 13, 25, "12", "wear 1 patch of fentanyl 12 mcg/hr at the same time"),
        (FENTANYL, 5, 12, "0", "stop wearing fentanyl"),
        # methadone 1 mg/mL liquid, twice a day: to the nearest 0.5 mL
        (METHADONE_LIQUID, 9, 5, "4.5", "take 4.5 mL of methadone 1 mg/mL liquid, twice a day"),
        (METHADONE_LIQUID, 8.4, 5, "4", "take 4 mL of methadone 1 mg/mL liquid, twice a day"),
        (METHADONE_LIQUID, 0.4, 1, "0", "stop taking methadone"),
    ],
)
def test_a_dose_rounds_to_the_nearest_takeable_amount_and_says_it_in_plain_words(
    the_line, target_daily, cap, per_dose, words
):
    dose = round_dose(the_line, target_daily=D(str(target_daily)), cap_per_dose=D(str(cap)))
    assert dose.per_dose == D(per_dose)
    assert dose.words == words


def test_a_dose_is_never_rounded_up_above_the_previous_step():
    # 14 mg a day is nearest 1 tablet 3 times a day (15), but the step before was half a tablet.
    dose = round_dose(OXYCODONE_5, target_daily=D(14), cap_per_dose=D("2.5"))
    assert dose.per_dose == D("2.5")


def test_halves_only_for_plain_tablets_not_capsules_or_extended_release():
    capsule = line(form="capsule")
    assert round_dose(capsule, target_daily=D(7.5), cap_per_dose=D(5)).per_dose in (D(0), D(5))
    assert round_dose(capsule, target_daily=D(9), cap_per_dose=D(5)).per_dose == D(5)
    assert round_dose(OXYCODONE_5, target_daily=D(9), cap_per_dose=D(5)).per_dose == D("2.5")


def test_the_strength_the_patient_has_is_kept_when_it_serves_as_well():
    # 10 mg a dose: 2 x 5 mg (the patient's tablets) rather than 1 x 10 mg from the formulary.
    own = line(strengths=(5, 10), times=4, daily=40, own_strength=D(5))
    assert round_dose(own, target_daily=D(40), cap_per_dose=D(10)).words == (
        "take 2 tablets of oxycodone 5 mg, 4 times a day"
    )
    other = line(strengths=(5, 10), times=4, daily=40)
    assert round_dose(other, target_daily=D(40), cap_per_dose=D(10)).pieces[0].strength == D(10)


def test_as_needed_lines_say_only_when_needed():
    prn = line(as_needed=True)
    assert round_dose(prn, target_daily=D(15), cap_per_dose=D(5)).words == (
        "take 1 tablet of oxycodone 5 mg only when you need it, at most 3 times a day"
    )


@pytest.mark.parametrize(
    ("route", "words"),
    [
        ("oral", "take 1 tablet of oxycodone 5 mg, 3 times a day"),  # "take" says it
        ("", "take 1 tablet of oxycodone 5 mg, 3 times a day"),  # stored before lines had a route
        ("not_recorded", "take 1 tablet of oxycodone 5 mg, 3 times a day"),
        ("sublingual_buccal", "take 1 tablet of oxycodone 5 mg under your tongue or inside your cheek, 3 times a day"),
        ("rectal", "take 1 tablet of oxycodone 5 mg rectally (in your bottom), 3 times a day"),
        ("other", "take 1 tablet of oxycodone 5 mg the way your prescriber showed you, 3 times a day"),
    ],
)
def test_a_route_take_does_not_say_is_put_in_words(route, words):
    assert round_dose(line(route=route), target_daily=D(15), cap_per_dose=D(5)).words == words


def test_a_patch_says_wear_whatever_its_route():
    patch = line("Fentanyl", "patch", (25,), times=1, factor="2.4", daily=25, unit="mcg/hr", route="transdermal")
    assert round_dose(patch, target_daily=D(25), cap_per_dose=D(25)).words == (
        "wear 1 patch of fentanyl 25 mcg/hr at the same time"
    )


@pytest.mark.parametrize(
    ("count", "words"),
    [("0.5", "half a tablet"), ("1", "1 tablet"), ("1.5", "1 and a half tablets"), ("2", "2 tablets")],
)
def test_counts_in_words(count, words):
    assert count_words(D(count), "tablet") == words


def schedule_of(original_mme, **options):
    return tapering.plan_taper(original_mme=D(str(original_mme)), starts_on=MON_14_DEC, **options).steps


def test_a_schedule_never_goes_up_and_every_step_is_lower_or_a_hold():
    for the_line in (OXYCODONE_5, MORPHINE_ER, FENTANYL, METHADONE_LIQUID):
        start = the_line.daily * the_line.factor
        steps = round_taper(schedule_of(start), [the_line])
        previous = the_line.per_dose
        for step in steps:
            (dose,) = step.doses
            assert dose.per_dose <= previous
            assert (dose.per_dose < previous) == (step.kind in (StepKind.REDUCE, StepKind.STOP))
            previous = dose.per_dose


def test_oxycodone_5_mg_three_times_a_day_holds_then_halves_then_stops():
    steps = round_taper(schedule_of("22.5"), [OXYCODONE_5])
    kinds = [step.kind for step in steps]
    assert kinds[:3] == [StepKind.HOLD, StepKind.HOLD, StepKind.REDUCE]
    assert steps[2].doses[0].per_dose == D("2.5") and steps[2].mme == D("11.25")
    assert steps[2].target_mme == D("15.75") and steps[2].difference_mme == D("-4.50")
    assert kinds[-1] is StepKind.STOP and steps[-1].mme == 0 and steps[-1].ends_on is None


def test_a_target_below_the_smallest_half_tablet_makes_the_final_step_the_stop():
    # Oxycodone 5 mg once a day (7.5 MME): the slowing steps fall below half a tablet (2.5 mg) and end in a stop;
    # the planner's later rows are dropped, so nothing comes after the stop.
    once = line(times=1, daily=5)
    planned = schedule_of("7.5")
    steps = round_taper(planned, [once])
    assert steps[-1].kind is StepKind.STOP
    assert steps[-2].doses[0].per_dose == D("2.5")  # the step before the stop is half a tablet
    assert len(steps) <= len(planned)
    assert all(step.kind is not StepKind.STOP for step in steps[:-1])


def test_each_step_runs_to_the_day_before_the_next():
    steps = round_taper(schedule_of("22.5"), [OXYCODONE_5])
    assert steps[0].starts_on == MON_14_DEC
    assert steps[0].ends_on == steps[1].starts_on - datetime.timedelta(days=1)


def test_two_lines_are_lowered_in_proportion_and_the_step_reports_both():
    lines = [MORPHINE_ER, OXYCODONE_5]  # 60 + 22.5 = 82.5 MME/day
    steps = round_taper(schedule_of("82.5"), lines)
    first = steps[0]
    assert first.target_mme == D("74.25")
    morphine, oxycodone = first.doses
    assert morphine.target_daily == D(54) and oxycodone.target_daily == D("13.5")
    assert first.mme == morphine.mme + oxycodone.mme


def test_the_patient_sees_holds_joined_to_the_dose_before_them():
    steps = round_taper(schedule_of("22.5"), [OXYCODONE_5])
    periods = patient_periods(steps)
    assert periods[0].starts_on == MON_14_DEC and periods[0].ends_on == steps[2].starts_on - datetime.timedelta(1)
    assert periods[0].words == "take 1 tablet of oxycodone 5 mg, 3 times a day"
    assert periods[1].words == "take half a tablet of oxycodone 5 mg, 3 times a day"
    assert periods[-1].stop and periods[-1].words == "stop taking oxycodone"


def test_a_medicine_stopped_earlier_is_not_named_again():
    lines = [MORPHINE_ER, line(daily=4, times=2, form="liquid", strengths=(1,), unit="mg/mL", own_strength=D(1))]
    periods = patient_periods(round_taper(schedule_of("66"), lines))
    first_without_morphine = next(i for i, p in enumerate(periods) if "stop taking morphine" in p.words)
    assert all("morphine" not in p.words for p in periods[first_without_morphine + 1 :])
    assert periods[-1].stop and periods[-1].words == "stop taking oxycodone"


def test_the_rounded_schedule_round_trips_through_json():
    steps = round_taper(schedule_of("82.5"), [MORPHINE_ER, OXYCODONE_5])
    assert steps_from_json(steps_to_json(steps, [MORPHINE_ER, OXYCODONE_5])) == steps
    sublingual = line(route="sublingual_buccal")
    steps = round_taper(schedule_of("22.5"), [sublingual])
    assert steps_from_json(steps_to_json(steps, [sublingual]))[0].doses[0].line.route == "sublingual_buccal"


def test_a_schedule_stored_before_lines_had_a_route_reads_without_one():
    stored = steps_to_json(round_taper(schedule_of("82.5"), [OXYCODONE_5]), [OXYCODONE_5])
    for row in stored["lines"]:
        del row["route"]
    assert steps_from_json(stored)[0].doses[0].line.route == ""


@pytest.mark.parametrize(
    "bad",
    [line(form="injection"), line(strengths=()), line(times=0), line(daily=0)],
    ids=["injection", "no strength", "no times a day", "no dose"],
)
def test_a_line_the_app_cannot_round_is_refused_with_a_reason(bad):
    with pytest.raises(CannotRound):
        round_taper(schedule_of("22.5"), [bad])


def test_steps_already_reached_are_left_out():
    # The list is already at 66 MME/day of an 82.5 taper: the rounding starts after the 66 step.
    lower = line("Morphine", "extended_release", (15, 30), times=2, factor="1.0", daily=66)
    steps = round_taper(schedule_of("82.5"), [lower])
    assert steps[0].target_mme < 66
