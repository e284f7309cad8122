"""Patient links: issue, find, and renew an expired or completed one without revealing anything."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from clinic.services import queue_message
from portal.language import ENGLISH, language_of
from portal.models import PatientLink
from portal.tokens import new_token, token_hash

LINK_DAYS = 7
# Messages say nothing about health: who it is from and the link, no more. Written in the patient's language.
MESSAGE_SUBJECT = gettext_noop("A message from %(sender)s")
LINK_MESSAGE = gettext_noop("%(sender)s: your care team has a short check-in for you. Open this private link: %(url)s")


def link_message(url: str, *, language: str = ENGLISH) -> tuple[str, str]:
    """Subject and body of a message carrying a patient link: the sender's name and the link only, in
    ``language`` (portal.language.language_of(patient): the patient's language on file).

    The sender is MESSAGE_SENDER, not the clinic's name: "... Pain Clinic" on a lock screen would
    itself say something about the patient's health.
    """
    sender = settings.MESSAGE_SENDER
    with translation.override(language):
        return gettext(MESSAGE_SUBJECT) % {"sender": sender}, gettext(LINK_MESSAGE) % {"sender": sender, "url": url}


def link_url(token: str) -> str:
    return settings.SITE_URL + reverse("portal:open", args=[token])


@transaction.atomic
def issue_link(
    *, patient, purpose: str = PatientLink.Purpose.CHECK_IN, created_by=None, days: int = LINK_DAYS
) -> tuple[PatientLink, str]:
    """Create a link and return it with its raw token (shown or sent once, never stored)."""
    token = new_token()
    link = PatientLink.objects.create(
        patient=patient,
        purpose=purpose,
        token_hash=token_hash(token),
        created_by=created_by,
        expires_at=timezone.now() + timedelta(days=days),
    )
    return link, token


def find_link(token: str) -> PatientLink | None:
    return PatientLink.objects.select_related("patient").filter(token_hash=token_hash(token)).first()


@transaction.atomic
def renew_expired_link(*, token: str) -> bool:
    """Send a fresh link to the patient's contact on file, once a day at most per old link.

    For links that expired or were completed (a completed link cannot sign in again; its new link is a
    check-in link, to the patient's own pages); never for a revoked or still usable link. The caller shows
    the same words whatever happens. Patient-called: no staff actor.
    """
    now = timezone.now()
    link = find_link(token)
    if link is None or link.revoked_at or link.is_usable(now):
        return False
    claimed = PatientLink.objects.filter(id=link.id).exclude(renewal_requested_at__gt=now - timedelta(days=1))
    if not claimed.update(renewal_requested_at=now):
        return False
    patient = link.patient
    contact = patient.contact_channel()
    if contact is None:
        return False  # no consent or no address: the clinic calls instead
    channel, address = contact
    purpose = PatientLink.Purpose.CHECK_IN if link.completed_at else link.purpose
    send_asked_for_link(patient=patient, purpose=purpose, channel=channel, address=address)
    return True


def send_asked_for_link(*, patient, purpose: str, channel: str, address: str) -> None:
    """A new link the patient asked for, to their contact on file, in their language, at once: they are waiting
    for it, whatever the hour, so it is not held for message hours."""
    _, token = issue_link(patient=patient, purpose=purpose)
    subject, body = link_message(link_url(token), language=language_of(patient))
    queue_message(channel=channel, to_address=address, subject=subject, body=body, patient=patient, patient_asked=True)
