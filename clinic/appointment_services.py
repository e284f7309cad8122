"""Appointment workflows: book, move, change the details, cancel, record attendance (the rules are in
clinic/appointments.py, who may in clinic.access.appointments). The day-before reminder sweep is in
clinic/appointment_reminders.py.

Each function is keyword-only and atomic, checks permission itself (``Refused``, nothing written), writes an
AppointmentEvent for the appointment's history and an audit event, whoever calls (a page, a command, a task).
A booking is never deleted: cancelling and attendance change its status.

Double-booking: booking or moving a clinician's appointment first locks the clinician's User row
(SELECT ... FOR UPDATE), then looks for a booked appointment of theirs overlapping the new time; two
coordinators booking the same clinician at once are serialised by the lock, so the second one sees the first
one's booking and is refused with its time. Group sessions share a slot by design: appointments of the same
group at exactly the same time are not a clash.

Optimistic locking: each change carries the version the form was shown with; a change based on an older
version raises AppointmentChanged and saves nothing.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from clinic import appointments as rules
from clinic.access.appointments import ATTENDANCE_ONLY, BOOKERS_ONLY, may_book_for, may_record_attendance
from clinic.access.refusals import refuse_unless
from clinic.models import Appointment, AppointmentEvent, Referral, User
from clinic.roles import Role

Refusal = rules.AppointmentRefused
# Audit targets: what happened to an appointment, never what it says.
BOOKED = "appointment booked"
MOVED = "appointment moved"
DETAILS_CHANGED = "appointment details changed"
CANCELLED = "appointment cancelled"
ATTENDANCE = "appointment attendance recorded"
DETAIL_LABELS = {"place": "place", "video_link": "video link", "note_for_patient": "how to prepare"}


@transaction.atomic
def book_appointment(
    *,
    patient,
    by,
    audit: AuditContext | None = None,
    kind: str,
    starts_at: datetime,
    minutes: int,
    clinician: User | None = None,
    group_name: str = "",
    discipline: str = "",
    place: str = "",
    video_link: str = "",
    note_for_patient: str = "",
    referral: Referral | None = None,
) -> Appointment:
    """Book `patient` with `clinician` (or in the group session `group_name`) from `starts_at` for `minutes`.

    Preconditions: refused unless `by` may book for this patient. Raises AppointmentRefused (nothing saved)
    when the booking breaks a rule (clinic/appointments.py), the clinician is not an active clinician, the
    referral is another patient's, or the clinician already has an appointment then (the message names it).
    The discipline defaults to the clinician's.
    """
    refuse_unless(may_book_for(by, patient), BOOKERS_ONLY)
    now = timezone.now()
    start, end = rules.slot(starts_at, minutes, now=now)
    place, video_link = rules.where(kind, place=place, video_link=video_link)
    group_name = group_name.strip()
    if kind == Appointment.Kind.GROUP and not group_name:
        raise Refusal("A group session needs its name.", field="group_name")
    if kind != Appointment.Kind.GROUP:
        group_name = ""
        if clinician is None:
            raise Refusal("Choose the clinician the patient sees.", field="clinician")
    if referral is not None and referral.patient_id != patient.pk:
        raise Refusal("That referral is another patient's.")
    if clinician is not None:
        clinician = lock_clinician(clinician)
        refuse_clash(clinician, start, end, group_name=group_name)
    discipline = discipline or (clinician.discipline if clinician else "")
    if not discipline:
        raise Refusal("Choose the discipline of a group session with no clinician.", field="discipline")
    appointment = Appointment.objects.create(
        patient=patient,
        clinician=clinician,
        group_name=group_name,
        discipline=discipline,
        kind=kind,
        starts_at=start,
        ends_at=end,
        place=place,
        video_link=video_link,
        note_for_patient=note_for_patient.strip(),
        referral=referral,
        created_by=by,
        created_at=now,
        status_changed_at=now,
    )
    AppointmentEvent.objects.create(
        appointment=appointment,
        kind=AppointmentEvent.Kind.BOOKED,
        by=by,
        at=now,
        note=rules.when_words(start, end) + (f" with {clinician.display_name}." if clinician else f", {group_name}."),
        after=moment_fields(start, end),
    )
    record_event(actor=by, context=audit, patient=patient, action=Action.CREATE, target=BOOKED)
    return appointment


@transaction.atomic
def move_appointment(
    *,
    appointment: Appointment,
    by,
    audit: AuditContext | None = None,
    starts_at: datetime,
    minutes: int,
    expected_version: int,
) -> None:
    """Move a booked appointment to a new start and length, with the same clash check as booking.

    The day-before reminder is for the new time: a reminder already sent is forgotten (its claim cleared), so
    the sweep reminds the patient of the new time. Refused unless `by` may book for the patient; raises
    AppointmentRefused for a rule or a clash, AppointmentChanged when it changed since `expected_version`.
    """
    refuse_unless(may_book_for(by, appointment.patient), BOOKERS_ONLY)
    refuse_unless_booked(appointment, "moved")
    start, end = rules.slot(starts_at, minutes, now=timezone.now())
    if appointment.clinician is not None:
        clinician = lock_clinician(appointment.clinician, checking=False)
        refuse_clash(clinician, start, end, group_name=appointment.group_name, moving=appointment)
    before = moment_fields(appointment.starts_at, appointment.ends_at)
    write(
        appointment,
        {"starts_at": start, "ends_at": end, "reminder_sent_at": None},
        by=by,
        kind=AppointmentEvent.Kind.MOVED,
        expected_version=expected_version,
        note=f"From {rules.when_words(appointment.starts_at, appointment.ends_at)} to {rules.when_words(start, end)}.",
        before=before,
        after=moment_fields(start, end),
    )
    record_event(actor=by, context=audit, patient=appointment.patient, action=Action.UPDATE, target=MOVED)


@transaction.atomic
def change_appointment_details(
    *,
    appointment: Appointment,
    by,
    audit: AuditContext | None = None,
    place: str,
    video_link: str,
    note_for_patient: str,
    expected_version: int,
) -> list[str]:
    """Change where (the place or the video link) and how to prepare; returns the names of what changed
    (no event and no audit row when nothing did). Refused and raising as move_appointment does."""
    refuse_unless(may_book_for(by, appointment.patient), BOOKERS_ONLY)
    refuse_unless_booked(appointment, "changed")
    place, video_link = rules.where(appointment.kind, place=place, video_link=video_link)
    wanted = {"place": place, "video_link": video_link, "note_for_patient": note_for_patient.strip()}
    changed = {name: value for name, value in wanted.items() if getattr(appointment, name) != value}
    if not changed:
        if expected_version != appointment.version:
            raise rules.AppointmentChanged()
        return []
    names = [DETAIL_LABELS[name] for name in changed]
    write(
        appointment,
        changed,
        by=by,
        kind=AppointmentEvent.Kind.CHANGED,
        expected_version=expected_version,
        note="Changed: " + ", ".join(names) + ".",
    )
    record_event(actor=by, context=audit, patient=appointment.patient, action=Action.UPDATE, target=DETAILS_CHANGED)
    return list(changed)


@transaction.atomic
def cancel_appointment(
    *, appointment: Appointment, by, audit: AuditContext | None = None, reason: str, expected_version: int
) -> None:
    """Cancel a booked appointment with its reason; the booking and its history stay (status cancelled)."""
    refuse_unless(may_book_for(by, appointment.patient), BOOKERS_ONLY)
    refuse_unless_booked(appointment, "cancelled")
    reason = reason.strip()
    if not reason:
        raise Refusal("Say why the appointment is cancelled.", field="reason")
    write(
        appointment,
        {"status": Appointment.Status.CANCELLED, "status_changed_at": timezone.now(), "cancel_reason": reason},
        by=by,
        kind=AppointmentEvent.Kind.CANCELLED,
        expected_version=expected_version,
        note=reason,
    )
    record_event(actor=by, context=audit, patient=appointment.patient, action=Action.UPDATE, target=CANCELLED)


@transaction.atomic
def record_attendance(
    *,
    appointment: Appointment,
    by,
    audit: AuditContext | None = None,
    status: str,
    note: str = "",
    expected_version: int,
) -> None:
    """Record what happened: attended, did not attend, or cancelled late; only on or after the appointment's
    day in the clinic's zone (a correction of an earlier record is allowed; a cancelled booking has none).

    Refused unless `by` may record attendance of this appointment; raises AppointmentRefused before the day,
    AppointmentChanged as move_appointment does.
    """
    refuse_unless(may_record_attendance(by, appointment), ATTENDANCE_ONLY)
    if status not in Appointment.ATTENDANCE:
        raise Refusal("Choose attended, did not attend or cancelled late.", field="status")
    if appointment.status == Appointment.Status.CANCELLED:
        raise Refusal("This appointment was cancelled: there is no attendance to record.")
    day = timezone.localdate(appointment.starts_at)
    if timezone.localdate() < day:
        raise Refusal(f"Attendance is recorded on or after the day of the appointment ({day:%A, %B} {day.day}).")
    label = Appointment.Status(status).label
    write(
        appointment,
        {"status": status, "status_changed_at": timezone.now()},
        by=by,
        kind=AppointmentEvent.Kind.ATTENDANCE,
        expected_version=expected_version,
        note=label + (f": {note.strip()}" if note.strip() else "."),
        before={"status": appointment.status},
        after={"status": status},
    )
    record_event(actor=by, context=audit, patient=appointment.patient, action=Action.UPDATE, target=ATTENDANCE)


# --------------------------------------------------------------------------- the pieces


def lock_clinician(clinician: User, *, checking: bool = True) -> User:
    """The clinician's row, locked until the transaction ends (concurrent bookings of this clinician wait
    here); refused when they are not an active clinician (not checked for a move: the booking stands)."""
    locked = User.objects.select_for_update().filter(pk=clinician.pk).first()
    if locked is None or (checking and not (locked.is_active and locked.role == Role.CLINICIAN)):
        raise Refusal("Appointments are booked with an active clinician.", field="clinician")
    return locked


def refuse_clash(
    clinician: User, start: datetime, end: datetime, *, group_name: str, moving: Appointment | None = None
) -> None:
    """Refuse when the (locked) clinician has another booked appointment overlapping [start, end); the same
    group session at exactly the same time is not a clash."""
    others = Appointment.objects.overlapping(start, end).filter(clinician=clinician)
    if moving is not None:
        others = others.exclude(pk=moving.pk)
    if group_name:
        others = others.exclude(kind=Appointment.Kind.GROUP, group_name=group_name, starts_at=start, ends_at=end)
    other = others.order_by("starts_at").only("starts_at", "ends_at").first()
    if other is not None:
        raise Refusal(
            rules.clash_words(clinician.display_name, other)
        )  # at the top of the form: it is about the whole booking


def refuse_unless_booked(appointment: Appointment, verb: str) -> None:
    if appointment.status != Appointment.Status.BOOKED:
        status = appointment.get_status_display().lower()
        raise Refusal(f"Only a booked appointment can be {verb}; this one is {status}.")


def write(
    appointment: Appointment,
    changes: dict,
    *,
    by,
    kind: str,
    expected_version: int,
    note: str,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """Save `changes` only if nobody saved since the version the form was shown with, with its event."""
    if expected_version != appointment.version:
        raise rules.AppointmentChanged()
    saved = Appointment.objects.filter(pk=appointment.pk, version=expected_version).update(
        version=expected_version + 1, **changes
    )
    if not saved:
        raise rules.AppointmentChanged()
    AppointmentEvent.objects.create(
        appointment=appointment, kind=kind, by=by, note=note, before=before or {}, after=after or {}
    )
    for name, value in {**changes, "version": expected_version + 1}.items():
        setattr(appointment, name, value)


def moment_fields(start: datetime, end: datetime) -> dict:
    """A start and end for an event's before/after, on the clinic's clock (with its UTC offset)."""
    return {"starts_at": timezone.localtime(start).isoformat(), "ends_at": timezone.localtime(end).isoformat()}
