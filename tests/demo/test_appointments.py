"""The demo's appointments (demo/appointments.py): Maria's follow-up with her lead in a few days and a video visit,
her lead's day today with other patients of theirs; a second run adds nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

import demo.appointments
import demo.charts
import demo.clinic
from clinic.dates import start_of_day
from clinic.models import Appointment
from demo.team import LEAD

pytestmark = pytest.mark.django_db


def test_maria_has_a_follow_up_with_her_lead_and_the_lead_has_a_day_and_a_rerun_adds_nothing():
    demo.clinic.seed_staff()
    list(demo.clinic.seed_patients(30))
    result = demo.appointments.seed_appointments()
    assert (result.booked, result.lead_day) == (2, 5)
    maria = demo.clinic.demo_patient()
    follow_up = Appointment.objects.filter(patient=maria).order_by("starts_at").first()
    assert follow_up.clinician.username == LEAD and follow_up.kind == Appointment.Kind.FOLLOW_UP
    assert (timezone.localdate(follow_up.starts_at) - timezone.localdate()).days == 3
    assert follow_up.events.get().by.username == "sofia.rossi"
    today = timezone.localdate()
    day = Appointment.objects.filter(
        clinician__username=LEAD,
        starts_at__gte=start_of_day(today),
        starts_at__lt=start_of_day(today + timedelta(days=1)),
    )
    assert day.count() == 4 and maria.pk not in set(day.values_list("patient_id", flat=True))
    again = demo.appointments.seed_appointments()
    assert (again.booked, again.lead_day) == (0, 0)
    assert Appointment.objects.count() == 7
