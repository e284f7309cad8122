"""How the service runs, over the last 365 days: questionnaire completion, referral in to first visit, referral
closure and sprints ending improved, from hand-built rows with exact counts and medians."""

import datetime

import pytest
from django.utils import timezone

from careplans.models import Sprint
from clinic.models import Referral
from interop.dashboard_outcomes import service_figures
from measures.models import Invitation
from tests.factories import EncounterFactory, StaffFactory
from tests.interop.dashboard import build

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def invitation(patient, *, due_days_ago, completed):
    return Invitation.objects.create(
        patient=patient,
        due_on=build.days_ago(due_days_ago),
        instrument_codes=["peg"],
        completed_at=timezone.now() if completed else None,
    )


def test_completion_counts_invitations_due_in_the_last_year_up_to_today():
    person = build.patients(1)[0]
    invitation(person, due_days_ago=0, completed=True)
    invitation(person, due_days_ago=10, completed=False)
    invitation(person, due_days_ago=365, completed=True)
    invitation(person, due_days_ago=366, completed=True)  # before the period
    invitation(person, due_days_ago=-3, completed=False)  # not due yet

    figures = service_figures(today=today())

    assert (figures.invitations_completed, figures.invitations_due) == (2, 3)
    assert round(figures.completion_percent, 4) == round(200 / 3, 4)


def test_the_wait_runs_from_registration_to_the_first_signed_visit():
    seen_in_10, seen_in_20, waiting = build.patients(3, created_at=build.moment(40))
    author = StaffFactory(username="md.notes", discipline="physician")
    EncounterFactory(patient=seen_in_10, author=author, occurred_on=build.days_ago(30), signed_at=timezone.now())
    EncounterFactory(patient=seen_in_10, author=author, occurred_on=build.days_ago(5), signed_at=timezone.now())
    EncounterFactory(patient=seen_in_20, author=author, occurred_on=build.days_ago(20), signed_at=timezone.now())
    EncounterFactory(patient=seen_in_20, author=author, occurred_on=build.days_ago(35))  # a draft: not a visit yet
    EncounterFactory(patient=waiting, author=author, occurred_on=build.days_ago(39))  # a draft
    build.patients(1, created_at=build.moment(400))  # registered before the period

    figures = service_figures(today=today())

    assert (figures.registered, figures.seen) == (3, 2)
    assert figures.median_days_to_first_visit == 15  # the median of 10 and 20 days


def test_referral_closure_runs_from_sending_to_closing():
    person = build.patients(1)[0]
    now = timezone.now()
    for sent_days_ago, closed_days_ago in ((30, 20), (50, 20), (90, 10), (400, 380)):
        Referral.objects.create(
            patient=person,
            service=Referral.Service.PHYSICAL_THERAPY,
            reason="Graded activity",
            state=Referral.State.CLOSED,
            sent_at=now - datetime.timedelta(days=sent_days_ago),
            closed_at=now - datetime.timedelta(days=closed_days_ago),
        )

    figures = service_figures(today=today())

    assert figures.referrals_closed == 3
    assert figures.median_days_to_close == pytest.approx(30)  # 10, 30 and 80 days


def test_sprints_ending_improved_counts_reviewed_sprints_in_the_period():
    lead = StaffFactory(username="md.sprints", discipline="physician")
    people = build.patients(4)
    outcomes = [(True, 10), (False, 20), (True, 30), (True, 400)]  # the last was reviewed before the period
    for person, (improved, days) in zip(people, outcomes, strict=True):
        plan = build.plan(person, lead=lead)
        Sprint.objects.create(
            plan=plan,
            number=1,
            starts_on=build.days_ago(days + 35),
            ends_on=build.days_ago(days),
            improved=improved,
            reviewed_at=build.moment(days),
        )
    Sprint.objects.create(
        plan=people[0].care_plans.get(), number=2, starts_on=build.days_ago(5), ends_on=build.days_ago(-30)
    )  # open: not reviewed

    figures = service_figures(today=today())

    assert (figures.sprints_improved, figures.sprints_reviewed) == (2, 3)


def test_with_no_history_the_medians_are_none_not_zero():
    figures = service_figures(today=today())

    assert figures.median_days_to_first_visit is None
    assert figures.median_days_to_close is None
    assert figures.completion_percent is None
