"""The pure opioid-safety rules (medications/rules/safety.py): medication lines as MME lines, which flags apply
with the guideline's words, acknowledgements that expire, trials without documented benefit, monitoring due
dates, repeated events and taper follow-up."""

import datetime
from decimal import Decimal

import pytest

from medications.rules import safety as rules
from medications.rules.mme import UnknownDrugError, regimen_mme
from tests.reference import reference_text

D = Decimal
TODAY = datetime.date(2026, 6, 15)


def line(code, strength, *, cls=None, units=1, doses=None, prn=False, prn_max=None):
    return {
        "drug_code": code,
        "drug_class": cls,
        "strength": D(strength),
        "units_per_dose": D(units),
        "doses_per_day": None if doses is None else D(doses),
        "is_prn": prn,
        "prn_max_doses_per_day": None if prn_max is None else D(prn_max),
    }


def test_non_opioid_lines_have_no_mme_line():
    assert rules.mme_line(line("gabapentin", 300, doses=3)) is None
    assert rules.mme_line(line("lorazepam", 1, doses=2)) is None


def test_an_opioid_line_becomes_a_contract_line():
    assert rules.mme_line(line("oxycodone", 5, units=2, doses=4)) == {
        "drug": "oxycodone",
        "strength": D(5),
        "units_per_dose": D(2),
        "doses_per_day": D(4),
        "prn": False,
    }


def test_a_prn_line_counts_its_maximum_doses_a_day():
    mapped = rules.mme_line(line("hydrocodone", 5, doses=2, prn=True, prn_max=4))
    assert mapped["doses_per_day"] == 4 and mapped["prn"] is True
    result = regimen_mme([mapped])
    assert result.total == 20 and result.prn_lines == (0,)


def test_an_opioid_not_on_the_list_is_an_error_never_a_guess():
    mapped = rules.mme_line(line("meperidine", 50, cls="opioid", doses=4))
    assert mapped["drug"] == "meperidine"
    with pytest.raises(UnknownDrugError, match="CDC 2022 gives no MME conversion factor"):
        regimen_mme([mapped])


def test_an_unknown_code_of_another_class_is_left_out():
    assert rules.mme_line(line("melatonin", 3, cls="other", doses=1)) is None


@pytest.mark.parametrize(
    ("mme_flags", "opioid", "benzo", "expected"),
    [
        ({"naloxone"}, True, False, ["naloxone"]),
        ({"naloxone", "high_dose"}, True, False, ["naloxone", "high_dose"]),
        (set(), True, True, ["opioid_benzodiazepine"]),
        ({"naloxone", "methadone_caution"}, True, True, ["naloxone", "opioid_benzodiazepine", "methadone_caution"]),
        ({"fentanyl_caution"}, True, False, ["fentanyl_caution"]),
        ({"buprenorphine_excluded"}, True, False, []),  # a note on its line, not a flag to acknowledge
        (set(), False, True, []),  # a benzodiazepine alone
    ],
)
def test_which_flags_apply(mme_flags, opioid, benzo, expected):
    assert rules.flags_for(mme_flags=mme_flags, has_opioid=opioid, has_benzodiazepine=benzo) == expected


def test_every_quoted_sentence_is_verbatim_in_the_clinical_reference():
    text = reference_text()
    for flag in rules.FLAGS.values():
        for quote in flag.quotes:
            assert quote.rstrip("…") in text, f"{flag.code}: not verbatim: {quote}"


def test_each_flag_names_its_source_and_the_90_flag_is_informational():
    for code in rules.SAFETY_FLAG_ORDER:
        assert rules.FLAGS[code].source
    assert rules.FLAGS["high_dose"].informational
    assert "not a limit" in rules.FLAGS["high_dose"].title
    assert rules.FLAGS["naloxone"].offer_naloxone and rules.FLAGS["opioid_benzodiazepine"].offer_naloxone


@pytest.mark.parametrize(
    ("review_on", "at_mme", "total", "holds"),
    [
        (TODAY, None, D(60), True),  # holds through its review date
        (TODAY - datetime.timedelta(days=1), None, D(60), False),  # reappears the day after
        (TODAY + datetime.timedelta(days=30), D(60), D(60), True),
        (TODAY + datetime.timedelta(days=30), D(60), D(45), True),
        (TODAY + datetime.timedelta(days=30), D(60), D("60.01"), False),  # a higher dose is a new decision
    ],
)
def test_an_acknowledgement_holds_until_its_review_date_and_not_above_its_mme(review_on, at_mme, total, holds):
    ack = rules.Acknowledgement("naloxone", review_on, at_mme)
    assert rules.acknowledgement_holds(ack, today=TODAY, total_mme=total) is holds
    assert rules.unacknowledged(["naloxone", "high_dose"], [ack], today=TODAY, total_mme=total) == (
        ["high_dose"] if holds else ["naloxone", "high_dose"]
    )


def test_the_trial_review_window_is_one_to_four_weeks():
    assert rules.trial_review_window(TODAY) == (datetime.date(2026, 6, 22), datetime.date(2026, 7, 13))


@pytest.mark.parametrize(
    ("reviewed", "decision", "benefit", "current", "review_on", "state"),
    [
        (False, "", None, True, TODAY, "review_due"),
        (False, "", None, True, TODAY - datetime.timedelta(days=1), "review_overdue"),
        (False, "", None, False, TODAY - datetime.timedelta(days=1), "ended"),
        (True, "continue", True, True, TODAY, "benefit"),
        (True, "continue", False, True, TODAY, "without_benefit"),
        (True, "adjust", None, True, TODAY, "without_benefit"),
        (True, "taper", False, True, TODAY, "ended"),
        (True, "stop", False, False, TODAY, "ended"),
        (True, "continue", False, False, TODAY, "ended"),  # no opioid any more: nothing continues
    ],
)
def test_trial_states(reviewed, decision, benefit, current, review_on, state):
    found = rules.trial_state(
        review_on=review_on,
        reviewed=reviewed,
        decision=decision,
        benefit_documented=benefit,
        opioid_current=current,
        today=TODAY,
    )
    assert found == state
    assert rules.continuing_without_benefit(found) is (state in ("without_benefit", "review_overdue"))


def due(**overrides):
    values = dict(
        opioid_since=datetime.date(2026, 1, 10),
        last_drug_screen=None,
        last_pdmp=None,
        agreement_review_on=None,
        policy_drug_screen_days=365,
        policy_pdmp_days=90,
    )
    values.update(overrides)
    return {d.kind: d for d in rules.monitoring_due(**values)}


def test_never_done_is_due_from_the_start_of_the_opioid():
    found = due()
    assert (
        found["drug_screen"].due_on == found["pdmp"].due_on == found["agreement"].due_on == datetime.date(2026, 1, 10)
    )
    assert found["agreement"].basis == "no treatment agreement recorded"


def test_due_dates_follow_the_policy_intervals_from_the_last_one_done():
    found = due(last_drug_screen=datetime.date(2026, 2, 1), last_pdmp=datetime.date(2026, 5, 1))
    assert found["drug_screen"].due_on == datetime.date(2027, 2, 1)
    assert found["pdmp"].due_on == datetime.date(2026, 7, 30)
    assert found["pdmp"].basis == "every 90 days (clinic policy)"
    assert not found["pdmp"].is_due(TODAY)
    assert found["pdmp"].is_due(datetime.date(2026, 7, 30)) and not found["pdmp"].is_overdue(datetime.date(2026, 7, 30))
    assert found["pdmp"].is_overdue(datetime.date(2026, 7, 31))


def test_a_closer_plan_shortens_the_interval_but_never_lengthens_it():
    found = due(last_pdmp=datetime.date(2026, 5, 1), plan_pdmp_days=30, plan_drug_screen_days=400)
    assert found["pdmp"].due_on == datetime.date(2026, 5, 31)
    assert found["pdmp"].basis == "every 30 days (closer monitoring plan)"
    found = due(last_drug_screen=datetime.date(2026, 2, 1), plan_drug_screen_days=400)
    assert found["drug_screen"].due_on == datetime.date(2027, 2, 1)


def test_the_agreement_is_due_on_its_review_date():
    assert due(agreement_review_on=datetime.date(2027, 1, 10))["agreement"].due_on == datetime.date(2027, 1, 10)


@pytest.mark.parametrize(("events", "suggest"), [(0, False), (1, False), (2, True), (5, True)])
def test_repeated_events_suggest_closer_monitoring(events, suggest):
    assert rules.suggests_closer_monitoring(events) is suggest


def test_increased_risk_in_words():
    assert rules.increased_risk_reasons(flags=["naloxone", "opioid_benzodiazepine"], events_since_plan=2) == [
        "50 MME/day or more",
        "an opioid with a benzodiazepine",
        "repeated medication events",
    ]
    assert rules.increased_risk_reasons(flags=["methadone_caution"], events_since_plan=1) == []


@pytest.mark.parametrize(
    ("starts_on", "last", "expected"),
    [
        (datetime.date(2026, 1, 31), None, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 1, 31), datetime.date(2026, 3, 15), datetime.date(2026, 4, 15)),
        (datetime.date(2026, 3, 1), datetime.date(2026, 2, 1), datetime.date(2026, 4, 1)),  # before the start
    ],
)
def test_taper_follow_up_is_at_least_monthly(starts_on, last, expected):
    assert rules.taper_follow_up_due(starts_on=starts_on, last_follow_up=last) == expected
