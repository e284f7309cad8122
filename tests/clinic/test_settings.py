import os
import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from clinic.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parents[2]


def test_every_variable_the_settings_read_is_documented_in_env_example():
    settings_source = (BASE_DIR / "clinic" / "settings.py").read_text()
    read = set(re.findall(r'env_(?:str|bool|int|list|choice)\("([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^([A-Z_]+)=", (BASE_DIR / ".env.example").read_text(), re.MULTILINE))
    assert read, "the settings read no variables?"
    assert read - documented == set()


@pytest.mark.parametrize("value, expected", [("true", True), ("YES", True), ("0", False), ("off", False)])
def test_env_bool_reads_the_usual_words(monkeypatch, value, expected):
    monkeypatch.setenv("HAVEN_FLAG", value)
    assert env_bool("HAVEN_FLAG", default=not expected) is expected


def test_env_bool_refuses_a_word_it_does_not_know(monkeypatch):
    monkeypatch.setenv("HAVEN_FLAG", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="HAVEN_FLAG must be true or false"):
        env_bool("HAVEN_FLAG", default=False)


def test_env_int_refuses_words_and_numbers_below_the_minimum(monkeypatch):
    monkeypatch.setenv("HAVEN_MINUTES", "fifteen")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("HAVEN_MINUTES", 15)
    monkeypatch.setenv("HAVEN_MINUTES", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("HAVEN_MINUTES", 15, minimum=1)


def test_env_str_requires_a_value_when_there_is_no_default(monkeypatch):
    monkeypatch.delenv("HAVEN_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="HAVEN_SECRET is required"):
        env_str("HAVEN_SECRET")


def test_env_list_and_choice(monkeypatch):
    monkeypatch.setenv("HAVEN_HOSTS", " a.example , b.example ,")
    assert env_list("HAVEN_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("HAVEN_MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match="must be one of development, production"):
        env_choice("HAVEN_MODE", "development", ("development", "production"))


def run_manage(*args, **env):
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "HAVEN_ENV")}
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        cwd=BASE_DIR,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        HAVEN_ENV="production", SECRET_KEY="x" * 64 + "-production-test-key-with-enough-variety-1234567890",
        ALLOWED_HOSTS="haven.example.org",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", HAVEN_ENV="production", ALLOWED_HOSTS="haven.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_refuses_the_sqlite_demo_database():
    result = run_manage(
        "check", HAVEN_ENV="production", SECRET_KEY="k" * 60, ALLOWED_HOSTS="h.example", DATABASE_URL="sqlite:///x.db"
    )
    assert result.returncode != 0
    assert "SQLite demo database cannot be used" in result.stderr


def test_every_beat_entry_names_a_task_the_worker_registers():
    """A worker registers the tasks of each app's ``tasks`` module (autodiscovery); a sweep kept in any
    other module would be scheduled by beat and never run. Checked in a fresh interpreter, as a worker
    starts, so modules this test run happens to have imported cannot hide a missing task."""
    import json
    import subprocess
    import sys

    script = (
        "import django, json; django.setup(); from django.conf import settings; from clinic.celery import app; "
        "app.loader.import_default_modules(); "
        "print(json.dumps([sorted(e['task'] for e in settings.CELERY_BEAT_SCHEDULE.values()), sorted(app.tasks)]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "clinic.settings"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True)
    scheduled, registered = json.loads(result.stdout.strip().splitlines()[-1])
    assert scheduled, "the beat schedule is empty"
    assert set(scheduled) <= set(registered), f"not registered: {sorted(set(scheduled) - set(registered))}"


def test_the_demo_signs_the_app_in_as_its_own_role_on_the_same_database():
    from launcher import as_role

    assert as_role("postgres:///haven", "haven_app") == "postgres://haven_app@/haven"
    assert as_role("postgres://root@127.0.0.1:5432/haven", "haven_app") == "postgres://haven_app@127.0.0.1:5432/haven"
