"""The cast (DESIGN.md): two clinicians on the patient's team, a coordinator, a clinician on no
team, a clinic admin, the patient (by link) and another patient with a care team of their own."""

import uuid

import pytest

from clinic.roles import Discipline, Role
from portal.services import issue_link
from tests.factories import PASSWORD, CareTeamMemberFactory, PatientFactory, StaffFactory
from tests.two_step import give_app, needs_second_step, pass_second_step

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated rows (content types, permissions, role groups) when
    it ends, not only the browser tests. Django's flush after a plain transactional test re-creates the
    content types under new ids, and the next serialized-rollback test then fails to load its snapshot
    over them: whichever test came first decided whether the browser tests could run."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        fields = dict(marker.kwargs) if marker else {}
        transactional = fields.get("transaction") or TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ()))
        if transactional and not fields.get("serialized_rollback"):
            fields.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**fields), append=False)


@pytest.fixture(autouse=True)
def own_cache_keys(settings):
    """Rate-limit counters live in Redis; a per-test key prefix keeps tests (and parallel runs) apart."""
    caches = {**settings.CACHES}
    caches["default"] = {**caches["default"], "KEY_PREFIX": f"haven-test-{uuid.uuid4().hex}"}
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Sign-ins check many passwords; a fast hasher keeps the suite quick (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def patient(db):
    return PatientFactory(given_name="Maria", family_name="Garcia-López", preferred_name="Mari", mrn="100234")


@pytest.fixture
def other_patient(db):
    """Another patient with a care team of their own (a lead the cast's clinicians are not), so a rule that
    lets any clinician see any team's patient fails a test."""
    person = PatientFactory(given_name="Tom", family_name="Becker", mrn="100777")
    CareTeamMemberFactory(patient=person, member=other_team_lead_for_cast(), is_lead=True)
    return person


def other_team_lead_for_cast():
    return StaffFactory(
        username="dr.haddad",
        first_name="Rami",
        last_name="Haddad",
        credentials="MD",
        role=Role.CLINICIAN,
        discipline=Discipline.PHYSICIAN,
    )


@pytest.fixture
def other_team_lead(other_patient):
    """The other patient's lead clinician (on no team of the cast's patient)."""
    return other_team_lead_for_cast()


@pytest.fixture
def physician(patient):
    person = StaffFactory(
        username="dr.okafor",
        first_name="Ada",
        last_name="Okafor",
        credentials="MD",
        role=Role.CLINICIAN,
        discipline=Discipline.PHYSICIAN,
    )
    CareTeamMemberFactory(patient=patient, member=person, is_lead=True)
    return person


@pytest.fixture
def psychologist(patient):
    person = StaffFactory(
        username="dr.lindqvist",
        first_name="Elin",
        last_name="Lindqvist",
        credentials="PhD",
        role=Role.CLINICIAN,
        discipline=Discipline.PSYCHOLOGIST,
    )
    CareTeamMemberFactory(patient=patient, member=person)
    return person


@pytest.fixture
def coordinator(db):
    return StaffFactory(
        username="coord.reyes",
        first_name="Sam",
        last_name="Reyes",
        role=Role.COORDINATOR,
        discipline=Discipline.CARE_COORDINATOR,
    )


@pytest.fixture
def outsider(db):
    """A clinician on no care team."""
    return StaffFactory(
        username="pt.nakamura",
        first_name="Kenji",
        last_name="Nakamura",
        credentials="DPT",
        role=Role.CLINICIAN,
        discipline=Discipline.PHYSICAL_THERAPIST,
    )


@pytest.fixture
def clinic_admin(db):
    """A clinic admin who has set up two-step sign-in (clinic admins must), so `signed_in` passes the real
    second step with a code from their app (tests/two_step.py)."""
    person = StaffFactory(
        username="admin.osei",
        first_name="Grace",
        last_name="Osei",
        role=Role.ADMIN,
        discipline=Discipline.CARE_COORDINATOR,
    )
    give_app(person)
    return person


@pytest.fixture
def medical_lead(db):
    """The clinic's medical lead (on no patient's team): urgent work reaches them when nobody else can."""
    return StaffFactory(
        username="dr.medlead",
        first_name="Miriam",
        last_name="Lead",
        credentials="MD",
        role=Role.CLINICIAN,
        discipline=Discipline.PHYSICIAN,
        is_medical_lead=True,
    )


@pytest.fixture
def patient_link(patient):
    """The patient's own way in: (link, raw token)."""
    return issue_link(patient=patient)


@pytest.fixture
def signed_in(client):
    """Sign a member of the cast in through the real sign-in form (and the second step, with a code from their
    authenticator app, when they must pass it); returns the client."""

    def sign_in(user):
        client.logout()
        response = client.post("/accounts/sign-in/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, "sign-in failed"
        assert client.session["_auth_user_id"] == str(user.pk)
        if needs_second_step(user):
            pass_second_step(client, user)
        return client

    return sign_in
