"""bench/lighthouse.py without Chromium: the figures it reads from Lighthouse's reports, the later-view transfer,
the command it runs and what it keeps out of the saved reports."""

from pathlib import Path

from bench.lighthouse import DESKTOP, MOBILE, figures, goal_note, lighthouse_command, scrub

ORIGIN = "http://127.0.0.1:8000"
STYLESHEET = "/static/css/portal.built.abc.css"


def report(lcp: float, fcp: float, score: float, requests: list[tuple[str, str, int]]) -> dict:
    """A Lighthouse report as far as bench/lighthouse.py reads it; the first request is the page's document."""
    items = [{"url": ORIGIN + path, "resourceType": kind, "transferSize": size} for path, kind, size in requests]
    return {
        "finalDisplayedUrl": items[0]["url"],
        "categories": {"performance": {"score": score}},
        "audits": {
            "largest-contentful-paint": {"numericValue": lcp},
            "first-contentful-paint": {"numericValue": fcp},
            "total-byte-weight": {"numericValue": sum(size for _, _, size in requests)},
            "network-requests": {"details": {"items": items}},
        },
    }


def test_the_later_view_counts_the_document_and_what_the_first_portal_page_did_not_load():
    first = report(700.4, 650, 1, [("/p/abc/", "Document", 3000), (STYLESHEET, "Stylesheet", 8192)])
    plan = report(
        900,
        760,
        0.99,
        [("/p/plan/", "Document", 3584), (STYLESHEET, "Stylesheet", 8192), ("/static/js/draft.js", "Script", 3072)],
    )
    chart = report(420, 300, 1, [("/patients/x/", "Document", 9000)])

    rows = figures(
        [("link", "/p/abc/", MOBILE, first), ("plan", "/p/plan/", MOBILE, plan), ("chart", "/c/", DESKTOP, chart)]
    )

    assert rows[0] == {
        "label": "link",
        "path": "/p/abc/",
        "form_factor": MOBILE,
        "lcp_ms": 700,
        "fcp_ms": 650,
        "score": 100,
        "transfer_kb": 10.9,  # 3000 + 8192 bytes
        "later_view_kb": 2.9,  # its own document only: the stylesheet is the one it loaded
        "requests": 2,
    }
    assert rows[1]["later_view_kb"] == 6.5  # the document and the script, not the stylesheet (3584 + 3072 bytes)
    assert rows[1]["score"] == 99
    assert rows[2]["later_view_kb"] is None  # staff pages: not a portal page


def test_the_goal_column_says_what_is_missed_and_by_how_much():
    portal = {"form_factor": MOBILE, "lcp_ms": 830, "score": 99, "later_view_kb": 21.5}
    chart = {"form_factor": DESKTOP, "lcp_ms": 380, "score": 100, "later_view_kb": None}

    assert goal_note(portal) == "LCP +30 ms, score 99, later view +1.5 KB"
    assert goal_note(portal | {"lcp_ms": 800, "score": 100, "later_view_kb": 20.0}) == "ok"
    assert goal_note(chart) == "ok"


def test_the_command_pins_lighthouse_and_keeps_the_session_off_the_command_line(tmp_path):
    headers = tmp_path / "headers.json"
    mobile = lighthouse_command(f"{ORIGIN}/p/", MOBILE, tmp_path / "r.json", headers_file=headers)
    desktop = lighthouse_command(f"{ORIGIN}/patients/x/", DESKTOP, tmp_path / "r.json", headers_file=None)

    assert mobile[1:3] == ["--yes", "lighthouse@12.2.3"]
    assert "--chrome-flags=--headless --no-sandbox --disable-gpu --disable-background-networking" in mobile
    assert f"--extra-headers={headers}" in mobile
    assert "--preset=desktop" not in mobile  # Lighthouse's default is the throttled phone
    assert "--preset=desktop" in desktop
    assert not [part for part in desktop if part.startswith("--extra-headers")]


def test_the_links_token_is_scrubbed_from_the_saved_reports(tmp_path: Path):
    saved = tmp_path / "link.report.json"
    saved.write_text('{"finalDisplayedUrl": "http://127.0.0.1/p/SECRET-token/"}')

    scrub("SECRET-token", tmp_path)

    assert saved.read_text() == '{"finalDisplayedUrl": "http://127.0.0.1/p/<token>/"}'
