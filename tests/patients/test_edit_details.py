"""Editing a patient's registry details, /patients/<uuid>/details/: who may, the same checks as
registration (MRN may change but stays unique), and the audit it leaves."""

import datetime
import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from patients.forms import PatientDetailsForm
from patients.models import ContactChannel, Language, PainCondition, Patient, Sex
from patients.services import MRNTaken, update_patient_details
from tests.factories import PatientFactory

BORN = datetime.date(1961, 4, 30)


def edit_url(patient):
    return reverse("patients:edit_details", args=[patient.public_id])


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def form_data(patient, **changes) -> dict:
    """What the form posts back for this patient unchanged, with `changes` applied."""
    data = {}
    for name, value in PatientDetailsForm.initial_for(patient).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = value
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def maria(patient):
    """The cast's patient, born on a known day."""
    Patient.objects.filter(pk=patient.pk).update(date_of_birth=BORN)
    patient.refresh_from_db()
    return patient


# Who may edit


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_it_shows_coordinators_and_admins_the_form_filled_in(request, signed_in, maria, who):
    response = signed_in(request.getfixturevalue(who)).get(edit_url(maria))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="100234"' in body and 'value="Garcia-López"' in body and 'value="Mari"' in body
    assert 'value="1961-04-30"' in body
    assert "Maria Garcia-López" in body.split('class="patient-banner', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("who", ["physician", "psychologist", "outsider"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_clinicians_even_on_the_team_with_a_403(request, signed_in, maria, who, method):
    client = signed_in(request.getfixturevalue(who))
    data = form_data(maria, given_name="Changed") if method == "post" else None
    response = getattr(client, method)(edit_url(maria), data)
    assert response.status_code == 403
    maria.refresh_from_db()
    assert maria.given_name == "Maria"
    assert not AuditEvent.objects.filter(patient=maria).exclude(action=Action.REFUSED).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_anonymous_visitors_to_sign_in(client, maria, method):
    response = getattr(client, method)(edit_url(maria), form_data(maria) if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_answers_404_for_an_unknown_patient(signed_in, coordinator):
    response = signed_in(coordinator).get(reverse("patients:edit_details", args=[uuid.uuid4()]))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_it_offers_edit_details_on_the_chart_to_those_who_may(request, signed_in, maria, who):
    response = signed_in(request.getfixturevalue(who)).get(chart_url(maria))
    assert f'href="{edit_url(maria)}"'.encode() in response.content


@pytest.mark.parametrize("who", ["physician", "psychologist"])
def test_it_offers_no_edit_details_link_to_clinicians(request, signed_in, maria, who):
    response = signed_in(request.getfixturevalue(who)).get(chart_url(maria))
    assert response.status_code == 200
    assert f'href="{edit_url(maria)}"'.encode() not in response.content


def test_it_audits_opening_the_form_as_a_view(signed_in, coordinator, maria):
    signed_in(coordinator).get(edit_url(maria))
    event = AuditEvent.objects.get(patient=maria)
    assert (event.action, event.target, event.actor) == (Action.VIEW, "edit patient details", coordinator)


# Saving


def test_it_saves_the_changes_and_returns_to_the_chart_with_a_message(signed_in, coordinator, maria):
    data = form_data(
        maria,
        family_name="García-López",
        preferred_name="",
        pronouns="she/they",
        mobile="555-0199",
        consents_to_sms="on",
        preferred_channel=ContactChannel.PHONE,
        preferred_language=Language.OTHER,
        preferred_language_other="Quechua",
        referring_clinician="Dr. Lee, Harbour Clinic",
        other_conditions=[PainCondition.NEUROPATHY],
        sex=Sex.FEMALE,
    )
    response = signed_in(coordinator).post(edit_url(maria), data, follow=True)
    assert response.redirect_chain == [(chart_url(maria), 302)]
    body = response.content.decode()
    assert "Maria García-López&#x27;s details are saved." in body
    maria.refresh_from_db()
    assert (maria.family_name, maria.preferred_name, maria.search_name) == ("García-López", "", "maria garcia lopez")
    assert (maria.pronouns, maria.mobile, maria.consents_to_sms) == ("she/they", "555-0199", True)
    assert (maria.preferred_channel, maria.language) == (ContactChannel.PHONE, "Quechua")
    assert maria.other_conditions == [PainCondition.NEUROPATHY]
    assert maria.sex == Sex.FEMALE
    contact = body.split('id="contact-heading"', 1)[1].split("</section>", 1)[0]
    for shown in ("she/they", "Phone call", "Quechua", "Dr. Lee, Harbour Clinic", "Peripheral neuropathy"):
        assert shown in contact
    assert "(she/they)" in body.split('class="patient-banner', 1)[1].split("</section>", 1)[0]


def test_it_records_an_update_naming_the_changed_fields_but_not_their_values(signed_in, coordinator, maria):
    signed_in(coordinator).post(edit_url(maria), form_data(maria, email="new@example.test", pronouns="she/her"))
    event = AuditEvent.objects.get(patient=maria, action=Action.UPDATE)
    assert event.actor == coordinator
    assert event.target == "patient details: pronouns, email"
    assert event.path == edit_url(maria)


def test_it_records_an_update_even_when_nothing_changed(signed_in, coordinator, maria):
    response = signed_in(coordinator).post(edit_url(maria), form_data(maria))
    assert response.status_code == 302
    assert AuditEvent.objects.get(patient=maria, action=Action.UPDATE).target == "patient details: no change"


def test_it_lets_the_mrn_change_to_a_free_one(signed_in, coordinator, maria):
    signed_in(coordinator).post(edit_url(maria), form_data(maria, mrn="hv100235"))
    maria.refresh_from_db()
    assert maria.mrn == "HV100235"


def test_it_refuses_an_mrn_another_patient_has_and_names_them(signed_in, coordinator, maria, other_patient):
    response = signed_in(coordinator).post(edit_url(maria), form_data(maria, mrn="100777", pronouns="she/her"))
    assert response.status_code == 200
    assert response.context["form"].errors["mrn"][0].startswith("MRN 100777 already belongs to Tom Becker, born")
    assert f'<a href="{chart_url(other_patient)}">Tom Becker</a>'.encode() in response.content
    maria.refresh_from_db()
    assert (maria.mrn, maria.pronouns) == ("100234", "")
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_it_keeps_what_was_typed_when_it_refuses(signed_in, coordinator, maria):
    data = form_data(maria, given_name="Mariana", email="not-an-email", date_of_birth="1850-01-01")
    response = signed_in(coordinator).post(edit_url(maria), data)
    body = response.content.decode()
    assert 'value="Mariana"' in body and 'value="not-an-email"' in body and 'value="1850-01-01"' in body
    assert response.context["form"].errors["date_of_birth"] == [
        "The date of birth cannot be before 1900. Check the year."
    ]
    # the banner still shows the record as saved
    assert "Maria Garcia-López" in body.split('class="patient-banner', 1)[1].split("</section>", 1)[0]
    maria.refresh_from_db()
    assert maria.given_name == "Maria"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"mrn": "12"}, "mrn", "Enter the MRN as up to 4 letters followed by at least 3 digits"),
        ({"email": "", "consents_to_email": "on"}, "email", "Enter an email address, or untick the agreement"),
        ({"mobile": "", "preferred_channel": ContactChannel.PHONE}, "preferred_channel", "A phone call is preferred"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth", "The date of birth cannot be in the future."),
    ],
)
def test_it_checks_the_details_as_registration_does(signed_in, coordinator, maria, changes, field, message):
    response = signed_in(coordinator).post(edit_url(maria), form_data(maria, **changes))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


# Possible duplicates


def test_it_warns_when_a_new_name_matches_another_patient_born_the_same_day(signed_in, coordinator, maria):
    other = PatientFactory(given_name="Marisol", family_name="Garcia-López", date_of_birth=BORN)
    client = signed_in(coordinator)
    response = client.post(edit_url(maria), form_data(maria, given_name="MARISOL"))
    assert response.status_code == 200
    assert [p.pk for p in response.context["duplicates"]] == [other.pk]
    assert "Save anyway?" in response.content.decode()
    maria.refresh_from_db()
    assert maria.given_name == "Maria"
    response = client.post(edit_url(maria), form_data(maria, given_name="MARISOL", confirm_new_person="on"))
    assert response.status_code == 302
    maria.refresh_from_db()
    assert maria.given_name == "MARISOL"


def test_it_does_not_warn_when_the_name_and_birth_date_stay_as_they_are(signed_in, coordinator, maria):
    PatientFactory(given_name="Maria", family_name="Garcia-Lopez", date_of_birth=BORN)  # a twin, confirmed earlier
    response = signed_in(coordinator).post(edit_url(maria), form_data(maria, pronouns="she/her"))
    assert response.status_code == 302


def test_it_does_not_take_the_patient_for_their_own_duplicate(signed_in, coordinator, maria):
    response = signed_in(coordinator).post(edit_url(maria), form_data(maria, given_name="maría"))
    assert response.status_code == 302


# Odd input, queries, the service


@pytest.mark.parametrize("field", ["mrn", "given_name", "email", "mobile", "referring_clinician", "pronouns"])
def test_it_answers_nul_characters_and_very_long_entries_with_messages(signed_in, coordinator, maria, field):
    client = signed_in(coordinator)
    for odd in ("Ma\x00ria", "9" * 10_000):
        response = client.post(edit_url(maria), form_data(maria, **{field: odd}))
        assert response.status_code == 200
        assert response.context["form"].errors[field]


def test_it_runs_a_bounded_number_of_queries(signed_in, coordinator, maria, django_assert_max_num_queries):
    client = signed_in(coordinator)
    client.get(edit_url(maria))
    with django_assert_max_num_queries(12):  # 12: the banner's allergies are one
        client.get(edit_url(maria))
    # session, user, permissions (2), patient, row lock, duplicate check, update, audit, savepoints
    with django_assert_max_num_queries(13):
        assert client.post(edit_url(maria), form_data(maria, given_name="Marie")).status_code == 302


def test_the_service_changes_only_the_fields_given_and_refuses_a_taken_mrn(coordinator, maria, other_patient):
    update_patient_details(patient=maria, by=coordinator, pronouns="she/her")
    maria.refresh_from_db()
    assert (maria.pronouns, maria.email, maria.search_name) == ("she/her", maria.email, "maria mari garcia lopez")
    with pytest.raises(MRNTaken) as taken:
        update_patient_details(patient=maria, by=coordinator, mrn="100777")
    assert taken.value.existing == other_patient
    targets = list(AuditEvent.objects.filter(patient=maria).values_list("target", flat=True))
    assert targets == ["patient details: pronouns"]
