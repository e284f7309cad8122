"""The clinical reference the tests read: the vendored copy in clinical_reference/ (from ../shared/clinical)."""

import json
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "clinical_reference"
REFERENCE_MD = REFERENCE_DIR / "REFERENCE.md"
VECTORS_JSON = REFERENCE_DIR / "vectors.json"
VENDORED = (REFERENCE_MD.name, VECTORS_JSON.name)
#: Where the copy comes from, when it is next to this checkout.
SHARED_DIR = REFERENCE_DIR.parent.parent / "shared" / "clinical"


def reference_text() -> str:
    return REFERENCE_MD.read_text(encoding="utf-8")


def vectors() -> dict:
    return json.loads(VECTORS_JSON.read_text(encoding="utf-8"))
