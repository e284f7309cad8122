"""The key pages, who requests them, and the raw-SQL floor for each: the same rows the page
shows, fetched by one hand-written query (no session, no access rule machinery, no template)."""

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

ANONYMOUS, CLINICIAN, COORDINATOR, PATIENT = "anonymous", "clinician", "coordinator", "patient"
MEDICAL_LEAD = "medical_lead"  # the clinic's medical lead (demo/duty.py), who reads the outcomes dashboard
FHIR_CLIENT = "fhir_client"  # a FHIR API client reading the whole clinic (bench.run.issue_fhir_client)
NAME_FRAGMENT = "garc"  # a common surname fragment (García, Garcia, Garcia-López, ...)

LISTING = (
    "p.id, p.public_id, p.mrn, p.given_name, p.family_name, p.preferred_name, p.date_of_birth, p.primary_condition"
)
ON_TEAM = "EXISTS (SELECT 1 FROM clinic_careteammember t WHERE t.patient_id = p.id AND t.member_id = %(member)s)"
BY_NAME = "ORDER BY p.family_name, p.given_name, p.id"
HOME_ROWS, LIST_ROWS = 26, 51  # the page size plus one, as the views fetch


@dataclass(frozen=True)
class Targets:
    """What the pages are asked for, read from the benchmark database."""

    clinician_id: int
    patient_public_id: str
    patient_mrn: str
    patient_born: date
    patient_id: int = 0
    # The demo patient's questionnaire in progress (bench.run.open_patient_questionnaire), when set up.
    portal_response_id: str | None = None
    # The demo patient's newest treatment sprint (demo/plans.py), when the demo has care plans.
    sprint_public_id: str | None = None
    # The demo patient's appointment today with the bench physician and the clinic day (bench/today.py).
    appointment_public_id: str | None = None
    day_start: datetime | None = None
    day_end: datetime | None = None


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    who: str
    path: str
    expect: bytes  # a fragment every good answer contains (a page of results, not an error)
    floor_sql: str | None = None
    floor_params: dict | None = None
    form: dict | None = None  # when set, the page is a form POST (with the CSRF token) instead of a GET
    expect_status: int = 200
    threads: int | None = None  # a patient has one phone: their pages are driven by one thread


def search(query: str) -> str:
    return "/patients/?" + urlencode({"q": query})


def key_pages(t: Targets) -> list[Page]:
    member = {"member": t.clinician_id}
    return [
        Page("sign_in", "Sign-in page", ANONYMOUS, "/accounts/sign-in/", b"csrfmiddlewaretoken"),
        Page(
            "home_clinician",
            "Home (clinician)",
            CLINICIAN,
            "/",
            b"Your patients",
            f"SELECT {LISTING} FROM patients_patient p WHERE {ON_TEAM} {BY_NAME} LIMIT {HOME_ROWS}",
            member,
        ),
        Page(
            "home_coordinator",
            "Home (coordinator)",
            COORDINATOR,
            "/",
            b"Recently registered",
            f"SELECT {LISTING} FROM patients_patient p ORDER BY p.created_at DESC, p.id DESC LIMIT {HOME_ROWS}",
        ),
        Page(
            "patient_list",
            "Patient list (coordinator)",
            COORDINATOR,
            "/patients/",
            b"patient-table",
            f"SELECT {LISTING} FROM patients_patient p {BY_NAME} LIMIT {LIST_ROWS}",
        ),
        Page(
            "search_name_coordinator",
            f"Search '{NAME_FRAGMENT}' (coordinator)",
            COORDINATOR,
            search(NAME_FRAGMENT),
            b"patient-table",
            f"SELECT {LISTING} FROM patients_patient p WHERE p.search_name LIKE %(like)s {BY_NAME} LIMIT {LIST_ROWS}",
            {"like": f"%{NAME_FRAGMENT}%"},
        ),
        Page(
            "search_name_clinician",
            f"Search '{NAME_FRAGMENT}' (clinician)",
            CLINICIAN,
            search(NAME_FRAGMENT),
            b"patient-table",
            f"SELECT {LISTING} FROM patients_patient p WHERE p.search_name LIKE %(like)s AND {ON_TEAM} "
            f"{BY_NAME} LIMIT {LIST_ROWS}",
            {"like": f"%{NAME_FRAGMENT}%", **member},
        ),
        Page(
            "search_mrn",
            "Search by MRN (coordinator)",
            COORDINATOR,
            search(t.patient_mrn),
            b"patient-table",
            f"SELECT {LISTING} FROM patients_patient p WHERE p.mrn = %(mrn)s {BY_NAME} LIMIT {LIST_ROWS}",
            {"mrn": t.patient_mrn},
        ),
        Page(
            "search_born",
            "Search by date of birth (coord.)",
            COORDINATOR,
            search(t.patient_born.isoformat()),
            b"patient-table",
            f"SELECT {LISTING} FROM patients_patient p WHERE p.date_of_birth = %(born)s {BY_NAME} LIMIT {LIST_ROWS}",
            {"born": t.patient_born},
        ),
        Page(
            "chart",
            "Patient chart (clinician)",
            CLINICIAN,
            f"/patients/{t.patient_public_id}/",
            b"Care team",
            "SELECT p.*, m.is_lead, u.first_name, u.last_name, u.credentials, u.discipline "
            "FROM patients_patient p "
            "LEFT JOIN clinic_careteammember m ON m.patient_id = p.id "
            "LEFT JOIN clinic_user u ON u.id = m.member_id "
            f"WHERE p.public_id = %(public_id)s AND {ON_TEAM} ORDER BY m.is_lead DESC, u.last_name",
            {"public_id": t.patient_public_id, **member},
        ),
        Page(
            "chart_questionnaires",
            "Chart: PEG history (clinician)",
            CLINICIAN,
            f"/patients/{t.patient_public_id}/measures/peg/",
            b"responses-heading",
            "SELECT r.completed_at, r.total, r.band, r.answers FROM measures_response r "
            "JOIN measures_instrument i ON i.id = r.instrument_id "
            "WHERE r.patient_id = %(patient_id)s AND i.code = 'peg' AND r.completed_at IS NOT NULL "
            "ORDER BY r.completed_at DESC, r.id DESC LIMIT 51",
            {"patient_id": t.patient_id},
        ),
        *today_pages(t),
        *worklist_pages(t),
        *plan_pages(t),
        *medication_pages(t),
        *portal_pages(t),
        *dashboard_pages(),
        Page(
            "fhir_everything",
            "FHIR Patient/$everything (API client)",
            FHIR_CLIENT,
            f"/fhir/Patient/{t.patient_public_id}/$everything",
            b'"resourceType":"Bundle"',
        ),
    ]


def today_pages(t: Targets) -> list[Page]:
    """The clinician's Today (8 appointments) and the demo patient's pre-visit summary (clinic/today_views.py)."""
    if t.appointment_public_id is None:
        return []
    return [
        Page(
            "today",
            "Today (clinician: 8 appointments)",
            CLINICIAN,
            "/today/",
            b"today-list",
            "SELECT a.public_id, a.starts_at, a.kind, a.place, p.public_id, p.mrn, p.given_name, p.family_name, "
            "(SELECT count(*) FROM measures_alert l WHERE l.patient_id = p.id AND l.acknowledged_at IS NULL) "
            "FROM clinic_appointment a JOIN patients_patient p ON p.id = a.patient_id "
            "WHERE a.clinician_id = %(member)s AND a.starts_at >= %(start)s AND a.starts_at < %(end)s "
            "ORDER BY a.starts_at, a.id",
            {"member": t.clinician_id, "start": t.day_start, "end": t.day_end},
        ),
        Page(
            "previsit_summary",
            "Pre-visit summary (clinician)",
            CLINICIAN,
            f"/appointments/{t.appointment_public_id}/summary/",
            b'id="pv-scores"',
            "SELECT i.code, r.completed_at, r.total FROM measures_response r "
            "JOIN measures_instrument i ON i.id = r.instrument_id "
            "WHERE r.patient_id = %(patient_id)s AND r.completed_at IS NOT NULL "
            "ORDER BY r.completed_at DESC, r.id DESC LIMIT 60",
            {"patient_id": t.patient_id},
        ),
    ]


# The open tasks a worklist shows, most pressing first (clinic/worklists.py), with their patients.
TASK_ROWS = (
    "SELECT t.public_id, t.title, t.priority, t.source, t.due_on, p.public_id, p.mrn, p.given_name, p.family_name "
    "FROM clinic_teamtask t LEFT JOIN patients_patient p ON p.id = t.patient_id "
    "WHERE t.status = 'open' AND {who} "
    "ORDER BY CASE t.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 ELSE 2 END, t.due_on, t.created_at, t.id "
    "LIMIT 26"
)


def worklist_pages(t: Targets) -> list[Page]:
    """The two worklists (/worklist/): every section is one bounded query; the floor is the task list."""
    return [
        Page(
            "worklist_clinician",
            "Worklist (clinician)",
            CLINICIAN,
            "/worklist/",
            b'id="worklist-unsigned_notes"',
            TASK_ROWS.format(who="t.assignee_id = %(member)s AND t.priority <> 'urgent'"),
            {"member": t.clinician_id},
        ),
        Page(
            "worklist_coordinator",
            "Worklist (coordinator)",
            COORDINATOR,
            "/worklist/",
            b'id="worklist-late_referrals"',
            TASK_ROWS.format(who="t.assignee_id IS NULL AND t.priority <> 'urgent'"),
        ),
    ]


def plan_pages(t: Targets) -> list[Page]:
    """The care plan page and the sprint review (careplans/plan_views.py), when the demo patient has a plan."""
    if t.sprint_public_id is None:
        return []
    return [
        Page(
            "care_plan",
            "Care plan (clinician)",
            CLINICIAN,
            f"/patients/{t.patient_public_id}/plan/",
            b'id="goals-heading"',
            "SELECT c.id, t.number, t.name, t.description, g.words, g.baseline, g.target, g.target_date, "
            "(SELECT gp.value FROM careplans_goalprogress gp WHERE gp.goal_id = g.id "
            "ORDER BY gp.recorded_on DESC, gp.id DESC LIMIT 1) "
            "FROM careplans_careplan c JOIN careplans_tier t ON t.id = c.tier_id "
            "LEFT JOIN careplans_goal g ON g.plan_id = c.id "
            "WHERE c.patient_id = %(patient_id)s AND c.status = 'active' ORDER BY g.position, g.id",
            {"patient_id": t.patient_id},
        ),
        Page(
            "sprint_review",
            "Sprint review (clinician)",
            CLINICIAN,
            f"/patients/{t.patient_public_id}/plan/sprints/{t.sprint_public_id}/",
            b'id="metrics-heading"',
            "SELECT s.number, s.starts_on, s.ends_on, s.metrics, gp.goal_id, gp.value, gp.recorded_on "
            "FROM careplans_sprint s JOIN careplans_goal g ON g.plan_id = s.plan_id "
            "LEFT JOIN careplans_goalprogress gp ON gp.goal_id = g.id AND gp.recorded_on <= s.ends_on "
            "WHERE s.public_id = %(sprint)s ORDER BY gp.recorded_on DESC LIMIT 120",
            {"sprint": t.sprint_public_id},
        ),
    ]


def medication_pages(t: Targets) -> list[Page]:
    """The medication list with its MME and flags (medications/views/lines.py)."""
    return [
        Page(
            "medications",
            "Medications and MME (clinician)",
            CLINICIAN,
            f"/patients/{t.patient_public_id}/plan/medications/",
            b'id="current-heading"',
            "SELECT m.*, (SELECT c.reason FROM careplans_medicationchange c WHERE c.medication_id = m.id "
            "ORDER BY c.at DESC, c.id DESC LIMIT 1) FROM careplans_medication m "
            "WHERE m.patient_id = %(patient_id)s AND m.stopped_on IS NULL ORDER BY m.drug_code, m.id LIMIT 201",
            {"patient_id": t.patient_id},
        ),
    ]


def portal_pages(t: Targets) -> list[Page]:
    """The portal's question page, answered by the demo patient through her link (when it was set up)."""
    if t.portal_response_id is None:
        return []
    return [
        Page(
            "portal_question",
            "Portal: PEG question 1 (patient)",
            PATIENT,
            f"/p/q/{t.portal_response_id}/1/",
            b'id="question"',
            "SELECT r.answers, i.definition FROM measures_response r "
            "JOIN measures_instrument i ON i.id = r.instrument_id WHERE r.public_id = %(response)s",
            {"response": t.portal_response_id},
            threads=1,
        ),
        Page(
            "portal_answer",
            "Portal: answer a question (patient)",
            PATIENT,
            f"/p/q/{t.portal_response_id}/1/",
            b"",
            "UPDATE measures_response SET answers = answers || '{\"peg_1\": 5}'::jsonb WHERE public_id = %(response)s",
            {"response": t.portal_response_id},
            form={"answer": "5"},
            expect_status=302,
            threads=1,
        ),
    ]


def dashboard_pages() -> list[Page]:
    """The outcomes and safety dashboard (interop/dashboard_*.py): whole-clinic aggregates, no floor (its SQL is the
    page's work: every figure is one set-based statement)."""
    return [
        Page(
            "dashboard",
            "Outcomes and safety dashboard (medical lead)",
            MEDICAL_LEAD,
            "/dashboard/",
            b'id="safety-table"',
        ),
        Page(
            "dashboard_list",
            "Dashboard list: 50+ MME without naloxone",
            MEDICAL_LEAD,
            "/dashboard/patients/mme-50-no-naloxone/",
            b"Patients on 50 MME or more without naloxone",
        ),
    ]


def read_targets(cursor, *, clinician_username: str, patient_mrn: str) -> Targets:
    cursor.execute("SELECT id FROM clinic_user WHERE username = %s", [clinician_username])
    (clinician_id,) = cursor.fetchone()
    cursor.execute("SELECT id, public_id, mrn, date_of_birth FROM patients_patient WHERE mrn = %s", [patient_mrn])
    patient_id, public_id, mrn, born = cursor.fetchone()
    cursor.execute(
        "SELECT s.public_id FROM careplans_sprint s JOIN careplans_careplan c ON c.id = s.plan_id "
        "WHERE c.patient_id = %s AND c.status = 'active' ORDER BY s.number DESC LIMIT 1",
        [patient_id],
    )
    sprint = cursor.fetchone()
    return Targets(
        clinician_id=clinician_id,
        patient_public_id=str(public_id),
        patient_mrn=mrn,
        patient_born=born,
        patient_id=patient_id,
        sprint_public_id=str(sprint[0]) if sprint else None,
    )
