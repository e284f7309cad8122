"""Who may change a questionnaire schedule (measures/schedule_views.py): clinicians on the patient's care team
pause, resume, edit and start it; coordinators and clinic admins see it but are refused (403, audited, nothing
changed, no controls offered); a clinician on no team gets 404 and leaves no trace. Pausing the PHQ-9 also
pauses its item-9 screen, so this is a clinical decision."""

import datetime

import pytest
from django.utils import timezone

from audit.models import Action, AuditEvent
from measures.models import MeasurementSchedule
from measures.scheduling import start_default_schedule

ON_TEAM = ["physician", "psychologist"]
SEE_ONLY = ["coordinator", "clinic_admin"]
REFUSAL = "Only a clinician on the patient&#x27;s care team can pause, resume or change a questionnaire schedule."


def base(patient) -> str:
    return f"/patients/{patient.public_id}/measures/schedule/"


def today():
    return timezone.localdate()


@pytest.fixture
def scheduled(patient):
    return start_default_schedule(patient=patient, start_on=today())


def phq9(patient) -> MeasurementSchedule:
    return MeasurementSchedule.objects.get(patient=patient, instrument_code="phq9")


def state(patient) -> list[tuple]:
    return list(
        MeasurementSchedule.objects.filter(patient=patient)
        .order_by("instrument_code")
        .values_list("instrument_code", "every_days", "next_due_on", "active", "updated_by")
    )


def events(patient, user) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(patient=patient, actor=user).order_by("id").values_list("action", "target"))


def edit_data(**overrides) -> dict:
    return {"every_days": "42", "next_due_on": (today() + datetime.timedelta(days=3)).isoformat()} | overrides


# --------------------------------------------------------------------------- the care team's clinicians


@pytest.mark.parametrize("member", ON_TEAM)
def test_a_clinician_on_the_team_pauses_and_resumes_the_phq9(request, member, signed_in, patient, scheduled):
    user = request.getfixturevalue(member)
    client = signed_in(user)

    paused = client.post(base(patient) + "phq9/pause-or-resume/", {"active": "pause"})
    assert paused.status_code == 302
    assert phq9(patient).active is False and phq9(patient).updated_by == user

    resumed = client.post(base(patient) + "phq9/pause-or-resume/", {"active": "resume"})
    assert resumed.status_code == 302
    assert phq9(patient).active is True
    assert events(patient, user) == [(Action.UPDATE, "questionnaire schedule: PHQ-9")] * 2


@pytest.mark.parametrize("member", ON_TEAM)
def test_a_clinician_on_the_team_changes_the_phq9_interval(request, member, signed_in, patient, scheduled):
    user = request.getfixturevalue(member)
    response = signed_in(user).post(base(patient) + "phq9/", edit_data(active="on"))
    assert response.status_code == 302
    assert (phq9(patient).every_days, phq9(patient).updated_by) == (42, user)


@pytest.mark.parametrize("member", ON_TEAM)
def test_a_clinician_on_the_team_starts_the_default_protocol(request, member, signed_in, patient):
    user = request.getfixturevalue(member)
    assert signed_in(user).post(base(patient) + "start/").status_code == 302
    assert MeasurementSchedule.objects.filter(patient=patient).count() == 5


@pytest.mark.parametrize("member", ON_TEAM)
def test_the_team_clinicians_are_offered_the_controls(request, member, signed_in, patient, scheduled):
    page = signed_in(request.getfixturevalue(member)).get(base(patient)).content.decode()
    assert 'value="pause"' in page and f'href="{base(patient)}phq9/"' in page
    assert REFUSAL not in page


# --------------------------------------------------------------------------- coordinators and clinic admins


@pytest.mark.parametrize("member", SEE_ONLY)
def test_coordinators_and_admins_see_the_schedule_without_the_controls(request, member, signed_in, patient, scheduled):
    response = signed_in(request.getfixturevalue(member)).get(base(patient))
    assert response.status_code == 200
    page = response.content.decode()
    assert "PHQ-9" in page and "28 days" in page
    assert REFUSAL in page
    assert "pause-or-resume" not in page and 'value="pause"' not in page
    assert f'href="{base(patient)}phq9/"' not in page


@pytest.mark.parametrize("member", SEE_ONLY)
def test_coordinators_and_admins_are_not_offered_the_default_protocol(request, member, signed_in, patient):
    page = signed_in(request.getfixturevalue(member)).get(base(patient)).content.decode()
    assert "No questionnaires are scheduled for this patient yet." in page
    assert "Start the default protocol" not in page and "/start/" not in page


@pytest.mark.parametrize("member", SEE_ONLY)
def test_coordinators_and_admins_cannot_pause_the_phq9_and_the_attempt_is_audited(
    request, member, signed_in, patient, scheduled
):
    user = request.getfixturevalue(member)
    before = state(patient)

    response = signed_in(user).post(base(patient) + "phq9/pause-or-resume/", {"active": "pause"})

    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    assert phq9(patient).active is True
    assert state(patient) == before
    assert events(patient, user) == [(Action.REFUSED, "refused (403) to change: questionnaire schedule: PHQ-9: pause")]


@pytest.mark.parametrize("member", SEE_ONLY)
def test_coordinators_and_admins_cannot_resume_a_paused_schedule(request, member, signed_in, patient, scheduled):
    MeasurementSchedule.objects.filter(pk=phq9(patient).pk).update(active=False)
    user = request.getfixturevalue(member)

    response = signed_in(user).post(base(patient) + "phq9/pause-or-resume/", {"active": "resume"})

    assert response.status_code == 403
    assert phq9(patient).active is False
    assert events(patient, user) == [(Action.REFUSED, "refused (403) to change: questionnaire schedule: PHQ-9: resume")]


@pytest.mark.parametrize("member", SEE_ONLY)
def test_coordinators_and_admins_cannot_change_a_schedule_or_open_its_form(
    request, member, signed_in, patient, scheduled
):
    user = request.getfixturevalue(member)
    client = signed_in(user)
    before = state(patient)

    opened = client.get(base(patient) + "phq9/")
    posted = client.post(base(patient) + "phq9/", edit_data())  # no "active": would pause it

    assert (opened.status_code, posted.status_code) == (403, 403)
    assert 'name="every_days"' not in opened.content.decode()
    assert state(patient) == before
    assert events(patient, user) == [
        (Action.REFUSED, "refused (403) to see: questionnaire schedule: PHQ-9"),
        (Action.REFUSED, "refused (403) to change: questionnaire schedule: PHQ-9"),
    ]


@pytest.mark.parametrize("member", SEE_ONLY)
def test_coordinators_and_admins_cannot_start_the_default_protocol(request, member, signed_in, patient):
    user = request.getfixturevalue(member)

    response = signed_in(user).post(base(patient) + "start/")

    assert response.status_code == 403
    assert not MeasurementSchedule.objects.filter(patient=patient).exists()
    assert events(patient, user) == [(Action.REFUSED, "refused (403) to add: questionnaire schedule: default protocol")]


# --------------------------------------------------------------------------- a clinician on no team


def test_an_outsider_clinician_gets_404_for_every_change_and_leaves_no_trace(signed_in, outsider, patient, scheduled):
    client = signed_in(outsider)
    before = state(patient)
    for url, data in [
        (base(patient) + "phq9/pause-or-resume/", {"active": "pause"}),
        (base(patient) + "phq9/", edit_data()),
        (base(patient) + "start/", {}),
    ]:
        assert client.post(url, data).status_code == 404, url
    assert client.get(base(patient) + "phq9/").status_code == 404
    assert state(patient) == before
    assert not AuditEvent.objects.filter(patient=patient).exclude(action=Action.REFUSED).exists()
