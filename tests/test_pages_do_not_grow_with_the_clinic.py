"""No page about one patient reads more of the database because the clinic around that patient grew.

A query that starts from the whole clinic (every care-team row, every summary) instead of from the patient
or the signed-in person is cheap on a test database and slow on the 50,000-patient bench. Counting queries
does not catch it: the query count stays the same while each query reads more rows. So these tests count
the rows each page reads, table by table, from Postgres's own statistics for the current transaction
(pg_stat_xact_user_tables), with sequential scans discouraged so that a query the indexes can serve reads
only its rows. The demo clinic is seeded with 40 patients, every page is read, the clinic grows tenfold
around the same patient and clinician, and no page may read more rows of any table than before.

(At a handful of patients Postgres's plans differ from those at scale: it hashes a whole small table rather
than probing it, so the smaller clinic has 40 patients, not 5. The clinician's own lists (home, worklist,
Today) grow with her caseload, which the demo ties to the clinic's size; the bench measures those.)
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

import demo.clinic
from careplans.models import CarePlan
from clinic.models import Appointment, User

pytestmark = pytest.mark.django_db

LEAD = "amara.okonkwo"  # physician, lead clinician of the demo patient (demo/clinic.py)
SMALL, LARGE = 40, 400
# Plans that use an index wherever one serves the query, as Postgres chooses at scale.
PLANNER_SETTINGS = ("enable_seqscan", "enable_hashjoin", "enable_mergejoin", "enable_hashagg")


def maria_pages() -> dict[str, str]:
    maria = demo.clinic.demo_patient()
    key = maria.public_id
    plan = CarePlan.objects.active().get(patient=maria)
    sprint = plan.sprints.order_by("-starts_on").first()
    appointment = Appointment.objects.filter(patient=maria).order_by("starts_at").first()
    return {
        "chart": reverse("patients:chart", args=[key]),
        "PEG history": reverse("measures:detail", args=[key, "peg"]),
        "care plan": reverse("careplans:plan", args=[key]),
        "sprint review": reverse("careplans:sprint_review", args=[key, sprint.public_id]),
        "medications": reverse("medications:medications", args=[key]),
        "pre-visit summary": reverse("today:summary", args=[appointment.public_id]),
    }


def rows_read() -> dict[str, int]:
    """Rows this transaction has read so far, per table (sequential and index scans)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0) FROM pg_stat_xact_user_tables"
        )
        return dict(cursor.fetchall())


def reads_of(client, url: str) -> tuple[int, dict[str, int]]:
    """The page's status, and the rows it read per table (tables it did not read are left out)."""
    before = rows_read()
    status = client.get(url).status_code
    after = rows_read()
    return status, {table: n - before.get(table, 0) for table, n in after.items() if n != before.get(table, 0)}


def seed(patients: int) -> None:
    """The demo clinic with this many patients, and fresh planner statistics, as the bench has after seeding."""
    call_command("seed_demo", patients=patients, stdout=StringIO())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@pytest.fixture
def index_scans_where_possible():
    with connection.cursor() as cursor:
        for setting in PLANNER_SETTINGS:
            cursor.execute(f"SET {setting} = off")
    yield
    with connection.cursor() as cursor:
        for setting in PLANNER_SETTINGS:
            cursor.execute(f"RESET {setting}")


def test_the_pages_about_one_patient_read_no_more_rows_in_a_clinic_ten_times_larger(client, index_scans_where_possible):
    seed(SMALL)
    client.force_login(User.objects.get(username=LEAD))
    pages = maria_pages()
    for url in pages.values():
        client.get(url)  # first reads fill per-process caches (content types, permissions)
    small = {name: reads_of(client, url) for name, url in pages.items()}

    seed(LARGE)
    large = {name: reads_of(client, url) for name, url in pages.items()}

    assert all(status == 200 for status, _ in small.values()), small
    grown = {name: growth(small[name][1], large[name][1]) for name in pages}
    assert grown == {name: {} for name in pages}


def growth(small: dict[str, int], large: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The tables a page read more rows of in the larger clinic: (rows then, rows now). Fewer is fine: with more
    rows Postgres may switch from reading a small table whole to probing it by index."""
    return {t: (small.get(t, 0), n) for t, n in large.items() if n > small.get(t, 0)}
