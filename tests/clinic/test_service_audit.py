"""The referral services write the audit event of the change they make, whoever calls them (a page, a task, a
command, the admin): called directly with no request, a change writes exactly one event naming who did it, to
which patient, and what; a change that is refused or fails writes none."""

import pytest
from django.utils import timezone

from audit.context import AuditContext
from audit.models import Action, AuditEvent
from clinic import referrals as rules
from clinic.access import Refused
from clinic.referral_services import create_referral, take_referral_step, update_referral
from tests.factories import referral_in_state

pytestmark = pytest.mark.django_db

DETAILS = {"service": "physical_therapy", "receiving_provider": "Harbourview Physical Therapy", "reason": "Graded"}


def the_event():
    event = AuditEvent.objects.get()
    return event.actor, event.patient, event.action, event.target


def test_writing_a_referral_is_audited_once_with_no_page(patient, physician, coordinator):
    create_referral(patient=patient, by=coordinator, details=DETAILS)
    assert the_event() == (coordinator, patient, Action.CREATE, "referral written")
    event = AuditEvent.objects.get()
    assert (event.path, event.ip) == ("", None)


def test_the_event_says_where_from_when_a_page_passes_its_context(patient, physician):
    create_referral(
        patient=patient, by=physician, audit=AuditContext(path="/referrals/", ip="203.0.113.9"), details=DETAILS
    )
    event = AuditEvent.objects.get()
    assert (event.actor, event.path, event.ip) == (physician, "/referrals/", "203.0.113.9")


def test_a_refused_referral_writes_no_event(patient, physician, outsider):
    with pytest.raises(Refused):
        create_referral(patient=patient, by=outsider, details=DETAILS)
    assert not AuditEvent.objects.exists()


def test_a_step_is_audited_once_with_its_verb(patient, physician, coordinator):
    referral = referral_in_state("sent", patient=patient, by=physician)
    take_referral_step(
        referral=referral, action="acknowledge", by=coordinator, expected_version=referral.version,
        on=timezone.localdate(),
    )  # fmt: skip
    assert the_event() == (coordinator, patient, Action.UPDATE, "referral acknowledged")


def test_a_step_not_allowed_now_from_a_stale_page_or_refused_writes_no_event(patient, physician, coordinator, outsider):
    referral = referral_in_state("sent", patient=patient, by=physician)
    with pytest.raises(rules.ReferralTransitionError):
        take_referral_step(referral=referral, action="close", by=coordinator, expected_version=referral.version)
    with pytest.raises(rules.ReferralChanged):
        take_referral_step(referral=referral, action="acknowledge", by=coordinator, expected_version=0)
    with pytest.raises(Refused):
        take_referral_step(
            referral=referral, action="acknowledge", by=outsider, expected_version=referral.version,
            on=timezone.localdate(),
        )  # fmt: skip
    assert not AuditEvent.objects.exists()


def test_changed_details_are_audited_once(patient, physician, coordinator):
    referral = referral_in_state("sent", patient=patient, by=physician)
    update_referral(referral=referral, by=coordinator, details={"reason": "Changed"}, expected_version=referral.version)
    assert the_event() == (coordinator, patient, Action.UPDATE, "referral details changed")


def test_no_change_a_stale_form_or_a_refusal_writes_no_event(patient, physician, coordinator, outsider):
    referral = referral_in_state("sent", patient=patient, by=physician)
    same = {"reason": referral.reason}
    assert update_referral(referral=referral, by=coordinator, details=same, expected_version=referral.version) == []
    with pytest.raises(rules.ReferralChanged):
        update_referral(referral=referral, by=coordinator, details={"reason": "Changed"}, expected_version=0)
    with pytest.raises(Refused):
        update_referral(
            referral=referral, by=outsider, details={"reason": "Changed"}, expected_version=referral.version
        )
    assert not AuditEvent.objects.exists()
