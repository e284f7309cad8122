"""Twenty parallel "Send my answers" write one "answers sent" audit event: whether this call sent the answers is
decided under the response's row lock (measures.services.submit_response), not from the view's copy of the row."""

import threading

import pytest
from django.db import connection
from django.test import Client

from audit.models import Action, AuditEvent
from measures.models import Response
from measures.services import submit_response
from portal import questionnaire
from tests.portal.journey import PEG_ANSWERS, answer_all, invite, open_link, send, start

SENT = "questionnaire PEG answers sent"


@pytest.fixture
def answered(client, patient):
    """A PEG with every question answered and not yet sent, in a patient session on ``client``."""
    invitation, token = invite(patient)
    open_link(client, token)
    peg = start(client, invitation, "peg")
    answer_all(client, peg, PEG_ANSWERS)
    return Response.objects.get(pk=peg.pk)


def test_submit_response_says_newly_completed_only_for_the_call_that_completed_it(answered):
    assert submit_response(response=answered).newly_completed is True
    assert submit_response(response=answered).newly_completed is False


def test_a_copy_read_before_another_request_sent_it_is_not_newly_sent(answered):
    stale_one, stale_two = Response.objects.get(pk=answered.pk), Response.objects.get(pk=answered.pk)
    assert stale_one.completed_at is None and stale_two.completed_at is None
    assert questionnaire.send(response=stale_one)[0] is True
    assert questionnaire.send(response=stale_two)[0] is False


def test_two_sends_in_a_row_write_one_answers_sent_event(client, answered):
    send(client, answered)
    send(client, answered)
    assert AuditEvent.objects.filter(action=Action.CREATE, target=SENT).count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the instruments are migration data
def test_parallel_sends_write_one_answers_sent_event(client, answered):
    """Each thread is a copy of the patient's browser (the same session cookie) tapping "Send my answers"."""
    count = 10
    barrier = threading.Barrier(count)
    statuses: list = [None] * count

    def run(index):
        browser = Client()
        browser.cookies = client.cookies
        try:
            barrier.wait()
            statuses[index] = send(browser, answered).status_code
        except Exception as error:  # the assertion below shows it
            statuses[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [302] * count, statuses
    assert Response.objects.get(pk=answered.pk).completed_at is not None
    assert AuditEvent.objects.filter(action=Action.CREATE, target=SENT).count() == 1
