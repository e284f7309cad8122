"""The demo referrals (demo/referrals.py): every state, some late, written once."""

import pytest
from django.utils import timezone

from clinic import referrals as rules
from clinic.models import Referral, TeamTask
from demo.referrals import DEMO_PATIENT_REFERRALS, OTHER_REFERRALS, seed_referrals
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("plan", DEMO_PATIENT_REFERRALS + OTHER_REFERRALS)
def test_each_plan_dates_every_step_of_its_path(plan):
    assert len(plan.step_days) == len(rules.PATHS[plan.state])
    assert list(plan.step_days) == sorted(plan.step_days)
    assert all(days <= plan.written_days_ago for days in plan.step_days)


def test_it_seeds_every_state_some_late_with_their_tasks_and_only_once(coordinator, physician):
    patients = [PatientFactory() for _ in range(len(OTHER_REFERRALS) + 1)]
    today = timezone.localdate()

    written = seed_referrals(patients, [physician, coordinator], today=today)

    assert written == len(DEMO_PATIENT_REFERRALS) + len(OTHER_REFERRALS)
    assert set(Referral.objects.values_list("state", flat=True)) == set(rules.STATES)
    late = set(Referral.objects.with_overdue().overdue().values_list("overdue_stage", flat=True))
    assert late == {rules.OVERDUE_UNACKNOWLEDGED, rules.OVERDUE_APPOINTMENT, rules.OVERDUE_REPORT}
    assert TeamTask.objects.filter(source=TeamTask.Source.REFERRAL).count() == 3
    assert TeamTask.objects.filter(source=TeamTask.Source.INSURANCE).count() == 1
    assert any(r.visits_warning for r in Referral.objects.all())
    own = Referral.objects.get(patient=patients[0], state="scheduled")
    assert own.needs_bridge_plan and own.bridge_plan and own.appointment_on > today
    assert own.events.order_by("at").first().at == own.created_at

    assert seed_referrals(patients, [physician, coordinator], today=today) == 0
    assert Referral.objects.count() == written
