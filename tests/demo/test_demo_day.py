"""The demo physician's day (demo/day.py): appointments today, so a clinician signing in to the demo lands on a
Today with patients on it; booked once per clinic day."""

import datetime
from io import StringIO

import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import demo.clinic
from clinic.models import Appointment
from clinic.roles import Discipline


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", patients=12, stdout=out)
    return out.getvalue()


def todays(day) -> list[Appointment]:
    return [a for a in Appointment.objects.select_related("patient") if timezone.localdate(a.starts_at) == day]


def test_the_demo_physician_has_a_day_of_appointments_booked_once_per_day(db):
    assert "8 appointments today for the demo physician" in seed()
    assert "appointments today" not in seed()
    booked = todays(timezone.localdate())
    assert len(booked) == 8
    assert booked[0].patient == demo.clinic.demo_patient()
    assert {a.clinician.username for a in booked} == {demo.clinic.demo_staff_username(Discipline.PHYSICIAN)}
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert "8 appointments today" in seed()


def test_the_demo_physician_lands_on_a_day_with_the_demo_patient(db, client):
    seed()
    username = demo.clinic.demo_staff_username(Discipline.PHYSICIAN)
    response = client.post(reverse("login"), {"username": username, "password": demo.clinic.DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("today:day"), 302)]
    assert demo.clinic.demo_patient().full_name in [row.patient.full_name for row in response.context["schedule"].rows]
