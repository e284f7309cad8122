"""The referral rules (clinic/referrals.py), table-tested without a database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from clinic import referrals as rules
from clinic.models import Referral

# Every legal step: (action, from state) -> to state. Anything not listed is refused.
LEGAL = {
    ("send", "draft"): "sent",
    ("acknowledge", "sent"): "acknowledged",
    ("schedule", "acknowledged"): "scheduled",
    ("schedule", "scheduled"): "scheduled",  # the appointment moved
    ("schedule", "no_show"): "scheduled",  # rebooked after a missed visit
    ("attended", "scheduled"): "attended",
    ("report", "attended"): "report_received",
    ("close", "report_received"): "closed",
    ("decline", "sent"): "declined",
    ("decline", "acknowledged"): "declined",
    ("cancel", "draft"): "cancelled",
    ("cancel", "sent"): "cancelled",
    ("cancel", "acknowledged"): "cancelled",
    ("cancel", "scheduled"): "cancelled",
    ("cancel", "no_show"): "cancelled",
    ("no_show", "scheduled"): "no_show",
}
ALL = [(action, state) for action in rules.STEPS for state in rules.STATES]


def test_its_states_are_the_models_states():
    assert set(rules.STATES) == set(Referral.State.values)
    assert set(rules.STATE_PHRASES) == set(rules.STATES)


def test_every_step_stamps_a_column_the_model_has_or_none():
    columns = {field.name for field in Referral._meta.fields}
    assert set(Referral.STAMPS) <= set(rules.STEPS)
    assert set(Referral.STAMPS.values()) <= columns


@pytest.mark.parametrize(("action", "state"), ALL)
def test_it_allows_exactly_the_legal_steps(action, state):
    step = rules.STEPS[action]
    if (action, state) in LEGAL:
        assert rules.refusal(action, state) is None
        assert step.target == LEGAL[action, state]
        assert step in rules.steps_from(state)
    else:
        message = rules.refusal(action, state)
        assert message.startswith(f"This referral is {rules.STATE_PHRASES[state]}, so it cannot be {step.verb}.")
        assert step not in rules.steps_from(state)


def test_it_says_what_is_possible_instead():
    assert rules.refusal("close", "sent") == (
        "This referral is sent and waiting to be acknowledged, so it cannot be closed. "
        "Possible now: acknowledged by the service, declined by the service, cancel the referral."
    )


@pytest.mark.parametrize("state", ["closed", "declined", "cancelled"])
def test_nothing_more_happens_to_an_ended_referral(state):
    assert rules.steps_from(state) == []
    assert rules.refusal("send", state).endswith("Nothing more can happen to it.")
    assert state not in rules.OPEN


@pytest.mark.parametrize("state", rules.STATES)
def test_each_path_takes_legal_steps_to_its_state(state):
    current = rules.DRAFT
    for action in rules.PATHS[state]:
        assert rules.refusal(action, current) is None
        current = rules.STEPS[action].target
    assert current == state


def test_it_refuses_an_unknown_step():
    assert rules.refusal("teleport", "draft") == "There is no such step for a referral."


def test_only_decline_cancel_and_no_show_need_a_reason_and_only_schedule_a_date():
    assert {a for a, s in rules.STEPS.items() if s.needs_reason} == {"decline", "cancel", "no_show"}
    assert {a for a, s in rules.STEPS.items() if s.needs_date} == {"schedule"}


# --- Business days (2026-03-02 is a Monday) ------------------------------------------------------

MONDAY = date(2026, 3, 2)


@pytest.mark.parametrize(
    ("start", "count", "expected"),
    [
        (MONDAY, 0, MONDAY),
        (MONDAY, 1, date(2026, 3, 3)),
        (MONDAY, 4, date(2026, 3, 6)),  # Friday
        (MONDAY, 5, date(2026, 3, 9)),  # over the weekend to Monday
        (date(2026, 3, 6), 1, date(2026, 3, 9)),  # Friday + 1 = Monday
        (date(2026, 3, 7), 1, date(2026, 3, 9)),  # Saturday + 1 = Monday
        (date(2026, 3, 8), 5, date(2026, 3, 13)),  # Sunday + 5 = Friday
        (MONDAY, 10, date(2026, 3, 16)),
    ],
)
def test_it_counts_business_days_monday_to_friday(start, count, expected):
    assert rules.add_business_days(start, count) == expected


@pytest.mark.parametrize(
    ("sent_on", "due"),
    [
        (MONDAY, date(2026, 3, 9)),
        (date(2026, 3, 4), date(2026, 3, 11)),  # Wednesday -> next Wednesday
        (date(2026, 3, 6), date(2026, 3, 13)),  # Friday -> next Friday
        (date(2026, 3, 7), date(2026, 3, 13)),  # Saturday -> Friday
        (date(2026, 3, 8), date(2026, 3, 13)),  # Sunday -> Friday
    ],
)
def test_an_acknowledgement_is_due_five_business_days_after_sending(sent_on, due):
    assert rules.acknowledgement_due(sent_on) == due


@pytest.mark.parametrize("today", [MONDAY + timedelta(days=n) for n in range(14)])
def test_the_sent_before_cutoff_matches_the_due_date_for_every_day(today):
    cutoff = rules.unacknowledged_if_sent_before(today)
    for back in range(30):
        sent_on = today - timedelta(days=back)
        assert (sent_on < cutoff) == (rules.acknowledgement_due(sent_on) < today), sent_on


def test_a_referral_sent_on_monday_is_late_from_the_tuesday_after_next():
    assert rules.unacknowledged_if_sent_before(date(2026, 3, 9)) <= MONDAY  # next Monday: on time
    assert rules.unacknowledged_if_sent_before(date(2026, 3, 10)) > MONDAY  # next Tuesday: late


def test_an_appointment_has_passed_from_the_next_day():
    assert not rules.appointment_passed(MONDAY, MONDAY)
    assert rules.appointment_passed(MONDAY, MONDAY + timedelta(days=1))


def test_a_report_is_late_fourteen_days_after_the_visit():
    now = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)
    assert rules.report_overdue_if_attended_before(now) == datetime(2026, 3, 6, 9, 0, tzinfo=UTC)


def test_the_tracking_key_names_the_referral_the_stage_and_an_appointment():
    assert rules.overdue_key(7, rules.OVERDUE_UNACKNOWLEDGED) == "referral:7:unacknowledged"
    assert rules.overdue_key(7, rules.OVERDUE_REPORT, MONDAY) == "referral:7:report"
    assert rules.overdue_key(7, rules.OVERDUE_APPOINTMENT, MONDAY) == "referral:7:appointment:2026-03-02"
    assert len(rules.overdue_key(2**63, rules.OVERDUE_APPOINTMENT, MONDAY)) <= 120


# --- Insurance visits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("authorised", "used", "warning", "reached"),
    [
        (None, 0, None, False),
        (None, 40, None, False),
        (12, 0, None, False),
        (12, 9, None, False),
        (12, 10, "2 visits left of 12 authorised", False),
        (12, 11, "1 visit left of 12 authorised", False),
        (12, 12, "All 12 authorised visits are used", True),
        (12, 14, "14 visits used of 12 authorised (2 over)", True),
        (2, 0, "2 visits left of 2 authorised", False),
        (1, 1, "The 1 authorised visit is used", True),
    ],
)
def test_it_warns_two_visits_before_the_cap_and_knows_when_it_is_reached(authorised, used, warning, reached):
    assert rules.visits_warning(authorised, used) == warning
    assert rules.visit_cap_reached(authorised, used) is reached


def test_the_cap_key_changes_with_the_authorisation():
    assert rules.visit_cap_key(7, 12) != rules.visit_cap_key(7, 20)


# --- Waits and the bridge plan ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("wait", "plan", "contact", "missing"),
    [
        (None, "", "", []),
        (0, "", "", []),
        (14, "", "", []),  # two weeks exactly: no plan needed
        (15, "", "", ["plan", "contact"]),
        (30, "Walk 10 minutes a day", "", ["contact"]),
        (30, "", "Sofia, 555-0100", ["plan"]),
        (30, "   ", "Sofia, 555-0100", ["plan"]),
        (30, "Walk 10 minutes a day", "Sofia, 555-0100", []),
    ],
)
def test_a_wait_over_two_weeks_needs_a_plan_and_someone_to_call(wait, plan, contact, missing):
    assert rules.missing_bridge_parts(wait, plan, contact) == missing
    assert rules.needs_bridge_plan(wait) is (wait is not None and wait > 14)
