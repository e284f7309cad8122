"""Every medication, opioid safety and taper URL answers 404 to a clinician on no team (and to the team of
another patient), for GET and POST alike, writes no audit event then, and never serves another patient's row
under this patient's address."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from medications.models import OpioidTrial
from medications.rules.tapering import plan_taper
from medications.services.tapers import start_taper
from tests.medications.medkit import oxycodone_60


@pytest.fixture
def records(patient, physician):
    line = oxycodone_60(patient, physician)
    trial = OpioidTrial.objects.create(
        patient=patient,
        medication=line,
        review_on=timezone.localdate() + datetime.timedelta(days=14),
        started_by=physician,
    )
    taper = start_taper(
        patient=patient,
        by=physician,
        schedule=plan_taper(original_mme=60, starts_on=timezone.localdate()),
    )
    return {"medication_id": line.public_id, "trial_id": trial.public_id, "taper_id": taper.public_id}


URLS = [
    ("medications", ()),
    ("medication_add", ()),
    ("medication_detail", ("medication_id",)),
    ("medication_edit", ("medication_id",)),
    ("medication_stop", ("medication_id",)),
    ("medication_annotate", ("medication_id",)),
    ("opioid_safety", ()),
    ("flag_acknowledge", ("flag",)),
    ("naloxone", ()),
    ("trial_start", ()),
    ("trial_review", ("trial_id",)),
    ("agreement_new", ()),
    ("policy_print", ("version",)),
    ("drug_screen_add", ()),
    ("pdmp_add", ()),
    ("event_add", ()),
    ("monitoring_plan", ()),
    ("taper_new", ()),
    ("taper_detail", ("taper_id",)),
    ("taper_actual", ("taper_id",)),
    ("taper_status", ("taper_id",)),
    ("taper_print", ("taper_id",)),
]


#: Views that take one method answer 405 to the other before looking at the patient (revealing nothing).
GET_ONLY = {"medications", "medication_detail", "opioid_safety", "policy_print", "taper_detail", "taper_print"}
POST_ONLY = {"medication_annotate", "taper_actual", "taper_status"}


def url_for(name, keys, patient, records):
    values = {**records, "flag": "naloxone", "version": 1}
    return reverse(f"medications:{name}", args=[patient.public_id, *(values[key] for key in keys)])


@pytest.mark.parametrize(("name", "keys"), URLS)
def test_an_outsider_gets_a_404_for_every_url(signed_in, outsider, patient, records, name, keys):
    client = signed_in(outsider)
    url = url_for(name, keys, patient, records)
    assert client.get(url).status_code == (405 if name in POST_ONLY else 404)
    assert client.post(url, {"reason": "x", "note": "x", "status": "offered"}).status_code == (
        405 if name in GET_ONLY else 404
    )
    assert not AuditEvent.objects.filter(actor=outsider).exclude(action=Action.REFUSED).exists()


@pytest.mark.parametrize(("name", "keys"), URLS)
def test_another_patients_team_gets_a_404_too(signed_in, patient, other_team_lead, records, name, keys):
    client = signed_in(other_team_lead)
    url = url_for(name, keys, patient, records)
    if name in POST_ONLY:
        assert (
            client.post(
                url, {"note": "x", "status": "stopped", "version": "1", "on": "2026-01-01", "mme": "1"}
            ).status_code
            == 404
        )
    else:
        assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "name", ["medication_detail", "medication_edit", "trial_review", "taper_detail", "taper_print"]
)
def test_a_row_of_another_patient_is_not_found_under_this_patients_address(
    signed_in, patient, other_patient, physician, name
):
    from tests.factories import CareTeamMemberFactory

    CareTeamMemberFactory(patient=other_patient, member=physician)
    theirs = {
        "medication_detail": ("medication_id",),
        "medication_edit": ("medication_id",),
        "trial_review": ("trial_id",),
        "taper_detail": ("taper_id",),
        "taper_print": ("taper_id",),
    }[name]
    other_records = records_for(other_patient, physician)
    url = reverse(f"medications:{name}", args=[patient.public_id, other_records[theirs[0]]])
    assert signed_in(physician).get(url).status_code == 404


def records_for(patient, physician):
    line = oxycodone_60(patient, physician)
    trial = OpioidTrial.objects.create(
        patient=patient,
        medication=line,
        review_on=timezone.localdate() + datetime.timedelta(days=14),
        started_by=physician,
    )
    taper = start_taper(
        patient=patient,
        by=physician,
        schedule=plan_taper(original_mme=60, starts_on=timezone.localdate()),
    )
    return {"medication_id": line.public_id, "trial_id": trial.public_id, "taper_id": taper.public_id}


def test_unknown_ids_are_404s(signed_in, patient, physician):
    client = signed_in(physician)
    for name in ("medication_detail", "trial_review", "taper_detail"):
        assert client.get(reverse(f"medications:{name}", args=[patient.public_id, uuid.uuid4()])).status_code == 404
    assert client.get(reverse("medications:policy_print", args=[patient.public_id, 99])).status_code == 404
    assert client.get(reverse("medications:medications", args=[uuid.uuid4()])).status_code == 404


def test_signed_out_people_are_sent_to_sign_in(client, patient, records):
    for name, keys in URLS:
        url = url_for(name, keys, patient, records)
        response = client.post(url) if name in POST_ONLY else client.get(url)
        assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
