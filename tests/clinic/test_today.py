"""The clinician's "Today": where clinicians land, their appointments of the clinic-local day in time order, one
line per patient of what needs attention, audited, in a constant number of queries."""

import datetime

from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import Appointment
from clinic.services import create_task
from tests.clinic.daykit import appointment, at_local, full_history, signed_note, summaries_dated
from tests.factories import PASSWORD, CareTeamMemberFactory, PatientFactory, StaffFactory
from tests.measures.responses import peg

TODAY = reverse("today:day")


def rows(response) -> list[str]:
    return [row.patient.full_name for row in response.context["schedule"].rows]


def attention(response, patient) -> str:
    (row,) = [row for row in response.context["schedule"].rows if row.patient.pk == patient.pk]
    return "; ".join(row.attention)


def test_clinicians_land_on_today_after_signing_in(client, physician):
    response = client.post(reverse("login"), {"username": physician.username, "password": PASSWORD})
    assert response["Location"] == TODAY


def test_coordinators_and_admins_keep_their_landing_page(client, coordinator, clinic_admin):
    response = client.post(reverse("login"), {"username": coordinator.username, "password": PASSWORD})
    assert response["Location"] == reverse("home")


def test_a_page_asked_for_before_signing_in_still_wins(client, physician):
    wanted = reverse("patients:list")
    response = client.post(f"{reverse('login')}?next={wanted}", {"username": physician.username, "password": PASSWORD})
    assert response["Location"] == wanted


def test_the_top_bar_offers_today_to_clinicians_only(signed_in, physician, coordinator):
    assert f'href="{TODAY}"' in signed_in(physician).get(reverse("home")).content.decode()
    assert f'href="{TODAY}"' not in signed_in(coordinator).get(reverse("home")).content.decode()


def test_it_lists_the_clinicians_own_appointments_of_the_day_in_time_order(signed_in, physician, patient):
    today = timezone.localdate()
    second = PatientFactory(given_name="Ben", family_name="Afternoon")
    CareTeamMemberFactory(patient=second, member=physician)
    colleague = StaffFactory(role="clinician", discipline="physical_therapist")
    appointment(second, physician, at_local(today, 14), kind=Appointment.Kind.TELEHEALTH, place="")
    appointment(patient, physician, at_local(today, 9), place="Room 7")
    appointment(patient, colleague, at_local(today, 11))  # someone else's
    appointment(second, physician, at_local(today + datetime.timedelta(days=1), 9))  # tomorrow
    appointment(patient, physician, at_local(today, 16), status=Appointment.Status.CANCELLED)
    response = signed_in(physician).get(TODAY)
    assert rows(response) == [patient.full_name, second.full_name]
    page = response.content.decode()
    assert "9:00 AM" in page and "Room 7" in page
    assert "Telehealth (video) · Video" in page


def test_a_patient_the_clinician_may_not_see_is_not_listed(signed_in, physician, other_patient):
    appointment(other_patient, physician, at_local(timezone.localdate(), 10))
    assert rows(signed_in(physician).get(TODAY)) == []


def test_each_patient_has_one_line_of_what_needs_attention(signed_in, physician, patient):
    full_history(patient, physician)
    appointment(patient, physician, at_local(timezone.localdate(), 15))
    line = attention(signed_in(physician).get(TODAY), patient)
    assert "1 new alert" in line
    assert "PEG crossed its responder threshold: PEG 8.0 \N{RIGHTWARDS ARROW} 4.0" in line
    assert "Sprint 1 ends" in line
    assert "Referral to Physical therapy overdue: not acknowledged within 5 business days" in line
    assert "Opioid regimen changed since the last visit: 60 MME/day now" in line


def test_a_patient_with_nothing_new_gets_a_calm_line(signed_in, physician, patient):
    appointment(patient, physician, at_local(timezone.localdate(), 15))
    response = signed_in(physician).get(TODAY)
    assert attention(response, patient) == ""
    assert "Nothing new needs attention since the registration" in response.content.decode()


def test_a_score_from_before_the_last_visit_is_not_news(signed_in, physician, patient):
    peg(patient, 8, days_ago=60)
    peg(patient, 4, days_ago=30)
    summaries_dated(patient, latest_days_ago=30)
    signed_note(patient, physician, days_ago=10)
    appointment(patient, physician, at_local(timezone.localdate(), 15))
    assert "PEG" not in attention(signed_in(physician).get(TODAY), patient)


def test_the_day_picker_shows_another_day_and_any_other_input_shows_today(signed_in, physician, patient):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    appointment(patient, physician, at_local(tomorrow, 9))
    client = signed_in(physician)
    response = client.get(TODAY, {"day": tomorrow.isoformat()})
    assert rows(response) == [patient.full_name] and response.context["schedule"].day == tomorrow
    for nonsense in ("yesterday", "2026-13-40", "9999-01-01", "\x00"):
        response = client.get(TODAY, {"day": nonsense})
        assert response.status_code == 200 and response.context["schedule"].day == timezone.localdate()


def test_the_page_is_audited_naming_the_patients_shown(signed_in, physician, patient):
    appointment(patient, physician, at_local(timezone.localdate(), 15))
    signed_in(physician).get(TODAY)
    event = AuditEvent.objects.filter(action=Action.VIEW, target__startswith="today:").get()
    assert event.actor == physician and event.shown == [str(patient.public_id)]


def day_of(count: int, clinician) -> None:
    today = timezone.localdate()
    for n in range(count):
        patient = PatientFactory()
        CareTeamMemberFactory(patient=patient, member=clinician, is_lead=True)
        full_history(patient, clinician)
        appointment(patient, clinician, at_local(today, 8, 30) + datetime.timedelta(minutes=30 * n))


def test_it_runs_the_same_number_of_queries_for_one_appointment_or_eight(
    signed_in, physician, django_assert_num_queries
):
    client = signed_in(physician)
    day_of(1, physician)
    client.get(TODAY)  # the session's first read is done; count the next
    with django_assert_num_queries(12) as one:  # 12: the person's open tasks are two (their ids, then those rows)
        client.get(TODAY)
    day_of(7, physician)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(TODAY)
    assert len(response.context["schedule"].rows) == 8


def test_the_day_is_the_clinics_local_day_at_its_edges(clinic_day_edge, signed_in, physician, patient):
    today = clinic_day_edge
    appointment(patient, physician, at_local(today, 0, 15), place="Just after midnight")
    appointment(patient, physician, at_local(today, 23, 45), place="Just before midnight")
    appointment(patient, physician, at_local(today - datetime.timedelta(days=1), 23, 45), place="Yesterday late")
    appointment(patient, physician, at_local(today + datetime.timedelta(days=1), 0, 15), place="Tomorrow early")
    response = signed_in(physician).get(TODAY)
    assert response.context["schedule"].day == today
    assert [row.appointment.place for row in response.context["schedule"].rows] == [
        "Just after midnight",
        "Just before midnight",
    ]


def test_urgent_work_for_the_clinician_comes_above_the_day_and_other_tasks_below_it(signed_in, physician, patient):
    appointment(patient, physician, at_local(timezone.localdate(), 15))
    create_task(
        title="Call back about the new pain", source="manual", source_key="t:1", patient=patient, assignee=physician
    )
    page = signed_in(physician).get(TODAY).content.decode()
    assert page.index("Call back about the new pain") > page.index(patient.full_name)
    create_task(
        title="PHQ-9 item 9 answered",
        source="alert",
        source_key="t:2",
        patient=patient,
        assignee=physician,
        priority="urgent",
    )
    page = signed_in(physician).get(TODAY).content.decode()
    assert (
        page.index("PHQ-9 item 9 answered")
        < page.index("Call back about the new pain")
        < page.index(f'Pre-visit summary<span class="visually-hidden"> for {patient.full_name}')
    )
