"""Who has looked at this record, /patients/<uuid>/access/: clinic admins only, newest first."""

import datetime
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent


def report_url(patient):
    return reverse("patients:access_report", args=[patient.public_id])


def add_events(patient, count, *, newest=None, step=datetime.timedelta(minutes=1)):
    """`count` events, one `step` apart, the newest at `newest`; their targets say their age."""
    newest = newest or timezone.now() - datetime.timedelta(hours=1)
    return AuditEvent.objects.bulk_create(
        AuditEvent(
            at=newest - step * age,
            actor_label=f"Staff member {age:03d}",
            patient=patient,
            action=Action.VIEW,
            target=f"chart {age:03d}",
        )
        for age in range(count)
    )


def targets_in(response):
    return [event.target for event in response.context["events"]]


def older_link(response):
    match = re.search(rb'href="(\?before=[^"]+)">Older entries', response.content)
    return match and match.group(1).decode().replace("&amp;", "&")


def test_it_shows_a_clinic_admin_who_did_what_and_when(signed_in, clinic_admin, patient):
    add_events(patient, 1, newest=timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 15, 30)))
    response = signed_in(clinic_admin).get(report_url(patient))
    assert response.status_code == 200
    rows = re.findall(r"<tr><td>.*?</tr>", response.content.decode())
    assert rows[1] == (
        "<tr><td>Mar 4, 2026 09:15:30</td><td>Staff member 000</td><td>Viewed</td><td>chart 000</td><td></td></tr>"
    )
    assert "<td>Grace Osei</td><td>Viewed</td><td>access report</td><td>127.0.0.1</td>" in rows[0]


def test_it_lists_events_newest_first(signed_in, clinic_admin, patient):
    add_events(patient, 3)
    response = signed_in(clinic_admin).get(report_url(patient))
    assert targets_in(response) == ["access report", "chart 000", "chart 001", "chart 002"]
    content = response.content.decode()
    assert content.index("chart 000") < content.index("chart 001") < content.index("chart 002")


def test_it_shows_only_this_patients_events(signed_in, clinic_admin, patient, other_patient):
    add_events(other_patient, 2)
    response = signed_in(clinic_admin).get(report_url(patient))
    assert targets_in(response) == ["access report"]


def test_it_records_its_own_view(signed_in, clinic_admin, patient):
    signed_in(clinic_admin).get(report_url(patient))
    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.action, event.target) == (
        clinic_admin,
        patient,
        Action.VIEW,
        "access report",
    )


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator"])
def test_it_refuses_staff_who_are_not_clinic_admins(request, signed_in, patient, who):
    response = signed_in(request.getfixturevalue(who)).get(report_url(patient))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(target="access report").exists()
    refused = AuditEvent.objects.get(action=Action.REFUSED)  # the attempt itself is audited (audit/refusals.py)
    assert refused.target == f"refused (403) at patients:access_report: patient {patient.public_id}"


def test_it_refuses_a_clinician_on_no_team_with_the_same_403_as_for_an_unknown_patient(signed_in, outsider, patient):
    """403, not 404: the permission is checked before the patient is looked up, so the answer is
    the same for every id and reveals nothing about whether this patient exists."""
    client = signed_in(outsider)
    existing = client.get(report_url(patient))
    unknown = client.get(reverse("patients:access_report", args=[uuid.uuid4()]))
    assert existing.status_code == unknown.status_code == 403
    assert patient.family_name.encode() not in existing.content


def test_it_answers_404_to_a_clinic_admin_for_an_unknown_patient(signed_in, clinic_admin):
    response = signed_in(clinic_admin).get(reverse("patients:access_report", args=[uuid.uuid4()]))
    assert response.status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client, patient):
    response = client.get(report_url(patient))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_pages_through_older_events_with_before(signed_in, clinic_admin, patient):
    add_events(patient, 150)
    client = signed_in(clinic_admin)
    first = client.get(report_url(patient))
    assert len(targets_in(first)) == 100
    assert targets_in(first)[:2] == ["access report", "chart 000"]
    link = older_link(first)
    assert link
    second = client.get(report_url(patient) + link)
    expected = [f"chart {age:03d}" for age in range(99, 150)]
    assert targets_in(second) == expected
    assert older_link(second) is None


def test_it_skips_no_event_when_events_share_a_time_across_pages(signed_in, clinic_admin, patient):
    add_events(patient, 120, step=datetime.timedelta(0))  # an import: all at the same instant
    client = signed_in(clinic_admin)
    first = client.get(report_url(patient))
    second = client.get(report_url(patient) + older_link(first))
    seen = targets_in(first)[1:] + targets_in(second)
    assert len(seen) == len(set(seen)) == 120


@pytest.mark.parametrize("before", ["2026-02-30T10:00:00", "yesterday", "2026-01-01T10:00:00+99:00", "\x00"])
def test_it_shows_the_first_page_for_a_before_it_cannot_read(signed_in, clinic_admin, patient, before):
    add_events(patient, 1)
    response = signed_in(clinic_admin).get(report_url(patient), {"before": before})
    assert response.status_code == 200
    assert targets_in(response) == ["access report", "chart 000"]


def test_it_runs_the_same_number_of_queries_for_one_event_or_a_hundred_and_fifty(
    signed_in, clinic_admin, patient, django_assert_max_num_queries
):
    client = signed_in(clinic_admin)
    client.get(report_url(patient))
    # 14: one of them checks the device that passed the admin's second step of sign-in (clinic/two_factor.py), one
    # reads the banner's allergies.
    with django_assert_max_num_queries(14) as few:
        client.get(report_url(patient))
    add_events(patient, 150)
    with django_assert_max_num_queries(14) as many:
        response = client.get(report_url(patient))
    assert len(response.context["events"]) == 100
    assert len(few) == len(many), [q["sql"][:80] for q in many.captured_queries]
