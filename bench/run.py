"""`python -m bench`: prepare the database, start gunicorn, sign in, drive load, report."""

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import database, load, pages, report
from bench.client import Browser, TokenClient
from bench.server import gunicorn
from bench.today import prepare_today
from clinic.roles import Discipline, Role

RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--sizes",
        default="5000,50000",
        help="clinic sizes to seed and measure, comma-separated (default 5000,50000): every page at each size, "
        "with the ratio of the largest's p50 to the smallest's",
    )
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page (default 200)")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests per page first (default 10)")
    parser.add_argument("--threads", type=int, default=4, help="concurrent client threads (default 4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="time limit per page (default 60)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", database.DEFAULT_DATABASE_URL),
        help="the benchmark's own database for the 50,000-patient clinic (default postgres:///haven_bench; never the "
        "app's); every other size gets its own, named after it (haven_bench_5000)",
    )
    parser.add_argument(
        "--no-lighthouse",
        action="store_true",
        help="skip Lighthouse on the portal and the chart at the largest clinic (bench/lighthouse.py, needs npx)",
    )
    parser.add_argument(
        "--no-single-thread",
        action="store_true",
        help="skip the second pass at the largest size with one client thread (the uncontended p50)",
    )
    parser.add_argument(
        "--pages",
        default="",
        help="measure only the pages whose key contains one of these comma-separated words (default: every page)",
    )
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    return parser.parse_args(argv)


def chosen(key_pages: list[pages.Page], words: str) -> list[pages.Page]:
    """The pages named by --pages (every page when it is empty)."""
    wanted = [word.strip() for word in words.split(",") if word.strip()]
    return [page for page in key_pages if not wanted or any(word in page.key for word in wanted)]


def bench_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SERVER_TIMING": "true",
        "DEBUG": "false",
        "HAVEN_ENV": "development",  # plain HTTP on 127.0.0.1: no TLS redirect, no secure cookies
        "LOG_LEVEL": "WARNING",
    }


def demo_data():
    """The demo sign-ins and patient (demo/clinic.py), read with Django set up on the bench database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")
    django.setup()
    from demo import clinic

    return clinic


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    sizes = sorted({int(size) for size in args.sizes.split(",") if size.strip()})
    load_before = os.getloadavg()
    demo = None
    clinics = []
    for size in sizes:
        database_url = database_for(args.database_url, size)
        demo = point_django_at(database_url, demo)
        single_thread = size == sizes[-1] and not args.no_single_thread
        clinics.append(measure_clinic(demo, database_url, size, args, single_thread=single_thread))
    lighthouse = None if args.no_lighthouse else run_lighthouse(database_for(args.database_url, sizes[-1]))
    comparison = report.compare(clinics)
    print()
    print(report.comparison_table(comparison, sizes))
    largest_url = database_for(args.database_url, sizes[-1])
    with database.connect(largest_url) as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres_version = cursor.fetchone()[0]
    payload = {
        "machine": report.machine(postgres_version, load_before=load_before),
        "settings": {
            "sizes": sizes,
            "requests": args.requests,
            "warmup": args.warmup,
            "threads": args.threads,
            "gunicorn_workers": args.workers,
            "max_seconds_per_page": args.max_seconds,
        },
        "clinics": clinics,
        "comparison": comparison,
        "lighthouse": lighthouse,
    }
    report.write_json(args.output, payload)
    table = report.markdown(comparison, sizes, payload["machine"])
    if lighthouse:
        table += "\n" + report.lighthouse_markdown(lighthouse["pages"])
    args.output.with_suffix(".md").write_text(table)
    print(f"\nbench: results in {args.output} (and the table for the README in {args.output.with_suffix('.md')})")
    failed = any(row["failures"] for clinic in clinics for rows in clinic["runs"].values() for row in rows)
    return 1 if failed else 0


LARGEST_CLINIC = 50000  # the bench clinic of DESIGN.md: the database given holds it


def run_lighthouse(database_url: str) -> dict | None:
    """`python -m bench.lighthouse` on the largest clinic (its own process: it serves static files as a deployment
    does, with other settings); its figures, or None when it could not run (no npx, say)."""
    output = RESULTS / "lighthouse.json"
    print(f"bench: Lighthouse on the portal and the chart ({database_url})", flush=True)
    command = [sys.executable, "-m", "bench.lighthouse", "--database-url", database_url, "--output", str(output)]
    finished = subprocess.run(command, cwd=Path(__file__).resolve().parent.parent, check=False)
    if finished.returncode != 0 or not output.exists():
        print("bench: Lighthouse did not finish; its figures are left out", flush=True)
        return None
    return json.loads(output.read_text())


def database_for(database_url: str, size: int) -> str:
    """The 50,000-patient clinic lives in the database given; every other size in its own, named after it."""
    return database_url if size == LARGEST_CLINIC else f"{database_url}_{size}"


def point_django_at(database_url: str, demo):
    """Django set up on this bench database (the first time), or its connection moved to it."""
    os.environ["DATABASE_URL"] = database_url
    if demo is None:
        return demo_data()
    import dj_database_url
    from django.db import connections

    connections["default"].close()
    parsed = dj_database_url.parse(database_url)
    connections["default"].settings_dict.update({k: parsed[k] for k in ("NAME", "USER", "PASSWORD", "HOST", "PORT")})
    return demo


def measure_clinic(demo, database_url: str, size: int, args: argparse.Namespace, *, single_thread: bool) -> dict:
    """Seed (when needed) the clinic of this size, serve it, and measure every chosen page: with the usual
    client threads, and again with one when ``single_thread``."""
    env = bench_environment(database_url)
    print(f"bench: {size} patients in {database_url}", flush=True)
    prepared = database.prepare(database_url, patients=size, env=env)
    with database.connect(database_url) as connection, connection.cursor() as cursor:
        targets = pages.read_targets(
            cursor,
            clinician_username=demo.demo_staff_username(Discipline.PHYSICIAN),
            patient_mrn=demo.DEMO_PATIENT["mrn"],
        )
    token, response_id = prepare_patient_questionnaire(demo)
    appointment, day_start, day_end = prepare_today(demo, demo.demo_staff_username(Discipline.PHYSICIAN))
    targets = dataclasses.replace(
        targets,
        portal_response_id=response_id,
        appointment_public_id=appointment,
        day_start=day_start,
        day_end=day_end,
    )
    key_pages = chosen(pages.key_pages(targets), args.pages)
    passes = {"threads": args.threads, "one_thread": 1} if single_thread else {"threads": args.threads}
    runs = {}
    with gunicorn(env=env, workers=args.workers, log_path=RESULTS / "gunicorn.log") as port:
        print(f"bench: gunicorn ({args.workers} workers) on 127.0.0.1:{port}", flush=True)
        browsers = sign_in_everyone(port, demo)
        if any(page.who == pages.PATIENT for page in key_pages):  # only when a patient's page is measured
            browsers[pages.PATIENT] = open_patient_link(port, token)
        if any(page.who == pages.FHIR_CLIENT for page in key_pages):
            browsers[pages.FHIR_CLIENT] = TokenClient(port, issue_fhir_client(demo))
        for name, threads in passes.items():
            warn_if_busy(args, threads)
            measured = [measure(page, browsers[page.who], args, threads) for page in key_pages]
            runs[name] = add_floors(measured, args, database_url)
    print()
    print(report.table(runs["threads"]))
    return {"patients": size, "database": prepared, "runs": runs}


def warn_if_busy(args: argparse.Namespace, threads: int) -> None:
    one_minute = os.getloadavg()[0]
    if one_minute > (os.cpu_count() or 1) / 2:
        print(f"bench: note: the machine is busy (load average {one_minute:.1f}); figures will be noisy", flush=True)
    print(f"bench: {args.requests} requests per page over {threads} thread(s), after {args.warmup} warm-ups")


def sign_in_everyone(port: int, demo) -> dict[str, Browser]:
    clinician, coordinator = Browser(port), Browser(port)
    clinician.sign_in(demo.demo_staff_username(Discipline.PHYSICIAN), demo.DEMO_PASSWORD)
    coordinator.sign_in(demo.demo_staff_username(Discipline.CARE_COORDINATOR, Role.COORDINATOR), demo.DEMO_PASSWORD)
    from demo.duty import MEDICAL_LEAD  # after django.setup() (demo_data)

    medical_lead = Browser(port)
    medical_lead.sign_in(MEDICAL_LEAD, demo.DEMO_PASSWORD)
    return {
        pages.ANONYMOUS: Browser(port),
        pages.CLINICIAN: clinician,
        pages.COORDINATOR: coordinator,
        pages.MEDICAL_LEAD: medical_lead,
    }


def issue_fhir_client(demo) -> str:
    """A FHIR API client reading every resource type of the whole clinic, issued by the demo clinic admin as
    an admin would (interop.api.clients.issue_client); its token. One per run, named after the moment."""
    from datetime import UTC, datetime

    from clinic.models import User
    from clinic.roles import Role
    from interop.api.clients import issue_client
    from interop.fhir.registry import type_names

    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    name = f"Benchmark client {datetime.now(UTC):%Y-%m-%d %H:%M:%S.%f}"
    return issue_client(name=name, scopes=list(type_names()), patients=None, by=admin, audit=None).token


def prepare_patient_questionnaire(demo) -> tuple[str, str]:
    """The demo patient's link to today's questionnaires (demo/clinic.py, as `make demo` prints it) and her
    PEG started on it: the portal's question page needs a response in progress."""
    from measures.services import latest_instrument, start_response

    patient = demo.demo_patient()
    link = demo.fresh_demo_link(patient)
    if link.invitation is None:
        raise SystemExit("bench: the demo patient's questionnaires for today are already answered; reseed tomorrow")
    response = start_response(patient=patient, instrument=latest_instrument("peg"), invitation=link.invitation)
    return link.token, str(response.public_id)


def open_patient_link(port: int, token: str) -> Browser:
    """The patient's phone: the link's page, then "Continue", which starts a portal session."""
    patient = Browser(port)
    opened = patient.submit(f"/p/{token}/", {})
    if opened.status != 302:
        raise SystemExit(f"bench: the demo patient's link answered {opened.status}, not a redirect to the portal")
    return patient


def measure(
    page: pages.Page, browser: Browser, args: argparse.Namespace, threads: int
) -> tuple[pages.Page, load.PageRun]:
    started = time.monotonic()
    run = load.drive(
        browser,
        page.path,
        expect=page.expect,
        requests=args.requests,
        warmup=args.warmup,
        threads=page.threads or threads,
        max_seconds=args.max_seconds,
        form=page.form,
        expect_status=page.expect_status,
    )
    print(
        f"bench: {page.label:<34} {len(run.samples)} ok, {run.failures} failed in {time.monotonic() - started:.1f} s",
        flush=True,
    )
    return page, run


def add_floors(runs: list, args: argparse.Namespace, database_url: str) -> list[dict]:
    rows = []
    with database.connect(database_url) as connection, connection.cursor() as cursor:
        for page, run in runs:
            floor = None
            if page.floor_sql:
                floor = load.time_floor(
                    cursor, page.floor_sql, page.floor_params, runs=args.requests, warmup=args.warmup
                )
            rows.append(report.summarise(page, run, floor))
    return rows
