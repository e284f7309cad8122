"""Daily sweeps catch up (clinic/sweeps.py): a run beat could not queue happens at the next check, once per
clinic-local day, however many checks or workers there are."""

import threading
import time

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.utils.module_loading import import_string

from clinic.models import SweepRun
from clinic.sweeps import due_daily_sweeps, run_daily_sweep
from clinic.tasks import run_daily_sweeps
from tests.clock import clinic_time

pytestmark = pytest.mark.django_db

RUNS: list[str] = []
PROJECT_BEAT, PROJECT_DAILY_SWEEPS = settings.CELERY_BEAT_SCHEDULE, settings.DAILY_SWEEPS  # before any override


def counting_sweep():
    RUNS.append("ran")


def slow_counting_sweep():
    time.sleep(0.5)  # long enough for a second check to arrive while this one runs
    RUNS.append("ran")


def failing_sweep():
    raise RuntimeError("the sweep broke")


@pytest.fixture(autouse=True)
def a_sweep_at_three(settings):
    RUNS.clear()
    settings.DAILY_SWEEPS = {"nightly": {"task": f"{__name__}.counting_sweep", "at": "03:00"}}
    yield settings.DAILY_SWEEPS
    RUNS.clear()


def check_at(*when) -> list[str]:
    """One run of the every-minute check at this clinic-local time: the sweeps it ran."""
    with time_machine.travel(clinic_time(*when), tick=False):
        return [name for name in due_daily_sweeps() if run_daily_sweep(name)]


def test_a_run_missed_at_three_happens_at_the_next_check():
    # Redis was down from 02:50 to 05:10: beat queued nothing at 03:00, nor any check until 05:11.
    assert check_at(2026, 12, 9, 2, 59) == []
    assert check_at(2026, 12, 9, 5, 11) == ["nightly"]
    assert RUNS == ["ran"]
    run = SweepRun.objects.get(name="nightly")
    assert run.ran_for == clinic_time(2026, 12, 9).date()


def test_it_runs_once_per_clinic_local_day():
    assert check_at(2026, 12, 9, 3, 0) == ["nightly"]
    assert check_at(2026, 12, 9, 3, 1) == []
    assert check_at(2026, 12, 9, 23, 30) == []  # already the next day in UTC for a clinic west of Greenwich
    assert check_at(2026, 12, 10, 0, 30) == []  # the clinic's next day, before its time
    assert check_at(2026, 12, 10, 3, 0) == ["nightly"]
    assert RUNS == ["ran", "ran"]


def test_days_missed_in_a_long_outage_are_made_up_by_one_run():
    assert check_at(2026, 12, 9, 3, 0) == ["nightly"]
    assert check_at(2026, 12, 12, 9, 0) == ["nightly"]  # down for three days: one run catches up
    assert check_at(2026, 12, 12, 9, 1) == []
    assert RUNS == ["ran", "ran"]


def test_a_failed_run_records_nothing_and_the_next_check_runs_it_again(a_sweep_at_three):
    a_sweep_at_three["nightly"]["task"] = f"{__name__}.failing_sweep"
    with pytest.raises(RuntimeError):
        check_at(2026, 12, 9, 3, 0)
    assert SweepRun.objects.get(name="nightly").ran_for is None

    a_sweep_at_three["nightly"]["task"] = f"{__name__}.counting_sweep"
    assert check_at(2026, 12, 9, 3, 1) == ["nightly"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_checks_run_it_once(a_sweep_at_three):
    a_sweep_at_three["nightly"]["task"] = f"{__name__}.slow_counting_sweep"
    start, results = threading.Barrier(4), []

    def check():
        start.wait()
        try:
            results.append(run_daily_sweep("nightly"))
        finally:
            connection.close()

    with time_machine.travel(clinic_time(2026, 12, 9, 6, 0), tick=True):
        checks = [threading.Thread(target=check) for _ in range(4)]
        for thread in checks:
            thread.start()
        for thread in checks:
            thread.join()
        assert sorted(results) == [False, False, False, True]
        assert RUNS == ["ran"]
        assert run_daily_sweep("nightly") is False  # and a check after it finished finds it done


def test_the_every_minute_check_runs_what_is_due(eager_celery):
    with time_machine.travel(clinic_time(2026, 12, 9, 7, 0), tick=False):
        assert run_daily_sweeps.delay().get() == ["nightly"]
        assert run_daily_sweeps.delay().get() == []
    assert RUNS == ["ran"]


def test_beat_runs_the_check_every_minute_and_no_daily_sweep_by_its_own_calendar():
    assert PROJECT_BEAT["daily-sweeps"] == {"task": "clinic.tasks.run_daily_sweeps", "schedule": 60.0}
    scheduled = {entry["task"] for entry in PROJECT_BEAT.values()}
    assert all(spec["task"] not in scheduled for spec in PROJECT_DAILY_SWEEPS.values())
    assert set(PROJECT_DAILY_SWEEPS) >= {"escalation-sweep"}


def test_the_project_daily_sweeps_are_tasks_at_a_time_of_day():
    for spec in PROJECT_DAILY_SWEEPS.values():
        assert import_string(spec["task"]).name == spec["task"]
        assert time.strptime(spec["at"], "%H:%M")
