"""Appointment rules: what a booking must hold, and the words of a refusal (clinic.appointment_services
applies them). Pure, no queries: the clash itself is found by the service under its lock.

The app's own choices (not clinical rules): a visit lasts 10 to 240 minutes; it is booked for a time still to
come and at most two years ahead; a video link is https only (a visit on an unencrypted link is refused);
a telehealth visit has a video link and every other kind a place.
"""

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.utils import timezone

from clinic.dates import clock_words
from clinic.models import Appointment

MIN_MINUTES = 10
MAX_MINUTES = 240
BOOK_AHEAD = timedelta(days=2 * 365)


class AppointmentRefused(Exception):
    """The booking or change cannot be made as asked; the message says why, for the person who asked.
    ``field`` names the form field it is about ("" for the whole form)."""

    def __init__(self, message: str, *, field: str = ""):
        super().__init__(message)
        self.field = field


class AppointmentChanged(Exception):
    """The appointment changed since the form was shown (optimistic locking): nothing was saved."""

    def __init__(self, message: str = ""):
        super().__init__(
            message or "Someone else changed this appointment while you had it open, so nothing was saved."
        )


def slot(starts_at: datetime, minutes: int, *, now: datetime) -> tuple[datetime, datetime]:
    """The start (in the clinic's zone) and end of a visit of `minutes` from `starts_at`; refused when the
    start is not an aware moment still to come (within BOOK_AHEAD) or the length is out of bounds."""
    if timezone.is_naive(starts_at):
        raise AppointmentRefused("Give the start as a day and time in the clinic's time zone.", field="time")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise AppointmentRefused(f"An appointment lasts {MIN_MINUTES} to {MAX_MINUTES} minutes.", field="minutes")
    start = timezone.localtime(starts_at)
    if start <= now:
        raise AppointmentRefused("That time has passed: choose a time still to come.", field="time")
    if start > now + BOOK_AHEAD:
        raise AppointmentRefused("Appointments are booked at most two years ahead.", field="day")
    return start, start + timedelta(minutes=minutes)


def where(kind: str, *, place: str, video_link: str) -> tuple[str, str]:
    """The (place, video link) kept for this kind: a telehealth visit keeps only its https link, any
    other kind only its place; refused when the one it needs is missing."""
    place, video_link = place.strip(), video_link.strip()
    if kind == Appointment.Kind.TELEHEALTH:
        if not video_link:
            raise AppointmentRefused("A telehealth appointment needs its video link.", field="video_link")
        if urlsplit(video_link).scheme != "https" or not urlsplit(video_link).hostname:
            raise AppointmentRefused("The video link must be a secure link starting with https://.", field="video_link")
        return "", video_link
    if not place:
        raise AppointmentRefused("An in-person appointment needs its place (for example Room 3).", field="place")
    return place, ""


def clash_words(clinician_name: str, other: Appointment) -> str:
    """ "Ada Okafor, MD already has an appointment 10:00 am-10:30 am on Tuesday, December 8, 2026." """
    start, end = timezone.localtime(other.starts_at), timezone.localtime(other.ends_at)
    return (
        f"{clinician_name} already has an appointment {clock_words(start)}-{clock_words(end)} "
        f"on {start:%A, %B} {start.day}, {start.year}. Choose another time or another clinician."
    )


def when_words(starts_at: datetime, ends_at: datetime) -> str:
    """Tuesday, December 8, 2026, 10:00 am-10:30 am (staff pages and history notes)."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    return f"{start:%A, %B} {start.day}, {start.year}, {clock_words(start)}-{clock_words(end)}"
