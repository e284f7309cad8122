import pytest

from patients.names import normalise


@pytest.mark.parametrize(
    "written, searched",
    [
        ("Garcia-López", "garcia lopez"),
        ("Smith\u2013Jones", "smith jones"),
        ("ÉLODIE", "elodie"),
        ("Stanisław", "stanislaw"),
        ("Đặng", "dang"),
        ("Søren", "soren"),
        ("Strauß", "strauss"),
        ("Ægir", "aegir"),
        ("  Nguyễn   Văn  ", "nguyen van"),
    ],
)
def test_it_folds_case_accents_and_special_letters(written, searched):
    assert normalise(written) == searched
