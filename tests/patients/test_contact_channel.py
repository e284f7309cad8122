import pytest

from patients.models import Patient


def patient(**fields):
    base = {"email": "a@example.test", "mobile": "555-0101", "consents_to_email": True, "consents_to_sms": True}
    return Patient(**{**base, **fields})


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, ("email", "a@example.test")),
        ({"preferred_channel": "sms"}, ("sms", "555-0101")),
        ({"preferred_channel": "sms", "consents_to_sms": False}, ("email", "a@example.test")),
        ({"preferred_channel": "email", "email": ""}, ("sms", "555-0101")),
        ({"preferred_channel": "phone"}, ("email", "a@example.test")),
        ({"consents_to_email": False, "consents_to_sms": False}, None),
        ({"email": "", "mobile": ""}, None),
    ],
)
def test_it_messages_on_the_preferred_channel_only_with_consent_and_an_address(fields, expected):
    assert patient(**fields).contact_channel() == expected
