"""Getting in, any time: "Continue" signs in (GET writes nothing), the patient session (idle limit, "Remember
this phone"), sessions outliving a completed link, signing out (here, everywhere, by the care team), a new link
for a completed one, and "Get my link" with its limits."""

import logging
import re
from datetime import date, timedelta
from unittest import mock

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import OutboxMessage
from patients.models import Patient
from portal import get_link
from portal.models import PatientLink, PatientSession
from portal.services import issue_link
from portal.sessions import SESSION_KEY
from portal.tokens import token_hash
from tests.factories import PatientFactory
from tests.portal.journey import invite, open_link

HOME = reverse("portal:home")
PLAN = reverse("portal:plan")
REFERRALS = reverse("portal:referrals")
CHECK_IN = reverse("portal:plan_check_in")
GET_MY_LINK = reverse("portal:get_my_link")
SIGN_OUT = reverse("portal:sign_out")
CLOSED = "This link is no longer open"
SAME_WORDS = "If these details match what we have, a new link is on its way"
BORN = date(1961, 4, 23)


def text(response) -> str:
    return response.content.decode()


def open_url(token: str) -> str:
    return reverse("portal:open", args=[token])


# --------------------------------------------------------------------------- GET changes nothing, POST signs in


def test_get_shows_continue_and_writes_nothing_at_all(client, patient_link):
    link, token = patient_link
    response = client.get(open_url(token))
    page = text(response)
    assert '<button class="btn btn-primary btn-lg w-100" type="submit">Continue</button>' in page
    assert f'<form method="post" action="{open_url(token)}"' in page
    assert "Remember this phone" in page
    link.refresh_from_db()
    assert link.first_opened_at is None
    assert not AuditEvent.objects.exists()
    assert not PatientSession.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in response.cookies  # no session started, not even an empty one
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_the_continue_page_loads_nothing_from_another_site(client, patient_link):
    _, token = patient_link
    page = text(client.get(open_url(token)))
    addresses = re.findall(r'(?:src|href|action)="([^"]*)"', page)
    assert addresses
    for address in addresses:  # this site's own paths, an inline icon, or the clinic's phone number
        assert address.startswith(("/", "data:", "tel:", "#")) and not address.startswith("//"), address


def test_post_signs_in_notes_the_first_opening_and_audits_the_sign_in_as_the_patient(client, patient_link, patient):
    link, token = patient_link
    response = client.post(open_url(token))
    assert response["Location"] == HOME
    link.refresh_from_db()
    assert link.first_opened_at is not None
    visit = PatientSession.objects.get()
    assert (visit.patient, visit.link, visit.remember, visit.ended_at) == (patient, link, False, None)
    assert visit.key_hash == token_hash(client.session[SESSION_KEY])  # only the hash is stored
    event = AuditEvent.objects.get()
    assert (event.actor, event.patient, event.action, event.target) == (None, patient, Action.VIEW, "portal sign-in")


@pytest.mark.parametrize(
    ("purpose", "lands_on"),
    [
        (PatientLink.Purpose.CHECK_IN, "portal:home"),
        (PatientLink.Purpose.QUESTIONNAIRES, "portal:home"),  # the home lists the questionnaires
        (PatientLink.Purpose.INTAKE, "portal:intake_resume"),
    ],
)
def test_continue_leads_to_the_links_page(client, patient, purpose, lands_on):
    _, token = issue_link(patient=patient, purpose=purpose)
    assert client.post(open_url(token))["Location"] == reverse(lands_on)


# --------------------------------------------------------------------------- how long a session lasts


def test_without_remember_the_cookie_ends_with_the_browser(client, patient_link):
    open_link(client, patient_link[1])
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_remember_this_phone_keeps_the_cookie_30_days(client, patient_link):
    open_link(client, patient_link[1], remember=True)
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 30 * 24 * 3600
    visit = PatientSession.objects.get()
    assert visit.remember
    assert visit.expires_at - visit.started_at == timedelta(days=30)
    assert AuditEvent.objects.get().target == "portal sign-in (remember this phone)"


def test_an_idle_session_ends_after_30_minutes(client, patient_link):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        open_link(client, patient_link[1])
        clock.shift(timedelta(minutes=29))
        assert "Hello, Mari" in text(client.get(HOME))  # and the idle clock starts again
        clock.shift(timedelta(minutes=29))
        assert "Hello, Mari" in text(client.get(HOME))
        clock.shift(timedelta(minutes=31))
        assert CLOSED in text(client.get(HOME))
    assert SESSION_KEY not in client.session


def test_a_remembered_session_ignores_idle_time_but_ends_after_30_days(client, patient_link):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        open_link(client, patient_link[1], remember=True)
        clock.shift(timedelta(days=3))
        assert "Hello, Mari" in text(client.get(HOME))
        clock.shift(timedelta(days=27, minutes=1))
        assert CLOSED in text(client.get(HOME))


# --------------------------------------------------------------------------- a completed link keeps the session


def test_sending_the_questionnaires_leaves_the_plan_pages_open(client, patient):
    invitation, token = invite(patient, codes=("peg",))
    open_link(client, token)
    PatientLink.objects.filter(pk=invitation.link_id).update(completed_at=timezone.now())
    for page in (HOME, PLAN, CHECK_IN, REFERRALS, reverse("portal:plan_week"), reverse("portal:plan_reminders")):
        response = client.get(page)
        assert response.status_code == 200, page
        assert CLOSED not in text(response), page


def test_a_completed_link_signs_no_one_in_again(patient):
    invitation, token = invite(patient, codes=("peg",))
    PatientLink.objects.filter(pk=invitation.link_id).update(completed_at=timezone.now())
    browser = Client()
    assert CLOSED in text(browser.post(open_url(token)))
    assert not PatientSession.objects.exists()


# --------------------------------------------------------------------------- signing out


def test_sign_out_is_on_every_signed_in_page_and_ends_the_session(client, patient_link):
    open_link(client, patient_link[1])
    for page in (HOME, PLAN, REFERRALS):
        assert f'action="{SIGN_OUT}"' in text(client.get(page)), page
    response = client.post(SIGN_OUT, follow=True)
    assert "You are signed out" in text(response)
    assert f'action="{SIGN_OUT}"' not in text(response)
    assert PatientSession.objects.get().ended_at is not None
    assert CLOSED in text(client.get(HOME))
    assert AuditEvent.objects.filter(target="portal: signed out", actor=None).count() == 1


def test_an_ended_session_is_refused_at_once_even_if_the_device_still_holds_its_key(client, patient_link):
    open_link(client, patient_link[1])
    key = client.session[SESSION_KEY]
    PatientSession.objects.update(ended_at=timezone.now())
    assert CLOSED in text(client.get(PLAN))
    session = client.session
    session[SESSION_KEY] = key  # a copied cookie brings the key back: still refused
    session.save()
    assert CLOSED in text(client.get(HOME))


def test_sign_out_on_all_devices_ends_every_session_of_the_patient_only(client, patient, other_patient):
    phone, laptop, someone_else = Client(), Client(), Client()
    open_link(phone, issue_link(patient=patient)[1])
    open_link(laptop, issue_link(patient=patient)[1], remember=True)
    open_link(someone_else, issue_link(patient=other_patient)[1])
    response = phone.post(SIGN_OUT, {"everywhere": "yes"}, follow=True)
    assert "signed out on all your phones and computers" in text(response)
    assert CLOSED in text(laptop.get(HOME))
    assert "Hello" in text(someone_else.get(HOME))
    assert PatientSession.objects.filter(patient=patient, ended_at__isnull=True).count() == 0


def test_staff_who_may_see_the_patient_end_their_portal_sessions(signed_in, physician, patient):
    phone = Client()
    open_link(phone, issue_link(patient=patient)[1], remember=True)
    staff = signed_in(physician)
    chart = text(staff.get(reverse("patients:chart", args=[patient.public_id])))
    assert "End the patient&#x27;s portal sessions" in chart or "End the patient's portal sessions" in chart
    response = staff.post(reverse("patients:end_portal_sessions", args=[patient.public_id]), follow=True)
    assert "signed out of the patient portal on every device" in text(response)
    visit = PatientSession.objects.get()
    assert (visit.ended_by, visit.ended_at is not None) == (physician, True)
    assert CLOSED in text(phone.get(HOME))
    event = AuditEvent.objects.get(target="portal sessions ended")
    assert (event.actor, event.patient, event.action) == (physician, patient, Action.UPDATE)


def test_an_outsider_clinician_gets_404_and_the_refusal_is_audited(signed_in, outsider, patient):
    phone = Client()
    open_link(phone, issue_link(patient=patient)[1])
    staff = signed_in(outsider)
    response = staff.post(reverse("patients:end_portal_sessions", args=[patient.public_id]))
    assert response.status_code == 404
    assert PatientSession.objects.get().ended_at is None
    refused = AuditEvent.objects.get(action=Action.REFUSED)
    assert refused.actor == outsider
    assert "Hello" in text(phone.get(HOME))


# --------------------------------------------------------------------------- a new link for a completed one


def test_a_completed_link_can_ask_for_a_new_sign_in_link(client, patient):
    invitation, token = invite(patient, codes=("peg",))
    PatientLink.objects.filter(pk=invitation.link_id).update(completed_at=timezone.now())
    response = client.post(reverse("portal:new_link", args=[token]))
    assert "a new one is on its way" in text(response)
    message = OutboxMessage.objects.get()
    assert message.to_address == patient.email
    fresh = PatientLink.objects.exclude(pk=invitation.link_id).get()
    assert fresh.purpose == PatientLink.Purpose.CHECK_IN
    client.post(reverse("portal:new_link", args=[token]))  # once a day per old link
    assert OutboxMessage.objects.count() == 1


# --------------------------------------------------------------------------- get my link


SHARED, OTHER = "10.0.0.9", "127.0.0.2"


def limiter_keys() -> list[str]:
    """The limiter's keys these tests can touch (keyed hashes): cleared before and after, never the whole cache."""
    values = [("email", "mari@example.test"), ("email", "nobody@example.test"), ("sms", "5550100123")]
    values += [("email", f"guess{n}@example.test") for n in range(30)]
    values += [("address", address) for address in ("127.0.0.1", OTHER, SHARED)]
    values += [("patient", str(public_id)) for public_id in Patient.objects.values_list("public_id", flat=True)]
    return [get_link.key(kind, value) for kind, value in values]


@pytest.fixture
def mari(patient):
    patient.email, patient.mobile, patient.date_of_birth = "Mari@Example.test", "(555) 010-0123", BORN
    patient.consents_to_email = patient.consents_to_sms = True
    patient.save()
    cache.delete_many(limiter_keys())
    yield patient
    cache.delete_many(limiter_keys())


def ask(client, contact, born=BORN, **extra):
    return client.post(GET_MY_LINK, {"contact": contact, "date_of_birth": born.strftime("%m/%d/%Y")}, **extra)


def test_the_page_has_labelled_fields_and_a_date_format_hint(client, db):
    page = text(client.get(GET_MY_LINK))
    assert '<label class="portal-label" for="id_contact">Your email or mobile number</label>' in page
    assert '<label class="portal-label" for="id_date_of_birth">Your date of birth</label>' in page
    assert "Month/day/year, for example 04/23/1980." in page


def test_bad_input_gets_a_clear_message_and_keeps_what_was_typed(client, db):
    response = client.post(GET_MY_LINK, {"contact": "mari@example.test", "date_of_birth": "23 April"})
    assert response.status_code == 400
    page = text(response)
    assert "Please type your date of birth as month/day/year, for example 04/23/1980." in page
    assert 'value="mari@example.test"' in page and 'value="23 April"' in page
    assert not OutboxMessage.objects.exists()


def test_a_match_sends_a_check_in_link_to_the_email_on_file(client, mari):
    response = ask(client, "  MARI@example.TEST ")
    assert SAME_WORDS in text(response)
    message = OutboxMessage.objects.get()
    assert (message.channel, message.to_address, message.patient) == ("email", "Mari@Example.test", mari)
    assert message.next_attempt_at is None or message.next_attempt_at <= timezone.now()  # not held for the morning
    link = PatientLink.objects.get()
    assert (link.patient, link.purpose) == (mari, PatientLink.Purpose.CHECK_IN)
    assert AuditEvent.objects.get().target == "portal: sign-in link asked for"


def test_a_mobile_number_matches_whatever_its_punctuation(client, mari):
    ask(client, "555.010.0123")
    message = OutboxMessage.objects.get()
    assert (message.channel, message.to_address) == ("sms", "(555) 010-0123")


def test_no_match_says_the_same_words_and_sends_nothing(client, mari):
    matched = ask(client, "mari@example.test")
    missed = ask(client, "nobody@example.test")
    wrong_birthday = ask(client, "mari@example.test", born=date(1961, 4, 24))
    assert matched.status_code == missed.status_code == wrong_birthday.status_code == 200
    assert without_csrf(matched) == without_csrf(missed) == without_csrf(wrong_birthday)
    assert OutboxMessage.objects.count() == 1  # the match alone


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text(response))


def test_a_channel_the_patient_did_not_agree_to_sends_nothing(client, mari):
    mari.consents_to_sms = False
    mari.save()
    ask(client, "555 010 0123")
    assert not OutboxMessage.objects.exists()


def test_the_match_is_one_query(mari, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert get_link.matching_patients(get_link.normalise("5550100123"), BORN) == [mari]


def test_at_most_3_links_per_patient_an_hour(client, mari):
    for _ in range(5):
        ask(client, "mari@example.test")
    assert OutboxMessage.objects.count() == 3


def test_5_failed_tries_of_one_value_stop_that_value_for_an_hour(client, mari):
    for day in range(1, 6):
        ask(client, "mari@example.test", born=date(1961, 1, day))  # wrong birthdays
    ask(client, "mari@example.test", REMOTE_ADDR=OTHER)  # right, but that value is used up
    assert not OutboxMessage.objects.exists()


def test_a_busy_shared_address_does_not_block_another_patients_right_details(client, mari):
    shared = {"REMOTE_ADDR": SHARED}
    for n in range(get_link.ADDRESS_FAILURES + 2):  # someone on the network guesses, and fails, many times
        ask(client, f"guess{n}@example.test", **shared)
    assert get_link.count(get_link.key("address", SHARED)) >= get_link.ADDRESS_FAILURES
    ask(Client(), "mari@example.test", **shared)  # Mari, on the same Wi-Fi, types her own details
    assert OutboxMessage.objects.get().patient == mari


def test_a_busy_address_gets_one_try_per_value(client, mari):
    shared = {"REMOTE_ADDR": SHARED}
    for n in range(get_link.ADDRESS_FAILURES):
        ask(client, f"guess{n}@example.test", **shared)
    ask(client, "mari@example.test", born=date(1961, 1, 1), **shared)  # its one try, wrong
    ask(client, "mari@example.test", **shared)  # no second try from this address this hour
    assert not OutboxMessage.objects.exists()
    ask(Client(), "mari@example.test", REMOTE_ADDR=OTHER)  # from elsewhere, within the value's 5
    assert OutboxMessage.objects.count() == 1


def test_cache_keys_and_logs_hold_no_contact_address_or_token(client, mari, caplog):
    seen = []
    real_add = cache.add

    def spy(key, *args, **kwargs):
        seen.append(key)
        return real_add(key, *args, **kwargs)

    with caplog.at_level(logging.DEBUG), mock.patch.object(cache, "add", side_effect=spy):
        ask(client, "mari@example.test")
        ask(client, "nobody@example.test")
        ask(client, "555-010-0123")
    assert seen
    for key in seen:  # the kind of count, then a keyed hash: nothing typed, no address, no patient id
        assert re.fullmatch(r"portal-get-link:(email|sms|address|patient):[0-9a-f]{64}", key), key
    token_parts = [message.body.rsplit("/p/", 1)[-1] for message in OutboxMessage.objects.all()]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ["mari@example.test", "5550100123", "555-010-0123", "1961", *token_parts]:
        assert secret not in logged


def test_the_closed_and_signed_out_pages_lead_to_get_my_link(client, db):
    assert f'href="{GET_MY_LINK}"' in text(client.get(HOME))  # the calm page
    assert f'href="{GET_MY_LINK}"' in text(client.get(reverse("portal:signed_out")))


def test_get_my_link_sends_nothing_for_a_patient_without_this_date_of_birth(client, mari):
    PatientFactory(email="mari@example.test", date_of_birth=date(1990, 1, 1))  # same email, another birthday
    ask(client, "mari@example.test")
    assert OutboxMessage.objects.get().patient == mari


# --------------------------------------------------------------------------- cost per page


def test_the_continue_page_and_a_signed_in_page_run_a_few_queries(client, patient_link, django_assert_max_num_queries):
    _, token = patient_link
    with django_assert_max_num_queries(1):  # the link, by its hash
        client.get(open_url(token))
    open_link(client, token)
    with django_assert_max_num_queries(6):  # the session with its patient and link, the page's own, its audit row
        client.get(REFERRALS)
