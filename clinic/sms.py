"""Pluggable text-message backends, chosen by the SMS_BACKEND setting (like EMAIL_BACKEND)."""

import fcntl
import json
import os
import sys

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class BaseSmsBackend:
    """``send(to=..., body=..., reference=...)``: ``reference`` is the outbox row's stable identity
    ("outbox-<uuid>"), the same on every attempt. A backend for a real provider passes it as the
    provider's client reference / idempotency key (the field providers offer for de-duplicating a
    resent request), so a message resent after a worker died between "accepted" and "marked sent" is
    recognised and not delivered twice. It carries no patient data. Backends that cannot use it ignore it.

    A backend whose provider can be asked about a reference may also define ``accepted(reference) -> bool``:
    before resending a row whose earlier attempt may have been accepted (its sender died before marking it
    sent), the outbox asks, and marks the row sent instead of sending a second copy.
    """

    def send(self, *, to: str, body: str, reference: str | None = None) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: print the message, as Django's console email backend does."""

    def send(self, *, to: str, body: str, reference: str | None = None) -> None:
        sys.stdout.write(f"--- text message to {to} (reference {reference or '-'}) ---\n{body}\n---\n")
        sys.stdout.flush()


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: keep sent messages in memory (`LocmemSmsBackend.sent`)."""

    sent: list[dict] = []

    def send(self, *, to: str, body: str, reference: str | None = None) -> None:
        LocmemSmsBackend.sent.append({"to": to, "body": body, "reference": reference})


class FileSmsBackend(BaseSmsBackend):
    """Development and worker tests: append each message as one JSON line to the file named by
    the SMS_FILE_PATH environment variable (readable from another process)."""

    def send(self, *, to: str, body: str, reference: str | None = None) -> None:
        path = os.environ.get("SMS_FILE_PATH", "").strip()
        if not path:
            raise ImproperlyConfigured("FileSmsBackend needs the SMS_FILE_PATH environment variable.")
        line = json.dumps({"to": to, "body": body, "reference": reference}) + "\n"
        with open(path, "a", encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_EX)  # one whole line per message, whoever else is writing
            file.write(line)

    def accepted(self, reference: str) -> bool:
        """Whether a message with this reference is already in the file (the provider's "do you have it?")."""
        path = os.environ.get("SMS_FILE_PATH", "").strip()
        if not path or not os.path.exists(path):
            return False
        with open(path, encoding="utf-8") as file:
            fcntl.flock(file, fcntl.LOCK_SH)
            return any(json.loads(line).get("reference") == reference for line in file if line.strip())


def sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
