"""The interval history of a new visit note, drafted from the pre-visit summary (clinic.previsit) as plain text
the clinician edits: the numbers and the patient's own words, never an assessment. Pure: no database (it reads
only what the summary already holds).

It goes in the note's "Findings" (the app's choice: the note has no interval-history field of its own, and
findings is where the visit's history and examination are written), under a heading that says it was drafted.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

if TYPE_CHECKING:
    from clinic.previsit import PrevisitSummary

HEADING = "Interval history since {since} ({kind}), drafted by Haven on {today} from the record; check and edit:"


def day(value: datetime.date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def number(value: Decimal | float | int | None) -> str:
    if value is None:
        return "?"
    rounded = Decimal(str(value)).quantize(Decimal("0.1")).normalize()
    return f"{rounded:f}"


def interval_history(summary: PrevisitSummary) -> str:
    """The drafted text: one short paragraph per part that has something to say."""
    parts = [
        HEADING.format(since=day(summary.since_day), kind=summary.since.words, today=day(summary.today)),
        *questionnaire_lines(summary),
        *log_lines(summary),
        *plan_lines(summary),
        *team_lines(summary),
        *medication_lines(summary),
        *comment_lines(summary),
    ]
    return "\n".join(parts)


def questionnaire_lines(summary: PrevisitSummary) -> list[str]:
    lines = []
    for line in summary.scores:
        if not line.since_count:
            continue
        if line.trend.count == 1 or line.change is None:
            words = f"- {line.trend.name} {number(line.trend.latest.total)} (the first response: the baseline)"
        else:
            words = f"- {line.crossed or line.change.clinician_words}"
        if line.at_last_visit is not None:
            words += f"; {number(line.at_last_visit)} before the {summary.since.words}"
        lines.append(words)
    return ["Questionnaires (against baseline):", *lines] if lines else ["Questionnaires: none answered since."]


def log_lines(summary: PrevisitSummary) -> list[str]:
    logs = summary.logs
    if logs is None or not logs.days_logged:
        return ["Daily check-ins: none since."]
    words = f"Daily check-ins on {logs.days_logged} day{'s' if logs.days_logged != 1 else ''}"
    if len(logs.pain) == 2:
        words += f"; pain in the way of the day {number(logs.pain[0][1])} -> {number(logs.pain[1][1])}"
        words += " (first week's average -> latest week's)"
    elif logs.pain:
        words += f"; pain in the way of the day about {number(logs.pain[0][1])} on average"
    if len(logs.sleep) == 2:
        words += f"; sleep {number(logs.sleep[0][1])} -> {number(logs.sleep[1][1])} hours"
    return [words + "."]


def plan_lines(summary: PrevisitSummary) -> list[str]:
    lines = []
    if summary.pacing_adherence is not None:
        lines.append(f"Pacing: {round(summary.pacing_adherence * 100)}% of planned sessions done.")
    if summary.flares:
        days = ", ".join(day(session.on) for session in summary.flares)
        lines.append(f"Flare-ups (pacing skipped for a flare): {len(summary.flares)}, on {days}.")
    for line in summary.goals:
        goal = line.goal
        unit = f" {goal.unit}" if goal.unit else ""
        now = f"{number(line.latest_value)}{unit} on {day(line.latest_on)}" if line.latest_on else "no progress since"
        lines.append(
            f'- Goal "{goal.words}": baseline {number(goal.baseline)}{unit}, now {now}, target {number(goal.target)}'
            f"{unit} by {day(goal.target_date)}."
        )
    return lines


def team_lines(summary: PrevisitSummary) -> list[str]:
    lines = []
    for referral in summary.referrals:
        late = f" ({referral.overdue_words.lower()})" if referral.overdue_words else ""
        lines.append(f"- Referral to {referral.service_name}: {referral.get_state_display().lower()}{late}.")
    if summary.tasks:
        lines.append(f"Open tasks about the patient: {len(summary.tasks)}.")
    return ["Referrals:", *lines] if summary.referrals else lines


def medication_lines(summary: PrevisitSummary) -> list[str]:
    lines = [
        f"- {change.medication.drug_name}: {change.get_kind_display().lower()} on {day(timezone.localdate(change.at))}"
        + (f" ({change.reason})" if change.reason else "")
        for change in summary.medication_changes
    ]
    opioids = summary.opioids
    if opioids is not None and opioids.has_opioid:
        total = "cannot be calculated" if opioids.total is None else number(opioids.total)
        lines.append(f"MME/day now: {total}.")
    return ["Medication changes:", *lines] if summary.medication_changes else lines


def comment_lines(summary: PrevisitSummary) -> list[str]:
    if not summary.comments:
        return []
    return [
        "In the patient's words:",
        *(f'- "{c.text}" ({c.source}, {day(c.at)})' for c in summary.comments),
    ]
