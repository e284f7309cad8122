"""The questionnaire sweeps: invitations for everything due, then reminders and "not reached" tasks.

- `sweep_due_measures` (beat, hourly in message hours) finds everything due for every patient in one
  set-based pass: one invitation and one link per patient and day, bundling all due instruments.
- `sweep_reminders` (beat, every 15 minutes in message hours) sends an invitation whose first message
  was held back, reminder 1 two days after sending, reminder 2 two days after that, then gives a
  coordinator a "not reached" task.

The rules they share with a single invitation (no health information in messages, consent per channel, at
most one message a day, an invitation's state in its own columns) are in measures/scheduling.py's docstring.
Sweeps run in one explicit transaction each, with a constant number of queries whatever the number of
patients, under a transaction-level advisory lock so two sweeps never overlap. They do no network I/O:
messages are outbox rows the outbox sweep delivers after commit.
"""

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from clinic.dates import start_of_day
from clinic.models import OutboxMessage, TeamTask
from clinic.roles import Role
from clinic.services import take_sweep_lock
from measures.models import Instrument, Invitation, MeasurementSchedule, Response
from measures.scheduling import (
    NO_CHANNEL_TITLE,
    NOT_REACHED_TITLE,
    REMINDER_AFTER,
    REMINDERS,
    SKIP_IF_COMPLETED_WITHIN,
    InvitationMessages,
    in_protocol_order,
    invitation_key,
    next_day_start,
    next_step_at,
    not_reached_key,
    reminder_key,
    reminder_message,
)
from patients.models import Patient
from portal.language import language_code
from portal.models import PatientLink
from portal.services import LINK_DAYS
from portal.tokens import new_token, token_hash

# Arbitrary constants for pg_try_advisory_xact_lock: one sweep of each kind at a time.
DUE_SWEEP_LOCK = 724_101
REMINDER_SWEEP_LOCK = 724_102


# --- The due sweep -----------------------------------------------------------------------------
#
# The sweeps write rows in bulk with one statement per table, passing every row in one JSON
# parameter read by jsonb_to_recordset: a constant number of queries, and far faster at clinic
# scale than one bound parameter per value. The column lists are the models' NOT NULL columns.


@dataclass
class DueSweepResult:
    patients_due: int = 0
    invitations: int = 0
    messages: int = 0
    held_for_tomorrow: int = 0
    no_channel: int = 0
    merged: int = 0
    schedules_advanced: int = 0
    skipped_recent: int = 0
    locked_out: bool = False


@dataclass(frozen=True)
class ContactColumns:
    email: str
    mobile: str
    consents_to_email: bool
    consents_to_sms: bool
    preferred_channel: str


def contact_of(*columns) -> tuple[str, str] | None:
    """Patient.contact_channel() on the columns a sweep read (the one rule, not a copy of it):
    email, mobile, consents_to_email, consents_to_sms, preferred_channel."""
    return Patient.contact_channel(ContactColumns(*columns))


def run(template: str, params: dict | None = None, *, fetch: bool = False):
    """Execute one of the statements below (table names filled in); returns rows or the row count."""
    with connection.cursor() as cursor:
        cursor.execute(sql(template), params or {})
        return cursor.fetchall() if fetch else cursor.rowcount


def records(rows: list[dict]) -> str:
    return json.dumps(rows, default=str)


def array_literal(ids: list[int]) -> str:
    """Integers as one Postgres array literal ('{1,2,3}'): one constant the planner can hash."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


DUE_SQL = """
WITH due AS MATERIALIZED (
    SELECT s.id, s.patient_id, s.instrument_code,
           EXISTS (
               SELECT 1 FROM {response} r
               WHERE r.patient_id = s.patient_id
                 AND r.instrument_id IN (SELECT i.id FROM {instrument} i WHERE i.code = s.instrument_code)
                 AND r.completed_at >= %(recent_since)s
           ) AS recent
    FROM {schedule} s
    WHERE s.active AND s.next_due_on <= %(today)s
)
SELECT due.patient_id,
       array_agg(due.id) AS schedule_ids,
       array_agg(due.instrument_code) FILTER (WHERE NOT due.recent) AS codes,
       count(*) FILTER (WHERE due.recent) AS recent_count,
       p.email, p.mobile, p.consents_to_email, p.consents_to_sms, p.preferred_channel, p.preferred_language,
       inv.id AS invitation_id, inv.completed_at IS NOT NULL AS invitation_completed,
       EXISTS (
           SELECT 1 FROM {outbox} o
           WHERE o.patient_id = due.patient_id AND o.created_at >= %(day_start)s AND o.created_at < %(day_end)s
       ) AS messaged_today
FROM due
JOIN {patient} p ON p.id = due.patient_id
LEFT JOIN {invitation} inv ON inv.patient_id = due.patient_id AND inv.due_on = %(today)s
GROUP BY due.patient_id, p.id, inv.id
"""

INSERT_LINKS_SQL = """
INSERT INTO {link} (patient_id, purpose, token_hash, created_at, expires_at)
SELECT v.patient_id, %(purpose)s, v.token_hash, %(now)s, LEAST(%(expires_at)s, v.closes_at)
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(patient_id bigint, token_hash text, closes_at timestamptz)
RETURNING id, patient_id
"""

INSERT_INVITATIONS_SQL = """
INSERT INTO {invitation}
    (patient_id, due_on, instrument_codes, link_id, created_at, reminders_sent, next_reminder_at, not_reached_at)
SELECT v.patient_id, %(today)s, v.codes, v.link_id, %(now)s, 0, v.next_reminder_at, v.not_reached_at
FROM jsonb_to_recordset(%(rows)s::jsonb)
     AS v(patient_id bigint, codes jsonb, link_id bigint, next_reminder_at timestamptz, not_reached_at timestamptz)
ON CONFLICT (patient_id, due_on) DO NOTHING
RETURNING id, patient_id
"""

INSERT_OUTBOX_SQL = """
INSERT INTO {outbox}
    (public_id, channel, to_address, patient_id, subject, body, dedupe_key, state, attempts, next_attempt_at,
     last_error, created_at)
SELECT gen_random_uuid(), v.channel, v.to_address, v.patient_id, v.subject, v.body, v.dedupe_key, %(state)s, 0,
       %(now)s, '', %(now)s
FROM jsonb_to_recordset(%(rows)s::jsonb)
     AS v(channel text, to_address text, patient_id bigint, subject text, body text, dedupe_key text)
ON CONFLICT (dedupe_key) DO NOTHING
"""

REVOKE_LINKS_SQL = """
UPDATE {link} SET revoked_at = %(now)s
WHERE id IN (SELECT value::bigint FROM jsonb_array_elements_text(%(ids)s::jsonb))
"""

# Adds the newly due instruments to an open invitation already there for the day, keeping its order.
MERGE_SQL = """
UPDATE {invitation} AS inv
SET instrument_codes = inv.instrument_codes || (v.codes - ARRAY(SELECT jsonb_array_elements_text(inv.instrument_codes)))
FROM jsonb_to_recordset(%(rows)s::jsonb) AS v(id bigint, codes jsonb)
WHERE inv.id = v.id AND inv.completed_at IS NULL AND NOT inv.instrument_codes @> v.codes
"""

# Moves each schedule to the first date of its cadence after today (a sweep that missed days, or
# a long pause, does not leave a trail of past due dates behind).
ADVANCE_SQL = """
UPDATE {schedule} AS s
SET next_due_on = s.next_due_on + s.every_days * ((%(today)s::date - s.next_due_on) / s.every_days + 1)
WHERE s.id = ANY(%(ids)s::bigint[]) AND s.active AND s.next_due_on <= %(today)s
"""


def sql(template: str) -> str:
    return template.format(
        schedule=MeasurementSchedule._meta.db_table,
        response=Response._meta.db_table,
        instrument=Instrument._meta.db_table,
        invitation=Invitation._meta.db_table,
        patient=Patient._meta.db_table,
        outbox=OutboxMessage._meta.db_table,
        link=PatientLink._meta.db_table,
    )


def insert_links(
    patient_ids: list[int], *, now: datetime, closes: dict[int, datetime | None] | None = None
) -> dict[int, tuple[int, str]]:
    """A questionnaire link for each patient; returns patient id -> (link id, raw token). A link lives LINK_DAYS,
    or less when its invitation closes earlier (``closes``: patient id -> Invitation.closes_at)."""
    if not patient_ids:
        return {}
    closes = closes or {}
    tokens = {patient_id: new_token() for patient_id in patient_ids}
    rows = run(
        INSERT_LINKS_SQL,
        {
            "purpose": PatientLink.Purpose.QUESTIONNAIRES,
            "now": now,
            "expires_at": now + timedelta(days=LINK_DAYS),
            "rows": records(
                [{"patient_id": p, "token_hash": token_hash(t), "closes_at": closes.get(p)} for p, t in tokens.items()]
            ),
        },
        fetch=True,
    )
    return {patient_id: (link_id, tokens[patient_id]) for link_id, patient_id in rows}


def insert_messages(rows: list[dict], *, now: datetime) -> int:
    """Outbox rows (channel, to_address, patient_id, subject, body, dedupe_key); a key already used is skipped."""
    if not rows:
        return 0
    return run(INSERT_OUTBOX_SQL, {"rows": records(rows), "state": OutboxMessage.State.PENDING, "now": now})


def message_row(contact: tuple[str, str], patient_id: int, subject: str, body: str, key: str) -> dict:
    """One outbox row; subject and body are already in the patient's language (portal.language)."""
    channel, address = contact
    return {
        "channel": channel,
        "to_address": address,
        "patient_id": patient_id,
        "subject": subject,
        "body": body,
        "dedupe_key": key,
    }


def sweep_due_measures(*, today: date | None = None, now: datetime | None = None) -> DueSweepResult:
    """Create today's invitations for every patient with something due; idempotent and set-based.

    One query finds all due schedules grouped by patient; links, invitations, messages and tasks
    are inserted in bulk, and the schedules advanced in one UPDATE: the number of queries does
    not depend on the number of patients. A re-run the same day finds nothing due (the schedules
    moved on) and the unique (patient, due_on) and dedupe keys stop any duplicate anyway.
    """
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    result = DueSweepResult()
    with transaction.atomic():
        if not take_sweep_lock(DUE_SWEEP_LOCK):
            result.locked_out = True  # another sweep is running; the next run picks up anything left
            return result
        day_start = start_of_day(today)
        rows = run(
            DUE_SQL,
            {
                "today": today,
                "recent_since": now - SKIP_IF_COMPLETED_WITHIN,
                "day_start": day_start,
                "day_end": start_of_day(today + timedelta(days=1)),  # 23 or 25 hours on DST days
            },
            fetch=True,
        )
        result.patients_due = len(rows)

        advance: list[int] = []
        merges: list[dict] = []
        new: list[dict] = []  # one per patient needing a new invitation
        tomorrow = next_day_start(now)
        for (
            patient_id,
            schedule_ids,
            codes,
            recent_count,
            email,
            mobile,
            consents_to_email,
            consents_to_sms,
            preferred_channel,
            preferred_language,
            invitation_id,
            invitation_completed,
            messaged_today,
        ) in rows:
            result.skipped_recent += recent_count
            if invitation_id is not None and invitation_completed:
                continue  # today's invitation is already answered: these wait for tomorrow's
            advance.extend(schedule_ids)
            if not codes:
                continue
            codes = in_protocol_order(codes)
            if invitation_id is not None:
                merges.append({"id": invitation_id, "codes": codes})
                continue
            new.append(
                new_invitation_entry(
                    patient_id,
                    codes,
                    contact_of(email, mobile, consents_to_email, consents_to_sms, preferred_channel),
                    language_code(preferred_language),
                    messaged_today=messaged_today,
                    now=now,
                    tomorrow=tomorrow,
                    reminder_at=now + REMINDER_AFTER,
                    result=result,
                )
            )

        sending = [e for e in new if e["send_now"]]
        links = insert_links([e["patient_id"] for e in sending], now=now)
        for entry in sending:
            entry["link_id"], entry["token"] = links[entry["patient_id"]]

        created: dict[int, int] = {}  # patient id -> invitation id
        if new:
            fields = ("patient_id", "codes", "link_id", "next_reminder_at", "not_reached_at")
            inserted = run(
                INSERT_INVITATIONS_SQL,
                {"today": today, "now": now, "rows": records([{f: e[f] for f in fields} for e in new])},
                fetch=True,
            )
            created = {patient_id: invitation_id for invitation_id, patient_id in inserted}
        result.invitations = len(created)

        result.messages = send_new_invitations(created, new, today=today, now=now)
        if merges:
            result.merged = run(MERGE_SQL, {"rows": records(merges)})
        if advance:
            result.schedules_advanced = run(ADVANCE_SQL, {"today": today, "ids": array_literal(advance)})
    return result


def not_reached_task(invitation_id: int, patient_id: int, title: str, today: date, now: datetime) -> TeamTask:
    return TeamTask(
        title=title,
        source=TeamTask.Source.NOT_REACHED,
        source_key=not_reached_key(invitation_id),
        patient_id=patient_id,
        assignee_role=Role.COORDINATOR,
        priority=TeamTask.Priority.NORMAL,
        due_on=today,
        created_at=now,
    )


# --- The reminder sweep ------------------------------------------------------------------------


@dataclass
class ReminderSweepResult:
    looked_at: int = 0
    first_messages: int = 0
    reminders: int = 0
    held_for_tomorrow: int = 0
    not_reached: int = 0
    locked_out: bool = False


UPDATE_INVITATIONS_SQL = """
UPDATE {invitation} AS inv
SET link_id = COALESCE(v.link_id, inv.link_id),
    reminders_sent = v.reminders_sent,
    next_reminder_at = v.next_reminder_at,
    not_reached_at = v.not_reached_at
FROM jsonb_to_recordset(%(rows)s::jsonb)
     AS v(id bigint, link_id bigint, reminders_sent smallint, next_reminder_at timestamptz, not_reached_at timestamptz)
WHERE inv.id = v.id AND inv.completed_at IS NULL
"""


def sweep_reminders(*, now: datetime | None = None) -> ReminderSweepResult:
    """Move every open invitation whose next step is due one step on; idempotent and set-based.

    The steps: the first message when it was held back (link issued now), reminder 1 and 2 two
    days apart, then "not reached" (a coordinator task, no more messages). Completed invitations
    are never read (completion clears `next_reminder_at`; rows are locked, and rows locked by a
    submission in progress are skipped until the next run).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    result = ReminderSweepResult()
    with transaction.atomic():
        if not take_sweep_lock(REMINDER_SWEEP_LOCK):
            result.locked_out = True
            return result
        day_start = start_of_day(today)
        messaged_today = OutboxMessage.objects.filter(
            patient_id=OuterRef("patient_id"),
            created_at__gte=day_start,
            created_at__lt=start_of_day(today + timedelta(days=1)),
        )
        due = (
            Invitation.objects.filter(
                completed_at__isnull=True, next_reminder_at__isnull=False, next_reminder_at__lte=now
            )
            .filter(not_reached_at__isnull=True)
            .exclude(closes_at__lte=now)  # a visit's invitation says nothing more once the visit's day is over
            .annotate(messaged_today=Exists(messaged_today))
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_reminder_at", "id")
            .values_list(
                "id",
                "patient_id",
                "link_id",
                "reminders_sent",
                "messaged_today",
                *(f"patient__{name}" for name in Patient.MESSAGING_FIELDS),
                "closes_at",
            )
        )
        rows = list(due)
        result.looked_at = len(rows)

        tomorrow = next_day_start(now)
        messaged: set[int] = set()  # patients written to in this run
        updates: list[dict] = []
        first_sends: list[dict] = []
        reminders: list[dict] = []
        tasks: list[TeamTask] = []
        for row in rows:
            invitation_id, patient_id, link_id, sent, was_messaged, email, mobile, by_email, by_sms, prefers = row[:10]
            language, closes_at = language_code(row[10]), row[11]
            contact = contact_of(email, mobile, by_email, by_sms, prefers)
            update = {"id": invitation_id, "link_id": None, "reminders_sent": sent, "not_reached_at": None}
            updates.append(update)
            finished = link_id is not None and sent >= REMINDERS
            if contact is None or finished:
                title = NOT_REACHED_TITLE if link_id is not None else NO_CHANNEL_TITLE
                tasks.append(not_reached_task(invitation_id, patient_id, title, today, now))
                update.update(next_reminder_at=None, not_reached_at=now)
                result.not_reached += 1
            elif was_messaged or patient_id in messaged:
                update["next_reminder_at"] = tomorrow
                result.held_for_tomorrow += 1
            else:
                messaged.add(patient_id)
                update["next_reminder_at"] = next_step_at(now, closes_at)
                step = {"update": update, "patient_id": patient_id, "contact": contact, "language": language}
                step["closes_at"] = closes_at
                if link_id is None:
                    first_sends.append(step)
                else:
                    update["reminders_sent"] = sent + 1
                    reminders.append(step)

        closes = {step["patient_id"]: step["closes_at"] for step in first_sends}
        links = insert_links([step["patient_id"] for step in first_sends], now=now, closes=closes)
        texts = InvitationMessages()
        first_rows = []
        for step in first_sends:
            link_id, token = links[step["patient_id"]]
            step["update"]["link_id"] = link_id
            key = invitation_key(step["update"]["id"])
            language = step["language"]
            first_rows.append(
                message_row(
                    step["contact"], step["patient_id"], texts.subject(language), texts.body(token, language), key
                )
            )
        insert_messages(first_rows, now=now)

        reminder_texts = {language: reminder_message(language) for language in {step["language"] for step in reminders}}
        insert_messages(
            [
                message_row(
                    step["contact"],
                    step["patient_id"],
                    *reminder_texts[step["language"]],
                    reminder_key(step["update"]["id"], step["update"]["reminders_sent"]),
                )
                for step in reminders
            ],
            now=now,
        )
        result.first_messages, result.reminders = len(first_sends), len(reminders)
        if tasks:
            TeamTask.objects.bulk_create(tasks, ignore_conflicts=True)
        if updates:
            run(UPDATE_INVITATIONS_SQL, {"rows": records(updates)})
    return result


def new_invitation_entry(
    patient_id: int,
    codes: list[str],
    contact: tuple[str, str] | None,
    language: str,
    *,
    messaged_today: bool,
    now: datetime,
    tomorrow: datetime,
    reminder_at: datetime | None,
    result,
) -> dict:
    """A new invitation's row with its outreach decided (shared by the interval and the visit sweep): without a
    consented channel it is not reached now; after a message to the patient today it waits for ``tomorrow`` (one
    message a day); otherwise its message goes now and its reminder at ``reminder_at``. Counts on ``result``."""
    entry = {
        "patient_id": patient_id,
        "codes": codes,
        "contact": contact,
        "language": language,
        "link_id": None,
        "send_now": False,
        "next_reminder_at": None,
        "not_reached_at": None,
    }
    if contact is None:
        entry["not_reached_at"] = now
        result.no_channel += 1
    elif messaged_today:
        entry["next_reminder_at"] = tomorrow
        result.held_for_tomorrow += 1
    else:
        entry["next_reminder_at"], entry["send_now"] = reminder_at, True
    return entry


def send_new_invitations(created: dict[int, int], entries: list[dict], *, today: date, now: datetime) -> int:
    """After the invitations of ``entries`` were inserted (``created``: patient id -> invitation id), write each
    new invitation's message, revoke the links made for patients whose invitation a web request created
    meanwhile, and task a coordinator for patients with no channel; returns the number of messages written.

    Shared by the interval sweep and the visit sweep (measures/visits.py)."""
    sending = [e for e in entries if e["send_now"]]
    # A web request created the day's invitation between our read and our insert: its link is the one that
    # counts, so the link made here is closed unused.
    lost = [e["link_id"] for e in sending if e["patient_id"] not in created]
    if lost:
        run(REVOKE_LINKS_SQL, {"now": now, "ids": json.dumps(lost)})
    texts = InvitationMessages()
    messages = insert_messages(
        [
            message_row(
                e["contact"],
                e["patient_id"],
                texts.subject(e["language"]),
                texts.body(e["token"], e["language"]),
                invitation_key(created[e["patient_id"]]),
            )
            for e in sending
            if e["patient_id"] in created
        ],
        now=now,
    )
    tasks = [
        not_reached_task(created[e["patient_id"]], e["patient_id"], NO_CHANNEL_TITLE, today, now)
        for e in entries
        if e["contact"] is None and e["patient_id"] in created
    ]
    if tasks:
        TeamTask.objects.bulk_create(tasks, ignore_conflicts=True)
    return messages
