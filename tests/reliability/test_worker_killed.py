"""A worker killed with SIGKILL in the middle of a batch: nothing lost, nothing twice.

The kill lands just after the provider accepted a message and before the worker marked its row sent (the
provider's answer takes 0.2 s, tests/reliability/backends.py), the one window in which a resend would be a
second copy. The row's claim runs out (lease: 3 s here, 60 s in production) and a new worker picks the row up.
A provider that can be asked about the reference has it, and the row is marked sent without a second copy:
exactly one per reference. A provider that cannot be asked (SMTP) gets the message again with the same
reference (Message-ID), its one duplicate, which the far side drops by that reference."""

import time

import pytest

from clinic.models import OutboxMessage
from clinic.services import message_reference
from tests.reliability.conftest import LEASE_SECONDS, a_batch_of_texts, all_sent, references

pytestmark = pytest.mark.worker

BATCH = 30
KILL_AFTER = 10


@pytest.mark.parametrize("provider", ["askable", "unaskable"])
def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(rig, provider):
    askable = provider == "askable"
    if not askable:
        rig.sms_backend = "tests.reliability.backends.UnaskableSlowAnswerFileSmsBackend"
    messages = a_batch_of_texts(BATCH)
    rig.start_worker()

    rig.run_until(lambda: len(rig.texts()) >= KILL_AFTER, seconds=60, what=f"{KILL_AFTER} texts")
    rig.kill_worker()
    killed_at = time.monotonic()

    accepted = {text["reference"] for text in rig.texts()}
    stranded = [
        m
        for m in OutboxMessage.objects.filter(pk__in=[m.pk for m in messages], state=OutboxMessage.State.SENDING)
        if message_reference(m) in accepted
    ]
    assert len(stranded) == 1, "the kill should land between the provider's acceptance and the row update"
    assert len(accepted) < BATCH

    rig.start_worker()  # as a supervisor restarts it
    stranded_row = OutboxMessage.objects.filter(pk=stranded[0].pk)
    rig.run_until(lambda: stranded_row.get().state == OutboxMessage.State.SENT, seconds=60, what="the stranded row")
    stranded_wait = time.monotonic() - killed_at
    rig.run_until(lambda: all_sent(messages), seconds=60, what="every message to be sent")
    all_sent_after = time.monotonic() - killed_at

    copies = rig.copies_per_reference()
    assert set(copies) == references(messages)  # nothing lost
    twice = {reference for reference, count in copies.items() if count > 1}
    if askable:
        assert twice == set(), f"sent twice: {twice}"  # exactly one copy per reference
    else:
        assert twice == {message_reference(stranded[0])} and copies[message_reference(stranded[0])] == 2
    assert stranded_row.get().attempts == 2
    # The stranded row waited for its lease (from its last renewal) and the next sweep, not for minutes.
    assert LEASE_SECONDS <= stranded_wait < LEASE_SECONDS + 25  # + a new worker starting, + its backlog
    print(
        f"\n{provider} provider: worker killed after {len(accepted)} of {BATCH} accepted; stranded row sent "
        f"{stranded_wait:.1f} s after the kill, all {all_sent_after:.1f} s; copies of the stranded reference: "
        f"{copies[message_reference(stranded[0])]}"
    )
