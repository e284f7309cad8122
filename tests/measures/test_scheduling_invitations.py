"""create_invitation (measures/scheduling.py): one per patient and day, consent, no health information."""

import datetime

import pytest
from django.utils import timezone

from clinic.models import OutboxMessage, TeamTask
from clinic.roles import Role
from clinic.services import queue_message
from measures.models import Invitation
from measures.scheduling import REMINDER_AFTER, create_invitation
from portal.models import PatientLink
from portal.services import find_link, link_message, link_url
from portal.tokens import token_hash

CODES = ["phq9", "peg", "gad7"]
# Words that would reveal health information in a message.
HEALTH_WORDS = ["phq", "peg", "gad", "ptsd", "audit", "depress", "anxi", "pain", "back", "score", "mood", "alcohol"]


def today():
    return timezone.localdate()


def assert_no_health_information(message: OutboxMessage, patient, token: str):
    # The link is random characters; everything else, the sender's name included, is checked.
    text = f"{message.subject} {message.body}".replace(link_url(token), "")
    lowered = text.lower()
    for word in HEALTH_WORDS:
        assert word not in lowered, f"{word!r} in a patient message"
    assert patient.get_primary_condition_display().lower() not in lowered


def test_it_creates_the_invitation_its_link_and_one_message_on_a_consented_channel(patient):
    invitation, token = create_invitation(patient=patient, due_on=today(), instrument_codes=CODES)

    assert invitation.instrument_codes == ["peg", "phq9", "gad7"]  # the protocol's order
    link = invitation.link
    assert link.purpose == PatientLink.Purpose.QUESTIONNAIRES
    assert link.token_hash == token_hash(token) and find_link(token) == link
    assert link.expires_at - link.created_at == pytest.approx(
        datetime.timedelta(days=7), abs=datetime.timedelta(seconds=5)
    )
    message = OutboxMessage.objects.get(patient=patient)
    assert (message.channel, message.to_address) == ("email", patient.email)
    assert message.dedupe_key == f"invitation:{invitation.id}"
    assert token in message.body
    assert invitation.next_reminder_at is not None
    assert invitation.next_reminder_at - message.created_at == pytest.approx(
        REMINDER_AFTER, abs=datetime.timedelta(seconds=5)
    )


def test_the_message_carries_no_health_information(patient):
    patient.primary_condition = "fibromyalgia"
    patient.save()
    _, token = create_invitation(
        patient=patient, due_on=today(), instrument_codes=["peg", "phq9", "gad7", "pcptsd5", "auditc"]
    )

    message = OutboxMessage.objects.get(patient=patient)
    assert (message.subject, message.body) == link_message(link_url(token))
    assert_no_health_information(message, patient, token)


def test_it_uses_text_messages_when_only_those_are_consented_to(patient):
    patient.consents_to_email, patient.consents_to_sms, patient.mobile = False, True, "+15550101234"
    patient.save()
    create_invitation(patient=patient, due_on=today(), instrument_codes=CODES)
    assert OutboxMessage.objects.get(patient=patient).channel == "sms"


def test_without_consent_nothing_is_written_to_the_patient_and_a_coordinator_is_told(patient):
    patient.consents_to_email = False
    patient.mobile = "+15550101234"  # a number, but no consent to text
    patient.save()

    invitation, token = create_invitation(patient=patient, due_on=today(), instrument_codes=CODES)

    assert token is None and invitation.link is None
    assert not OutboxMessage.objects.exists()
    assert invitation.not_reached_at is not None and invitation.next_reminder_at is None
    task = TeamTask.objects.get(patient=patient)
    assert (task.source, task.assignee_role) == (TeamTask.Source.NOT_REACHED, Role.COORDINATOR)
    assert task.source_key == f"invitation:{invitation.id}:not-reached"


def test_a_second_call_for_the_same_day_returns_the_same_invitation_without_a_token(patient):
    first, token = create_invitation(patient=patient, due_on=today(), instrument_codes=["peg"])
    second, again = create_invitation(patient=patient, due_on=today(), instrument_codes=["peg", "phq9"])

    assert token and again is None
    assert second.pk == first.pk
    assert second.instrument_codes == ["peg", "phq9"]  # the newly due instrument joins the open bundle
    assert Invitation.objects.count() == PatientLink.objects.count() == OutboxMessage.objects.count() == 1


def test_a_patient_already_messaged_today_gets_the_invitation_tomorrow(patient):
    queue_message(channel="email", to_address=patient.email, body="Earlier today.", patient=patient)

    invitation, token = create_invitation(patient=patient, due_on=today(), instrument_codes=CODES)

    assert token is None and invitation.link is None
    assert OutboxMessage.objects.filter(patient=patient).count() == 1
    assert timezone.localtime(invitation.next_reminder_at).date() == today() + datetime.timedelta(days=1)


def test_send_false_issues_a_link_for_the_caller_and_writes_nothing(patient):
    invitation, token = create_invitation(patient=patient, due_on=today(), instrument_codes=CODES, send=False)

    assert find_link(token) == invitation.link
    assert not OutboxMessage.objects.exists()
    assert invitation.next_reminder_at is None  # nobody was sent anything, so nobody is reminded
