"""Gunicorn for the benchmark: started on a free local port, always stopped afterwards."""

import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from bench.client import HOST, SIGN_IN_PATH
from bench.database import ROOT
from launcher import any_free_port, page_answers, stop


class ServerDidNotStart(Exception):
    pass


@contextmanager
def gunicorn(*, env: dict[str, str], workers: int, log_path: Path, start_seconds: float = 60.0):
    """Yield the port of a running gunicorn; stop it (and only it) on the way out."""
    port = any_free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "clinic.wsgi",
        "-w",
        str(workers),
        "-b",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
    ]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_answering(process, port, seconds=start_seconds, log_path=log_path)
            yield port
        finally:
            stop([process])


def wait_until_answering(process: subprocess.Popen, port: int, *, seconds: float, log_path: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerDidNotStart(f"gunicorn exited with {process.returncode}; see {log_path}")
        if page_answers(f"http://{HOST}:{port}{SIGN_IN_PATH}"):
            return
        time.sleep(0.25)
    raise ServerDidNotStart(f"gunicorn did not answer within {seconds:.0f} s; see {log_path}")
