import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from clinic import demo
from clinic.models import CareTeamMember, User
from clinic.roles import Discipline, Role
from patients.models import PainCondition, Patient
from patients.names import normalise
from portal.models import PatientLink

pytestmark = pytest.mark.django_db


def seed(patients: int) -> str:
    out = StringIO()
    call_command("seed_demo", patients=patients, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "staff": User.objects.count(),
        "patients": Patient.objects.count(),
        "team members": CareTeamMember.objects.count(),
    }


def test_it_creates_staff_of_every_discipline_and_every_role():
    seed(patients=5)
    staff = User.objects.filter(username__in=[s["username"] for s in demo.DEMO_STAFF])
    assert {person.discipline for person in staff} == set(Discipline.values)
    assert {person.role for person in staff} == set(Role.values)
    assert staff.filter(role=Role.CLINICIAN, discipline=Discipline.PHYSICIAN).count() == 2


def test_demo_staff_sign_in_with_the_demo_password(client):
    seed(patients=5)
    response = client.post(reverse("login"), {"username": "sofia.rossi", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_it_adds_nothing_on_a_second_run():
    seed(patients=40)
    before = counts()
    output = seed(patients=40)
    assert counts() == before
    assert "nothing added" in output


def test_it_adds_only_the_missing_patients_when_asked_for_more():
    seed(patients=20)
    output = seed(patients=30)
    assert Patient.objects.filter(mrn__in=[demo.demo_mrn(n) for n in range(30)]).count() == 30
    assert "Created 0 staff, 10 patients" in output


def test_it_seeds_hundreds_of_patients_each_with_exactly_one_lead_in_batches():
    call_command("seed_demo", patients=300, batch_size=70, stdout=StringIO())
    assert Patient.objects.count() >= 300
    patients = Patient.objects.all()
    assert patients.filter(care_team__is_lead=True).count() == patients.count()
    leads = CareTeamMember.objects.filter(is_lead=True).values_list("member__discipline", flat=True).distinct()
    assert set(leads) <= {Discipline.PHYSICIAN, Discipline.NURSE_PRACTITIONER}
    team_sizes = {patient.care_team.count() for patient in patients.prefetch_related("care_team")}
    assert team_sizes <= {2, 3, 4}


def test_it_keeps_the_patients_plausible():
    seed(patients=300)
    patients = list(Patient.objects.all())
    assert {p.primary_condition for p in patients} == set(PainCondition.values)
    assert all(19 <= p.age <= 88 for p in patients)
    assert all(p.age >= 50 for p in patients if p.primary_condition == PainCondition.OSTEOARTHRITIS)
    assert all(p.age <= 52 for p in patients if p.primary_condition == PainCondition.ENDOMETRIOSIS)
    assert len({p.mrn for p in patients}) == len(patients)
    assert sum(bool(p.email) for p in patients) > len(patients) / 2


def test_endometriosis_patients_have_female_first_names():
    seed(patients=300)
    female = {name for pool in demo.name_pools().values() for name in pool.female}
    endometriosis = Patient.objects.filter(primary_condition=PainCondition.ENDOMETRIOSIS)
    assert endometriosis.exists()
    assert all(p.given_name in female for p in endometriosis)


def test_the_demo_patient_is_on_the_team_of_the_first_physician_as_lead_and_of_the_psychologist():
    seed(patients=5)
    patient = demo.demo_patient()
    assert (patient.full_name, patient.preferred_name) == ("Maria Garcia-López", "Mari")
    team = dict(patient.care_team.values_list("member__username", "is_lead"))
    assert team[demo.demo_staff_username(Discipline.PHYSICIAN)] is True
    assert team[demo.demo_staff_username(Discipline.PSYCHOLOGIST)] is False


def test_search_finds_accented_names_typed_without_accents():
    seed(patients=300)
    assert demo.demo_patient() in Patient.objects.search("garcia lopez")
    accented = [p for p in Patient.objects.all() if p.family_name != p.family_name.encode("ascii", "ignore").decode()]
    assert accented, "the demo clinic should have accented names"
    for patient in accented[:10]:
        assert patient.search_name, "search_name must be filled for bulk-created patients"
        typed = normalise(patient.family_name)
        assert typed.isascii(), f"{patient.family_name!r} cannot be typed without accents"
        assert patient in Patient.objects.search(typed)


def run_welcome() -> tuple[str, str]:
    out = StringIO()
    call_command("demo_welcome", address="http://127.0.0.1:8000", stdout=out)
    output = out.getvalue()
    return output, re.search(r"http://127\.0\.0\.1:8000(/p/[\w-]+/)", output).group(1)


def test_demo_welcome_prints_every_sign_in_and_a_portal_link_that_opens_the_portal(client):
    seed(patients=5)
    output, path = run_welcome()
    assert "http://127.0.0.1:8000/" in output
    assert all(s["username"] in output for s in demo.DEMO_STAFF)
    assert demo.DEMO_PASSWORD in output
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200


def test_demo_welcome_revokes_the_earlier_link(client):
    seed(patients=5)
    _, first_path = run_welcome()
    _, second_path = run_welcome()
    links = PatientLink.objects.filter(patient=demo.demo_patient()).order_by("created_at", "id")
    assert [link.revoked_at is not None for link in links] == [True, False]
    assert client.get(first_path).status_code == 200  # the calm "this link is closed" page
    assert client.get(second_path).status_code == 302


def test_demo_welcome_explains_that_the_demo_must_be_seeded_first():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("demo_welcome", stdout=StringIO())
