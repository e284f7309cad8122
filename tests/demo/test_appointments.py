"""The demo's appointments (demo/appointments.py): the demo physician's day today with Maria first (so a clinician
signing in to the demo lands on a Today with patients on it), one attended yesterday, and Maria's video visit with
her psychologist booked by the coordinator; a second run the same day adds nothing, a run on a later day adds
that day."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

import demo.appointments
import demo.clinic
from clinic.models import Appointment
from demo.team import LEAD, PSYCHOLOGIST

pytestmark = pytest.mark.django_db


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", patients=30, stdout=out)
    return out.getvalue()


def on_day(day) -> list[Appointment]:
    booked = Appointment.objects.select_related("patient", "clinician").order_by("starts_at")
    return [a for a in booked if timezone.localdate(a.starts_at) == day]


def test_the_lead_has_a_day_with_maria_first_and_a_rerun_adds_nothing():
    seed()
    maria = demo.clinic.demo_patient()
    today = timezone.localdate()
    day = on_day(today)
    assert len(day) == len(demo.appointments.LEAD_DAY)
    assert day[0].patient == maria
    assert {a.clinician.username for a in day} == {LEAD}
    assert all(a.status == Appointment.Status.BOOKED and a.events.count() == 1 for a in day)
    yesterday = on_day(today - datetime.timedelta(days=1))
    assert [a.status for a in yesterday] == [Appointment.Status.ATTENDED]
    count = Appointment.objects.count()
    assert "appointments" not in seed()
    assert Appointment.objects.count() == count


def test_maria_has_a_video_visit_with_her_psychologist_booked_by_the_coordinator():
    seed()
    visit = Appointment.objects.get(patient=demo.clinic.demo_patient(), clinician__username=PSYCHOLOGIST)
    assert visit.kind == Appointment.Kind.TELEHEALTH and visit.video_link.startswith("https://")
    assert (timezone.localdate(visit.starts_at) - timezone.localdate()).days == 10
    assert visit.events.get().by.username == "sofia.rossi"


def test_a_later_day_gets_its_own_appointments():
    seed()
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1)):
        assert "appointments" in seed()
        assert len(on_day(timezone.localdate())) == len(demo.appointments.LEAD_DAY)


def test_the_demo_physician_lands_on_a_day_with_the_demo_patient(client):
    seed()
    response = client.post(reverse("login"), {"username": LEAD, "password": demo.clinic.DEMO_PASSWORD}, follow=True)
    assert response.redirect_chain == [(reverse("today:day"), 302)]
    assert demo.clinic.demo_patient().full_name in [row.patient.full_name for row in response.context["schedule"].rows]
