"""The vendored clinical reference (clinical_reference/) that the scoring, MME and wording tests read. No database."""

import json
import warnings

from tests.reference import REFERENCE_DIR, REFERENCE_MD, SHARED_DIR, VECTORS_JSON, VENDORED

INSTRUMENTS = {"peg", "phq9", "phq2", "gad7", "gad2", "pcptsd5", "auditc"}


def test_the_vendored_reference_is_well_formed_and_byte_identical_to_shared_clinical_when_that_folder_is_present():
    """Always checked: REFERENCE.md and vectors.json are in clinical_reference/, REFERENCE.md is UTF-8 text with
    its title and labels, and vectors.json parses with cases for every shipped instrument and for MME.

    Checked only when ../shared/clinical is next to this checkout: both files are byte-for-byte its files, and
    it holds no other reference file that is not vendored (its README.md aside). Without the folder that half
    cannot be checked; the test then says so in a warning instead of passing as if it had compared."""
    reference = REFERENCE_MD.read_bytes().decode("utf-8")
    assert reference.startswith("# Clinical reference")
    assert "VERIFIED" in reference and "## 2. CDC 2022" in reference
    data = json.loads(VECTORS_JSON.read_bytes().decode("utf-8"))
    assert set(data["instruments"]) == INSTRUMENTS
    for code, cases in data["instruments"].items():
        assert cases and all(
            case["instrument"] == code and {"id", "answers", "expected"} <= set(case) for case in cases
        )
    assert data["mme"] and all({"id", "lines", "expected"} <= set(case) for case in data["mme"])

    if not SHARED_DIR.is_dir():
        warnings.warn(
            f"{SHARED_DIR} is not present: clinical_reference/ was checked for form only, not compared with it",
            stacklevel=1,
        )
        return
    for name in VENDORED:
        assert (REFERENCE_DIR / name).read_bytes() == (SHARED_DIR / name).read_bytes(), (
            f"clinical_reference/{name} differs from {SHARED_DIR / name}: copy it again (clinical_reference/README.md)"
        )
    shared = {path.name for path in SHARED_DIR.iterdir() if path.is_file()} - {"README.md"}
    assert shared == set(VENDORED), f"{SHARED_DIR} has files that are not vendored: {sorted(shared - set(VENDORED))}"
