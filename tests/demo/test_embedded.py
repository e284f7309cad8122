"""The embedded demo (no Postgres, no Redis): SQLite, tasks in-process, a banner on every page.

Runs the real commands in a subprocess against a temporary SQLite file, then a patient answers a
questionnaire through the portal and a clinician signs in, all on that database.
"""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]

JOURNEY = r"""
import re
from django.test import Client
from demo.clinic import DEMO_PASSWORD
from measures.models import Response

link = re.search(r"/p/[\w-]+/", open(WELCOME).read()).group(0)
patient = Client()
assert patient.get(link).status_code == 200  # the link's Continue page, which changes nothing
assert patient.post(link).status_code == 302  # Continue: signed in
home = patient.get("/p/")
assert b"Demo mode: not for patient data" in home.content, "the portal shows the demo banner"
started = patient.post("/p/start/peg/")
assert started.status_code == 302, started.status_code
response = Response.objects.filter(completed_at__isnull=True, instrument__code="peg").latest("started_at")
for number in (1, 2, 3):
    answered = patient.post(f"/p/q/{response.public_id}/{number}/", {"answer": "4"})
    assert answered.status_code == 302, (number, answered.status_code)
sent = patient.post(f"/p/q/{response.public_id}/review/")
assert sent.status_code == 302, sent.status_code
response.refresh_from_db()
assert response.completed_at is not None and float(response.total) == 4.0

staff = Client()
signed_in = staff.post("/accounts/sign-in/", {"username": "amara.okonkwo", "password": DEMO_PASSWORD}, follow=True)
assert b"Demo mode: not for patient data" in signed_in.content
assert b"Garcia" in staff.get("/").content  # a clinician lands on Today; their patients are on the home page
print("embedded demo ok")
"""


def run(command, env):
    return subprocess.run(command, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=300)


def test_the_embedded_demo_runs_on_sqlite_with_tasks_in_process(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "TASKS_IN_PROCESS": "true",
        "CELERY_BROKER_URL": "memory://",
        "HAVEN_ENV": "development",
    }
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for step in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        result = run([*manage, *step], env)
        assert result.returncode == 0, result.stdout + result.stderr
    welcome = run([*manage, "demo_welcome", "--address", "http://127.0.0.1:8000"], env)
    assert welcome.returncode == 0, welcome.stderr
    (tmp_path / "welcome.txt").write_text(welcome.stdout)
    script = f"WELCOME = {str(tmp_path / 'welcome.txt')!r}\n" + JOURNEY
    journey = run([*manage, "shell", "-c", script], {**env, "ALLOWED_HOSTS": "testserver"})
    assert journey.returncode == 0, journey.stdout + journey.stderr
    assert "embedded demo ok" in journey.stdout
