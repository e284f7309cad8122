"""After a restore (clinic/outbox_restore.py): `hold_outbox_after_restore` holds exactly the unsent messages, the
sweep never sends a held one, and a coordinator or clinic admin decides each ("Send" / "Don't send"), audited."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic import tasks
from clinic.models import OutboxMessage
from clinic.outbox_restore import cancel_held_message, hold_unsent_messages, release_held_message
from clinic.services import claim_due_messages, deliver_message, queue_message

pytestmark = pytest.mark.django_db

State = OutboxMessage.State
HELD_PAGE = "/outbox/held/"


def a_message(patient=None, *, state=State.PENDING, **fields) -> OutboxMessage:
    message = queue_message(
        channel=OutboxMessage.Channel.EMAIL,
        to_address="maria@example.test",
        subject="A short check-in from your care team",
        body="Your care team has a short check-in for you: http://testserver/p/abc",
        patient=patient,
    )
    OutboxMessage.objects.filter(pk=message.pk).update(state=state, **fields)
    return OutboxMessage.objects.get(pk=message.pk)


def state_of(message: OutboxMessage) -> str:
    return OutboxMessage.objects.get(pk=message.pk).state


@pytest.fixture
def every_state(patient):
    now = timezone.now()
    return {
        "pending": a_message(patient),
        "retrying": a_message(patient, attempts=2, last_error="SMTPServerDisconnected"),
        "sending": a_message(patient, state=State.SENDING, claimed_at=now, attempts=1),
        "sent": a_message(patient, state=State.SENT, sent_at=now, attempts=1),
        "failed": a_message(patient, state=State.FAILED, attempts=5),
        "later": a_message(patient, next_attempt_at=now + timedelta(hours=10)),
    }


def test_the_command_holds_exactly_the_messages_not_yet_sent(every_state):
    out = StringIO()
    call_command("hold_outbox_after_restore", stdout=out)

    states = {name: state_of(message) for name, message in every_state.items()}
    assert states == {
        "pending": State.HELD,
        "retrying": State.HELD,
        "sending": State.HELD,
        "sent": State.SENT,
        "failed": State.FAILED,
        "later": State.HELD,
    }
    assert "Held 4 unsent outbox message(s) (1 were being sent" in out.getvalue()
    assert OutboxMessage.objects.filter(state=State.HELD, held_at__isnull=False).count() == 4


def test_holding_again_changes_nothing_and_each_hold_is_audited_once(every_state, patient):
    assert hold_unsent_messages() == {"held": 4, "were_sending": 1}
    assert hold_unsent_messages() == {"held": 0, "were_sending": 0}
    events = AuditEvent.objects.filter(patient=patient, target="outbox message held after a restore")
    assert events.count() == 4
    assert {event.actor for event in events} == {None}


def test_the_sweep_never_sends_a_held_message(every_state, eager_celery):
    hold_unsent_messages()
    later = timezone.now() + timedelta(days=30)  # long past any due time or claim lease

    assert claim_due_messages(now=later) == []
    assert tasks.sweep_outbox.delay().get() == 0
    assert not any(deliver_message(message_id=message.pk) for message in every_state.values())
    assert mail.outbox == []
    assert state_of(every_state["sending"]) == State.HELD  # not released as an abandoned claim either


def test_a_coordinator_sends_a_held_message_and_it_is_audited(every_state, coordinator, signed_in, patient):
    hold_unsent_messages()
    message = every_state["sending"]
    client = signed_in(coordinator)

    response = client.post(f"{HELD_PAGE}{message.public_id}/send/", follow=True)

    assert "The message will be sent shortly." in response.content.decode()
    released = OutboxMessage.objects.get(pk=message.pk)
    assert (released.state, released.claimed_at) == (State.PENDING, None)
    assert released.next_attempt_at <= timezone.now()
    event = AuditEvent.objects.get(target="outbox message released after a restore: send")
    assert (event.actor, event.patient, event.action) == (coordinator, patient, Action.UPDATE)
    assert deliver_message(message_id=message.pk)
    assert len(mail.outbox) == 1


def test_a_clinic_admin_cancels_a_held_message_its_link_is_forgotten_and_it_is_audited(
    every_state, clinic_admin, signed_in, patient
):
    hold_unsent_messages()
    message = every_state["pending"]
    client = signed_in(clinic_admin)

    response = client.post(f"{HELD_PAGE}{message.public_id}/cancel/", follow=True)

    assert "The message will not be sent." in response.content.decode()
    cancelled = OutboxMessage.objects.get(pk=message.pk)
    assert cancelled.state == State.CANCELLED
    assert "/p/" not in cancelled.body
    event = AuditEvent.objects.get(target="outbox message cancelled after a restore: not sent")
    assert (event.actor, event.patient) == (clinic_admin, patient)
    assert not deliver_message(message_id=message.pk)
    assert mail.outbox == []


def test_a_decision_takes_effect_once(every_state, coordinator):
    hold_unsent_messages()
    message = every_state["pending"]
    assert release_held_message(message=message, by=coordinator)
    assert not cancel_held_message(message=message, by=coordinator)
    assert state_of(message) == State.PENDING
    assert AuditEvent.objects.filter(actor=coordinator).count() == 1


def test_the_held_page_lists_each_message_with_patient_channel_and_time(every_state, coordinator, signed_in, patient):
    hold_unsent_messages()
    page = signed_in(coordinator).get(HELD_PAGE)

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("/cancel/") == html.count("/send/") == 4
    assert f"/patients/{patient.public_id}/" in html
    assert "Email" in html and "may well have arrived" in html
    assert "/p/abc" not in html  # never the link in a message body
    assert AuditEvent.objects.filter(patient=patient, target="messages held after a restore").exists()


def test_the_worklist_tells_coordinators_when_messages_are_held(every_state, coordinator, signed_in):
    client = signed_in(coordinator)
    assert "held after a restore" not in client.get("/worklist/").content.decode()
    hold_unsent_messages()
    assert "4 messages held after a restore" in client.get("/worklist/").content.decode()


@pytest.mark.parametrize("who", ["physician", "psychologist", "outsider"])
def test_clinicians_may_not_see_or_decide_held_messages(every_state, who, request, signed_in):
    hold_unsent_messages()
    message = every_state["pending"]
    client = signed_in(request.getfixturevalue(who))

    assert client.get(HELD_PAGE).status_code == 403
    assert client.post(f"{HELD_PAGE}{message.public_id}/send/").status_code == 403
    assert client.post(f"{HELD_PAGE}{message.public_id}/cancel/").status_code == 403
    assert state_of(message) == State.HELD
    assert "held after a restore" not in client.get("/worklist/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(every_state, client):
    hold_unsent_messages()
    message = every_state["pending"]
    assert client.get(HELD_PAGE).status_code == 302
    assert client.post(f"{HELD_PAGE}{message.public_id}/send/").status_code == 302
    assert state_of(message) == State.HELD


def test_the_service_refuses_a_clinician_too(every_state, physician):
    hold_unsent_messages()
    with pytest.raises(PermissionDenied):
        release_held_message(message=every_state["pending"], by=physician)
    assert state_of(every_state["pending"]) == State.HELD
