"""Lighthouse figures for the portal (mobile) and the staff chart (desktop): `make lighthouse`.

`run_lighthouse(base_url, pages, out_dir)` runs Lighthouse 12.2.3 (through npx, pinned) with Debian's Chromium
against a server that is already answering, one page at a time, and returns one dict per page: LCP, FCP,
performance score, the total transfer, and for portal pages the transfer of a later page view (see
`later_view_kb`). The bench run (bench/run.py) can call it with its own server and sessions.

`python -m bench.lighthouse` does the whole thing on its own: it opens a fresh link for a seeded patient on the
bench database (postgres:///haven_bench, as seeded by `make bench`; it never seeds), starts gunicorn, signs the
demo physician in, opens the patient's portal session, runs every page, prints a table and writes
bench/results/lighthouse.json.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

LIGHTHOUSE = "lighthouse@12.2.3"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
STATIC_SETTINGS = "bench.static_settings"
MOBILE, DESKTOP = "mobile", "desktop"
PORTAL_PREFIX = "/p/"
# Issue 16's goals, printed beside the figures.
GOALS = {
    MOBILE: {"lcp_ms": 800, "later_view_kb": 20, "score": 100},
    DESKTOP: {"lcp_ms": 400},
}


class LighthouseFailed(Exception):
    pass


def run_lighthouse(
    base_url: str,
    pages: list[tuple[str, str, str]],
    out_dir: Path,
    *,
    cookies: Mapping[str, str] | None = None,
    runs: int = 3,
) -> list[dict]:
    """Lighthouse on each (label, path, form factor "mobile"/"desktop") against `base_url`, in order.

    `cookies` maps a page's label to the Cookie header it is sent with (a signed-in session); pages without
    one are opened anonymously. Each page is run `runs` times and its median run (by LCP, as Lighthouse advises
    for noisy machines) is kept, in full, as `out_dir/<label>.report.json`.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    cookies = cookies or {}
    reports = []
    for label, path, form_factor in pages:
        url = base_url.rstrip("/") + path
        report = median_run(url, form_factor, out_dir / f"{label}.report.json", cookie=cookies.get(label), runs=runs)
        reports.append((label, path, form_factor, report))
    return figures(reports)


def median_run(url: str, form_factor: str, report_path: Path, *, cookie: str | None, runs: int) -> dict:
    """The run whose LCP is the median of `runs` (written to report_path)."""
    reports = []
    for _ in range(max(1, runs)):
        run_with_retry(url, form_factor, report_path, cookie=cookie)
        reports.append(json.loads(report_path.read_text()))
    reports.sort(key=lambda report: report["audits"]["largest-contentful-paint"]["numericValue"])
    median = reports[len(reports) // 2]
    report_path.write_text(json.dumps(median))
    return median


def run_with_retry(url: str, form_factor: str, report_path: Path, *, cookie: str | None, attempts: int = 3) -> None:
    """Lighthouse now and then fails to record a trace on a busy machine (NO_NAVSTART): try again."""
    for attempt in range(1, attempts + 1):
        try:
            return run_one(url, form_factor, report_path, cookie=cookie)
        except LighthouseFailed as failure:
            if attempt == attempts:
                raise
            print(f"lighthouse: retrying {urlsplit(url).path.split('/')[1]}/... after: {str(failure).splitlines()[-1]}")


def run_one(url: str, form_factor: str, report_path: Path, *, cookie: str | None) -> None:
    """One Lighthouse run; a session cookie goes through a private file (not the command line, which `ps` shows)
    and is taken out of the saved report."""
    report_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as private:
        headers_file = None
        if cookie:
            headers_file = Path(private) / "headers.json"
            headers_file.write_text(json.dumps({"Cookie": cookie}))
        command = lighthouse_command(url, form_factor, report_path, headers_file=headers_file)
        environment = {**os.environ, "CHROME_PATH": chromium_path()}
        result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not report_path.exists():
        tail = "\n".join(result.stderr.splitlines()[-15:])
        raise LighthouseFailed(f"lighthouse exited with {result.returncode} on {urlsplit(url).path}:\n{tail}")
    if cookie:
        report = json.loads(report_path.read_text())
        report.get("configSettings", {})["extraHeaders"] = {"Cookie": "<session>"}
        report_path.write_text(json.dumps(report))


def lighthouse_command(url: str, form_factor: str, report_path: Path, *, headers_file: Path | None) -> list[str]:
    if form_factor not in (MOBILE, DESKTOP):
        raise ValueError(f"form factor must be {MOBILE!r} or {DESKTOP!r}, not {form_factor!r}")
    command = [
        shutil.which("npx") or "npx",
        "--yes",
        LIGHTHOUSE,
        url,
        "--quiet",
        "--only-categories=performance",
        "--output=json",
        f"--output-path={report_path}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if form_factor == DESKTOP:
        command.append("--preset=desktop")  # mobile is Lighthouse's default (a slow phone, simulated throttling)
    if headers_file:
        command.append(f"--extra-headers={headers_file}")
    return command


def chromium_path() -> str:
    path = os.environ.get("CHROME_PATH") or shutil.which("chromium")
    if not path:
        raise LighthouseFailed("Chromium is not installed: run `python -m launcher browser` (Debian's chromium)")
    return path


def figures(reports: list[tuple[str, str, str, dict]]) -> list[dict]:
    """One row per page; portal pages also get the transfer of a later view (after the first portal page)."""
    first_portal = next((report for _, path, _, report in reports if path.startswith(PORTAL_PREFIX)), None)
    shared = resource_urls(first_portal) if first_portal else set()
    rows = []
    for label, path, form_factor, report in reports:
        audits = report["audits"]
        row = {
            "label": label,
            "path": path,
            "form_factor": form_factor,
            "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
            "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
            "score": round((report["categories"]["performance"]["score"] or 0) * 100),
            "transfer_kb": kilobytes(audits["total-byte-weight"]["numericValue"]),
            "later_view_kb": later_view_kb(report, shared) if path.startswith(PORTAL_PREFIX) else None,
            "requests": len(network_requests(report)),
        }
        rows.append(row)
    return rows


def later_view_kb(report: dict, shared: set[str]) -> float:
    """What this page costs once the first portal page has been seen: Lighthouse loads every page with a cold
    cache, so this is computed from its own requests: the page's document, plus every resource the first
    portal page did not load (those it did are cached: the stylesheet is served with a cache lifetime)."""
    requests = network_requests(report)
    document_url = report.get("finalDisplayedUrl") or report.get("finalUrl")
    total = sum(
        item.get("transferSize", 0)
        for item in requests
        if item.get("resourceType") == "Document" or item["url"] == document_url or item["url"] not in shared
    )
    return kilobytes(total)


def resource_urls(report: dict) -> set[str]:
    return {item["url"] for item in network_requests(report) if item.get("resourceType") != "Document"}


def network_requests(report: dict) -> list[dict]:
    return report["audits"]["network-requests"]["details"]["items"]


def kilobytes(size: float) -> float:
    return round(size / 1024, 1)


def table(rows: list[dict]) -> str:
    header = f"{'page':<26} {'form':<8} {'LCP ms':>7} {'FCP ms':>7} {'score':>6} {'KB':>6} {'later KB':>9}  goal"
    lines = [header, "-" * len(header)]
    for row in rows:
        later = "" if row["later_view_kb"] is None else f"{row['later_view_kb']:.1f}"
        lines.append(
            f"{row['label']:<26} {row['form_factor']:<8} {row['lcp_ms']:>7} {row['fcp_ms']:>7} {row['score']:>6}"
            f" {row['transfer_kb']:>6.1f} {later:>9}  {goal_note(row)}"
        )
    return "\n".join(lines)


def goal_note(row: dict) -> str:
    """Which of issue 16's goals the page meets ("ok") or misses (what and by how much)."""
    goal = GOALS[row["form_factor"]]
    misses = []
    if row["lcp_ms"] > goal["lcp_ms"]:
        misses.append(f"LCP +{row['lcp_ms'] - goal['lcp_ms']} ms")
    if "score" in goal and row["score"] < goal["score"]:
        misses.append(f"score {row['score']}")
    if "later_view_kb" in goal and (row["later_view_kb"] or 0) > goal["later_view_kb"]:
        misses.append(f"later view +{row['later_view_kb'] - goal['later_view_kb']:.1f} KB")
    return ", ".join(misses) or "ok"


# --- `python -m bench.lighthouse`: its own server and sessions on the bench database ---------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.lighthouse", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres:///haven_bench"),
        help="the bench's own database, already seeded by `make bench` (default postgres:///haven_bench)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page, the median kept (default 3)")
    parser.add_argument("--output", type=Path, default=RESULTS / "lighthouse.json")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = server_environment(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = STATIC_SETTINGS
    print("lighthouse: collecting and compressing static files as a deployment does", flush=True)
    collect_static(env)
    import django

    django.setup()
    from bench.server import gunicorn

    with gunicorn(env=env, workers=args.workers, log_path=RESULTS / "gunicorn-lighthouse.log") as port:
        rows, token = measure_signed_in(port, runs=args.runs)
    if rows is None:
        return 1
    for row in rows:
        row["path"] = row["path"].replace(token, "<token>")
    print(table(rows))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    payload = {"lighthouse": LIGHTHOUSE, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": args.runs}
    payload |= {"load_average": [round(load, 2) for load in os.getloadavg()], "cores": os.cpu_count(), "pages": rows}
    args.output.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"\nlighthouse: later KB = the page's document plus what the first portal page did not load. {args.output}")
    return 0


def measure_signed_in(port: int, *, runs: int) -> tuple[list[dict] | None, str]:
    """Every page with a fresh link and sessions; once more if the patient's session ended meanwhile (another run
    on this database, `make bench`, opened a fresh link, which ends this one's session: the portal pages would
    have been measured signed out)."""
    for _ in range(2):
        link = demo_link()
        pages, cookies = demo_pages(port, link)
        print(f"lighthouse: {len(pages)} pages on 127.0.0.1:{port} ({LIGHTHOUSE}, {runs} runs each)", flush=True)
        rows = run_lighthouse(f"http://127.0.0.1:{port}", pages, RESULTS / "lighthouse", cookies=cookies, runs=runs)
        scrub(link.token, RESULTS / "lighthouse")
        if still_signed_in(port, cookies["portal_home"]):
            return rows, link.token
        print("lighthouse: the patient's session ended during the run (a new link was opened elsewhere)", flush=True)
    return None, link.token


def server_environment(database_url: str) -> dict[str, str]:
    """As the bench runs its server (no DEBUG, plain HTTP on 127.0.0.1), with static files served as in
    production (bench/static_settings.py: collected and compressed first)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "HAVEN_ENV": "development",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": STATIC_SETTINGS,
    }


def collect_static(env: dict[str, str]) -> None:
    """`collectstatic` with bench/static_settings.py: every file hashed and gzip/Brotli-compressed, as a
    deployment does it (development serves static/ uncompressed, which is not what a patient's phone gets)."""
    command = [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "--verbosity", "0"]
    subprocess.run(command, env=env, cwd=ROOT, check=True)


class DemoLink:
    def __init__(self, token: str, response_id: str | None, chart_path: str) -> None:
        self.token, self.response_id, self.chart_path = token, response_id, chart_path


def demo_link() -> DemoLink:
    """A fresh link for the portal's patient (`portal_patient`), her PEG started on it when today's questionnaires
    are still open (the question page needs a response in progress), and the demo patient's chart's address."""
    from demo import clinic
    from measures.services import latest_instrument, start_response

    demo = clinic.demo_patient()
    if demo is None:
        raise SystemExit("lighthouse: the bench database has no demo patient; run `make bench` once to seed it")
    patient = portal_patient(demo)
    link = clinic.fresh_demo_link(patient)
    response_id = None
    if link.invitation is not None:
        response = start_response(patient=patient, instrument=latest_instrument("peg"), invitation=link.invitation)
        response_id = str(response.public_id)
    return DemoLink(link.token, response_id, f"/patients/{demo.public_id}/")


def portal_patient(demo):
    """The first seeded patient after the demo patient with an active care plan (a full record: plan, numbers).
    Not the demo patient herself: `make bench` hands her a fresh link on every run, which ends any other session
    of hers, so a bench run beside this one would sign the measured pages out."""
    from careplans.models import CarePlan

    plan = CarePlan.objects.active().filter(patient__mrn__gt=demo.mrn).select_related("patient")
    first = plan.order_by("patient__mrn").first()
    return first.patient if first else demo


def demo_pages(port: int, link: DemoLink) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """The pages in a patient's order (her link's calm page first), then the chart; and their sessions."""
    from bench.client import Browser
    from clinic.roles import Discipline
    from demo import clinic

    clinician = Browser(port)
    clinician.sign_in(clinic.demo_staff_username(Discipline.PHYSICIAN), clinic.DEMO_PASSWORD)
    patient = Browser(port)
    opened = patient.submit(f"/p/{link.token}/", {})
    if opened.status != 302:
        raise SystemExit(f"lighthouse: the demo patient's link answered {opened.status}, not a redirect")
    pages = [
        ("portal_link", f"/p/{link.token}/", MOBILE),
        ("portal_home", "/p/", MOBILE),
        *([("portal_question", f"/p/q/{link.response_id}/1/", MOBILE)] if link.response_id else []),
        ("portal_plan", "/p/plan/", MOBILE),
        ("portal_numbers", "/p/numbers/", MOBILE),
        ("portal_get_my_link", "/p/get-my-link/", MOBILE),
        ("chart", link.chart_path, DESKTOP),
    ]
    patient_cookie = cookie_header(patient.cookies)
    cookies = {label: patient_cookie for label, path, _ in pages if path.startswith(PORTAL_PREFIX)}
    cookies.pop("portal_link")  # the link's page is opened as from a text message: no session yet
    cookies.pop("portal_get_my_link")
    cookies["chart"] = cookie_header(clinician.cookies)
    return pages, cookies


def still_signed_in(port: int, cookie: str) -> bool:
    """The portal's home still greets the demo patient with this session (the link was not revoked)."""
    from bench.client import Browser

    home = Browser(port).request("GET", "/p/", headers={"Cookie": cookie})
    return home.status == 200 and b'action="/p/sign-out/"' in home.body


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def scrub(token: str, folder: Path) -> None:
    """The link's token is a secret: out of the saved reports (the link is revoked by the next fresh one anyway)."""
    for report in folder.glob("*.json"):
        text = report.read_text()
        if token in text:
            report.write_text(text.replace(token, "<token>"))


if __name__ == "__main__":
    raise SystemExit(main())
