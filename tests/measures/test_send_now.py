"""A coordinator's "Send what is due now" (measures/send_now.py, measures/schedule_views.send_now)."""

import pytest
import time_machine
from django.test import Client

from audit.models import Action, AuditEvent
from clinic.dates import start_of_day
from clinic.models import OutboxMessage, TeamTask
from measures.models import Invitation, MeasurementSchedule, VisitAsk
from measures.visits import sweep_visit_measures
from tests.measures.visits import DAY, VISIT_DAY, at, book

THREE_BEFORE = VISIT_DAY - 3 * DAY


def url(patient) -> str:
    return f"/patients/{patient.public_id}/measures/schedule/send-now/"


def page(patient) -> str:
    return f"/patients/{patient.public_id}/measures/schedule/"


@pytest.fixture
def clock():
    with time_machine.travel(at(THREE_BEFORE, 10), tick=False) as traveller:
        yield traveller


@pytest.fixture
def due(patient):
    """An interval schedule due today and a follow-up in three days."""
    MeasurementSchedule.objects.create(patient=patient, instrument_code="gad7", every_days=28, next_due_on=THREE_BEFORE)
    return book(patient)


def click(client, patient):
    return client.post(url(patient), follow=True)


def sent_targets(patient) -> list[str]:
    events = AuditEvent.objects.filter(patient=patient, action=Action.CREATE, target__startswith="questionnaires")
    return list(events.order_by("id").values_list("target", flat=True))


def test_a_coordinator_sends_what_is_due_now_as_one_link_timed_to_the_visit(
    clock, signed_in, coordinator, patient, due
):
    response = click(signed_in(coordinator), patient)

    assert "Sent: the patient&#x27;s questionnaires went out as one link." in response.content.decode()
    invitation = Invitation.objects.get(patient=patient)
    assert invitation.instrument_codes == ["peg", "gad7"]
    assert invitation.closes_at == start_of_day(VISIT_DAY + DAY)
    assert invitation.link.expires_at == invitation.closes_at
    assert invitation.next_reminder_at == at(VISIT_DAY - DAY, 8)
    assert OutboxMessage.objects.filter(patient=patient).count() == 1
    assert sent_targets(patient) == ["questionnaires: send what is due now: sent"]
    assert MeasurementSchedule.objects.get(patient=patient).next_due_on == THREE_BEFORE + 28 * DAY


def test_a_second_click_the_same_day_says_it_was_sent_and_sends_nothing(clock, signed_in, coordinator, patient, due):
    click(signed_in(coordinator), patient)

    clock.move_to(at(THREE_BEFORE, 16))
    response = click(signed_in(coordinator), patient)

    assert "Already sent today" in response.content.decode()
    assert Invitation.objects.count() == OutboxMessage.objects.count() == 1
    assert sent_targets(patient)[-1] == "questionnaires: send what is due now: already sent today"


def test_after_a_click_the_sweep_does_not_ask_the_visit_again(clock, signed_in, coordinator, patient, due):
    click(signed_in(coordinator), patient)

    sweep_visit_measures(now=at(THREE_BEFORE, 11))
    sweep_visit_measures(now=at(THREE_BEFORE + DAY, 10))

    assert Invitation.objects.count() == OutboxMessage.objects.count() == VisitAsk.objects.count() == 1


def test_after_the_sweep_sent_today_a_click_sends_nothing(clock, signed_in, coordinator, patient, due):
    sweep_visit_measures(now=at(THREE_BEFORE, 9))

    response = click(signed_in(coordinator), patient)

    assert "Already sent today" in response.content.decode()
    assert OutboxMessage.objects.count() == 1


def test_nothing_due_sends_nothing_and_says_so(clock, signed_in, coordinator, patient):
    response = click(signed_in(coordinator), patient)

    assert "Nothing is due for this patient now" in response.content.decode()
    assert not Invitation.objects.exists() and not OutboxMessage.objects.exists()
    assert sent_targets(patient) == ["questionnaires: send what is due now: nothing due"]


def test_a_patient_without_consent_gets_no_message_and_the_coordinator_is_told(
    clock, signed_in, coordinator, patient, due
):
    patient.consents_to_email = patient.consents_to_sms = False
    patient.save()

    response = click(signed_in(coordinator), patient)

    assert "has not agreed to email or text messages" in response.content.decode()
    assert not OutboxMessage.objects.exists()
    assert TeamTask.objects.filter(patient=patient, source=TeamTask.Source.NOT_REACHED).count() == 1


def test_in_quiet_hours_the_message_waits_for_the_morning_and_the_page_says_so(
    clock, signed_in, coordinator, patient, due
):
    clock.move_to(at(THREE_BEFORE, 22))
    client = signed_in(coordinator)

    assert "goes in the morning" in client.get(page(patient)).content.decode()
    response = click(client, patient)

    assert "It will go at 8:00 am" in response.content.decode()
    assert OutboxMessage.objects.get(patient=patient).next_attempt_at == at(THREE_BEFORE + DAY, 8)


@pytest.mark.parametrize("member", ["coordinator", "clinic_admin", "physician"])
def test_coordinators_admins_and_the_team_see_the_button(request, clock, signed_in, patient, member):
    response = signed_in(request.getfixturevalue(member)).get(page(patient))

    assert "Send what is due now" in response.content.decode()
    assert "Before a follow-up visit: 3 days before a booked follow-up or telehealth" in response.content.decode()


@pytest.mark.parametrize("member", ["outsider", "other_team_lead"])
def test_a_clinician_from_no_team_gets_404_sends_nothing_and_is_audited(
    request, clock, signed_in, patient, due, member
):
    response = signed_in(request.getfixturevalue(member)).post(url(patient))

    assert response.status_code == 404
    assert not Invitation.objects.exists() and not OutboxMessage.objects.exists()
    assert AuditEvent.objects.filter(patient=patient, action=Action.REFUSED).exists()


def test_the_button_is_a_post(clock, signed_in, coordinator, patient, due):
    assert signed_in(coordinator).get(url(patient)).status_code == 405
    assert not Invitation.objects.exists()


def test_the_post_needs_the_csrf_token(clock, coordinator, patient, due, signed_in):
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = signed_in(coordinator).cookies

    assert strict.post(url(patient)).status_code == 403
    assert not Invitation.objects.exists()
