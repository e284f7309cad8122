"""The clinic's calendar (DESIGN.md, Time).

"Today" is the clinic's local date in CLINIC_TIME_ZONE (settings.TIME_ZONE, Django's current time zone), never
UTC's or the machine's: ``today()``, which is ``django.utils.timezone.localdate``; the day of a stored moment is
``timezone.localdate(moment)``, never ``moment.date()`` (that is UTC's date). Datetimes are stored in UTC; dates
that are dates (due on, logged on, occurred on) are DateFields. A day runs from the clinic's midnight to the next
one: 23 or 25 hours on daylight-saving days, so a day's end is ``start_of_day(day + 1 day)``, not 24 hours on.
Postgres runs in UTC for Django; date lookups on datetimes (``__date``, TruncDate) convert in the current time
zone, and the app never uses the database's now() or CURRENT_DATE.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

today = timezone.localdate


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the clinic's time zone (aware)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def within_message_hours(moment: datetime | None = None) -> bool:
    """Whether ``moment`` (default: now) falls in the clinic's message hours, clinic time.

    The app's own rule (settings.MESSAGE_HOURS_START to MESSAGE_HOURS_END, 08:00 to 21:00 by default): no message
    goes to a patient outside them. The sweeps that text or email patients check it themselves, so a run that
    beat queued late sends nothing at night, and the outbox holds any other message to a patient written at
    night until the hours open (clinic.services.queue_message).
    """
    hour = timezone.localtime(moment).hour
    return settings.MESSAGE_HOURS_START <= hour < settings.MESSAGE_HOURS_END


def next_message_hours_start(moment: datetime) -> datetime:
    """The first moment of message hours at or after ``moment``: the same moment inside them, else the next
    MESSAGE_HOURS_START o'clock, clinic time (today's before it, tomorrow's after MESSAGE_HOURS_END)."""
    if within_message_hours(moment):
        return moment
    local = timezone.localtime(moment)
    day = local.date() if local.hour < settings.MESSAGE_HOURS_START else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(settings.MESSAGE_HOURS_START)))


def clock_words(moment: datetime | time) -> str:
    """8:00 am, 1:30 pm (the app's format for a time of day)."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'am' if moment.hour < 12 else 'pm'}"


def quiet_hours_words() -> str:
    """The clinic's quiet hours in words for staff pages ("9:00 pm to 8:00 am")."""
    return f"{clock_words(time(settings.MESSAGE_HOURS_END % 24))} to {clock_words(time(settings.MESSAGE_HOURS_START))}"


def held_for_message_hours_words(moment: datetime | None = None) -> str:
    """For staff who just sent a patient something: "" in message hours, else when it will go."""
    if within_message_hours(moment):
        return ""
    opening = clock_words(time(settings.MESSAGE_HOURS_START))
    return f" It will go at {opening}, when message hours begin: patients get no texts or emails at night."
