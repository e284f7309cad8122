"""axe-core checks for the browser tests (axe is vendored in tests/browser/axe/)."""

from pathlib import Path

AXE = Path(__file__).parent / "axe" / "axe.min.js"
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[str]:
    """Run axe-core on the page as it is; the serious and critical violations, in words.

    axe is evaluated through the DevTools protocol (page.evaluate), which the page's Content Security
    Policy does not govern, so the pages are checked under their real CSP (no bypass_csp)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    results = page.evaluate("async () => await axe.run(document)")
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if violation["impact"] in BLOCKING
    ]
