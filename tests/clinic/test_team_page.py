"""The Team page: who is on duty now, the rota that coordinators and admins keep, staff away, the medical
lead (admins name them), each person's own notification channel, and tomorrow's gap as a warning."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from clinic.models import DutyShift, StaffAbsence, User
from clinic.safety_net import on_duty_now, route_urgent
from tests.clock import WEDNESDAY_MORNING
from tests.factories import PatientFactory, mark_away, put_on_duty

URL = reverse("team:team")


@pytest.fixture(autouse=True)
def wednesday_morning():
    with time_machine.travel(WEDNESDAY_MORNING, tick=False):
        yield


def test_everyone_on_staff_sees_who_is_on_duty_now(signed_in, physician, outsider, coordinator, clinic_admin):
    put_on_duty(outsider)
    for person in (physician, outsider, coordinator, clinic_admin):
        page = signed_in(person).get(URL)
        assert page.status_code == 200
        assert "On duty now" in page.content.decode()
        assert page.context["overview"].on_duty == outsider
    assert AuditEvent.objects.filter(target="team: on duty and rota").count() == 4


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_put_a_clinician_on_the_rota(request, signed_in, outsider, who):
    today = timezone.localdate()
    response = signed_in(request.getfixturevalue(who)).post(
        reverse("team:set_shift"), {"on": today.isoformat(), "slot": "clinic_hours", "clinician": outsider.pk}
    )
    assert response.status_code == 302
    assert on_duty_now() == outsider


def test_a_clinician_cannot_change_the_rota(signed_in, physician, outsider):
    response = signed_in(physician).post(
        reverse("team:set_shift"),
        {"on": timezone.localdate().isoformat(), "slot": "clinic_hours", "clinician": outsider.pk},
    )
    assert response.status_code == 403
    assert not DutyShift.objects.exists()


def test_choosing_nobody_leaves_a_gap_and_tomorrows_gap_is_a_warning(signed_in, coordinator, outsider):
    tomorrow = timezone.localdate() + timedelta(days=1)
    client = signed_in(coordinator)
    client.post(reverse("team:set_shift"), {"on": tomorrow.isoformat(), "slot": "clinic_hours", "clinician": ""})
    page = client.get(URL).content.decode()
    assert "Gap in tomorrow&#x27;s rota" in page or "Gap in tomorrow's rota" in page
    for slot in ("clinic_hours", "after_hours"):
        client.post(reverse("team:set_shift"), {"on": tomorrow.isoformat(), "slot": slot, "clinician": outsider.pk})
    assert "Gap in tomorrow" not in client.get(URL).content.decode()


def test_a_bad_rota_entry_is_a_clear_message_not_an_error(signed_in, coordinator, patient):
    response = signed_in(coordinator).post(
        reverse("team:set_shift"), {"on": "not a date", "slot": "lunch", "clinician": "999999"}
    )
    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()


def test_a_clinician_marks_themselves_away_and_their_urgent_work_routes_on(signed_in, physician, patient, outsider):
    put_on_duty(outsider)
    today = timezone.localdate()
    response = signed_in(physician).post(
        reverse("team:mark_away"),
        {"staff": physician.pk, "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=2)).isoformat()},
    )
    assert response.status_code == 302
    assert route_urgent(patient).person == outsider


def test_a_clinician_cannot_mark_a_colleague_away(signed_in, physician, psychologist):
    today = timezone.localdate().isoformat()
    response = signed_in(physician).post(
        reverse("team:mark_away"), {"staff": psychologist.pk, "starts_on": today, "ends_on": today}
    )
    assert response.status_code == 400
    assert not StaffAbsence.objects.exists()


def test_a_coordinator_marks_a_clinician_away_and_back(signed_in, coordinator, physician, patient):
    mark_away(physician)
    absence = StaffAbsence.objects.get()
    client = signed_in(coordinator)
    assert client.post(reverse("team:end_absence", args=[absence.public_id])).status_code == 302
    assert route_urgent(patient).person == physician


def test_the_last_day_cannot_be_before_the_first(signed_in, physician):
    today = timezone.localdate()
    response = signed_in(physician).post(
        reverse("team:mark_away"),
        {"staff": physician.pk, "starts_on": today.isoformat(), "ends_on": (today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    assert "The last day cannot be before the first day." in response.content.decode()


def test_only_a_clinic_admin_names_the_medical_lead(signed_in, clinic_admin, coordinator, physician):
    assert signed_in(coordinator).post(reverse("team:medical_lead"), {"clinician": physician.pk}).status_code == 403
    assert signed_in(clinic_admin).post(reverse("team:medical_lead"), {"clinician": physician.pk}).status_code == 302
    assert User.objects.get(is_medical_lead=True) == physician
    route = route_urgent(PatientFactory())
    assert route.person == physician and "medical lead" in route.why


def test_a_new_medical_lead_replaces_the_old_one(signed_in, clinic_admin, physician, psychologist):
    client = signed_in(clinic_admin)
    client.post(reverse("team:medical_lead"), {"clinician": physician.pk})
    client.post(reverse("team:medical_lead"), {"clinician": psychologist.pk})
    assert list(User.objects.filter(is_medical_lead=True)) == [psychologist]


def test_each_person_chooses_how_urgent_tasks_reach_them(signed_in, physician):
    client = signed_in(physician)
    refused = client.post(reverse("team:notifications"), {"notify_by": "sms", "email": physician.email})
    assert refused.status_code == 400
    assert "Add a mobile number, or choose email." in refused.content.decode()
    client.post(
        reverse("team:notifications"), {"notify_by": "both", "email": physician.email, "mobile_phone": "+15550101"}
    )
    physician.refresh_from_db()
    assert (physician.notify_by, physician.mobile_phone) == ("both", "+15550101")


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(URL).status_code == 302


def test_tomorrows_gap_is_a_warning_on_the_coordinators_worklist_and_not_the_clinicians(
    signed_in, coordinator, physician
):
    warning = "Gap in tomorrow"
    assert warning in signed_in(coordinator).get(reverse("team:worklist")).content.decode()
    assert warning not in signed_in(physician).get(reverse("team:worklist")).content.decode()
