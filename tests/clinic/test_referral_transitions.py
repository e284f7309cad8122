"""Referral steps as model methods: each legal one stamps who and when and writes its event; each
illegal one is refused with a message and writes nothing; a stale version is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clinic import referrals as rules
from clinic.models import Referral, ReferralEvent
from tests.clinic.test_referral_rules import LEGAL
from tests.factories import referral_in_state

pytestmark = pytest.mark.django_db

ILLEGAL = [(action, state) for action in rules.STEPS for state in rules.STATES if (action, state) not in LEGAL]


def step(referral: Referral, action: str, by, **extra) -> None:
    """Call the step's own model method, as the services do."""
    day = timezone.localdate() + timedelta(days=10)
    methods = {
        "send": lambda: referral.mark_sent(by=by, **extra),
        "acknowledge": lambda: referral.acknowledge(by=by, **extra),
        "schedule": lambda: referral.schedule(on=day, by=by, **extra),
        "attended": lambda: referral.mark_attended(by=by, **extra),
        "report": lambda: referral.record_report(by=by, **extra),
        "close": lambda: referral.close(by=by, **extra),
        "decline": lambda: referral.decline(reason="No capacity this year", by=by, **extra),
        "cancel": lambda: referral.cancel(reason="Patient moved away", by=by, **extra),
        "no_show": lambda: referral.mark_no_show(reason="Transport fell through", by=by, **extra),
    }
    methods[action]()


@pytest.mark.parametrize(("action", "state"), sorted(LEGAL))
def test_it_takes_every_legal_step_stamping_who_and_when_with_an_event(action, state, patient, coordinator):
    referral = referral_in_state(state, patient=patient, by=coordinator)
    version, events = referral.version, referral.events.count()
    before = timezone.now()

    step(referral, action, coordinator)

    saved = Referral.objects.get(pk=referral.pk)
    assert saved.state == LEGAL[action, state]
    assert saved.state_changed_by == coordinator
    assert saved.state_changed_at >= before
    assert saved.version == version + 1
    if action in Referral.STAMPS:
        assert getattr(saved, Referral.STAMPS[action]) == saved.state_changed_at
    assert referral.events.count() == events + 1
    event = referral.events.order_by("-id").first()
    assert (event.from_state, event.to_state, event.by) == (state, saved.state, coordinator)
    assert event.at == saved.state_changed_at


@pytest.mark.parametrize(("action", "state"), ILLEGAL)
def test_it_refuses_every_illegal_step_with_a_message_and_writes_nothing(action, state, patient, coordinator):
    referral = referral_in_state(state, patient=patient, by=coordinator)
    events = referral.events.count()

    with pytest.raises(rules.ReferralTransitionError) as refused:
        step(referral, action, coordinator)

    assert str(refused.value) == rules.refusal(action, state)
    saved = Referral.objects.get(pk=referral.pk)
    assert (saved.state, saved.version) == (state, referral.version)
    assert referral.events.count() == events


def test_scheduling_records_the_date_and_moving_it_says_from_when(patient, coordinator):
    referral = referral_in_state("acknowledged", patient=patient, by=coordinator)
    first, second = timezone.localdate() + timedelta(days=3), timezone.localdate() + timedelta(days=9)
    referral.schedule(on=first, by=coordinator)
    referral.schedule(on=second, by=coordinator, note="Clinic asked to move it.")
    saved = Referral.objects.get(pk=referral.pk)
    assert saved.appointment_on == second
    assert (
        referral.events.order_by("-id").first().note == f"Moved from {first:%b} {first.day}. Clinic asked to move it."
    )


def test_attending_counts_one_insurance_visit(patient, coordinator):
    referral = referral_in_state("scheduled", patient=patient, by=coordinator, visits_used=3)
    referral.mark_attended(by=coordinator)
    assert Referral.objects.get(pk=referral.pk).visits_used == 4


@pytest.mark.parametrize("state", ["declined", "cancelled", "no_show"])
def test_an_ending_step_keeps_its_reason(state, patient, coordinator):
    referral = referral_in_state(state, patient=patient, by=coordinator)
    assert Referral.objects.get(pk=referral.pk).ended_reason == "Test reason"
    assert referral.events.order_by("-id").first().note == "Test reason"


def test_rebooking_after_a_missed_visit_clears_the_reason(patient, coordinator):
    referral = referral_in_state("no_show", patient=patient, by=coordinator)
    referral.schedule(on=timezone.localdate() + timedelta(days=5), by=coordinator)
    assert Referral.objects.get(pk=referral.pk).ended_reason == ""


@pytest.mark.parametrize(
    ("action", "method"), [("decline", "decline"), ("cancel", "cancel"), ("no_show", "mark_no_show")]
)
def test_an_ending_step_without_a_reason_is_refused(action, method, patient, coordinator):
    referral = referral_in_state("scheduled" if action == "no_show" else "sent", patient=patient, by=coordinator)
    with pytest.raises(rules.ReferralTransitionError, match="Say why the referral is"):
        getattr(referral, method)(reason="  ", by=coordinator)
    assert Referral.objects.get(pk=referral.pk).state == referral.state


def test_scheduling_without_a_date_is_refused(patient, coordinator):
    referral = referral_in_state("acknowledged", patient=patient, by=coordinator)
    with pytest.raises(rules.ReferralTransitionError, match="Give the appointment date"):
        referral.schedule(on=None, by=coordinator)


def test_a_step_from_a_stale_version_is_refused_and_writes_nothing(patient, coordinator, physician):
    referral = referral_in_state("sent", patient=patient, by=coordinator)
    shown = referral.version
    Referral.objects.get(pk=referral.pk).acknowledge(by=physician)  # someone else, meanwhile

    with pytest.raises(rules.ReferralChanged, match="Someone else changed this referral"):
        referral.cancel(reason="Duplicate", by=coordinator, expected_version=shown)
    with pytest.raises(rules.ReferralChanged):
        # The same copy read before the change: the conditional UPDATE refuses it too.
        referral.cancel(reason="Duplicate", by=coordinator)
    saved = Referral.objects.get(pk=referral.pk)
    assert (saved.state, saved.version) == ("acknowledged", shown + 1)
    assert not ReferralEvent.objects.filter(referral=referral, to_state="cancelled").exists()


def test_a_details_change_writes_an_event_naming_the_fields_and_stamps_the_bridge_plan(patient, coordinator):
    referral = referral_in_state("sent", patient=patient, by=coordinator)
    changed = referral.update_details(
        by=coordinator,
        changes={"expected_wait_days": 30, "bridge_plan": "Walk 10 minutes a day", "urgency": referral.urgency},
        expected_version=referral.version,
    )
    assert changed == ["expected_wait_days", "bridge_plan"]
    saved = Referral.objects.get(pk=referral.pk)
    assert saved.bridge_updated_at is not None
    event = referral.events.order_by("-id").first()
    assert (event.from_state, event.to_state) == ("sent", "sent")
    assert not event.is_step
    assert event.note == "Changed: expected wait days, what to do while waiting."


def test_a_details_change_that_changes_nothing_writes_nothing(patient, coordinator):
    referral = referral_in_state("sent", patient=patient, by=coordinator)
    version, events = referral.version, referral.events.count()
    assert referral.update_details(by=coordinator, changes={"urgency": referral.urgency}) == []
    assert Referral.objects.get(pk=referral.pk).version == version
    assert referral.events.count() == events
