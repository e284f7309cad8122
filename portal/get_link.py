"""'Get my link': a patient who lost their link types the email or mobile number on file and their date of
birth; when they match a patient who agreed to be contacted that way, a sign-in link (check-in) goes there.

The page says the same words whatever happened, so it reveals nothing. Limits (the app's own rules, on the
cache like portal/ratelimit.py; cache keys hold only keyed hashes, never an address, email or number):

- per value typed (the normalised email or number): 5 failed tries an hour; then that value gets no more;
- per client address: failures only are counted; after 10 in an hour the address is "busy", and each
  value typed from it gets one try an hour. A patient on the same shared network (a clinic's Wi-Fi, a
  phone carrier's shared address) who types their own details right still gets their link;
- per patient: at most 3 links an hour, whoever asks.

Patient-called: no staff actor; a link sent is audited with the patient as the actor.
"""

import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, F, Func, Value

from audit.context import AuditContext
from audit.models import Action
from audit.services import record_event
from patients.models import Patient
from portal.models import PatientLink
from portal.ratelimit import bump, count
from portal.services import send_asked_for_link

logger = logging.getLogger(__name__)

HOUR = 3600
VALUE_FAILURES = 5
ADDRESS_FAILURES = 10
LINKS_PER_PATIENT = 3
MIN_PHONE_DIGITS = 7
MATCHES_AT_MOST = 5  # twins sharing an email and a birthday: each gets their own link


@dataclass(frozen=True)
class Contact:
    """What the patient typed, normalised: an email (lower case) or a number (digits only)."""

    channel: str  # "email" or "sms"
    value: str


def normalise(typed: str) -> Contact | None:
    """The typed email or mobile number, normalised, or None when it is neither."""
    typed = typed.strip()
    if "@" in typed:
        local, _, domain = typed.rpartition("@")
        return Contact("email", typed.lower()) if local and "." in domain else None
    if re.search(r"[A-Za-z]", typed):
        return None
    digits = re.sub(r"\D", "", typed)
    return Contact("sms", digits) if len(digits) >= MIN_PHONE_DIGITS else None


def digits_only(field: str) -> Func:
    """The column with everything but digits removed, in SQL (regexp_replace), as normalise() does."""
    return Func(F(field), Value(r"\D"), Value(""), Value("g"), function="regexp_replace", output_field=CharField())


def matching_patients(contact: Contact, date_of_birth: date) -> list[Patient]:
    """The patients with this birth date and this contact on file, who agreed to that channel.

    One query, found through the birth-date index (patient_by_birth_date): a handful of rows, never a scan."""
    patients = Patient.objects.filter(date_of_birth=date_of_birth)
    if contact.channel == "email":
        patients = patients.filter(consents_to_email=True, email__iexact=contact.value)
    else:
        patients = patients.annotate(mobile_digits=digits_only("mobile")).filter(
            consents_to_sms=True, mobile_digits=contact.value
        )
    return list(patients.order_by("id")[:MATCHES_AT_MOST])


# --------------------------------------------------------------------------- the limits


def key(kind: str, value: str) -> str:
    """A cache key naming a keyed hash of the value (a number or address alone is easy to guess back)."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
    return f"portal-get-link:{kind}:{digest}"


def may_try(*, value_key: str, address_key: str) -> bool:
    value_failures = count(value_key)
    if value_failures >= VALUE_FAILURES:
        return False
    address_busy = count(address_key) >= ADDRESS_FAILURES
    # A busy address still gets one try per value: a patient typing their own details right gets through.
    return not (address_busy and value_failures > 0)


# --------------------------------------------------------------------------- the service


def ask_for_link(*, typed: str, date_of_birth: date, address: str, context: AuditContext | None) -> int:
    """Send a sign-in link to each patient matching what was typed, within the limits. Returns how many were
    sent (for tests; the page must not show it). `address` is the client's address (REMOTE_ADDR)."""
    contact = normalise(typed)
    if contact is None:
        return 0
    value_key, address_key = key(contact.channel, contact.value), key("address", address)
    if not may_try(value_key=value_key, address_key=address_key):
        return 0
    patients = matching_patients(contact, date_of_birth)
    if not patients:
        bump(value_key, window=HOUR)
        bump(address_key, window=HOUR)
        return 0
    sent = 0
    for patient in patients:
        if bump(key("patient", str(patient.public_id)), window=HOUR) > LINKS_PER_PATIENT:
            continue
        send_sign_in_link(patient=patient, channel=contact.channel, context=context)
        sent += 1
    return sent


@transaction.atomic
def send_sign_in_link(*, patient: Patient, channel: str, context: AuditContext | None) -> None:
    """A check-in link to the patient's own contact on that channel (the one on file, not what was typed)."""
    to_address = patient.email if channel == "email" else patient.mobile
    send_asked_for_link(patient=patient, purpose=PatientLink.Purpose.CHECK_IN, channel=channel, address=to_address)
    record_event(
        actor=None, context=context, patient=patient, action=Action.CREATE, target="portal: sign-in link asked for"
    )
