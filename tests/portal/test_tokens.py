"""Patient link tokens: long and random, and only their SHA-256 hash is ever stored."""

import base64
import hashlib
from datetime import timedelta

from django.db import connection

from portal.models import PatientLink
from portal.services import issue_link
from portal.tokens import new_token, token_hash


def test_a_token_carries_at_least_128_random_bits():
    token = new_token()
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    assert len(raw) * 8 >= 128


def test_no_two_tokens_are_alike():
    assert len({new_token() for _ in range(1000)}) == 1000


def test_a_token_fits_in_a_url_without_escaping():
    token = new_token()
    assert token.replace("-", "").replace("_", "").isalnum()


def test_the_hash_is_the_sha256_of_the_token():
    token = new_token()
    assert token_hash(token) == hashlib.sha256(token.encode()).hexdigest()


def test_issuing_a_link_stores_only_the_hash(patient):
    link, token = issue_link(patient=patient)
    assert PatientLink.objects.get(pk=link.pk).token_hash == token_hash(token)
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(link)::text FROM portal_patientlink link WHERE id = %s", [link.pk])
        (row,) = cursor.fetchone()
    assert token_hash(token) in row
    assert token not in row


def test_issuing_a_link_scopes_it_to_one_patient_and_purpose_for_seven_days(patient):
    link, _ = issue_link(patient=patient)
    assert link.patient == patient
    assert link.purpose == PatientLink.Purpose.CHECK_IN
    assert abs(link.expires_at - link.created_at - timedelta(days=7)) < timedelta(minutes=1)
    assert link.is_usable()
