"""The rules of a referral's life, as pure functions (no ORM): which steps are allowed from which
state, business days, the insurance visit cap, when a bridge plan is required, and when a referral
is overdue. Referral (clinic/models/referrals.py), the services and the tracking sweep apply them.

States are the values of ``Referral.State`` (tests check the two agree); this module imports no
models so that the model can import it.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

DRAFT = "draft"
SENT = "sent"
ACKNOWLEDGED = "acknowledged"
SCHEDULED = "scheduled"
ATTENDED = "attended"
REPORT_RECEIVED = "report_received"
CLOSED = "closed"
DECLINED = "declined"
CANCELLED = "cancelled"
NO_SHOW = "no_show"

STATES = (DRAFT, SENT, ACKNOWLEDGED, SCHEDULED, ATTENDED, REPORT_RECEIVED, CLOSED, DECLINED, CANCELLED, NO_SHOW)
# Nothing more happens to these; every other state is open (a missed visit may still be rebooked).
ENDED = frozenset({CLOSED, DECLINED, CANCELLED})
OPEN = tuple(state for state in STATES if state not in ENDED)

# How a state reads inside a sentence ("the referral is ...").
STATE_PHRASES = {
    DRAFT: "still a draft",
    SENT: "sent and waiting to be acknowledged",
    ACKNOWLEDGED: "acknowledged and waiting for an appointment",
    SCHEDULED: "scheduled",
    ATTENDED: "attended and waiting for the report",
    REPORT_RECEIVED: "back with its report",
    CLOSED: "closed",
    DECLINED: "declined",
    CANCELLED: "cancelled",
    NO_SHOW: "marked as not attended",
}


@dataclass(frozen=True)
class Step:
    """One thing that can happen to a referral: from which states, to which state."""

    action: str
    label: str  # the button
    verb: str  # "... cannot be <verb>"
    sources: frozenset[str]
    target: str
    needs_reason: bool = False
    needs_date: bool = False


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step("send", "Mark as sent", "marked as sent", frozenset({DRAFT}), SENT),
        Step("acknowledge", "Acknowledged by the service", "acknowledged", frozenset({SENT}), ACKNOWLEDGED),
        # Scheduling again moves the appointment; after a missed visit it books a new one.
        Step(
            "schedule",
            "Record the appointment",
            "scheduled",
            frozenset({ACKNOWLEDGED, SCHEDULED, NO_SHOW}),
            SCHEDULED,
            needs_date=True,
        ),
        Step("attended", "Patient attended", "marked as attended", frozenset({SCHEDULED}), ATTENDED),
        Step("report", "Report received", "given a report", frozenset({ATTENDED}), REPORT_RECEIVED),
        Step("close", "Close the referral", "closed", frozenset({REPORT_RECEIVED}), CLOSED),
        Step(
            "decline",
            "Declined by the service",
            "declined",
            frozenset({SENT, ACKNOWLEDGED}),
            DECLINED,
            needs_reason=True,
        ),
        Step(
            "cancel",
            "Cancel the referral",
            "cancelled",
            frozenset({DRAFT, SENT, ACKNOWLEDGED, SCHEDULED, NO_SHOW}),
            CANCELLED,
            needs_reason=True,
        ),
        Step(
            "no_show",
            "Patient did not attend",
            "marked as not attended",
            frozenset({SCHEDULED}),
            NO_SHOW,
            needs_reason=True,
        ),
    )
}


# The usual way from a new draft to each state (the demo and the tests build referrals with it).
PATHS: dict[str, tuple[str, ...]] = {
    DRAFT: (),
    SENT: ("send",),
    ACKNOWLEDGED: ("send", "acknowledge"),
    SCHEDULED: ("send", "acknowledge", "schedule"),
    ATTENDED: ("send", "acknowledge", "schedule", "attended"),
    REPORT_RECEIVED: ("send", "acknowledge", "schedule", "attended", "report"),
    CLOSED: ("send", "acknowledge", "schedule", "attended", "report", "close"),
    DECLINED: ("send", "decline"),
    CANCELLED: ("cancel",),
    NO_SHOW: ("send", "acknowledge", "schedule", "no_show"),
}


def steps_from(state: str) -> list[Step]:
    """The steps allowed now, in the table's order (the order of the buttons)."""
    return [step for step in STEPS.values() if state in step.sources]


def refusal(action: str, state: str) -> str | None:
    """Why `action` is not allowed from `state`, in words for the person who tried; None when it is."""
    step = STEPS.get(action)
    if step is None:
        return "There is no such step for a referral."
    if state in step.sources:
        return None
    allowed = [s.label.lower() for s in steps_from(state)]
    possible = f" Possible now: {', '.join(allowed)}." if allowed else " Nothing more can happen to it."
    return f"This referral is {STATE_PHRASES[state]}, so it cannot be {step.verb}.{possible}"


class ReferralTransitionError(Exception):
    """A step that is not allowed from the referral's state (the message says why, for the user)."""


class ReferralChanged(Exception):
    """The referral changed since the form was shown (optimistic locking): nothing was saved."""

    def __init__(self, message: str = ""):
        super().__init__(message or "Someone else changed this referral while you had it open, so nothing was saved.")


# --- Business days ---------------------------------------------------------------------------
# Monday to Friday. There is no holiday calendar: a public holiday counts as a business day.


def is_business_day(day: date) -> bool:
    return day.weekday() < 5


def add_business_days(day: date, count: int) -> date:
    """The date `count` business days after `day` (a weekend `day` counts from the Monday)."""
    while count > 0:
        day += timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


ACKNOWLEDGE_WITHIN_BUSINESS_DAYS = 5
REPORT_WITHIN_DAYS = 14


def acknowledgement_due(sent_on: date) -> date:
    """The last day on which an acknowledgement is still on time."""
    return add_business_days(sent_on, ACKNOWLEDGE_WITHIN_BUSINESS_DAYS)


def unacknowledged_if_sent_before(today: date) -> date:
    """Referrals sent (clinic-local date) before this day and still not acknowledged are overdue
    today: ``sent_on < result`` exactly when ``acknowledgement_due(sent_on) < today``."""
    day = today
    while acknowledgement_due(day - timedelta(days=1)) >= today:
        day -= timedelta(days=1)
    return day


def appointment_passed(appointment_on: date, today: date) -> bool:
    """The appointment day is over and nobody has recorded whether the patient went."""
    return appointment_on < today


def report_overdue_if_attended_before(now: datetime) -> datetime:
    """Referrals attended before this moment and still without a report are overdue."""
    return now - timedelta(days=REPORT_WITHIN_DAYS)


# What the tracking sweep looks for, with the title of the coordinator's task.
OVERDUE_UNACKNOWLEDGED = "unacknowledged"
OVERDUE_APPOINTMENT = "appointment"
OVERDUE_REPORT = "report"
OVERDUE_TITLES = {
    OVERDUE_UNACKNOWLEDGED: "Referral not acknowledged within 5 business days",
    OVERDUE_APPOINTMENT: "Referral appointment has passed: record whether the patient attended",
    OVERDUE_REPORT: "No report 14 days after the referral visit",
}
OVERDUE_WORDS = {
    OVERDUE_UNACKNOWLEDGED: "Not acknowledged within 5 business days",
    OVERDUE_APPOINTMENT: "Appointment passed; attendance not recorded",
    OVERDUE_REPORT: "No report 14 days after the visit",
}


def overdue_key(referral_id: int, stage: str, appointment_on: date | None = None) -> str:
    """The tracking task's source key: one task per referral and stage (and appointment, as a
    moved appointment can pass unrecorded again)."""
    key = f"referral:{referral_id}:{stage}"
    return f"{key}:{appointment_on.isoformat()}" if stage == OVERDUE_APPOINTMENT and appointment_on else key


# --- Insurance: authorised visits ------------------------------------------------------------

VISITS_WARNING_LEFT = 2


def visits_warning(authorised: int | None, used: int) -> str | None:
    """The warning shown on the referral and the chart from two visits before the cap."""
    if not authorised:
        return None
    left = authorised - used
    if left > VISITS_WARNING_LEFT:
        return None
    if left > 0:
        return f"{left} visit{'s' if left != 1 else ''} left of {authorised} authorised"
    if left == 0:
        return f"All {authorised} authorised visits are used" if authorised > 1 else "The 1 authorised visit is used"
    return f"{used} visits used of {authorised} authorised ({-left} over)"


def visit_cap_reached(authorised: int | None, used: int) -> bool:
    return authorised is not None and authorised > 0 and used >= authorised


def visit_cap_key(referral_id: int, authorised: int) -> str:
    """One insurance task per referral and authorisation (a raised cap can be reached again)."""
    return f"referral:{referral_id}:visit-cap:{authorised}"


# --- Waits and the bridge plan ---------------------------------------------------------------

BRIDGE_PLAN_AFTER_DAYS = 14


def needs_bridge_plan(expected_wait_days: int | None) -> bool:
    """A wait of more than two weeks needs a plan for the patient meanwhile."""
    return expected_wait_days is not None and expected_wait_days > BRIDGE_PLAN_AFTER_DAYS


def missing_bridge_parts(expected_wait_days: int | None, plan: str, contact: str) -> list[str]:
    """The parts of the bridge plan still missing for this wait: "plan" and/or "contact"."""
    if not needs_bridge_plan(expected_wait_days):
        return []
    return [name for name, value in (("plan", plan), ("contact", contact)) if not value.strip()]
