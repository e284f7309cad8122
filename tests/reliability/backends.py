"""An SMS "provider" for the reliability tests: FileSmsBackend (one JSON line per accepted message, with its
reference, and ``accepted(reference)``), whose answer takes a moment to come back after it has accepted the
message, as a real provider's HTTP response does. A worker killed in that moment has had its message accepted
but has not marked the row sent: the window the outbox must not turn into a second copy."""

import os
import time

from clinic.sms import FileSmsBackend


class SlowAnswerFileSmsBackend(FileSmsBackend):
    def send(self, *, to: str, body: str, reference: str | None = None) -> None:
        super().send(to=to, body=body, reference=reference)
        time.sleep(float(os.environ.get("SMS_ANSWER_SECONDS", "0.2")))


class UnaskableSlowAnswerFileSmsBackend(SlowAnswerFileSmsBackend):
    """A provider that cannot be asked whether it has a reference (SMTP is one): the outbox cannot tell a
    copy accepted just before the kill from one never sent, so it sends again, with the same reference."""

    accepted = None
