"""demo/logs.py: weeks of check-ins, a pacing plan with a flare hold and a flare-up plan for the
first demo patients with an active plan; idempotent."""

from datetime import timedelta

import pytest
from django.utils import timezone

from careplans.logs.selectors import pacing_view
from careplans.models import DailyLog, FlarePlan, LogReminder, PacingPlan, PacingSession
from demo.clinic import demo_mrn
from demo.logs import seed_logs
from tests.careplans.logkit import active_plan
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_patients(physician):
    patients = [PatientFactory(mrn=demo_mrn(n)) for n in range(3)]
    for someone in patients[:2]:
        active_plan(someone, physician)
    return patients


def test_it_seeds_logs_pacing_and_a_flare_up_plan_for_patients_with_a_plan(demo_patients):
    result = seed_logs(10)
    assert result.patients == 2
    maria, second, no_plan = demo_patients
    assert not DailyLog.objects.filter(patient=no_plan).exists()
    today = timezone.localdate()
    for someone in (maria, second):
        logs = DailyLog.objects.filter(patient=someone)
        assert logs.count() > 25
        assert min(timezone.localtime(log.logged_at).date() for log in logs) <= today - timedelta(days=35)
        assert FlarePlan.objects.filter(plan__patient=someone).exists()
        assert LogReminder.objects.filter(patient=someone).exists()
        pacing_plan = PacingPlan.objects.get(plan__patient=someone)
        view = pacing_view(pacing_plan, today=today)
        flare = PacingSession.objects.get(pacing_plan=pacing_plan, outcome="flare")
        assert view.schedule.step_on(flare.on).held_days >= 3  # the flare held the step
        for session in view.sessions:  # planned amounts match the real schedule
            assert session.planned_amount == view.schedule.amount_on(session.on)
    # The demo patient has not checked in or logged a session today.
    assert not DailyLog.objects.filter(patient=maria, logged_at__date__gte=today).exists()
    assert not PacingSession.objects.filter(pacing_plan__plan__patient=maria, on=today).exists()


def test_it_is_idempotent(demo_patients):
    seed_logs(10)
    counts = (DailyLog.objects.count(), PacingSession.objects.count(), PacingPlan.objects.count())
    assert seed_logs(10).patients == 0
    assert (DailyLog.objects.count(), PacingSession.objects.count(), PacingPlan.objects.count()) == counts
