"""The questionnaire schedule pages (measures/schedule_views.py): access, validation, audit."""

import datetime

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from measures.models import MeasurementSchedule
from measures.scheduling import start_default_schedule

MAY_SEE = ["physician", "psychologist", "coordinator", "clinic_admin"]
# Only clinicians on the care team change a schedule (test_schedule_permissions.py refuses the others).
MAY_EDIT = ["physician", "psychologist"]


def base(patient) -> str:
    return f"/patients/{patient.public_id}/measures/schedule/"


@pytest.fixture
def scheduled(patient):
    return start_default_schedule(patient=patient, start_on=timezone.localdate())


def today():
    return timezone.localdate()


def peg(patient) -> MeasurementSchedule:
    return MeasurementSchedule.objects.get(patient=patient, instrument_code="peg")


def audit_targets(patient, action) -> list[str]:
    return list(
        AuditEvent.objects.filter(patient=patient, action=action).order_by("id").values_list("target", flat=True)
    )


@pytest.mark.parametrize("member", MAY_SEE)
def test_the_team_coordinators_and_admins_see_the_schedule_and_it_is_audited(
    request, member, signed_in, patient, physician, psychologist, scheduled
):
    client = signed_in(request.getfixturevalue(member))

    response = client.get(base(patient))

    assert response.status_code == 200
    page = response.content.decode()
    for name in ("PEG", "PHQ-9", "GAD-7", "PC-PTSD-5", "AUDIT-C"):
        assert name in page
    assert "14 days" in page and "182 days" in page
    assert audit_targets(patient, Action.VIEW) == ["questionnaire schedule"]


@pytest.mark.parametrize("member", MAY_EDIT)
def test_the_team_clinicians_may_change_a_schedule(
    request, member, signed_in, patient, physician, psychologist, scheduled
):
    user = request.getfixturevalue(member)
    client = signed_in(user)
    due = today() + datetime.timedelta(days=3)

    response = client.post(base(patient) + "peg/", {"every_days": "7", "next_due_on": due.isoformat(), "active": "on"})

    assert response.status_code == 302 and response.url == base(patient)
    stored = peg(patient)
    assert (stored.every_days, stored.next_due_on, stored.active, stored.updated_by) == (7, due, True, user)
    assert audit_targets(patient, Action.UPDATE) == ["questionnaire schedule: PEG"]
    assert "PEG schedule saved." in client.get(base(patient)).content.decode()


def outsider_requests(patient):
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    return [
        ("get", base(patient), {}),
        ("get", base(patient) + "peg/", {}),
        ("post", base(patient) + "peg/", {"every_days": "7", "next_due_on": due, "active": "on"}),
        ("post", base(patient) + "peg/pause-or-resume/", {"active": "pause"}),
        ("post", base(patient) + "start/", {}),
    ]


def test_a_clinician_on_no_team_gets_404_everywhere_and_changes_nothing(signed_in, outsider, patient, scheduled):
    client = signed_in(outsider)
    MeasurementSchedule.objects.filter(patient=patient).delete()  # so that "start" would create something

    for method, url, data in outsider_requests(patient):
        assert getattr(client, method)(url, data).status_code == 404, url

    assert not MeasurementSchedule.objects.filter(patient=patient).exists()
    assert not AuditEvent.objects.filter(patient=patient).exclude(action=Action.REFUSED).exists()


def test_a_team_clinician_gets_404_for_another_patients_schedule(signed_in, physician, other_patient):
    start_default_schedule(patient=other_patient, start_on=today())
    client = signed_in(physician)

    for method, url, data in outsider_requests(other_patient):
        assert getattr(client, method)(url, data).status_code == 404, url
    assert peg(other_patient).every_days == 14


def test_signed_out_visitors_are_sent_to_sign_in(client, patient, scheduled):
    response = client.get(base(patient))
    assert response.status_code == 302 and "/accounts/sign-in/" in response.url


def test_an_unknown_instrument_is_404(signed_in, physician, patient, scheduled):
    assert signed_in(physician).get(base(patient) + "bpi/").status_code == 404


def test_with_no_schedule_it_offers_the_default_protocol_and_starting_it_needs_a_post(signed_in, physician, patient):
    client = signed_in(physician)
    page = client.get(base(patient)).content.decode()
    assert "Start the default protocol" in page

    assert client.get(base(patient) + "start/").status_code == 405
    response = client.post(base(patient) + "start/")

    assert response.status_code == 302
    assert MeasurementSchedule.objects.filter(patient=patient, next_due_on=today()).count() == 5
    assert audit_targets(patient, Action.CREATE) == ["questionnaire schedule: default protocol"]
    assert "Start the default protocol" not in client.get(base(patient)).content.decode()


@pytest.mark.parametrize(
    ("every_days", "message"),
    [
        ("6", "Ask at most once a week: enter 7 days or more."),
        ("366", "Ask at least once a year: enter 365 days or fewer."),
        ("two weeks", "Enter a whole number of days, for example 14."),
        ("", "Enter how many days apart to ask this questionnaire."),
    ],
)
def test_an_out_of_range_interval_is_refused_with_a_clear_message_and_what_was_typed_kept(
    signed_in, physician, patient, scheduled, every_days, message
):
    client = signed_in(physician)
    due = today().isoformat()

    response = client.post(base(patient) + "peg/", {"every_days": every_days, "next_due_on": due, "active": "on"})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert f'value="{every_days}"' in page or every_days == ""
    assert f'value="{due}"' in page
    assert peg(patient).every_days == 14
    assert not audit_targets(patient, Action.UPDATE)


def test_a_next_due_date_in_the_past_is_refused(signed_in, physician, patient, scheduled):
    yesterday = (today() - datetime.timedelta(days=1)).isoformat()

    response = signed_in(physician).post(base(patient) + "peg/", {"every_days": "21", "next_due_on": yesterday})

    assert response.status_code == 400
    page = response.content.decode()
    assert "The next due date cannot be in the past." in page
    assert 'value="21"' in page and f'value="{yesterday}"' in page
    assert peg(patient).every_days == 14


def test_today_is_a_valid_next_due_date_and_unticking_active_pauses(signed_in, physician, patient, scheduled):
    signed_in(physician).post(base(patient) + "peg/", {"every_days": "14", "next_due_on": today().isoformat()})
    assert peg(patient).active is False


def test_pause_and_resume_buttons(signed_in, physician, patient, scheduled):
    client = signed_in(physician)
    MeasurementSchedule.objects.filter(pk=peg(patient).pk).update(next_due_on=today() - datetime.timedelta(days=20))

    client.post(base(patient) + "peg/pause-or-resume/", {"active": "pause"})
    assert peg(patient).active is False
    assert "Resume" in client.get(base(patient)).content.decode()

    client.post(base(patient) + "peg/pause-or-resume/", {"active": "resume"})
    assert peg(patient).active is True
    assert peg(patient).next_due_on == today()  # a date that passed while paused becomes today
    assert audit_targets(patient, Action.UPDATE) == ["questionnaire schedule: PEG"] * 2
    assert client.get(base(patient) + "peg/pause-or-resume/").status_code == 405


def test_the_edit_page_shows_the_current_values_and_is_audited(signed_in, physician, patient, scheduled):
    response = signed_in(physician).get(base(patient) + "phq9/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="28"' in page and f'value="{today().isoformat()}"' in page
    assert audit_targets(patient, Action.VIEW) == ["questionnaire schedule: PHQ-9"]


def test_pages_have_no_inline_scripts_or_styles(signed_in, physician, patient, scheduled):
    client = signed_in(physician)
    for url in (base(patient), base(patient) + "peg/"):
        page = client.get(url).content.decode()
        assert "<style" not in page and "style=" not in page
        assert "<script>" not in page and " onclick=" not in page


def test_the_schedule_page_runs_a_constant_number_of_queries(
    signed_in, physician, patient, scheduled, django_assert_max_num_queries
):
    client = signed_in(physician)
    # 17: the banner's allergies are one; the visit protocol's lines and "sent today" two more
    with django_assert_max_num_queries(17):
        assert client.get(base(patient)).status_code == 200
