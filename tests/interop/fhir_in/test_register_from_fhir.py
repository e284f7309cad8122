"""Register from a FHIR referral, /patients/new/from-fhir/: who may, the preview that writes nothing, duplicates,
registration on confirmation (read again, in one transaction), and no 500 for anything typed or uploaded."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from clinic.roles import Role
from interop import fhir_import_services
from interop.fhir_import import read_referral
from interop.fhir_import_services import REVIEW_TITLE, register_from_referral
from patients.models import Language, PainCondition, Patient, Sex
from tests.factories import PatientFactory
from tests.interop.fhir_in.referrals import MRN_TYPE, as_text, fhir_patient, referral_bundle

pytestmark = pytest.mark.django_db

URL = reverse("fhir_import:register")


def preview(client, text: str):
    return client.post(URL, {"step": "preview", "text": text})


def confirm(client, text: str, **fields):
    return client.post(URL, {"step": "register", "text": text, "primary_condition": "other", **fields})


# Who may


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_get_the_page(request, signed_in, who):
    response = signed_in(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 200
    assert "Register from a FHIR referral" in response.text


@pytest.mark.parametrize("who", ["physician", "outsider"])
def test_clinicians_are_refused_and_the_attempt_is_audited(request, signed_in, who):
    user = request.getfixturevalue(who)
    client = signed_in(user)
    assert client.get(URL).status_code == 403
    assert confirm(client, as_text(fhir_patient())).status_code == 403
    assert not Patient.objects.filter(mrn="300456").exists()
    assert AuditEvent.objects.filter(actor=user, action=Action.REFUSED).count() == 2


def test_the_registration_page_and_the_patient_list_link_to_it(signed_in, coordinator):
    client = signed_in(coordinator)
    assert URL in client.get(reverse("patients:register")).text
    assert URL in client.get(reverse("patients:list")).text


# The preview


def test_the_preview_shows_what_would_be_created_and_saves_nothing(signed_in, coordinator):
    response = preview(signed_in(coordinator), as_text(referral_bundle()))
    assert response.status_code == 200
    page = response.text
    for shown in ("300456", "Ana María", "Ruiz-Calderón", "Anita", "Mar 2, 1958", "Female", "ana.ruiz@example.test"):
        assert shown in page
    assert "+1 617 555 0199" in page and "Spanish" in page
    assert "Fibromyalgia" in page and "Duloxetine 30 mg capsule" in page and "1 capsule daily" in page
    assert "Practitioner" in page  # named as left out
    assert "Register the patient" in page
    assert not Patient.objects.exists()
    assert not TeamTask.objects.exists()


def test_an_uploaded_file_is_read_like_pasted_text(signed_in, coordinator):
    upload = SimpleUploadedFile("referral.json", as_text(referral_bundle()).encode(), "application/fhir+json")
    response = signed_in(coordinator).post(URL, {"step": "preview", "file": upload})
    assert response.status_code == 200
    assert "Ruiz-Calderón" in response.text


def test_a_file_that_is_not_utf8_gets_a_clear_message(signed_in, coordinator):
    upload = SimpleUploadedFile("referral.json", b"\xff\xfe\x00bad", "application/json")
    response = signed_in(coordinator).post(URL, {"step": "preview", "file": upload})
    assert response.status_code == 200
    assert "The file is not UTF-8 text" in response.text


def test_pasting_and_uploading_at_once_is_refused(signed_in, coordinator):
    upload = SimpleUploadedFile("referral.json", b"{}", "application/json")
    response = signed_in(coordinator).post(URL, {"step": "preview", "text": "{}", "file": upload})
    assert response.status_code == 200
    assert "Paste the JSON or choose a file, not both." in response.text


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('{"resourceType": "Patient", "name": [', "This is not JSON"),
        ('{"resourceType": "Practitioner"}', "The resourceType is &quot;Practitioner&quot;"),
        (as_text(fhir_patient(birthDate="1958-13-01")), "Patient (entry 1), birthDate"),
        (as_text(fhir_patient(gender="f")), "gender &quot;f&quot; is not a FHIR administrative gender code"),
        (as_text(fhir_patient(name=[])), "The Patient has no name"),
    ],
)
def test_a_bad_resource_is_named_and_the_pasted_text_is_kept(signed_in, coordinator, text, named):
    response = preview(signed_in(coordinator), text)
    assert response.status_code == 200
    assert named in response.text
    assert response.context["form"]["text"].value() == text
    assert not Patient.objects.exists()


def test_huge_input_gets_a_message_not_an_error(signed_in, coordinator):
    response = preview(signed_in(coordinator), '{"resourceType": "Patient", "x": "' + "y" * 300_000 + '"}')
    assert response.status_code == 200
    assert "The text is too long" in response.text


def test_an_exact_mrn_duplicate_is_refused_with_a_link_to_the_patient(signed_in, coordinator):
    existing = PatientFactory(mrn="300456", given_name="Other", family_name="Person")
    client = signed_in(coordinator)
    response = preview(client, as_text(fhir_patient()))
    assert 'id="mrn-taken"' in response.text
    assert reverse("patients:chart", args=[existing.public_id]) in response.text
    assert "Register the patient" not in response.text
    assert AuditEvent.objects.filter(patient=existing, target="FHIR referral: possible match shown").exists()
    assert 'id="mrn-taken"' in confirm(client, as_text(fhir_patient())).text  # posted anyway: refused
    assert Patient.objects.count() == 1


def test_the_mrn_duplicate_check_ignores_case(signed_in, coordinator):
    PatientFactory(mrn="AB300456")
    text = as_text(fhir_patient(identifier=[{"type": MRN_TYPE, "value": "ab300456"}]))
    assert 'id="mrn-taken"' in preview(signed_in(coordinator), text).text


def test_a_possible_duplicate_by_name_and_birth_date_needs_a_confirmation(signed_in, coordinator):
    same = PatientFactory(
        mrn="100999", given_name="Ana María", family_name="Ruiz-Calderón", date_of_birth=datetime.date(1958, 3, 2)
    )
    client = signed_in(coordinator)
    response = preview(client, as_text(fhir_patient()))
    assert 'id="possible-duplicate"' in response.text
    assert reverse("patients:chart", args=[same.public_id]) in response.text
    assert 'id="possible-duplicate"' in confirm(client, as_text(fhir_patient())).text
    assert Patient.objects.count() == 1
    assert confirm(client, as_text(fhir_patient()), confirm_new_person="on").status_code == 302
    assert Patient.objects.filter(mrn="300456").exists()


def test_a_match_the_user_may_not_open_is_named_without_a_link(signed_in, coordinator, clinic_admin, monkeypatch):
    same = PatientFactory(given_name="Ana María", family_name="Ruiz-Calderón", date_of_birth=datetime.date(1958, 3, 2))
    monkeypatch.setattr("interop.fhir_import_views.patients_visible_to", lambda user: Patient.objects.none())
    response = preview(signed_in(coordinator), as_text(fhir_patient()))
    assert "Ruiz-Calderón" in response.text
    assert reverse("patients:chart", args=[same.public_id]) not in response.text


# Registering


def test_confirming_registers_the_patient_with_the_chosen_condition_and_a_review_task(signed_in, coordinator):
    response = confirm(signed_in(coordinator), as_text(referral_bundle()), primary_condition="fibromyalgia")
    patient = Patient.objects.get(mrn="300456")
    assert response.status_code == 302
    assert response.url == reverse("patients:chart", args=[patient.public_id])
    assert (patient.given_name, patient.family_name, patient.preferred_name) == ("Ana María", "Ruiz-Calderón", "Anita")
    assert patient.date_of_birth == datetime.date(1958, 3, 2)
    assert (patient.sex, patient.preferred_language) == (Sex.FEMALE, Language.SPANISH)
    assert (patient.email, patient.mobile) == ("ana.ruiz@example.test", "+1 617 555 0199")
    assert patient.primary_condition == PainCondition.FIBROMYALGIA
    assert not patient.consents_to_email and not patient.consents_to_sms
    task = TeamTask.objects.get(patient=patient)
    assert task.title == REVIEW_TITLE
    assert task.assignee_role == Role.CLINICIAN
    assert "Fibromyalgia [urn:example:referral-codes|FM-1] (active)" in task.details
    assert "Duloxetine 30 mg capsule: 1 capsule daily (active)" in task.details


def test_registering_is_audited_as_registration_is(signed_in, coordinator):
    confirm(signed_in(coordinator), as_text(fhir_patient()))
    patient = Patient.objects.get(mrn="300456")
    targets = set(
        AuditEvent.objects.filter(patient=patient, actor=coordinator, action=Action.CREATE).values_list(
            "target", flat=True
        )
    )
    assert targets == {"patient registration", "patient registration: from a FHIR referral"}


def test_a_patient_alone_leaves_no_task(signed_in, coordinator):
    confirm(signed_in(coordinator), as_text(fhir_patient()))
    assert Patient.objects.filter(mrn="300456").exists()
    assert not TeamTask.objects.exists()


def test_the_confirmation_reads_the_json_again_and_trusts_nothing_else(signed_in, coordinator):
    client = signed_in(coordinator)
    broken = as_text(fhir_patient(birthDate="1958-02-30"))
    response = confirm(client, broken, given_name="Forged", mrn="999999")
    assert response.status_code == 200
    assert "Patient (entry 1), birthDate" in response.text
    assert response.context["form"]["text"].value() == broken
    assert not Patient.objects.exists()


def test_a_bad_condition_choice_on_confirmation_shows_the_preview_again(signed_in, coordinator):
    response = confirm(signed_in(coordinator), as_text(fhir_patient()), primary_condition="gout")
    assert response.status_code == 200
    assert "Choose the main pain condition from the list." in response.text
    assert not Patient.objects.exists()


def test_nothing_is_half_created_when_a_later_part_fails(coordinator, monkeypatch):
    referral = read_referral(as_text(referral_bundle()))

    def broken_task(**kwargs):
        raise RuntimeError("the task could not be written")

    monkeypatch.setattr(fhir_import_services, "create_task", broken_task)
    with pytest.raises(RuntimeError):
        register_from_referral(referral=referral, by=coordinator)
    assert not Patient.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_the_service_refuses_clinicians_itself(physician):
    from clinic.access.refusals import Refused

    with pytest.raises(Refused):
        register_from_referral(referral=read_referral(as_text(fhir_patient())), by=physician)


def test_a_paste_larger_than_any_request_may_be_is_a_bad_request_not_an_error(signed_in, coordinator):
    response = preview(signed_in(coordinator), "x" * 3_000_000)
    assert response.status_code == 400  # Django's own answer to a request over DATA_UPLOAD_MAX_MEMORY_SIZE
    assert not Patient.objects.exists()


def test_a_nul_in_the_referrals_words_registers_without_an_error(signed_in, coordinator):
    text = as_text(referral_bundle()).replace("Fibromyalgia", "Fibro\\u0000myalgia")
    assert confirm(signed_in(coordinator), text).status_code == 302
    assert "Fibro myalgia" in TeamTask.objects.get().details


def test_the_preview_reads_the_same_number_of_queries_whatever_the_matches(signed_in, coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(coordinator)
    text = as_text(referral_bundle())

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert preview(client, text).status_code == 200
        return len(captured.captured_queries)

    queries()  # the first request after signing in reads the session's extras once
    born = datetime.date(1958, 3, 2)
    PatientFactory(given_name="Ana María", family_name="Ruiz-Calderón", date_of_birth=born)
    with_one = queries()
    for _ in range(4):
        PatientFactory(given_name="Ana María", family_name="Ruiz-Calderón", date_of_birth=born)
    PatientFactory(mrn="300456")
    assert queries() == with_one  # five matches and an MRN match: the same queries as one match
