"""axe-core checks for the browser tests (axe is vendored in tests/browser/axe/)."""

from pathlib import Path

AXE = Path(__file__).parent / "axe" / "axe.min.js"
BLOCKING = {"serious", "critical"}
# The patient's pages (/p/...) must have none at all, whatever the impact (issue 14): patients may be on an
# old phone, with a screen reader or large text, and have no colleague to ask.
EVERY = {"minor", "moderate", "serious", "critical"}
PORTAL_PREFIX = "/p/"

# The size of each place on a body map drawing, in CSS pixels, as the browser lays it out.
TARGET_SIZES = """() => Array.from(document.querySelectorAll('[data-bodymap] [data-region]')).map(shape => {
  const box = shape.getBoundingClientRect();
  return {code: shape.dataset.region, width: box.width, height: box.height};
})"""


def impacts_checked(url: str) -> set[str]:
    path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
    return EVERY if path.startswith(PORTAL_PREFIX) else BLOCKING


def axe_violations(page) -> list[str]:
    """Run axe-core on the page as it is; the violations, in words: every one on a patient's page,
    the serious and critical ones on staff pages.

    axe is evaluated through the DevTools protocol (page.evaluate), which the page's Content Security
    Policy does not govern, so the pages are checked under their real CSP (no bypass_csp)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in impacts_checked(page.url)
    ]


def small_targets(page, minimum: float = 24) -> list[str]:
    """The places on the page's body map smaller than minimum x minimum CSS pixels (WCAG 2.2, 2.5.8)."""
    sizes = page.evaluate(TARGET_SIZES)
    assert sizes, "no body map on the page"
    return [f"{s['code']} {s['width']:.1f}x{s['height']:.1f}" for s in sizes if min(s["width"], s["height"]) < minimum]
