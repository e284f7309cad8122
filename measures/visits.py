"""Questionnaires timed to the visit: the clinic's visit protocol and its sweep.

Besides the interval schedules (measures/scheduling.py), the clinic's visit protocol (VisitProtocol rows, clinic
data edited in the admin site) asks questionnaires before a booked appointment: "N days before a visit of these
kinds, ask these instruments". The rules, all the app's own choices (not a clinical reference):

- A line asks from N days before the visit up to the day before it (an appointment booked two days ahead is
  asked at once); never on the day itself, when the clinic hands over the tablet instead.
- A line with `with_due_schedules` also asks what the patient's interval schedule has due by the day of the
  visit ("the instruments due soon"), and moves those schedules to their first date after the visit, so the
  interval sweep does not ask them again the next week.
- One invitation per patient and day whatever the number of lines that fire: the visit's instruments join the
  day's invitation when there is one (the interval sweep's bundling, measures/sweeps.MERGE_SQL), else they make
  it; the interval sweep later that day adds its own to it the same way. An instrument the patient completed in
  the last three days is left out (SKIP_IF_COMPLETED_WITHIN), as in the interval sweep.
- Each (appointment, line) is asked once: the VisitAsk row is the claim (unique), so a redelivered sweep, a
  second worker or a coordinator's "send what is due now" never asks twice.
- The invitation closes at the end of the visit's day (`Invitation.closes_at`; its link expires then, so the
  patient gets the calm closed-link page with "send me a new link"); it is reminded once, the day before the
  visit, when message hours begin (measures.scheduling.next_step_at).
- A moved visit re-times its open invitation (closes at the end of the new day, reminded the day before it; the
  link never lives longer than its own 7 days). A cancelled visit closes its open invitation when everything in it
  was asked for the visit; one that also carries interval instruments stays open as an ordinary invitation.

Consent, one message a day and message hours are the interval sweep's (scheduling.py's docstring): the sweep runs
from beat in message hours only, under the interval sweep's advisory lock, so the two never overlap.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from clinic.dates import start_of_day
from clinic.models import Appointment
from clinic.services import take_sweep_lock
from measures.models import VisitAsk, VisitProtocol
from measures.scheduling import (
    SKIP_IF_COMPLETED_WITHIN,
    in_protocol_order,
    next_day_start,
    next_step_at,
)
from measures.sweeps import (
    DUE_SWEEP_LOCK,
    MERGE_SQL,
    REVOKE_LINKS_SQL,
    contact_of,
    insert_links,
    new_invitation_entry,
    records,
    run,
    send_new_invitations,
    sql,
)
from portal.language import language_code
from portal.services import LINK_DAYS

# What the seeding migration (measures/migrations/0008) writes; shown on the schedule page from the rows.
DEFAULT_VISIT_PROTOCOL = {
    "name": "Before a follow-up visit",
    "days_before": 3,
    "instrument_codes": ["peg"],
    "appointment_kinds": [Appointment.Kind.FOLLOW_UP, Appointment.Kind.TELEHEALTH],
    "with_due_schedules": True,
}
# A visit that still happens (or happened): its invitation keeps its timing. Cancelled ones close it.
LIVE_STATUSES = (Appointment.Status.BOOKED, Appointment.Status.ATTENDED, Appointment.Status.NO_SHOW)
MAX_DAYS_BEFORE = 14

VISIT_DUE_SQL = """
WITH asks AS MATERIALIZED (
    SELECT a.id AS appointment_id, a.patient_id, vp.id AS protocol_id, vp.instrument_codes AS rule_codes,
           vp.with_due_schedules, (a.starts_at AT TIME ZONE %(tz)s)::date AS visit_day
    FROM {appointment} a
    JOIN {protocol} vp ON vp.active AND vp.appointment_kinds @> jsonb_build_array(a.kind)
    WHERE a.status = %(booked)s
      AND a.starts_at >= %(tomorrow)s AND a.starts_at < %(horizon)s
      AND (a.starts_at AT TIME ZONE %(tz)s)::date <= %(today)s::date + vp.days_before
      AND (%(patient_id)s::bigint IS NULL OR a.patient_id = %(patient_id)s::bigint)
      AND NOT EXISTS (SELECT 1 FROM {ask} va WHERE va.appointment_id = a.id AND va.protocol_id = vp.id)
),
wanted AS (
    SELECT asks.appointment_id, asks.protocol_id, asks.patient_id, c.code, NULL::bigint AS schedule_id
    FROM asks CROSS JOIN LATERAL jsonb_array_elements_text(asks.rule_codes) AS c(code)
    UNION ALL
    SELECT asks.appointment_id, asks.protocol_id, asks.patient_id, s.instrument_code, s.id
    FROM asks JOIN {schedule} s ON s.patient_id = asks.patient_id AND s.active AND s.next_due_on <= asks.visit_day
    WHERE asks.with_due_schedules
),
marked AS (
    SELECT w.*, EXISTS (
        SELECT 1 FROM {response} r
        WHERE r.patient_id = w.patient_id
          AND r.instrument_id IN (SELECT i.id FROM {instrument} i WHERE i.code = w.code)
          AND r.completed_at >= %(recent_since)s
    ) AS recent
    FROM wanted w
)
SELECT asks.patient_id,
       array_agg(DISTINCT asks.appointment_id::text || ':' || asks.protocol_id::text) AS claims,
       max(asks.visit_day) AS visit_day,
       array_agg(DISTINCT m.code) FILTER (WHERE m.code IS NOT NULL AND NOT m.recent) AS codes,
       array_agg(DISTINCT m.schedule_id) FILTER (WHERE m.schedule_id IS NOT NULL) AS schedule_ids,
       count(DISTINCT m.code) FILTER (WHERE m.recent) AS recent_count,
       p.email, p.mobile, p.consents_to_email, p.consents_to_sms, p.preferred_channel, p.preferred_language,
       inv.id AS invitation_id, inv.completed_at IS NOT NULL AS invitation_completed,
       EXISTS (
           SELECT 1 FROM {outbox} o
           WHERE o.patient_id = asks.patient_id AND o.created_at >= %(day_start)s AND o.created_at < %(day_end)s
       ) AS messaged_today
FROM asks
LEFT JOIN marked m ON m.appointment_id = asks.appointment_id AND m.protocol_id = asks.protocol_id
JOIN {patient} p ON p.id = asks.patient_id
LEFT JOIN {invitation} inv ON inv.patient_id = asks.patient_id AND inv.due_on = %(today)s
GROUP BY asks.patient_id, p.id, inv.id
"""

INSERT_VISIT_INVITATIONS_SQL = """
INSERT INTO {invitation}
    (patient_id, due_on, instrument_codes, link_id, created_at, reminders_sent, next_reminder_at, not_reached_at,
     closes_at)
SELECT v.patient_id, %(today)s, v.codes, v.link_id, %(now)s, 0, v.next_reminder_at, v.not_reached_at, v.closes_at
FROM jsonb_to_recordset(%(rows)s::jsonb)
     AS v(patient_id bigint, codes jsonb, link_id bigint, next_reminder_at timestamptz, not_reached_at timestamptz,
          closes_at timestamptz)
ON CONFLICT (patient_id, due_on) DO NOTHING
RETURNING id, patient_id
"""

# The day's invitation a visit joined: it closes after the (latest) visit, and is reminded the day before it.
TIME_JOINED_SQL = """
UPDATE {invitation} AS inv
SET closes_at = GREATEST(inv.closes_at, v.closes_at),
    next_reminder_at = CASE WHEN v.remind_at IS NULL OR inv.next_reminder_at IS NULL THEN inv.next_reminder_at
                            ELSE LEAST(inv.next_reminder_at, v.remind_at) END
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(id bigint, closes_at timestamptz, remind_at timestamptz)
WHERE inv.id = v.id AND inv.completed_at IS NULL
"""

# A link never outlives its invitation's visit (nor its own LINK_DAYS).
CAP_LINKS_SQL = """
UPDATE {link} AS l SET expires_at = LEAST(l.created_at + %(link_life)s, inv.closes_at)
FROM {invitation} inv
WHERE inv.link_id = l.id AND inv.closes_at IS NOT NULL AND inv.id = ANY(%(ids)s::bigint[])
  AND l.revoked_at IS NULL AND l.completed_at IS NULL
"""

INSERT_ASKS_SQL = """
INSERT INTO {ask} (appointment_id, protocol_id, invitation_id, instrument_codes, asked_at)
SELECT v.appointment_id, v.protocol_id, v.invitation_id, v.codes, %(now)s
FROM jsonb_to_recordset(%(rows)s::jsonb)
     AS v(appointment_id bigint, protocol_id bigint, invitation_id bigint, codes jsonb)
ON CONFLICT (appointment_id, protocol_id) DO NOTHING
"""

# Schedules asked for a visit move to the first date of their cadence after the visit's day.
ADVANCE_THROUGH_SQL = """
UPDATE {schedule} AS s
SET next_due_on = s.next_due_on + s.every_days * ((v.through - s.next_due_on) / s.every_days + 1)
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(id bigint, through date)
WHERE s.id = v.id AND s.active AND s.next_due_on <= v.through
"""

# The open invitations visits asked for, with what became of their visits (a handful: a few days' worth).
OPEN_TIMED_SQL = """
SELECT inv.id, inv.link_id, l.created_at, inv.closes_at, inv.next_reminder_at, inv.instrument_codes,
       max(a.starts_at) FILTER (WHERE a.status = ANY(%(live)s)) AS last_live_start,
       jsonb_agg(va.instrument_codes) AS asked
FROM {invitation} inv
JOIN {ask} va ON va.invitation_id = inv.id
JOIN {appointment} a ON a.id = va.appointment_id
LEFT JOIN {link} l ON l.id = inv.link_id
WHERE inv.completed_at IS NULL AND inv.closes_at IS NOT NULL AND inv.closes_at > %(now)s
GROUP BY inv.id, l.id
"""

RETIME_SQL = """
UPDATE {invitation} AS inv
SET closes_at = v.closes_at, next_reminder_at = v.next_reminder_at
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(id bigint, closes_at timestamptz, next_reminder_at timestamptz)
WHERE inv.id = v.id AND inv.completed_at IS NULL
"""

SET_LINK_EXPIRY_SQL = """
UPDATE {link} AS l SET expires_at = v.expires_at
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(id bigint, expires_at timestamptz)
WHERE l.id = v.id AND l.revoked_at IS NULL AND l.completed_at IS NULL
"""

# After the visit's day nothing more goes out about it.
STOP_CLOSED_SQL = """
UPDATE {invitation} SET next_reminder_at = NULL
WHERE completed_at IS NULL AND closes_at <= %(now)s AND next_reminder_at IS NOT NULL
"""


def visit_sql(template: str) -> str:
    return sql(
        template.replace("{appointment}", Appointment._meta.db_table)
        .replace("{protocol}", VisitProtocol._meta.db_table)
        .replace("{ask}", VisitAsk._meta.db_table)
    )


def run_visit(template: str, params: dict, *, fetch: bool = False):
    """measures.sweeps.run for the statements here (which also name the visit tables)."""
    with connection.cursor() as cursor:
        cursor.execute(visit_sql(template), params)
        return cursor.fetchall() if fetch else cursor.rowcount


def closes_after(visit_day: date) -> datetime:
    """The end of the visit's day, clinic time: the invitation is not answerable from then on."""
    return start_of_day(visit_day + timedelta(days=1))


# --- Finding what visits ask for -----------------------------------------------------------------


@dataclass
class DueVisit:
    """What the visit protocol asks one patient today (one row of VISIT_DUE_SQL)."""

    patient_id: int
    claims: list[tuple[int, int]]  # (appointment id, protocol line id)
    visit_day: date
    codes: list[str]
    schedule_ids: list[int]
    recent_count: int
    contact: tuple[str, str] | None
    language: str
    invitation_id: int | None
    invitation_completed: bool
    messaged_today: bool

    @property
    def closes_at(self) -> datetime:
        return closes_after(self.visit_day)


def due_visits(*, today: date, now: datetime, patient_id: int | None = None) -> list[DueVisit]:
    """Everything the visit protocol asks today, per patient (one query, for every patient or one)."""
    rows = run_visit(
        VISIT_DUE_SQL,
        {
            "tz": timezone.get_current_timezone_name(),
            "booked": Appointment.Status.BOOKED,
            "today": today,
            "tomorrow": start_of_day(today + timedelta(days=1)),
            "horizon": start_of_day(today + timedelta(days=MAX_DAYS_BEFORE + 1)),
            "patient_id": patient_id,
            "recent_since": now - SKIP_IF_COMPLETED_WITHIN,
            "day_start": start_of_day(today),
            "day_end": start_of_day(today + timedelta(days=1)),
        },
        fetch=True,
    )
    return [due_visit(row) for row in rows]


def claim_of(text: str) -> tuple[int, int]:
    """ "appointment id:protocol line id" (VISIT_DUE_SQL's claims) as a pair of ids."""
    appointment_id, protocol_id = text.split(":")
    return int(appointment_id), int(protocol_id)


def due_visit(row) -> DueVisit:
    patient_id, claims, visit_day, codes, schedule_ids, recent_count = row[:6]
    email, mobile, by_email, by_sms, prefers, language = row[6:12]
    invitation_id, invitation_completed, messaged_today = row[12:]
    return DueVisit(
        patient_id=patient_id,
        claims=[claim_of(text) for text in claims],
        visit_day=visit_day,
        codes=in_protocol_order(codes or []),
        schedule_ids=list(schedule_ids or []),
        recent_count=recent_count,
        contact=contact_of(email, mobile, by_email, by_sms, prefers),
        language=language_code(language),
        invitation_id=invitation_id,
        invitation_completed=invitation_completed,
        messaged_today=messaged_today,
    )


def claim_rows(due: DueVisit, invitation_id: int | None) -> list[dict]:
    return [
        {"appointment_id": a, "protocol_id": p, "invitation_id": invitation_id, "codes": due.codes}
        for a, p in due.claims
    ]


def record_asks(due: list[DueVisit], invitations: Mapping[int, int | None], *, now: datetime) -> int:
    """The claims (VisitAsk) and the schedules the visits asked moved past the visit: two statements."""
    asks = [row for d in due for row in claim_rows(d, invitations.get(d.patient_id))]
    claimed = run_visit(INSERT_ASKS_SQL, {"rows": records(asks), "now": now}) if asks else 0
    advance = [{"id": s, "through": d.visit_day} for d in due for s in d.schedule_ids]
    if advance:
        run_visit(ADVANCE_THROUGH_SQL, {"rows": records(advance)})
    return claimed


def cap_links(invitation_ids: list[int]) -> None:
    if invitation_ids:
        ids = "{" + ",".join(str(int(i)) for i in invitation_ids) + "}"
        run_visit(CAP_LINKS_SQL, {"ids": ids, "link_life": timedelta(days=LINK_DAYS)})


# --- The sweep -----------------------------------------------------------------------------------


@dataclass
class VisitSweepResult:
    patients_asked: int = 0
    invitations: int = 0
    joined: int = 0
    messages: int = 0
    held_for_tomorrow: int = 0
    no_channel: int = 0
    skipped_recent: int = 0
    claimed: int = 0
    retimed: int = 0
    closed: int = 0
    locked_out: bool = False


def sweep_visit_measures(*, now: datetime | None = None) -> VisitSweepResult:
    """Re-time or close invitations whose visit moved or was cancelled, then ask what visits ask today.

    Set-based: a constant number of queries whatever the number of patients and appointments; under the
    interval sweep's advisory lock. Idempotent: a claimed (appointment, line) is never asked again.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = VisitSweepResult()
    with transaction.atomic():
        if not take_sweep_lock(DUE_SWEEP_LOCK):
            result.locked_out = True
            return result
        result.retimed, result.closed = follow_visits(now=now)
        ask_due_visits(today=today, now=now, result=result)
    return result


def ask_due_visits(*, today: date, now: datetime, result: VisitSweepResult) -> None:
    due = due_visits(today=today, now=now)
    # Today's invitation is already answered: the visit's questions wait for tomorrow's (not claimed).
    due = [d for d in due if not (d.invitation_id is not None and d.invitation_completed)]
    result.patients_asked = len(due)
    result.skipped_recent = sum(d.recent_count for d in due)
    joining = [d for d in due if d.codes and d.invitation_id is not None]
    new = [d for d in due if d.codes and d.invitation_id is None]
    if joining:
        result.joined = run(MERGE_SQL, {"rows": records([{"id": d.invitation_id, "codes": d.codes} for d in joining])})
        timing = [{"id": d.invitation_id, "closes_at": d.closes_at, "remind_at": remind_at(d, now)} for d in joining]
        run_visit(TIME_JOINED_SQL, {"rows": records(timing)})
    created = create_visit_invitations(new, today=today, now=now, result=result)
    joined = {d.patient_id: d.invitation_id for d in joining if d.invitation_id is not None}
    cap_links(list(joined.values()))
    invitations = joined | created
    result.claimed = record_asks(due, invitations, now=now)


def remind_at(due: DueVisit, now: datetime) -> datetime | None:
    """The day-before reminder for a visit's invitation, or None when the day before is today (the message
    going now is the one of the day) or gone."""
    moment = next_step_at(now, due.closes_at)
    return moment if moment is not None and timezone.localdate(moment) > timezone.localdate(now) else None


def create_visit_invitations(
    new: list[DueVisit], *, today: date, now: datetime, result: VisitSweepResult
) -> dict[int, int]:
    """New invitations (links, messages, tasks) for patients with no invitation today; patient id -> id."""
    entries = [visit_entry(d, now=now, result=result) for d in new]
    sending = [e for e in entries if e["send_now"]]
    closes = {e["patient_id"]: e["closes_at"] for e in sending}
    links = insert_links([e["patient_id"] for e in sending], now=now, closes=closes)
    for entry in sending:
        entry["link_id"], entry["token"] = links[entry["patient_id"]]
    if not entries:
        return {}
    fields = ("patient_id", "codes", "link_id", "next_reminder_at", "not_reached_at", "closes_at")
    inserted = run_visit(
        INSERT_VISIT_INVITATIONS_SQL,
        {"today": today, "now": now, "rows": records([{f: e[f] for f in fields} for e in entries])},
        fetch=True,
    )
    created = {patient_id: invitation_id for invitation_id, patient_id in inserted}
    result.invitations = len(created)
    result.messages = send_new_invitations(created, entries, today=today, now=now)
    return created


def visit_entry(due: DueVisit, *, now: datetime, result: VisitSweepResult) -> dict:
    entry = new_invitation_entry(
        due.patient_id,
        due.codes,
        due.contact,
        due.language,
        messaged_today=due.messaged_today,
        now=now,
        tomorrow=next_day_start(now),
        reminder_at=remind_at(due, now),
        result=result,
    )
    entry["closes_at"] = due.closes_at
    return entry


# --- Moved and cancelled visits ------------------------------------------------------------------


def follow_visits(*, now: datetime) -> tuple[int, int]:
    """Re-time open invitations whose visit moved, close those whose visits were all cancelled, and stop
    reminders of invitations whose visit's day is over. Returns (re-timed, closed)."""
    rows = run_visit(OPEN_TIMED_SQL, {"now": now, "live": list(LIVE_STATUSES)}, fetch=True)
    timing: list[dict] = []
    expiries: list[dict] = []
    revoke: list[int] = []
    closed = 0
    for invitation_id, link_id, link_created, closes_at, next_reminder_at, codes, last_start, asked in rows:
        if last_start is None:  # every visit it was asked for is cancelled
            closed += 1
            only_visit = set(codes) <= {code for ask in asked for code in ask}
            timing.append({"id": invitation_id, "closes_at": now if only_visit else None, "next_reminder_at": None})
            if only_visit and link_id is not None:
                revoke.append(link_id)
            elif link_id is not None:  # stays open as an ordinary invitation, for its link's own days
                timing[-1]["next_reminder_at"] = next_reminder_at
                expiries.append({"id": link_id, "expires_at": link_created + timedelta(days=LINK_DAYS)})
            continue
        new_close = closes_after(timezone.localdate(last_start))
        if new_close == closes_at:
            continue
        # A sent invitation is reminded the day before the new day; a held one still goes tomorrow.
        reminder = next_step_at(now, new_close) if link_id is not None else next_reminder_at
        timing.append({"id": invitation_id, "closes_at": new_close, "next_reminder_at": reminder})
        if link_id is not None:
            life_end = link_created + timedelta(days=LINK_DAYS)
            expiries.append({"id": link_id, "expires_at": min(life_end, new_close)})
    if timing:
        run_visit(RETIME_SQL, {"rows": records(timing)})
    if expiries:
        run_visit(SET_LINK_EXPIRY_SQL, {"rows": records(expiries)})
    if revoke:
        run(REVOKE_LINKS_SQL, {"now": now, "ids": json.dumps(revoke)})
    run_visit(STOP_CLOSED_SQL, {"now": now})
    return len(timing) - closed, closed


def visit_protocol_lines() -> list[VisitProtocol]:
    """The protocol lines in force, for the schedule page (one query)."""
    return list(VisitProtocol.objects.filter(active=True))


def describe_line(line: VisitProtocol, names: dict[str, str]) -> str:
    """One line in words for staff: "Before a follow-up visit: 3 days before a booked follow-up or telehealth
    (video) appointment, PEG and whatever the schedule has due by the day of the visit." """
    kinds = dict(Appointment.Kind.choices)
    if not line.appointment_kinds:
        return f"{line.name}: no appointment kinds chosen, so it asks nothing."
    kind_words = " or ".join(str(kinds.get(kind, kind)).lower() for kind in line.appointment_kinds)
    asked = ", ".join(names.get(code, code) for code in line.instrument_codes)
    if line.with_due_schedules:
        asked = f"{asked} and whatever" if asked else "whatever"
        asked += " the schedule has due by the day of the visit"
    days = f"{line.days_before} day{'s' if line.days_before != 1 else ''}"
    return f"{line.name}: {days} before a booked {kind_words} appointment, {asked or 'nothing'}."
