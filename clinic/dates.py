"""The clinic's calendar (DESIGN.md, Time).

"Today" is the clinic's local date in CLINIC_TIME_ZONE (settings.TIME_ZONE, Django's current time zone), never
UTC's or the machine's: ``today()``, which is ``django.utils.timezone.localdate``; the day of a stored moment is
``timezone.localdate(moment)``, never ``moment.date()`` (that is UTC's date). Datetimes are stored in UTC; dates
that are dates (due on, logged on, occurred on) are DateFields. A day runs from the clinic's midnight to the next
one: 23 or 25 hours on daylight-saving days, so a day's end is ``start_of_day(day + 1 day)``, not 24 hours on.
Postgres runs in UTC for Django; date lookups on datetimes (``__date``, TruncDate) convert in the current time
zone, and the app never uses the database's now() or CURRENT_DATE.
"""

from datetime import date, datetime, time

from django.utils import timezone

today = timezone.localdate


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in the clinic's time zone (aware)."""
    return timezone.make_aware(datetime.combine(day, time.min))
