"""Pluggable text-message backends, chosen by the SMS_BACKEND setting (like EMAIL_BACKEND)."""

import sys

from django.conf import settings
from django.utils.module_loading import import_string


class BaseSmsBackend:
    def send(self, *, to: str, body: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: print the message, as Django's console email backend does."""

    def send(self, *, to: str, body: str) -> None:
        sys.stdout.write(f"--- text message to {to} ---\n{body}\n---\n")
        sys.stdout.flush()


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: keep sent messages in memory (`LocmemSmsBackend.sent`)."""

    sent: list[dict] = []

    def send(self, *, to: str, body: str) -> None:
        LocmemSmsBackend.sent.append({"to": to, "body": body})


def sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
