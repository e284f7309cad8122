"""De-identification for the research export (interop.research_export): a patient's study id, their date shift,
and age in years with 90 and over grouped. Pure functions of a secret key and the patient's row: no ORM.

Study ids and date shifts are DERIVED, not stored: each is an HMAC-SHA256, under the clinic's secret research
key (settings.RESEARCH_EXPORT_KEY, or a key derived from SECRET_KEY when it is empty), of the patient's public id
(a random UUID Haven assigned, not information about the person). So they are the same in every run with the same
key, differ between patients, and cannot be turned back into the patient without the key; changing the key gives
everyone new ones. (A stored random study id would need a table of its own; deriving needs none.)

HIPAA Safe Harbor (45 CFR 164.514(b)(2)) lists 18 identifiers of the individual. How the export handles each:

1. Names: never exported (not the patient's, not staff's, not the referring clinician's).
2. Geographic subdivisions smaller than a state: Haven keeps no address or ZIP code; none exported.
3. Dates directly related to the person, and ages over 89: no birth date is exported; the age in years at the
   response is, with 90 and over grouped as "90+". The response dates are shifted back by the patient's own
   offset of 1 to 365 days (``day_shift``), the same for all of a patient's rows, so the intervals between their
   responses are kept. Strict Safe Harbor keeps no element of a date but the year: the shifted dates are not the
   real dates and the offset is secret, but a registry that must meet the letter of Safe Harbor should keep only
   the year of the ``completed_on_shifted`` column (the app's choice is to shift, as issue 17 asks).
4. Telephone numbers, 5. fax numbers, 6. email addresses: never exported.
7. Social security numbers: Haven keeps none.
8. Medical record numbers: never exported; the study id stands in for the patient.
9. Health plan beneficiary numbers (a referral's authorisation reference), 10. account numbers: never exported.
11. Certificate and licence numbers (staff credentials), 12. vehicle and 13. device identifiers: never exported.
14. URLs (patient links) and 15. IP addresses (the audit trail): never exported.
16. Biometric identifiers, 17. photographs: Haven keeps none.
18. Any other unique identifying number, characteristic or code: Haven's public ids (of patients and of
    responses) are never exported; the study id is a keyed hash that cannot be translated back without the key,
    and each row carries only the patient's response number (1, 2, 3... in date order).

Free text of any kind (notes, pronouns, a typed language, a referral's words) is never exported: only numeric
item answers, scores and the fixed labels of Haven's own lists.
"""

import hashlib
import hmac
from datetime import date, timedelta

from django.conf import settings
from django.utils.crypto import salted_hmac

STUDY_ID_LENGTH = 16  # hex characters: 64 bits, no collision expected below billions of patients
MAX_SHIFT_DAYS = 365
AGE_GROUPED_FROM = 90
KEY_SALT = "haven.interop.research"


def research_key() -> bytes:
    """The secret the study ids and shifts derive from (settings.RESEARCH_EXPORT_KEY, else from SECRET_KEY)."""
    if settings.RESEARCH_EXPORT_KEY:
        return settings.RESEARCH_EXPORT_KEY.encode()
    return salted_hmac(KEY_SALT, "research export key", algorithm="sha256").digest()


def keyed_hash(key: bytes, purpose: str, public_id) -> bytes:
    return hmac.new(key, f"{purpose}:{public_id}".encode(), hashlib.sha256).digest()


def study_id(key: bytes, public_id) -> str:
    """The patient's study id: stable for a key, different between patients, not reversible without the key."""
    return keyed_hash(key, "study id", public_id).hex()[:STUDY_ID_LENGTH]


def day_shift(key: bytes, public_id) -> int:
    """How many days (1 to 365) this patient's dates move back: the same in every run with the same key."""
    return int.from_bytes(keyed_hash(key, "date shift", public_id)[:8], "big") % MAX_SHIFT_DAYS + 1


def shifted(day: date, shift_days: int) -> date:
    return day - timedelta(days=shift_days)


def age_in_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def age_group(born: date, on: date) -> str:
    """Age in years on a day, as text; 90 and over is "90+" (Safe Harbor: ages over 89 are grouped)."""
    age = age_in_years(born, on)
    return f"{AGE_GROUPED_FROM}+" if age >= AGE_GROUPED_FROM else str(age)
