"""The demo's medications (demo/medications.py): regimens across the range with a benzodiazepine
co-prescription, an unexpected screen, a taper in progress and a trial; idempotent."""

from io import StringIO

import pytest
from django.core.management import call_command

from demo.clinic import demo_mrn
from demo.medications import seed_medications
from medications.models import DrugScreen, Medication, TaperPlan, TreatmentAgreement
from medications.selectors.regimen import opioid_summary
from patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_patients():
    call_command("seed_demo", patients=6, stdout=StringIO())  # seeds the medications with the rest
    return {n: Patient.objects.get(mrn=demo_mrn(n)) for n in range(6)}


def test_it_seeds_regimens_across_the_range_and_is_idempotent(demo_patients):
    assert Medication.objects.values("patient").distinct().count() == 5
    totals = {n: opioid_summary(demo_patients[n]).total for n in range(5)}
    assert totals == {0: 60, 1: 20, 2: 66, 3: 60, 4: 0}
    maria = opioid_summary(demo_patients[0])
    assert maria.flags == ["naloxone", "opioid_benzodiazepine"]
    assert DrugScreen.objects.exclude(unexpected_findings="").count() == 1
    assert TreatmentAgreement.objects.count() == 5
    taper = TaperPlan.objects.get()
    assert taper.patient == demo_patients[2] and taper.actuals.count() == 2 and taper.starting_mme == 82.5
    again = seed_medications(6)
    assert (again.patients, again.lines) == (0, 0)
    assert not Medication.objects.filter(patient=demo_patients[5]).exists()


def test_the_demo_pages_open(demo_patients, client):
    from django.urls import reverse

    from clinic.models import User

    client.force_login(User.objects.get(username="amara.okonkwo"))
    patient = demo_patients[0]
    for name in ("medications", "opioid_safety"):
        assert client.get(reverse(f"medications:{name}", args=[patient.public_id])).status_code == 200
    page = client.get(reverse("patients:chart", args=[patient.public_id])).content.decode()
    assert "<dt>MME/day</dt>" in page
