"""What the patient is told about the care team's answer to an urgent signal, honest about time (the issue
"Safety net", "What the patient is told, and when").

During clinic hours an urgent task reaches a named clinician at once and escalates within minutes, so the
patient is told someone will contact them today. After hours nobody at the clinic reads it until the clinic
opens, so the patient is told when that is (the next opening, in the clinic's time zone) and what to do now.

``words_for`` is pure (it takes the clinic's clock reading); ``team_reply`` reads the clock and the clinic's
hours from clinic.safety_net. All the sentences here are the APP'S WORDING (plain, grade 6-8), not from
REFERENCE.md; they need clinical sign-off like the rest of the patient safety text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext, pgettext

from clinic.dates import clock_words
from clinic.safety_net import is_clinic_hours, local_now, next_opening

URGENT = "urgent"  # an urgent task: PHQ-9 item 9, self-harm words, an emergency red flag
REVIEW = "review"  # a review task: a review-level red flag, a positive screen

# App wording: weekday names, translated when the sentence is written (Django's date formats would say "Mon").


def weekday_words(number: int) -> str:
    """The weekday's name (Monday=0) in the active language."""
    names = (
        pgettext("weekday", "Monday"),
        pgettext("weekday", "Tuesday"),
        pgettext("weekday", "Wednesday"),
        pgettext("weekday", "Thursday"),
        pgettext("weekday", "Friday"),
        pgettext("weekday", "Saturday"),
        pgettext("weekday", "Sunday"),
    )
    return names[number]


@dataclass(frozen=True)
class TeamReply:
    """When the care team will answer, in the patient's words."""

    in_hours: bool
    #: When the clinic next opens (clinic time), None during clinic hours.
    opens_at: datetime | None
    #: "today at 8:00 am", "tomorrow at 8:00 am", "on Monday at 8:00 am"; "" during clinic hours.
    opening: str
    #: The honest-time sentence(s): who will contact the patient, or when the clinic will see it.
    when: str
    #: What to do meanwhile if the patient feels unsafe (urgent signals only; "" otherwise).
    meanwhile: str


def opening_words(now: datetime, opens_at: datetime) -> str:
    """When the clinic opens, from ``now`` (both in the clinic's time zone): today, tomorrow or a weekday.

    In the active language (the patient's page): whole phrases, because word order differs between languages."""
    time = clock_words(opens_at)
    if opens_at.date() == now.date():
        return gettext("today at %(time)s") % {"time": time}
    if opens_at.date() == now.date() + timedelta(days=1):
        return gettext("tomorrow at %(time)s") % {"time": time}
    return gettext("on %(weekday)s at %(time)s") % {"weekday": weekday_words(opens_at.weekday()), "time": time}


def words_for(*, now: datetime, in_hours: bool, opens_at: datetime, kind: str = URGENT) -> TeamReply:
    """The reply for a signal of ``kind`` raised at ``now`` (clinic time). Pure.

    Urgent (PHQ-9 item 9, self-harm words, an emergency red flag): in clinic hours, someone will contact the
    patient today; after hours, when the clinic will see it, and 988 / 911 meanwhile. Review (a review-level
    red flag): the task has no same-day promise behind it (it is neither notified nor escalated), so in clinic
    hours nothing about time is promised; after hours, when the clinic will see it.
    """
    if in_hours:
        if kind == URGENT:
            return TeamReply(True, None, "", gettext("Someone from your care team will contact you today."), "")
        return TeamReply(True, None, "", "", "")
    opening = opening_words(now, opens_at)
    when = gettext("Our clinic is closed right now. Your care team will see this when we open %(opening)s.") % {
        "opening": opening
    }
    meanwhile = (
        gettext("If you feel unsafe before then, please do not wait for us: call or text 988, or call 911.")
        if kind == URGENT
        else ""
    )
    return TeamReply(False, opens_at, opening, when, meanwhile)


def team_reply(*, kind: str = URGENT, now: datetime | None = None) -> TeamReply:
    """The reply for a signal raised now (or at ``now``), by the clinic's hours and time zone."""
    local = local_now(now)
    return words_for(now=local, in_hours=is_clinic_hours(local), opens_at=next_opening(local), kind=kind)
