"""Each clinic size the bench measures has its own database: the 50,000-patient clinic the one given (so an
existing haven_bench is reused), every other size one named after it."""

from bench.run import database_for


def test_the_largest_clinic_uses_the_database_given_and_other_sizes_their_own():
    assert database_for("postgres:///haven_bench", 50000) == "postgres:///haven_bench"
    assert database_for("postgres:///haven_bench", 5000) == "postgres:///haven_bench_5000"
    assert database_for("postgres:///haven_bench", 300) != database_for("postgres:///haven_bench", 600)
