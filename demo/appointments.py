"""Demo appointments: Maria (the demo patient) has a follow-up with her lead in a few days and a video visit with
her psychologist the week after, booked by the coordinator through the real service; her lead's day ("today",
the clinic's date) holds four appointments with other patients of theirs, and yesterday one that was attended.

The lead's day is written directly (as setup, like the test factories: a booking event, no audit row), because
the service refuses to book a time that has passed and the demo may be seeded in the afternoon. Idempotent:
Maria's are booked only when she has none, the lead's day only when the lead has no appointment that day.
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
# The lead's day: (hour, minute, length in minutes, kind).
LEAD_DAY = ((9, 0, 30, "follow_up"), (10, 0, 45, "new"), (11, 30, 30, "follow_up"), (14, 0, 30, "follow_up"))


@dataclass
class AppointmentSeedResult:
    booked: int = 0
    lead_day: int = 0


def at(day: date, hour: int, minute: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def seed_appointments() -> AppointmentSeedResult:
    """Maria's appointments and her lead's day; nothing when they are there already."""
    result = AppointmentSeedResult()
    people = dict(User.objects.filter(username__in=[LEAD, PSYCHOLOGIST, COORDINATOR]).values_list("username", "pk"))
    if len(people) < 3:
        return result  # the demo staff are not seeded
    staff = {person.username: person for person in User.objects.filter(pk__in=people.values())}
    today = timezone.localdate()
    maria = demo_patient()
    if maria is not None and not Appointment.objects.filter(patient=maria).exists():
        result.booked = book_marias(maria, staff, today=today)
    result.lead_day = write_lead_day(staff[LEAD], today=today)
    return result


def book_marias(maria, staff: dict[str, User], *, today: date) -> int:
    """A follow-up with her lead in three days and a video visit with her psychologist in ten, by the coordinator."""
    coordinator = staff[COORDINATOR]
    bookings = [
        dict(
            clinician=staff[LEAD],
            kind=Appointment.Kind.FOLLOW_UP,
            starts_at=at(today + timedelta(days=3), 10, 30),
            minutes=30,
            place=CLINIC_PLACE,
            note_for_patient=(
                "Please bring the medicines you take (or a list), and your walking diary if you keep one. "
                "Arrive 10 minutes early to answer two short questionnaires."
            ),
        ),
        dict(
            clinician=staff[PSYCHOLOGIST],
            kind=Appointment.Kind.TELEHEALTH,
            starts_at=at(today + timedelta(days=10), 15, 0),
            minutes=50,
            video_link=VIDEO_LINK,
            note_for_patient="Find a quiet room where you can talk freely. Test your camera a few minutes before.",
        ),
    ]
    booked = 0
    for booking in bookings:
        try:
            book_appointment(patient=maria, by=coordinator, **booking)
        except AppointmentRefused:  # a clash with a slot the demo already holds: leave it
            continue
        booked += 1
    return booked


@transaction.atomic
def write_lead_day(lead: User, *, today: date) -> int:
    """Four of the lead's patients today, and one attended yesterday; nothing when the lead has a day already."""
    if Appointment.objects.filter(
        clinician=lead, starts_at__gte=start_of_day(today), starts_at__lt=start_of_day(today + timedelta(days=1))
    ).exists():
        return 0
    patients = list(
        CareTeamMember.objects.filter(member=lead, is_lead=True)
        .exclude(patient__mrn=DEMO_PATIENT["mrn"])
        .order_by("patient__mrn")
        .values_list("patient_id", flat=True)[: len(LEAD_DAY) + 1]
    )
    slots = [(today, *slot, "booked") for slot in LEAD_DAY] + [
        (today - timedelta(days=1), 15, 0, 30, "follow_up", "attended")
    ]
    now = timezone.now()
    written = 0
    for patient_id, (day, hour, minute, minutes, kind, status) in zip(patients, slots, strict=False):
        starts_at = at(day, hour, minute)
        appointment = Appointment.objects.create(
            patient_id=patient_id,
            clinician=lead,
            discipline=lead.discipline,
            kind=kind,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            place=CLINIC_PLACE,
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
