"""`python -m launcher`, what the Makefile runs: every command it names exists, and without one it prints its
usage. No database."""

import re
import subprocess
import sys
from pathlib import Path

import launcher

BASE_DIR = Path(__file__).resolve().parents[2]


def test_every_launcher_command_the_makefile_runs_exists():
    named = set(re.findall(r"-m launcher ([\w-]+)", (BASE_DIR / "Makefile").read_text()))
    assert named == {"services", "demo", "browser", "restore-drill"}
    assert named <= set(launcher.COMMANDS)


def test_without_a_command_it_prints_its_usage_and_exits_2():
    run = subprocess.run(
        [sys.executable, "-m", "launcher"], cwd=BASE_DIR, capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 2
    assert "python -m launcher demo" in run.stdout
