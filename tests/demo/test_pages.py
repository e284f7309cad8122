"""Every staff page of the demo clinic opens for the people who use it, on the seeded data.

The seeded demo touches every part at once (intake, visits, plan, logs, medications, referrals, team
work), so this is where parts that were built apart are seen together on one chart.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

import demo.clinic
from careplans.models import CarePlan, PacingPlan
from clinic.models import CaseConference, Referral, TeamTask, User
from medications.models import Medication, TaperPlan
from patients.models import Encounter
from tests.two_step import needs_second_step, pass_second_step

pytestmark = pytest.mark.django_db

LEAD = "amara.okonkwo"  # physician, lead clinician of the demo patient
ROLES = ["amara.okonkwo", "leila.haddad", "marcus.bell", "sofia.rossi", "ingrid.larsen"]


@pytest.fixture
def demo_clinic(db):
    call_command("seed_demo", patients=45, stdout=StringIO())


def maria_pages() -> list[str]:
    maria = demo.clinic.demo_patient()
    key = maria.public_id
    plan = CarePlan.objects.active().get(patient=maria)
    pages = [
        reverse("patients:chart", args=[key]),
        reverse("patients:intake_story", args=[key]),
        reverse("patients:intake_answers", args=[key]),
        reverse("patients:visits", args=[key]),
        reverse("patients:red_flags", args=[key]),
        reverse("patients:classification", args=[key]),
        reverse("patients:complexity", args=[key]),
        reverse("careplans:plan", args=[key]),
        reverse("careplans:print", args=[key]),
        reverse("careplans:log_trends", args=[key]),
        reverse("medications:medications", args=[key]),
        reverse("medications:opioid_safety", args=[key]),
        reverse("measures:detail", args=[key, "peg"]),
    ]
    pages += [reverse("patients:visit", args=[key, v.public_id]) for v in Encounter.objects.filter(patient=maria)]
    pages += [reverse("careplans:sprint_review", args=[key, s.public_id]) for s in plan.sprints.all()]
    pages += [reverse("careplans:pacing_detail", args=[key, p.public_id]) for p in PacingPlan.objects.filter(plan=plan)]
    pages += [
        reverse("medications:medication_detail", args=[key, m.public_id])
        for m in Medication.objects.filter(patient=maria)
    ]
    pages += [reverse("referrals:detail", args=[r.public_id]) for r in Referral.objects.filter(patient=maria)]
    pages += [reverse("team:task", args=[t.public_id]) for t in TeamTask.objects.filter(patient=maria)]
    return pages


def clinic_pages() -> list[str]:
    pages = [reverse("home"), reverse("team:worklist"), reverse("patients:list"), reverse("referrals:list")]
    pages += [reverse("team:conferences")]
    pages += [reverse("team:conference", args=[c.public_id]) for c in CaseConference.objects.all()]
    for taper in TaperPlan.objects.select_related("patient"):
        pages.append(reverse("medications:taper_detail", args=[taper.patient.public_id, taper.public_id]))
    return pages


def test_every_page_of_the_demo_answers_each_role_without_an_error(demo_clinic, client):
    pages = maria_pages() + clinic_pages()
    for username in ROLES:
        person = User.objects.get(username=username)
        client.force_login(person)
        if needs_second_step(person):  # the demo admin: a code from the seeded authenticator app
            pass_second_step(client, person)
        for url in pages:
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), (username, url, response.status_code)


def test_the_demo_patients_lead_opens_every_page_of_her_record(demo_clinic, client):
    client.force_login(User.objects.get(username=LEAD))
    for url in maria_pages():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
