"""Treatment agreements under the clinic's versioned written policy: the sample version 1, new versions by clinic
admins, the policy shown to the patient in plain words at signing (printable), review yearly by default."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from medications.models import AgreementPolicy, TreatmentAgreement
from tests.medications.medkit import oxycodone_60, pharmacist  # noqa: F401 (fixtures)

POLICY_URL = "/opioid-policy/"


def agreement_url(patient):
    return reverse("medications:agreement_new", args=[patient.public_id])


def print_url(patient, version):
    return reverse("medications:policy_print", args=[patient.public_id, version])


def policy_data(**overrides):
    data = {
        "drug_screen_every_days": "180",
        "pdmp_every_days": "60",
        "agreement_review_every_days": "365",
        "taper_reason_above_mme": "50",
    }
    from medications.forms import POLICY_SECTIONS

    data.update({f"section_{key}": f"Our words about {heading.lower()}." for key, heading in POLICY_SECTIONS})
    data.update(overrides)
    return data


def test_the_app_ships_a_sample_policy_marked_to_edit_before_use(db):
    policy = AgreementPolicy.objects.get(version=1)
    headings = [section["heading"] for section in policy.sections]
    assert headings == [
        "About this agreement",
        "Urine drug screens",
        "Early refills and lost medication",
        "Taking more than prescribed",
        "Flare-ups",
        "Which medications",
        "Dose limits",
        "Breakthrough medication",
    ]
    assert all(
        section["text"].startswith("Sample text: the clinic edits this before using it") for section in policy.sections
    )
    assert (policy.drug_screen_every_days, policy.pdmp_every_days, policy.agreement_review_every_days) == (365, 90, 365)


def test_recording_an_agreement_shows_the_policy_and_defaults_the_review_to_a_year(signed_in, patient, physician):
    client = signed_in(physician)
    page = client.get(agreement_url(patient)).content.decode()
    assert "The clinic's opioid policy, version 1" in page
    assert "Urine drug screens" in page and print_url(patient, 1) in page
    signed = timezone.localdate()
    assert f'value="{signed + datetime.timedelta(days=365)}"' in page
    data = {
        "policy_version": "1",
        "signed_on": str(signed),
        "review_on": str(signed + datetime.timedelta(days=365)),
        "shown_to_patient": "on",
    }
    assert client.post(agreement_url(patient), data).status_code == 302
    agreement = TreatmentAgreement.objects.get()
    assert (agreement.policy.version, agreement.recorded_by) == (1, physician)


def test_an_agreement_needs_the_policy_shown_and_a_review_after_signing(signed_in, patient, physician):
    signed = timezone.localdate()
    data = {"policy_version": "1", "signed_on": str(signed), "review_on": str(signed)}
    response = signed_in(physician).post(agreement_url(patient), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The review date must be after the signing date." in page and "This field is required." in page
    assert not TreatmentAgreement.objects.exists()


def test_the_patients_copy_is_plain_printable_and_audited_as_a_print(signed_in, patient, physician):
    response = signed_in(physician).get(print_url(patient, 1))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Using opioid pain medicine safely: our agreement" in page
    assert "For Maria Garcia-López" in page and "Signatures" in page
    assert 'class="topbar' not in page
    assert AuditEvent.objects.filter(patient=patient, action=Action.PRINT).exists()


def test_a_clinic_admin_publishes_a_new_version_and_earlier_agreements_keep_theirs(
    signed_in, patient, physician, clinic_admin
):
    TreatmentAgreement.objects.create(
        patient=patient,
        policy=AgreementPolicy.objects.get(version=1),
        signed_on=timezone.localdate(),
        review_on=timezone.localdate() + datetime.timedelta(days=365),
        recorded_by=physician,
    )
    client = signed_in(clinic_admin)
    page = client.get(POLICY_URL).content.decode()
    assert "Sample text: the clinic edits this before using it" in page
    assert client.post(POLICY_URL, policy_data()).status_code == 302
    new = AgreementPolicy.objects.get(version=2)
    assert new.created_by == clinic_admin and new.pdmp_every_days == 60
    assert new.sections[1] == {
        "key": "drug_screens",
        "heading": "Urine drug screens",
        "text": "Our words about urine drug screens.",
    }
    assert AgreementPolicy.objects.get(version=1).sections[0]["text"].startswith("Sample text")
    assert TreatmentAgreement.objects.get().policy.version == 1
    safety = signed_in(physician).get(reverse("medications:opioid_safety", args=[patient.public_id])).content.decode()
    assert "under policy version 1" in safety and "the clinic has a newer version" in safety


def test_a_policy_with_an_empty_section_is_not_published(signed_in, clinic_admin):
    response = signed_in(clinic_admin).post(POLICY_URL, policy_data(section_flares=""))
    assert response.status_code == 400
    assert AgreementPolicy.objects.count() == 1


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator"])
def test_only_clinic_admins_edit_the_policy(request, db, signed_in, who):
    client = signed_in(request.getfixturevalue(who))
    assert client.get(POLICY_URL).status_code == 403
    assert client.post(POLICY_URL, policy_data()).status_code == 403
    assert AgreementPolicy.objects.count() == 1


def test_an_agreement_is_not_recorded_under_a_policy_replaced_while_the_page_was_open(
    signed_in, patient, physician, clinic_admin
):
    signed_in(clinic_admin).post(POLICY_URL, policy_data())
    signed = timezone.localdate()
    data = {
        "policy_version": "1",
        "signed_on": str(signed),
        "review_on": str(signed + datetime.timedelta(days=365)),
        "shown_to_patient": "on",
    }
    response = signed_in(physician).post(agreement_url(patient), data)
    assert response.status_code == 409
    assert "published policy version 2 while this page was open" in response.content.decode()
    assert not TreatmentAgreement.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_do_not_record_agreements(request, signed_in, patient, who):
    signed = timezone.localdate()
    data = {
        "policy_version": "1",
        "signed_on": str(signed),
        "review_on": str(signed + datetime.timedelta(days=9)),
        "shown_to_patient": "on",
    }
    assert signed_in(request.getfixturevalue(who)).post(agreement_url(patient), data).status_code == 403
    assert not TreatmentAgreement.objects.exists()
