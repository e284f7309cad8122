"""Appointment services (clinic/appointment_services.py): booking with its rules, the clash refused with its time,
group sessions sharing a slot, moving, changing details, cancelling with the history kept, optimistic locking,
who may, and the audit trail."""

from datetime import timedelta

import pytest
import time_machine

from audit.models import Action, AuditEvent
from clinic import appointment_services as services
from clinic.access.refusals import Refused
from clinic.appointments import AppointmentChanged, AppointmentRefused
from clinic.models import Appointment, AppointmentEvent
from clinic.roles import Discipline, Role
from tests.clock import clinic_time
from tests.factories import AppointmentFactory, StaffFactory, referral_in_state

NOW = clinic_time(2026, 12, 7, 9, 0)  # a Monday morning, clinic time
TUESDAY_10 = clinic_time(2026, 12, 8, 10, 0)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


def book(patient, by, **fields):
    values = {"kind": Appointment.Kind.FOLLOW_UP, "starts_at": TUESDAY_10, "minutes": 30, "place": "Room 3"}
    return services.book_appointment(patient=patient, by=by, **{**values, **fields})


# --------------------------------------------------------------------------- booking


def test_a_coordinator_books_a_follow_up_with_its_history_and_audit_row(patient, physician, coordinator):
    appointment = book(patient, coordinator, clinician=physician, note_for_patient="Bring your medicines.")
    assert appointment.status == Appointment.Status.BOOKED
    assert appointment.ends_at - appointment.starts_at == timedelta(minutes=30)
    assert appointment.discipline == Discipline.PHYSICIAN  # the clinician's, by default
    event = appointment.events.get()
    assert event.kind == AppointmentEvent.Kind.BOOKED and event.by == coordinator
    assert "Ada Okafor, MD" in event.note
    audit = AuditEvent.objects.get(action=Action.CREATE, patient=patient)
    assert audit.target == services.BOOKED and audit.actor == coordinator


def test_a_chosen_discipline_is_kept(patient, physician, coordinator):
    appointment = book(patient, coordinator, clinician=physician, discipline=Discipline.NURSE)
    assert appointment.discipline == Discipline.NURSE


@pytest.mark.parametrize("minutes", [9, 241])
def test_the_length_is_10_to_240_minutes(patient, physician, coordinator, minutes):
    with pytest.raises(AppointmentRefused, match="10 to 240 minutes"):
        book(patient, coordinator, clinician=physician, minutes=minutes)


def test_a_time_that_has_passed_is_refused(patient, physician, coordinator):
    with pytest.raises(AppointmentRefused, match="has passed"):
        book(patient, coordinator, clinician=physician, starts_at=NOW - timedelta(minutes=1))


def test_a_naive_start_is_refused(patient, physician, coordinator):
    with pytest.raises(AppointmentRefused, match="clinic's time zone"):
        book(patient, coordinator, clinician=physician, starts_at=TUESDAY_10.replace(tzinfo=None))


def test_telehealth_needs_an_https_video_link_and_keeps_no_place(patient, physician, coordinator):
    for link, message in [("", "needs its video link"), ("http://video.example.test/r", "https://")]:
        with pytest.raises(AppointmentRefused, match=message):
            book(patient, coordinator, clinician=physician, kind=Appointment.Kind.TELEHEALTH, video_link=link)
    appointment = book(
        patient,
        coordinator,
        clinician=physician,
        kind=Appointment.Kind.TELEHEALTH,
        video_link="https://video.example.test/r",
    )
    assert appointment.video_link == "https://video.example.test/r" and appointment.place == ""


def test_in_person_needs_a_place(patient, physician, coordinator):
    with pytest.raises(AppointmentRefused, match="needs its place") as refused:
        book(patient, coordinator, clinician=physician, place="  ")
    assert refused.value.field == "place"


@pytest.mark.parametrize("who", ["coordinator", "inactive", "none"])
def test_the_clinician_must_be_an_active_clinician(patient, coordinator, who):
    clinician = {
        "coordinator": coordinator,
        "inactive": StaffFactory(role=Role.CLINICIAN, is_active=False),
        "none": None,
    }[who]
    with pytest.raises(AppointmentRefused):
        book(patient, coordinator, clinician=clinician)
    assert not Appointment.objects.exists()


def test_a_referral_of_another_patient_is_refused(patient, other_patient, physician, coordinator):
    referral = referral_in_state("scheduled", patient=other_patient, by=coordinator)
    with pytest.raises(AppointmentRefused, match="another patient"):
        book(patient, coordinator, clinician=physician, referral=referral)


def test_a_booking_through_a_referral_is_linked_to_it(patient, physician, coordinator):
    referral = referral_in_state("scheduled", patient=patient, by=coordinator, is_internal=True)
    appointment = book(patient, coordinator, clinician=physician, referral=referral)
    assert list(referral.appointments.all()) == [appointment]


@pytest.mark.parametrize("role", ["physician", "outsider"])
def test_clinicians_do_not_book(request, patient, physician, role):
    person = request.getfixturevalue(role)
    with pytest.raises(Refused):
        book(patient, person, clinician=physician)
    assert not Appointment.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_a_clinic_admin_books_too(patient, physician, clinic_admin):
    assert book(patient, clinic_admin, clinician=physician).created_by == clinic_admin


# --------------------------------------------------------------------------- double booking


def test_double_booking_a_clinician_is_refused_naming_the_clash(patient, other_patient, physician, coordinator):
    book(patient, coordinator, clinician=physician)
    with pytest.raises(AppointmentRefused) as refused:
        book(other_patient, coordinator, clinician=physician, starts_at=TUESDAY_10 + timedelta(minutes=15))
    assert str(refused.value).startswith(
        "Ada Okafor, MD already has an appointment 10:00 am-10:30 am on Tuesday, December 8, 2026."
    )
    assert Appointment.objects.count() == 1


def test_back_to_back_appointments_do_not_clash(patient, other_patient, physician, coordinator):
    book(patient, coordinator, clinician=physician)
    book(other_patient, coordinator, clinician=physician, starts_at=TUESDAY_10 + timedelta(minutes=30))
    assert Appointment.objects.count() == 2


def test_a_cancelled_appointment_frees_its_slot(patient, other_patient, physician, coordinator):
    first = book(patient, coordinator, clinician=physician)
    services.cancel_appointment(appointment=first, by=coordinator, reason="Patient asked", expected_version=1)
    book(other_patient, coordinator, clinician=physician)
    assert Appointment.objects.booked().count() == 1


def test_a_group_session_shares_its_slot_but_not_another_time(patient, other_patient, psychologist, coordinator):
    group = {"kind": Appointment.Kind.GROUP, "group_name": "Pain self-management", "clinician": psychologist}
    book(patient, coordinator, **group)
    book(other_patient, coordinator, **group)  # the same session: allowed
    assert Appointment.objects.filter(group_name="Pain self-management").count() == 2
    with pytest.raises(AppointmentRefused, match="already has an appointment"):
        book(other_patient, coordinator, **{**group, "group_name": "Sleep"})
    with pytest.raises(AppointmentRefused, match="already has an appointment"):
        book(other_patient, coordinator, **group, starts_at=TUESDAY_10 + timedelta(minutes=10))


def test_a_group_session_needs_its_name_and_may_have_no_facilitator(patient, coordinator):
    with pytest.raises(AppointmentRefused, match="needs its name"):
        book(patient, coordinator, kind=Appointment.Kind.GROUP, discipline=Discipline.PSYCHOLOGIST)
    appointment = book(
        patient, coordinator, kind=Appointment.Kind.GROUP, group_name="Movement", discipline=Discipline.NURSE
    )
    assert appointment.clinician is None and appointment.with_whom == "Movement"


# --------------------------------------------------------------------------- moving and changing


def test_moving_changes_the_time_keeps_the_history_and_forgets_a_sent_reminder(patient, physician, coordinator):
    appointment = book(patient, coordinator, clinician=physician)
    Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=NOW)
    appointment.refresh_from_db()
    later = TUESDAY_10 + timedelta(days=2, hours=4)
    services.move_appointment(appointment=appointment, by=coordinator, starts_at=later, minutes=45, expected_version=1)
    appointment.refresh_from_db()
    assert (appointment.starts_at, appointment.minutes, appointment.version) == (later, 45, 2)
    assert appointment.reminder_sent_at is None
    moved = appointment.events.get(kind=AppointmentEvent.Kind.MOVED)
    assert moved.before["starts_at"] == TUESDAY_10.isoformat() and moved.after["starts_at"] == later.isoformat()
    assert "to Thursday, December 10, 2026, 2:00 pm-2:45 pm" in moved.note


def test_moving_into_another_appointment_is_refused_but_not_into_itself(patient, other_patient, physician, coordinator):
    appointment = book(patient, coordinator, clinician=physician)
    book(other_patient, coordinator, clinician=physician, starts_at=TUESDAY_10 + timedelta(hours=1))
    services.move_appointment(
        appointment=appointment,
        by=coordinator,
        starts_at=TUESDAY_10 + timedelta(minutes=10),
        minutes=30,
        expected_version=1,
    )
    with pytest.raises(AppointmentRefused, match="11:00 am-11:30 am"):
        services.move_appointment(
            appointment=appointment,
            by=coordinator,
            starts_at=TUESDAY_10 + timedelta(minutes=50),
            minutes=30,
            expected_version=2,
        )


def test_a_change_based_on_an_older_version_is_refused(patient, physician, coordinator):
    appointment = book(patient, coordinator, clinician=physician)
    stale = Appointment.objects.get(pk=appointment.pk)
    services.change_appointment_details(
        appointment=appointment,
        by=coordinator,
        place="Room 5",
        video_link="",
        note_for_patient="",
        expected_version=1,
    )
    with pytest.raises(AppointmentChanged):
        services.cancel_appointment(appointment=stale, by=coordinator, reason="Clash", expected_version=1)
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.BOOKED


def test_changing_details_names_what_changed_and_nothing_changed_writes_nothing(patient, physician, coordinator):
    appointment = book(patient, coordinator, clinician=physician)
    names = services.change_appointment_details(
        appointment=appointment,
        by=coordinator,
        place="Room 5",
        video_link="",
        note_for_patient="Wear shorts.",
        expected_version=1,
    )
    assert names == ["place", "note_for_patient"]
    assert appointment.events.get(kind=AppointmentEvent.Kind.CHANGED).note == "Changed: place, how to prepare."
    assert (
        services.change_appointment_details(
            appointment=appointment,
            by=coordinator,
            place="Room 5",
            video_link="",
            note_for_patient="Wear shorts.",
            expected_version=2,
        )
        == []
    )
    assert appointment.events.count() == 2


# --------------------------------------------------------------------------- cancelling


def test_cancelling_keeps_the_booking_and_its_history(patient, physician, coordinator):
    appointment = book(patient, coordinator, clinician=physician)
    services.cancel_appointment(appointment=appointment, by=coordinator, reason="Patient unwell", expected_version=1)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED and appointment.cancel_reason == "Patient unwell"
    assert [event.kind for event in appointment.events.all()] == ["booked", "cancelled"]
    assert AuditEvent.objects.filter(target=services.CANCELLED, patient=patient).count() == 1


def test_a_cancelled_appointment_cannot_be_moved_or_cancelled_again(patient, physician, coordinator):
    appointment = book(patient, coordinator, clinician=physician)
    services.cancel_appointment(appointment=appointment, by=coordinator, reason="Patient unwell", expected_version=1)
    with pytest.raises(AppointmentRefused, match="this one is cancelled"):
        services.cancel_appointment(appointment=appointment, by=coordinator, reason="Again", expected_version=2)
    with pytest.raises(AppointmentRefused, match="Only a booked appointment can be moved"):
        services.move_appointment(
            appointment=appointment, by=coordinator, starts_at=TUESDAY_10, minutes=30, expected_version=2
        )


def test_a_cancellation_needs_its_reason(patient, physician, coordinator):
    appointment = book(patient, coordinator, clinician=physician)
    with pytest.raises(AppointmentRefused, match="Say why"):
        services.cancel_appointment(appointment=appointment, by=coordinator, reason="  ", expected_version=1)


def test_a_clinician_cannot_cancel(patient, physician, coordinator):
    appointment = AppointmentFactory(patient=patient, clinician=physician)
    with pytest.raises(Refused):
        services.cancel_appointment(appointment=appointment, by=physician, reason="No", expected_version=1)
