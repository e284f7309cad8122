"""Demo appointments. The demo physician (Maria's lead) has a day of appointments today, the clinic's date:
Maria first, so "Today" (where clinicians land) and her pre-visit summary have a full history to show, then
other patients of theirs, and one attended yesterday. Maria also has a video visit with her psychologist in ten
days, booked by the coordinator through the real service, which her portal home shows under "Coming up".

The day is written directly (as setup, like the test factories: a booking event, no audit row), because the
service refuses to book a time that has passed and the demo may be seeded in the afternoon. Idempotent: Maria's
visit is booked only when she has no future one, the day only when the lead has no appointment that day (so a
demo seeded again on a later day gets that day's appointments).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from clinic.appointment_services import book_appointment
from clinic.appointments import AppointmentRefused
from clinic.dates import start_of_day
from clinic.models import Appointment, AppointmentEvent, CareTeamMember, User
from demo.clinic import DEMO_PATIENT, demo_patient
from demo.team import COORDINATOR, LEAD, PSYCHOLOGIST

CLINIC_PLACE = "Riverside clinic, 2nd floor, room 3"
VIDEO_LINK = "https://video.riverside-clinic.example/room/okapi-42"
# The lead's day: (hour, minute, length in minutes, kind); Maria has the first slot, then other patients.
LEAD_DAY = (
    (9, 0, 30, "follow_up"),
    (9, 30, 30, "follow_up"),
    (10, 0, 45, "new"),
    (11, 0, 30, "follow_up"),
    (11, 30, 30, "telehealth"),
    (13, 30, 30, "follow_up"),
    (14, 0, 30, "follow_up"),
    (14, 30, 30, "telehealth"),
)


@dataclass
class AppointmentSeedResult:
    booked: int = 0
    lead_day: int = 0


def at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The clinic day's first moment and the next day's (bench/today.py reads the same bounds)."""
    return start_of_day(day), start_of_day(day + timedelta(days=1))


def seed_appointments() -> AppointmentSeedResult:
    """Maria's video visit and her lead's day; nothing when they are there already."""
    result = AppointmentSeedResult()
    people = dict(User.objects.filter(username__in=[LEAD, PSYCHOLOGIST, COORDINATOR]).values_list("username", "pk"))
    if len(people) < 3:
        return result  # the demo staff are not seeded
    staff = {person.username: person for person in User.objects.filter(pk__in=people.values())}
    today = timezone.localdate()
    maria = demo_patient()
    if (
        maria is not None
        and not Appointment.objects.upcoming().filter(patient=maria, clinician=staff[PSYCHOLOGIST]).exists()
    ):
        result.booked = book_marias_video_visit(maria, staff, today=today)
    result.lead_day = write_lead_day(staff[LEAD], maria, today=today)
    return result


def book_marias_video_visit(maria, staff: dict[str, User], *, today: date) -> int:
    """A video visit with her psychologist in ten days, booked by the coordinator through the service."""
    try:
        book_appointment(
            patient=maria,
            by=staff[COORDINATOR],
            clinician=staff[PSYCHOLOGIST],
            kind=Appointment.Kind.TELEHEALTH,
            starts_at=at(today + timedelta(days=10), 15, 0),
            minutes=50,
            video_link=VIDEO_LINK,
            note_for_patient="Find a quiet room where you can talk freely. Test your camera a few minutes before.",
        )
    except AppointmentRefused:  # a clash with a slot the demo already holds: leave it
        return 0
    return 1


@transaction.atomic
def write_lead_day(lead: User, maria, *, today: date) -> int:
    """Maria and other patients of the lead today, and one attended yesterday; nothing when the lead has a day."""
    start, end = day_bounds(today)
    if Appointment.objects.filter(clinician=lead, starts_at__gte=start, starts_at__lt=end).exists():
        return 0
    others = list(
        CareTeamMember.objects.filter(member=lead)
        .exclude(patient__mrn=DEMO_PATIENT["mrn"])
        .order_by("patient__mrn")
        .values_list("patient_id", flat=True)[: len(LEAD_DAY)]
    )
    patients = ([maria.pk] if maria is not None else []) + others
    # Today's slots first; yesterday's attended visit when the lead has a patient to spare.
    slots = [(today, *slot, "booked") for slot in LEAD_DAY] + [
        (today - timedelta(days=1), 16, 0, 30, "follow_up", "attended")
    ]
    now = timezone.now()
    written = 0
    for patient_id, (day, hour, minute, minutes, kind, status) in zip(patients, slots, strict=False):
        starts_at = at(day, hour, minute)
        video = kind == Appointment.Kind.TELEHEALTH
        appointment = Appointment.objects.create(
            patient_id=patient_id,
            clinician=lead,
            discipline=lead.discipline,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            place="" if video else CLINIC_PLACE,
            video_link=VIDEO_LINK if video else "",
            status=status,
            status_changed_at=now,
            created_at=now - timedelta(days=14),
        )
        AppointmentEvent.objects.create(appointment=appointment, kind=AppointmentEvent.Kind.BOOKED, at=now)
        if status == "attended":
            AppointmentEvent.objects.create(
                appointment=appointment, kind=AppointmentEvent.Kind.ATTENDANCE, by=lead, note="Attended."
            )
        written += 1
    return written
