"""What `make demo`, `make test` and `make bench` run before (and around) Django.

    python -m launcher services   # Postgres and Redis answer (started if installed), or one clear line
    python -m launcher browser    # Chromium for the browser tests (installed when missing and allowed)
    python -m launcher demo       # everything, then web + worker + beat in the foreground
    python -m launcher restore-drill  # dump, restore into a new database, check and serve it, drop it

It imports no Django at module level: it runs before there is a database to configure Django with.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres:///haven"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
EMBEDDED_DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'demo.sqlite3'}"
START_REDIS = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", "6379",
    "--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", "/var/log/redis/ci.log",
]  # fmt: skip


class ServiceMissing(Exception):
    """A service the command needs does not answer and cannot be started here."""


def say(text: str) -> None:
    print(f"haven: {text}", flush=True)


# --- Postgres -----------------------------------------------------------------------------------


def postgres_answers(database_url: str, *, dbname: str = "postgres") -> bool:
    import psycopg2

    try:
        psycopg2.connect(**connection_kwargs(database_url, dbname=dbname), connect_timeout=3).close()
        return True
    except psycopg2.OperationalError:
        return False


def connection_kwargs(database_url: str, *, dbname: str | None = None) -> dict:
    """psycopg2.connect() arguments for DATABASE_URL, optionally for another database on that server."""
    import dj_database_url

    parsed = dj_database_url.parse(database_url)
    kwargs = {
        "dbname": dbname or parsed["NAME"],
        "host": parsed.get("HOST") or None,
        "port": parsed.get("PORT") or None,
        "user": parsed.get("USER") or None,
        "password": parsed.get("PASSWORD") or None,
    }
    return {key: value for key, value in kwargs.items() if value}


def is_local(database_url: str) -> bool:
    return urlparse(database_url).hostname in (None, "", "localhost", "127.0.0.1", "::1")


def start_local_postgres() -> bool:
    """Start the Debian cluster(s) when Postgres is installed but stopped."""
    if not shutil.which("pg_ctlcluster") or not Path("/etc/postgresql").is_dir():
        return False
    for version in sorted(os.listdir("/etc/postgresql")):
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            capture_output=True,
            check=False,
        )
    return True


def ensure_postgres(database_url: str) -> None:
    if postgres_answers(database_url):
        return
    if is_local(database_url) and start_local_postgres():
        say("Postgres was stopped; starting the local server.")
        if wait_for(lambda: postgres_answers(database_url), seconds=30):
            return
    raise ServiceMissing(
        "Postgres does not answer at DATABASE_URL and no local server could be started "
        "(install PostgreSQL, or set DATABASE_URL)."
    )


def ensure_database(database_url: str) -> bool:
    """Create the database DATABASE_URL names when the server has none by that name; True if created."""
    import psycopg2
    from psycopg2 import sql

    name = connection_kwargs(database_url)["dbname"]
    connection = psycopg2.connect(**connection_kwargs(database_url, dbname="postgres"), connect_timeout=3)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is not None:
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()
    say(f"created the database {name}.")
    return True


# --- Redis --------------------------------------------------------------------------------------


def redis_answers(redis_url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping())
    except redis.exceptions.RedisError:
        return False


def ensure_redis(redis_url: str) -> None:
    if redis_answers(redis_url):
        return
    local = urlparse(redis_url).hostname in ("localhost", "127.0.0.1", "::1")
    if local and shutil.which("redis-server"):
        say("Redis was stopped; starting the local server.")
        for folder in ("/var/lib/redis", "/var/log/redis"):
            Path(folder).mkdir(parents=True, exist_ok=True)
        subprocess.run(START_REDIS, capture_output=True, check=False)
        if wait_for(lambda: redis_answers(redis_url), seconds=15):
            return
    raise ServiceMissing(
        "Redis does not answer at REDIS_URL and no local server could be started "
        "(install redis-server, or set REDIS_URL)."
    )


def wait_for(check, *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return False


# --- Chromium for the browser tests -------------------------------------------------------------


def ensure_chromium() -> None:
    if shutil.which("chromium"):
        return
    may_install = os.geteuid() == 0 and shutil.which("apt-get")
    if not may_install:
        say("Chromium is missing and this user cannot install packages: browser tests will be skipped "
            "(they fail under CI=true). Install it with: sudo apt-get install chromium")  # fmt: skip
        return
    say("installing Chromium for the browser tests (apt-get install chromium) ...")
    quiet = {"stdout": subprocess.DEVNULL, "env": {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}}
    subprocess.run(["apt-get", "update", "-qq"], check=False, **quiet)
    result = subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, **quiet)
    if result.returncode != 0 or not shutil.which("chromium"):
        raise ServiceMissing("apt-get could not install chromium; browser tests cannot run.")


# --- make test / make bench -----------------------------------------------------------------------


def services() -> None:
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    if database_url.startswith("sqlite"):
        raise ServiceMissing("tests and benchmarks run on Postgres only; unset DATABASE_URL or point it at Postgres.")
    ensure_postgres(database_url)
    ensure_redis(os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))


# --- make demo ------------------------------------------------------------------------------------


def demo_environment() -> dict[str, str]:
    """Pick Postgres and Redis when they can be had, else the embedded fallback, and say which."""
    env = {**os.environ, "HAVEN_ENV": os.environ.get("HAVEN_ENV", "development")}
    database_url = os.environ.get("DATABASE_URL")
    if database_url:
        if not database_url.startswith("sqlite"):
            ensure_postgres(database_url)
            ensure_database(database_url)
    else:
        try:
            ensure_postgres(DEFAULT_DATABASE_URL)
            ensure_database(DEFAULT_DATABASE_URL)
            database_url = DEFAULT_DATABASE_URL
        except ServiceMissing:
            say("no Postgres here: running the embedded demo on SQLite (not for patient data).")
            (BASE_DIR / "var").mkdir(exist_ok=True)
            database_url = EMBEDDED_DATABASE_URL
    env["DATABASE_URL"] = database_url
    if database_url.startswith("sqlite"):
        env["TASKS_IN_PROCESS"] = "true"
        env["CELERY_BROKER_URL"] = "memory://"
        return env
    try:
        ensure_redis(os.environ.get("REDIS_URL", DEFAULT_REDIS_URL))
    except ServiceMissing:
        say("no Redis here: background tasks will run in-process (demo only).")
        env["TASKS_IN_PROCESS"] = "true"
        env["CELERY_BROKER_URL"] = "memory://"
    return env


def free_port(preferred: int) -> int:
    for port in range(preferred, preferred + 20):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise ServiceMissing(f"no free port between {preferred} and {preferred + 19}.")


def any_free_port() -> int:
    """A port free right now, picked by the system: for a server of our own that nobody has to find
    (the restore drill's web server, the reliability tests' Redis)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_role(database_url: str, role: str) -> str:
    """The same database, signed in as ``role`` (local trust or peer auth: no password)."""
    parts = urlparse(database_url)
    netloc = f"{role}@{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
    return urlunparse(parts._replace(netloc=netloc))


def run_as_app_role(env: dict[str, str], manage: list[str]) -> None:
    """Grant the least-privilege app role (as the owner, after migrate) and switch the app's processes to it.

    Only for a local Postgres, where the role signs in without a password; elsewhere the operator sets the
    app's DATABASE_URL (README, "Running in production")."""
    database_url = env["DATABASE_URL"]
    if database_url.startswith("sqlite") or not is_local(database_url):
        return
    subprocess.run([*manage, "grant_app_role"], env=env, check=True, cwd=BASE_DIR)
    env["DATABASE_URL"] = as_role(database_url, env.get("APP_DATABASE_ROLE", "haven_app"))


def demo() -> None:
    env = demo_environment()
    python = sys.executable
    manage = [python, str(BASE_DIR / "manage.py")]
    port = free_port(int(os.environ.get("DEMO_PORT", "8000")))
    address = f"http://127.0.0.1:{port}"
    env["SITE_URL"] = address  # before seeding: the links in messages the seed queues point here
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], env=env, check=True, cwd=BASE_DIR)
    subprocess.run([*manage, "seed_demo"], env=env, check=True, cwd=BASE_DIR)
    run_as_app_role(env, manage)  # from here on the app owns nothing: no TRUNCATE, no trigger control
    bin_dir = Path(python).parent
    processes = {
        # No access log: patient-link paths carry a token, and tokens never go to logs.
        "web": [str(bin_dir / "gunicorn"), "clinic.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        "beat": [str(bin_dir / "celery"), "-A", "clinic", "beat", "--loglevel", "info",
                 "--schedule", str(BASE_DIR / "var" / "celerybeat-schedule")],
    }  # fmt: skip
    if env.get("TASKS_IN_PROCESS") != "true":
        processes["worker"] = [str(bin_dir / "celery"), "-A", "clinic", "worker", "--loglevel", "info", "-c", "2"]
    (BASE_DIR / "var").mkdir(exist_ok=True)
    running = {name: subprocess.Popen(command, env=env, cwd=BASE_DIR) for name, command in processes.items()}
    try:
        if not wait_for(lambda: page_answers(f"{address}/accounts/sign-in/"), seconds=30):
            raise ServiceMissing("the web app did not start; see the messages above.")
        subprocess.run([*manage, "demo_welcome", "--address", address], env=env, check=True, cwd=BASE_DIR)
        say(f"running {', '.join(running)}; press Ctrl-C to stop all of them.")
        watch(running)
    finally:
        stop(running.values())


def page_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def watch(running: dict[str, subprocess.Popen]) -> None:
    """Wait until Ctrl-C or until one of the processes ends (then stop the others)."""
    signal.signal(signal.SIGTERM, interrupt)
    try:
        while True:
            for name, process in running.items():
                if process.poll() is not None:
                    say(f"{name} stopped (exit {process.returncode}); stopping the rest.")
                    return
            time.sleep(1)
    except KeyboardInterrupt:
        say("stopping ...")


def interrupt(signum, frame):
    raise KeyboardInterrupt


def stop(processes) -> None:
    """SIGTERM first (gunicorn and Celery stop their children gracefully), SIGKILL after 15 s."""
    processes = list(processes)
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def run_restore_drill() -> None:
    """`make restore-drill`: dump, restore into a new database, check, serve, drop (launcher/restore_drill.py).
    Not named `restore_drill`: that name is the submodule `launcher.restore_drill`."""
    from launcher.restore_drill import DrillFailed, run_drill

    try:
        run_drill(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), say=say)
    except DrillFailed as failure:
        raise ServiceMissing(f"restore drill FAILED: {failure}") from failure


COMMANDS = {"services": services, "browser": ensure_chromium, "demo": demo, "restore-drill": run_restore_drill}


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    try:
        COMMANDS[argv[1]]()
    except ServiceMissing as problem:
        say(str(problem))
        return 1
    return 0
