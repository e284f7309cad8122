"""Appointment pages: every role of the cast on every URL (outsiders 404, audited), booking from the chart and
through a referral, the clash shown on the form with what was typed, moving, cancelling, attendance, the
clinic's day with its filters, and constant query counts."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.models import Appointment, AppointmentEvent
from tests.clock import clinic_time
from tests.factories import AppointmentFactory, CareTeamMemberFactory, PatientFactory, referral_in_state

pytestmark = pytest.mark.django_db

NOW = clinic_time(2026, 12, 7, 9, 0)  # Monday morning, clinic time
TUESDAY_10 = clinic_time(2026, 12, 8, 10, 0)
BOOKING = {"kind": "follow_up", "day": "2026-12-10", "time": "14:30", "minutes": "30", "place": "Room 3"}


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def appointment(patient, physician):
    return AppointmentFactory(patient=patient, clinician=physician, starts_at=TUESDAY_10)


def detail_url(appointment) -> str:
    return reverse("appointments:detail", args=[appointment.public_id])


def urls_of(appointment, patient, physician) -> dict[str, tuple[str, str, dict]]:
    """Every appointment URL about this patient: name -> (method, url, data)."""
    public_id = appointment.public_id
    version = {"version": appointment.version}
    return {
        "detail": ("get", detail_url(appointment), {}),
        "book form": ("get", reverse("appointments:new", args=[patient.public_id]), {}),
        "book": ("post", reverse("appointments:new", args=[patient.public_id]), {**BOOKING, "clinician": physician.pk}),
        "move": (
            "post",
            reverse("appointments:move", args=[public_id]),
            {**version, "day": "2026-12-11", "time": "09:00", "minutes": "30"},
        ),
        "details": (
            "post",
            reverse("appointments:details", args=[public_id]),
            {**version, "place": "Room 9", "note_for_patient": ""},
        ),
        "cancel": ("post", reverse("appointments:cancel", args=[public_id]), {**version, "reason": "Unwell"}),
        "attendance": ("post", reverse("appointments:attendance", args=[public_id]), {**version, "status": "attended"}),
    }


def call(client, method, url, data):
    return client.get(url) if method == "get" else client.post(url, data)


ALL = ["detail", "book form", "book", "move", "details", "cancel", "attendance"]
BOOKING_URLS = ["book form", "book", "move", "details", "cancel"]


# --------------------------------------------------------------------------- access, every role


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
@pytest.mark.parametrize("name", ALL)
def test_coordinators_and_admins_may_open_and_change_appointments(
    request, signed_in, patient, physician, appointment, who, name
):
    if name == "attendance":
        Appointment.objects.filter(pk=appointment.pk).update(starts_at=NOW - timedelta(hours=2), ends_at=NOW)
    method, url, data = urls_of(appointment, patient, physician)[name]
    response = call(signed_in(request.getfixturevalue(who)), method, url, data)
    assert response.status_code == (200 if method == "get" else 302), response.content[:2000]


@pytest.mark.parametrize("who", ["physician", "psychologist"])
def test_the_team_sees_the_appointment(request, signed_in, appointment, who):
    response = signed_in(request.getfixturevalue(who)).get(detail_url(appointment))
    assert response.status_code == 200
    assert "Follow-up with Ada Okafor, MD" in response.text


@pytest.mark.parametrize("who", ["physician", "psychologist"])
@pytest.mark.parametrize("name", BOOKING_URLS)
def test_clinicians_do_not_book_move_or_cancel(request, signed_in, patient, physician, appointment, who, name):
    method, url, data = urls_of(appointment, patient, physician)[name]
    response = call(signed_in(request.getfixturevalue(who)), method, url, data)
    assert response.status_code == 403
    assert Appointment.objects.count() == 1 and not AppointmentEvent.objects.exists()


def test_only_the_appointments_own_clinician_records_attendance(signed_in, patient, physician, psychologist):
    appointment = AppointmentFactory(patient=patient, clinician=physician, starts_at=NOW - timedelta(hours=2))
    url = reverse("appointments:attendance", args=[appointment.public_id])
    data = {"version": 1, "status": "no_show"}
    assert signed_in(psychologist).post(url, data).status_code == 403
    assert signed_in(physician).post(url, data).status_code == 302
    assert Appointment.objects.get(pk=appointment.pk).status == Appointment.Status.NO_SHOW


@pytest.mark.parametrize("name", ALL)
def test_a_clinician_on_no_team_gets_a_404_on_every_url_and_only_the_refusal_audited(
    signed_in, outsider, patient, physician, appointment, name
):
    method, url, data = urls_of(appointment, patient, physician)[name]
    response = call(signed_in(outsider), method, url, data)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(patient=patient).exclude(action=Action.REFUSED).exists()
    assert AuditEvent.objects.filter(patient=patient, action=Action.REFUSED, actor=outsider).count() == 1


@pytest.mark.parametrize("name", ALL)
def test_another_teams_lead_gets_a_404(signed_in, other_team_lead, patient, physician, appointment, name):
    method, url, data = urls_of(appointment, patient, physician)[name]
    assert call(signed_in(other_team_lead), method, url, data).status_code == 404


@pytest.mark.parametrize("name", ALL)
def test_anonymous_visitors_are_sent_to_sign_in(client, patient, physician, appointment, name):
    method, url, data = urls_of(appointment, patient, physician)[name]
    response = call(client, method, url, data)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_an_unknown_appointment_is_a_404_even_for_a_coordinator(signed_in, coordinator):
    url = reverse("appointments:detail", args=[uuid.uuid4()])
    assert signed_in(coordinator).get(url).status_code == 404


# --------------------------------------------------------------------------- booking


def test_a_coordinator_books_from_the_chart(signed_in, coordinator, patient, physician):
    client = signed_in(coordinator)
    chart = client.get(reverse("patients:chart", args=[patient.public_id])).text
    assert reverse("appointments:new", args=[patient.public_id]) in chart
    response = client.post(
        reverse("appointments:new", args=[patient.public_id]),
        {**BOOKING, "clinician": physician.pk, "note_for_patient": "Bring your walking shoes."},
    )
    appointment = Appointment.objects.get()
    assert response["Location"] == detail_url(appointment)
    assert appointment.starts_at == clinic_time(2026, 12, 10, 14, 30)
    assert appointment.created_by == coordinator
    page = client.get(detail_url(appointment)).text
    assert "Appointment booked: Thursday, December 10, 2026, 2:30 pm-3:00 pm." in page
    assert "Bring your walking shoes." in page


def test_a_clash_is_refused_on_the_form_keeping_what_was_typed(signed_in, coordinator, patient, physician, appointment):
    response = signed_in(coordinator).post(
        reverse("appointments:new", args=[patient.public_id]),
        {**BOOKING, "day": "2026-12-08", "time": "10:15", "clinician": physician.pk, "place": "Room 7"},
    )
    assert response.status_code == 400
    assert "Ada Okafor, MD already has an appointment 10:00 am-10:30 am on Tuesday, December 8, 2026." in (
        response.text
    )
    assert 'value="Room 7"' in response.text and 'value="10:15"' in response.text
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"minutes": "5"}, "An appointment lasts at least 10 minutes."),
        ({"minutes": "lots"}, "Length (minutes): enter a whole number."),
        ({"time": "25:99"}, "Enter a time such as 10:30."),
        ({"day": ""}, "Choose the day."),
        ({"clinician": "999999"}, "Select a valid choice."),
        ({"clinician": ""}, "Choose the clinician the patient sees."),
        ({"place": ""}, "An in-person appointment needs its place"),
        ({"kind": "telehealth", "video_link": "http://video.example.test"}, "must be a secure link"),
        ({"day": "2026-12-01"}, "That time has passed"),
    ],
)
def test_the_form_refuses_what_does_not_fit_with_a_clear_message_and_no_500(
    signed_in, coordinator, patient, physician, change, message
):
    data = {**BOOKING, "clinician": physician.pk, **change}
    response = signed_in(coordinator).post(reverse("appointments:new", args=[patient.public_id]), data)
    assert response.status_code == 400
    assert message in response.text
    assert not Appointment.objects.exists()


def test_booking_through_an_internal_referral_links_it_and_shows_on_the_referral(
    signed_in, coordinator, patient, physician
):
    referral = referral_in_state("scheduled", patient=patient, by=coordinator, is_internal=True)
    client = signed_in(coordinator)
    referral_page = client.get(reverse("referrals:detail", args=[referral.public_id])).text
    book_url = reverse("appointments:new", args=[patient.public_id]) + f"?referral={referral.public_id}"
    assert book_url in referral_page
    form = client.get(book_url).text
    assert f'name="referral" value="{referral.public_id}"' in form
    client.post(
        reverse("appointments:new", args=[patient.public_id]),
        {**BOOKING, "clinician": physician.pk, "referral": referral.public_id},
    )
    assert Appointment.objects.get().referral == referral
    referral_page = client.get(reverse("referrals:detail", args=[referral.public_id])).text
    assert "Appointments through this referral" in referral_page
    assert "Thu Dec 10, 2026, 2:30 p.m." in referral_page


@pytest.mark.parametrize("referral_id", ["not-a-uuid", str(uuid.uuid4())])
def test_an_unknown_referral_is_a_404_not_a_500(signed_in, coordinator, patient, referral_id):
    url = reverse("appointments:new", args=[patient.public_id]) + f"?referral={referral_id}"
    assert signed_in(coordinator).get(url).status_code == 404


def test_another_patients_referral_is_a_404(signed_in, coordinator, patient, other_patient):
    referral = referral_in_state("scheduled", patient=other_patient, by=coordinator)
    url = reverse("appointments:new", args=[patient.public_id]) + f"?referral={referral.public_id}"
    assert signed_in(coordinator).get(url).status_code == 404


# --------------------------------------------------------------------------- changes on the appointment's page


def test_a_coordinator_moves_the_appointment_and_the_history_says_so(signed_in, coordinator, appointment):
    client = signed_in(coordinator)
    response = client.post(
        reverse("appointments:move", args=[appointment.public_id]),
        {"version": 1, "day": "2026-12-11", "time": "09:00", "minutes": "45"},
        follow=True,
    )
    assert "Appointment moved to Friday, December 11, 2026, 9:00 am-9:45 am." in response.text
    assert "From Tuesday, December 8, 2026, 10:00 am-10:30 am to Friday" in response.text


def test_a_move_from_a_stale_page_is_refused_keeping_what_was_typed(signed_in, coordinator, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(version=2)
    response = signed_in(coordinator).post(
        reverse("appointments:move", args=[appointment.public_id]),
        {"version": 1, "day": "2026-12-11", "time": "09:00", "minutes": "45"},
    )
    assert response.status_code == 409
    assert "Someone else changed this appointment" in response.text
    assert 'value="2026-12-11"' in response.text and 'name="version" value="2"' in response.text


@pytest.mark.parametrize("version", ["", "abc"])
def test_a_change_with_a_broken_version_never_fails_with_a_500(signed_in, coordinator, appointment, version):
    response = signed_in(coordinator).post(
        reverse("appointments:cancel", args=[appointment.public_id]), {"version": version, "reason": "Unwell"}
    )
    assert response.status_code == 400


def test_cancelling_keeps_the_appointment_in_the_chart_with_its_reason(signed_in, coordinator, patient, appointment):
    client = signed_in(coordinator)
    client.post(reverse("appointments:cancel", args=[appointment.public_id]), {"version": 1, "reason": "Unwell"})
    page = client.get(detail_url(appointment)).text
    assert "Cancelled" in page and "Unwell" in page
    chart = client.get(reverse("patients:chart", args=[patient.public_id])).text
    assert "Recent and cancelled" in chart and detail_url(appointment) in chart


def test_attendance_before_the_day_is_explained_not_offered(signed_in, coordinator, appointment):
    page = signed_in(coordinator).get(detail_url(appointment)).text
    assert "Attendance is recorded on or after the day of the appointment." in page
    assert reverse("appointments:attendance", args=[appointment.public_id]) not in page


def test_attendance_posted_before_the_day_is_refused_with_the_reason(signed_in, coordinator, appointment):
    response = signed_in(coordinator).post(
        reverse("appointments:attendance", args=[appointment.public_id]), {"version": 1, "status": "attended"}
    )
    assert response.status_code == 400
    assert "Attendance is recorded on or after the day of the appointment (Tuesday, December 8)." in response.text


# --------------------------------------------------------------------------- the clinic's day


def test_the_day_lists_appointments_in_time_order_and_filters_by_clinician(
    signed_in, coordinator, patient, physician, psychologist
):
    AppointmentFactory(patient=patient, clinician=psychologist, starts_at=TUESDAY_10 + timedelta(hours=2))
    AppointmentFactory(patient=patient, clinician=physician, starts_at=TUESDAY_10)
    AppointmentFactory(patient=patient, clinician=physician, starts_at=TUESDAY_10 + timedelta(days=1))
    client = signed_in(coordinator)
    page = client.get(reverse("appointments:list"), {"on": "2026-12-08"}).text
    assert page.index("10:00 a.m.") < page.index("12:00 p.m.") and "Elin Lindqvist, PhD" in page
    mine = client.get(reverse("appointments:list"), {"on": "2026-12-08", "clinician": physician.username}).text
    assert "Elin Lindqvist, PhD</td>" not in mine and "10:00 a.m." in mine


def test_the_day_defaults_to_the_clinics_today_and_ignores_what_it_cannot_read(signed_in, coordinator, patient):
    AppointmentFactory(patient=patient, starts_at=NOW + timedelta(hours=1))
    client = signed_in(coordinator)
    assert "(today)" in client.get(reverse("appointments:list")).text
    response = client.get(reverse("appointments:list"), {"on": "not a day", "clinician": "x"})
    assert response.status_code == 200 and "(today)" in response.text


def test_a_clinician_sees_only_the_appointments_of_patients_they_may_see(signed_in, outsider, patient, appointment):
    page = signed_in(outsider).get(reverse("appointments:list"), {"on": "2026-12-08"}).text
    assert "Garcia-López" not in page and "No appointments" in page


def test_the_day_is_audited_with_the_patients_shown(signed_in, coordinator, patient, appointment):
    signed_in(coordinator).get(reverse("appointments:list"), {"on": "2026-12-08"})
    event = AuditEvent.objects.get(target="appointments of a day")
    assert event.shown == [str(patient.public_id)]


def test_the_top_bar_offers_appointments_to_coordinators_not_clinicians(signed_in, coordinator, physician):
    link = f'href="{reverse("appointments:list")}">Appointments</a>'
    assert link in signed_in(coordinator).get(reverse("patients:list")).text
    assert link not in signed_in(physician).get(reverse("patients:list")).text


# --------------------------------------------------------------------------- queries


def test_the_day_runs_a_constant_number_of_queries(signed_in, coordinator, django_assert_max_num_queries):
    client = signed_in(coordinator)
    url = reverse("appointments:list")
    AppointmentFactory(starts_at=TUESDAY_10)
    client.get(url, {"on": "2026-12-08"})  # the first page after signing in also saves the session
    with django_assert_max_num_queries(20) as one:
        client.get(url, {"on": "2026-12-08"})
    for n in range(15):
        patient = PatientFactory()
        CareTeamMemberFactory(patient=patient)
        AppointmentFactory(patient=patient, starts_at=TUESDAY_10 + timedelta(minutes=30 * n))
    with django_assert_max_num_queries(20) as many:
        client.get(url, {"on": "2026-12-08"})
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_appointment_page_runs_a_constant_number_of_queries(
    signed_in, coordinator, appointment, django_assert_max_num_queries
):
    client = signed_in(coordinator)
    client.get(detail_url(appointment))
    with django_assert_max_num_queries(30) as one:
        client.get(detail_url(appointment))
    for n in range(10):
        AppointmentEvent.objects.create(appointment=appointment, kind="changed", by=coordinator, note=f"Change {n}")
    with django_assert_max_num_queries(30) as many:
        client.get(detail_url(appointment))
    assert len(many.captured_queries) == len(one.captured_queries)


def test_the_chart_section_runs_a_constant_number_of_queries(
    signed_in, physician, patient, django_assert_max_num_queries
):
    AppointmentFactory(patient=patient, clinician=physician)
    client = signed_in(physician)
    url = reverse("patients:chart", args=[patient.public_id])
    client.get(url)
    with django_assert_max_num_queries(45) as one:
        client.get(url)
    for n in range(12):
        AppointmentFactory(patient=patient, starts_at=TUESDAY_10 + timedelta(days=n + 1))
        AppointmentFactory(patient=patient, starts_at=NOW - timedelta(days=n + 1), status="attended")
    with django_assert_max_num_queries(45) as many:
        page = client.get(url).text
    assert len(many.captured_queries) == len(one.captured_queries)
    assert page.index("Coming up") < page.index("Recent and cancelled")
