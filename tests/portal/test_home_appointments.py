"""The portal home's appointments with the clinic (portal/home_content.py, "Coming up"): when (the clinic's day
and time, in words), where or how to join, with whom and how to prepare, in English and in Spanish; cancelled and
past ones are not coming up."""

from datetime import timedelta

import pytest
from django.urls import reverse

from clinic.models import Appointment
from patients.models import Language
from portal import home_content
from portal.services import issue_link
from tests.clock import clinic_time
from tests.factories import AppointmentFactory
from tests.portal.journey import open_link

HOME = reverse("portal:home")
THURSDAY_1030 = clinic_time(2026, 12, 10, 10, 30)  # the day after tomorrow under in_clinic_hours (Wednesday 10:00)


@pytest.fixture
def opened(in_clinic_hours, client, patient):
    _, token = issue_link(patient=patient)
    open_link(client, token)
    return client


@pytest.fixture
def follow_up(patient, physician):
    return AppointmentFactory(
        patient=patient,
        clinician=physician,
        starts_at=THURSDAY_1030,
        place="Room 3, 2nd floor",
        note_for_patient="Bring your medicines and wear comfortable shoes.",
    )


def test_the_home_shows_when_where_with_whom_and_how_to_prepare(opened, follow_up):
    text = opened.get(HOME).text
    assert "Thursday, December 10 at 10:30 a.m. (tomorrow)" in text
    assert "Your appointment with Ada Okafor, MD." in text
    assert "Where: Room 3, 2nd floor." in text
    assert "How to prepare: Bring your medicines and wear comfortable shoes." in text
    assert "To change or cancel an appointment, please call us at" in text


def test_a_video_visit_shows_how_to_join(opened, patient, physician):
    AppointmentFactory(
        patient=patient,
        clinician=physician,
        kind=Appointment.Kind.TELEHEALTH,
        place="",
        video_link="https://video.example.test/room-42",
        starts_at=THURSDAY_1030,
    )
    text = opened.get(HOME).text
    assert 'It is a video call: <a href="https://video.example.test/room-42" rel="noopener noreferrer">' in text
    assert "Where:" not in text


def test_a_group_session_says_its_name(opened, patient):
    AppointmentFactory(
        patient=patient,
        clinician=None,
        kind=Appointment.Kind.GROUP,
        group_name="Moving with confidence",
        discipline="physical_therapist",
        starts_at=THURSDAY_1030,
    )
    assert "Group session: Moving with confidence." in opened.get(HOME).text


def test_cancelled_and_ended_appointments_are_not_coming_up(in_clinic_hours, patient, physician):
    AppointmentFactory(patient=patient, clinician=physician, starts_at=THURSDAY_1030, status="cancelled")
    AppointmentFactory(patient=patient, clinician=physician, starts_at=clinic_time(2026, 12, 9, 8, 0))  # ended 8:30
    assert home_content.for_patient(patient).visits == []


def test_an_appointment_under_way_is_still_shown_today(in_clinic_hours, patient, physician):
    AppointmentFactory(patient=patient, clinician=physician, starts_at=clinic_time(2026, 12, 9, 9, 45))
    (visit,) = home_content.for_patient(patient).visits
    assert visit.when.endswith("(today)")


def test_another_patients_appointment_is_not_shown(opened, other_patient, physician):
    AppointmentFactory(patient=other_patient, clinician=physician, starts_at=THURSDAY_1030, place="Room 8")
    assert "Room 8" not in opened.get(HOME).text


def test_a_spanish_speaking_patient_reads_it_in_spanish(in_clinic_hours, client, patient, follow_up):
    patient.preferred_language = Language.SPANISH
    patient.save(update_fields=["preferred_language"])
    _, token = issue_link(patient=patient)
    open_link(client, token)
    text = client.get(HOME).text
    assert "jueves 10 de diciembre a las 10:30 (mañana)" in text
    assert "Su cita con Ada Okafor, MD." in text
    assert "Dónde: Room 3, 2nd floor." in text
    assert "Cómo prepararse: Bring your medicines" in text  # the team's own words, as written
    assert "Para cambiar o cancelar una cita" in text


def test_many_appointments_keep_the_home_at_the_same_queries(opened, patient, physician, django_assert_max_num_queries):
    AppointmentFactory(patient=patient, clinician=physician, starts_at=THURSDAY_1030)
    with django_assert_max_num_queries(16) as one:
        opened.get(HOME)
    for n in range(10):
        AppointmentFactory(patient=patient, clinician=physician, starts_at=THURSDAY_1030 + timedelta(days=n + 1))
    with django_assert_max_num_queries(16) as many:
        opened.get(HOME)
    assert len(many.captured_queries) == len(one.captured_queries)
