"""Registering a patient, /patients/new/: who may, what it checks, duplicates, and the audit it leaves."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.care_team_services import NotAnActiveClinician
from clinic.models import CareTeamChange, CareTeamMember, User
from clinic.roles import Role
from clinic.worklists import coordinator_worklist
from patients.models import ContactChannel, Language, PainCondition, Patient, Sex
from patients.services import MRNTaken, PossibleDuplicate, find_possible_duplicates, register_patient
from tests.factories import PatientFactory, StaffFactory

# Every test here uses the database, some only through fixtures chosen by name at run time: the mark
# keeps pytest-django from ordering them after the transactional tests (which flush the role groups).
pytestmark = pytest.mark.django_db

URL = reverse("patients:register")
BORN = datetime.date(1975, 8, 14)


def form_data(**changes) -> dict:
    data = {
        "mrn": "200345",
        "given_name": "Lucía",
        "family_name": "Fernández",
        "preferred_name": "Lu",
        "pronouns": "she/her",
        "sex": Sex.FEMALE,
        "date_of_birth": "1975-08-14",
        "email": "lucia@example.test",
        "mobile": "+1 617 555 0123",
        "consents_to_email": "on",
        "consents_to_sms": "on",
        "preferred_channel": ContactChannel.SMS,
        "preferred_language": Language.SPANISH,
        "preferred_language_other": "",
        "referring_clinician": "Dr. Priya Shah, Riverside Family Practice",
        "primary_condition": PainCondition.FIBROMYALGIA,
        "other_conditions": [PainCondition.MIGRAINE, PainCondition.LOW_BACK_PAIN],
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def errors_of(response) -> dict:
    return response.context["form"].errors


# Who may register


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_it_shows_the_form_to_coordinators_and_admins(request, signed_in, who):
    response = signed_in(request.getfixturevalue(who)).get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Register a patient" in body
    assert 'name="mrn"' in body
    assert "The medical record number" in body  # help text
    assert 'name="confirm_new_person"' not in body  # only after a duplicate warning


@pytest.mark.parametrize("who", ["physician", "psychologist", "outsider"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_it_refuses_clinicians_with_a_403_and_saves_nothing(request, signed_in, who, method):
    client = signed_in(request.getfixturevalue(who))
    response = getattr(client, method)(URL, form_data() if method == "post" else None)
    assert response.status_code == 403
    assert not Patient.objects.filter(mrn="200345").exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_sends_anonymous_visitors_to_sign_in(client, method):
    response = getattr(client, method)(URL, form_data() if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Patient.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_it_links_to_registration_from_the_patient_list_for_those_who_may(request, signed_in, who):
    response = signed_in(request.getfixturevalue(who)).get(reverse("patients:list"))
    assert f'href="{URL}"'.encode() in response.content


@pytest.mark.parametrize("who", ["physician", "outsider"])
def test_it_offers_no_registration_link_to_clinicians(request, signed_in, who):
    response = signed_in(request.getfixturevalue(who)).get(reverse("patients:list"))
    assert f'href="{URL}"'.encode() not in response.content


# Success


def test_it_registers_the_patient_and_opens_their_chart_with_a_message(signed_in, coordinator):
    response = signed_in(coordinator).post(URL, form_data(), follow=True)
    patient = Patient.objects.get(mrn="200345")
    assert response.redirect_chain == [(reverse("patients:chart", args=[patient.public_id]), 302)]
    assert "Lucía Fernández is registered (MRN 200345)." in response.content.decode()
    assert (patient.given_name, patient.family_name, patient.preferred_name) == ("Lucía", "Fernández", "Lu")
    assert patient.search_name == "lucia lu fernandez"
    assert patient.pronouns == "she/her"
    assert patient.sex == Sex.FEMALE
    assert patient.date_of_birth == BORN
    assert (patient.email, patient.mobile) == ("lucia@example.test", "+1 617 555 0123")
    assert patient.consents_to_email and patient.consents_to_sms
    assert patient.preferred_channel == ContactChannel.SMS
    assert patient.preferred_language == Language.SPANISH
    assert patient.referring_clinician == "Dr. Priya Shah, Riverside Family Practice"
    assert patient.primary_condition == PainCondition.FIBROMYALGIA
    assert patient.other_conditions == [PainCondition.LOW_BACK_PAIN, PainCondition.MIGRAINE]


def test_it_records_one_create_event_with_who_and_where(signed_in, coordinator):
    signed_in(coordinator).post(URL, form_data(), REMOTE_ADDR="203.0.113.9")
    patient = Patient.objects.get(mrn="200345")
    event = AuditEvent.objects.get(action=Action.CREATE)
    assert event.patient == patient
    assert event.actor == coordinator
    assert event.target == "patient registration"
    assert event.path == URL
    assert event.ip == "203.0.113.9"
    assert "Lucía" not in event.target and "200345" not in event.target


def test_it_shows_the_new_details_on_the_chart_and_pronouns_in_the_banner(signed_in, coordinator):
    response = signed_in(coordinator).post(URL, form_data(), follow=True)
    body = response.content.decode()
    banner = body.split('class="patient-banner', 1)[1].split("</section>", 1)[0]
    assert "Lucía Fernández" in banner and "(she/her)" in banner
    assert '<dt>Sex</dt><dd class="banner-sex">Female</dd>' in banner
    contact = body.split('id="contact-heading"', 1)[1].split("</section>", 1)[0]
    for shown in ("she/her", "Text message", "Spanish", "Dr. Priya Shah, Riverside Family Practice", "agrees to texts"):
        assert shown in contact
    assert "Fibromyalgia" in contact and "Chronic low back pain" in contact and "Chronic migraine" in contact


def test_it_needs_only_mrn_names_and_date_of_birth(signed_in, coordinator):
    data = {"mrn": "200345", "given_name": "Ann", "family_name": "Lee", "date_of_birth": "1980-01-02"}
    data |= {"preferred_language": Language.ENGLISH, "primary_condition": PainCondition.OTHER}
    response = signed_in(coordinator).post(URL, data)
    assert response.status_code == 302
    patient = Patient.objects.get(mrn="200345")
    assert patient.preferred_channel == ContactChannel.NONE
    assert patient.other_conditions == []
    assert patient.contact_channel() is None
    assert patient.sex == Sex.UNKNOWN  # not asked for: AUDIT-C is scored without judging it positive


def test_the_form_asks_the_sex_and_says_what_it_is_for(signed_in, coordinator):
    page = signed_in(coordinator).get(URL).content.decode()
    assert "Sex (for questionnaire cut-offs)" in page
    assert "US/VA positive screen: ≥4 men, ≥3 women" in page
    assert '<option value="unknown" selected>Unknown</option>' in page


def test_it_keeps_the_typed_name_of_an_other_language(signed_in, coordinator):
    data = form_data(preferred_language=Language.OTHER, preferred_language_other="Tigrinya")
    signed_in(coordinator).post(URL, data)
    patient = Patient.objects.get(mrn="200345")
    assert patient.language == "Tigrinya"


def test_it_forgets_an_other_language_typed_when_a_listed_one_is_chosen(signed_in, coordinator):
    signed_in(coordinator).post(URL, form_data(preferred_language_other="Tigrinya"))
    patient = Patient.objects.get(mrn="200345")
    assert (patient.preferred_language_other, patient.language) == ("", "Spanish")


def test_it_does_not_repeat_the_main_condition_among_the_others(signed_in, coordinator):
    data = form_data(other_conditions=[PainCondition.FIBROMYALGIA, PainCondition.MIGRAINE])
    signed_in(coordinator).post(URL, data)
    assert Patient.objects.get(mrn="200345").other_conditions == [PainCondition.MIGRAINE]


def test_it_writes_the_mrn_without_spaces_and_in_capitals(signed_in, coordinator):
    signed_in(coordinator).post(URL, form_data(mrn=" hv 200345 "))
    assert Patient.objects.filter(mrn="HV200345").exists()


# The first care team: an optional lead and other members, set in the same transaction


def registered() -> Patient:
    return Patient.objects.get(mrn="200345")


def test_it_offers_active_clinicians_with_their_discipline_as_lead_and_members(
    signed_in, coordinator, physician, outsider
):
    StaffFactory(username="rn.retired", first_name="Old", last_name="Hand", is_active=False, role=Role.CLINICIAN)
    response = signed_in(coordinator).get(URL)
    form = response.context["form"]
    offered = [label for value, label in form.fields["lead_clinician"].choices if value]
    assert offered == ["Kenji Nakamura, DPT · Physical therapist", "Ada Okafor, MD · Physician"]
    assert [label for _, label in form.fields["team_members"].choices] == offered
    page = response.content.decode()
    section = " ".join(
        page.split('id="registration-care-team"', 1)[1].split("</fieldset>\n  </fieldset>", 1)[0].split()
    )
    assert 'for="id_lead_clinician" class="form-label"> Lead clinician </label>' in section
    assert "Other care team members" in section and 'name="team_members"' in section


def test_it_registers_with_a_lead_and_members_whose_history_and_audit_are_kept(
    signed_in, coordinator, physician, psychologist, outsider
):
    data = form_data(lead_clinician=str(outsider.pk), team_members=[str(psychologist.pk), str(outsider.pk)])
    response = signed_in(coordinator).post(URL, data)
    assert response.status_code == 302
    patient = registered()
    team = {m.member: m.is_lead for m in CareTeamMember.objects.filter(patient=patient)}
    assert team == {outsider: True, psychologist: False}
    history = CareTeamChange.objects.filter(patient=patient).order_by("id")
    assert [(row.kind, row.member, row.by) for row in history] == [
        (CareTeamChange.Kind.ADDED, outsider, coordinator),
        (CareTeamChange.Kind.MADE_LEAD, outsider, coordinator),
        (CareTeamChange.Kind.ADDED, psychologist, coordinator),
    ]
    assert {row.reason for row in history} == {"Chosen at registration."}
    events = AuditEvent.objects.filter(patient=patient).order_by("id")
    assert [(e.action, e.target) for e in events] == [
        (Action.CREATE, "patient registration"),
        (Action.UPDATE, "care team: lead clinician changed"),
        (Action.UPDATE, "care team: member added"),
    ]


def test_the_lead_chosen_at_registration_can_open_the_chart_at_once(signed_in, coordinator, outsider):
    signed_in(coordinator).post(URL, form_data(lead_clinician=str(outsider.pk)))
    assert signed_in(outsider).get(reverse("patients:chart", args=[registered().public_id])).status_code == 200


def test_it_registers_without_a_lead_and_the_patient_waits_for_a_care_team(signed_in, coordinator, outsider):
    assert signed_in(coordinator).post(URL, form_data()).status_code == 302
    patient = registered()
    assert not CareTeamMember.objects.filter(patient=patient).exists()
    assert not CareTeamChange.objects.exists()
    assert [p.mrn for p in coordinator_worklist(coordinator).section("needs_care_team").rows] == ["200345"]
    assert signed_in(outsider).get(reverse("patients:chart", args=[patient.public_id])).status_code == 404


def test_members_without_a_lead_join_the_team_and_the_patient_still_waits_for_a_lead(
    signed_in, coordinator, physician, outsider
):
    signed_in(coordinator).post(URL, form_data(team_members=[str(outsider.pk)]))
    patient = registered()
    assert list(CareTeamMember.objects.filter(patient=patient).values_list("member", "is_lead")) == [
        (outsider.pk, False)
    ]
    assert [p.mrn for p in coordinator_worklist(coordinator).section("needs_care_team").rows] == ["200345"]


@pytest.mark.parametrize("chosen", ["coordinator", "clinic_admin", "retired", "unknown", "text"])
def test_it_refuses_a_lead_who_is_not_an_active_clinician_and_keeps_what_was_typed(
    request, signed_in, coordinator, chosen
):
    values = {
        "retired": lambda: str(StaffFactory(role=Role.CLINICIAN, is_active=False).pk),
        "unknown": lambda: "999999",
        "text": lambda: "dr.okafor\x00",
    }
    value = values[chosen]() if chosen in values else str(request.getfixturevalue(chosen).pk)
    response = signed_in(coordinator).post(URL, form_data(lead_clinician=value, team_members=[value]))
    assert response.status_code == 200
    assert errors_of(response)["lead_clinician"] == [
        "Choose the lead clinician from the list (active clinicians only)."
    ]
    assert errors_of(response)["team_members"]
    assert 'value="Fernández"' in response.content.decode()
    assert not Patient.objects.exists()


def test_a_clinician_deactivated_while_the_form_was_filled_in_registers_nothing(
    signed_in, coordinator, outsider, monkeypatch
):
    """The form offered them; by the time the service saves they are inactive: nothing is saved."""
    client = signed_in(coordinator)
    User.objects.filter(pk=outsider.pk).update(is_active=False)
    monkeypatch.setattr("patients.forms.active_clinicians", lambda: User.objects.filter(pk=outsider.pk))
    response = client.post(URL, form_data(lead_clinician=str(outsider.pk)))
    assert response.status_code == 200
    assert "not an active clinician" in errors_of(response)["lead_clinician"][0]
    assert not Patient.objects.exists()
    assert not CareTeamChange.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_the_service_sets_up_the_team_in_the_registration_transaction(coordinator, physician, outsider):
    inactive = StaffFactory(role=Role.CLINICIAN, is_active=False)
    fields = {"mrn": "100999", "given_name": "Ann", "family_name": "Lee", "date_of_birth": BORN}
    with pytest.raises(NotAnActiveClinician):
        register_patient(by=coordinator, lead=outsider, team_members=[inactive], **fields)
    assert not Patient.objects.filter(mrn="100999").exists()
    patient = register_patient(by=coordinator, lead=outsider, team_members=[physician, outsider], **fields)
    assert CareTeamMember.objects.filter(patient=patient).count() == 2
    assert CareTeamMember.objects.get(patient=patient, is_lead=True).member == outsider


# Validation: one message per rule, nothing saved


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"mrn": ""}, "mrn", "Enter the patient's MRN."),
        ({"given_name": "  "}, "given_name", "Enter the patient's legal given name."),
        ({"family_name": ""}, "family_name", "Enter the patient's legal family name."),
        ({"date_of_birth": ""}, "date_of_birth", "Enter the patient's date of birth."),
        ({"mrn": "12"}, "mrn", "Enter the MRN as up to 4 letters followed by at least 3 digits"),
        ({"mrn": "ABCDE123"}, "mrn", "Enter the MRN as up to 4 letters followed by at least 3 digits"),
        ({"email": "lucia@"}, "email", "Enter an email address such as name@example.com."),
        ({"mobile": "call me"}, "mobile", "Enter a phone number of 7 to 15 digits"),
        ({"mobile": "12345"}, "mobile", "Enter a phone number of 7 to 15 digits"),
        ({"mobile": "1" * 16}, "mobile", "Enter a phone number of 7 to 15 digits"),
        (
            {"email": "", "preferred_channel": ContactChannel.NONE},
            "email",
            "Enter an email address, or untick the agreement to be contacted by email.",
        ),
        (
            {"mobile": "", "preferred_channel": ContactChannel.NONE},
            "mobile",
            "Enter a mobile number, or untick the agreement to be contacted by text message.",
        ),
        (
            {"email": "", "consents_to_email": None, "preferred_channel": ContactChannel.EMAIL},
            "preferred_channel",
            "Email is preferred: enter an email address.",
        ),
        (
            {"mobile": "", "consents_to_sms": None},
            "preferred_channel",
            "Text message is preferred: enter a mobile number.",
        ),
        (
            {"mobile": "", "consents_to_sms": None, "preferred_channel": ContactChannel.PHONE},
            "preferred_channel",
            "A phone call is preferred: enter a phone number.",
        ),
        (
            {"consents_to_email": None, "preferred_channel": ContactChannel.EMAIL},
            "preferred_channel",
            "Email is preferred but the patient has not agreed to email",
        ),
        (
            {"consents_to_sms": None},
            "preferred_channel",
            "Text message is preferred but the patient has not agreed to texts",
        ),
        ({"date_of_birth": "1899-12-31"}, "date_of_birth", "The date of birth cannot be before 1900."),
        (
            {"date_of_birth": "31/31/1975"},
            "date_of_birth",
            "Enter the date of birth as a date, for example 1961-04-30.",
        ),
        (
            {"preferred_language": Language.OTHER},
            "preferred_language_other",
            "Type the name of the patient's preferred language.",
        ),
        ({"preferred_language": "klingon"}, "preferred_language", "Choose a language from the list"),
        ({"preferred_channel": "pigeon"}, "preferred_channel", "Choose email, text message or phone call."),
        ({"other_conditions": ["gout"]}, "other_conditions", "Choose other conditions from the list."),
        ({"pronouns": "x" * 41}, "pronouns", "Pronouns can be at most 40 characters (it has 41)."),
        ({"sex": "other"}, "sex", "Choose female, male or unknown."),
    ],
)
def test_it_explains_each_problem_and_saves_nothing(signed_in, coordinator, changes, field, message):
    response = signed_in(coordinator).post(URL, form_data(**changes))
    assert response.status_code == 200
    assert any(message in error for error in errors_of(response)[field]), errors_of(response)
    assert message.split("(")[0].replace("'", "&#x27;") in response.content.decode()
    assert "Please correct the fields marked below; nothing was saved yet." in response.content.decode()
    assert not Patient.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_it_refuses_a_date_of_birth_in_the_future(signed_in, coordinator):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = signed_in(coordinator).post(URL, form_data(date_of_birth=tomorrow.isoformat()))
    assert errors_of(response)["date_of_birth"] == ["The date of birth cannot be in the future."]
    assert not Patient.objects.exists()


def test_it_accepts_someone_born_today_and_on_the_first_day_of_1900(signed_in, coordinator):
    client = signed_in(coordinator)
    assert client.post(URL, form_data(date_of_birth=timezone.localdate().isoformat())).status_code == 302
    assert client.post(URL, form_data(mrn="200346", date_of_birth="1900-01-01")).status_code == 302


def test_it_keeps_what_was_typed_when_it_refuses(signed_in, coordinator):
    response = signed_in(coordinator).post(URL, form_data(email="lucia@", date_of_birth="2999-01-01"))
    body = response.content.decode()
    for typed in (
        'value="200345"',
        'value="Lucía"',
        'value="Fernández"',
        'value="she/her"',
        'value="lucia@"',
        'value="+1 617 555 0123"',
        'value="Dr. Priya Shah, Riverside Family Practice"',
        'value="2999-01-01"',
    ):
        assert typed in body, typed
    assert '<option value="es" selected>' in body
    assert '<option value="sms" selected>' in body
    checked = response.context["form"]["other_conditions"].value()
    assert set(checked) == {PainCondition.MIGRAINE, PainCondition.LOW_BACK_PAIN}
    assert body.count("checked") >= 4  # two consents and two other conditions


# Duplicates


def test_it_refuses_an_mrn_already_in_use_and_names_the_patient_who_has_it(signed_in, coordinator, patient):
    response = signed_in(coordinator).post(URL, form_data(mrn="100234"))
    assert response.status_code == 200
    born = patient.date_of_birth
    assert errors_of(response)["mrn"] == [
        f"MRN 100234 already belongs to Maria Garcia-López, born {born:%b} {born.day}, {born.year}. "
        "Check the number: each patient has their own MRN."
    ]
    body = response.content.decode()
    chart = reverse("patients:chart", args=[patient.public_id])
    assert f'<a href="{chart}">Maria Garcia-López</a>' in body
    assert Patient.objects.count() == 1
    assert not AuditEvent.objects.filter(action=Action.CREATE).exists()


def test_it_refuses_an_mrn_that_differs_only_in_case(signed_in, coordinator):
    existing = PatientFactory(mrn="HV100500")
    response = signed_in(coordinator).post(URL, form_data(mrn="hv100500"))
    assert "already belongs to" in errors_of(response)["mrn"][0]
    assert list(Patient.objects.all()) == [existing]


def test_it_audits_showing_the_patient_who_holds_the_mrn(signed_in, coordinator, patient):
    signed_in(coordinator).post(URL, form_data(mrn="100234"))
    event = AuditEvent.objects.get(patient=patient)
    assert (event.action, event.target, event.actor) == (Action.VIEW, "registration: MRN already in use", coordinator)


def test_it_warns_about_the_same_name_and_date_of_birth_and_saves_nothing(signed_in, coordinator):
    existing = PatientFactory(given_name="Lucía", family_name="Fernández", date_of_birth=BORN, mrn="300100")
    response = signed_in(coordinator).post(URL, form_data())
    assert response.status_code == 200
    body = response.content.decode()
    assert "A patient with this name and date of birth already exists:" in body
    assert f'<a href="{reverse("patients:chart", args=[existing.public_id])}">Lucía Fernández</a>' in body
    assert "Register anyway?" in body
    assert 'name="confirm_new_person"' in body
    assert 'value="200345"' in body  # the typed details are still there
    assert not Patient.objects.filter(mrn="200345").exists()
    event = AuditEvent.objects.get(patient=existing)
    assert (event.action, event.target) == (Action.VIEW, "registration: possible duplicate")


def test_it_registers_a_namesake_born_the_same_day_once_confirmed(signed_in, coordinator):
    PatientFactory(given_name="Lucía", family_name="Fernández", date_of_birth=BORN, mrn="300100")
    client = signed_in(coordinator)
    client.post(URL, form_data())
    response = client.post(URL, form_data(confirm_new_person="on"))
    patient = Patient.objects.get(mrn="200345")
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:chart", args=[patient.public_id])
    assert AuditEvent.objects.filter(action=Action.CREATE, patient=patient).count() == 1


def test_it_finds_a_duplicate_whatever_the_accents_and_case(signed_in, coordinator, patient):
    Patient.objects.filter(pk=patient.pk).update(date_of_birth=BORN)
    data = form_data(given_name="MARIA", family_name="Garcia-Lopez", preferred_name="")
    response = signed_in(coordinator).post(URL, data)
    assert [p.pk for p in response.context["duplicates"]] == [patient.pk]
    assert not Patient.objects.filter(mrn="200345").exists()


def test_it_does_not_warn_about_the_same_name_born_another_day(signed_in, coordinator):
    PatientFactory(given_name="Lucía", family_name="Fernández", date_of_birth=BORN + datetime.timedelta(days=1))
    response = signed_in(coordinator).post(URL, form_data())
    assert response.status_code == 302


def test_it_does_not_take_a_longer_family_name_for_the_same_one(signed_in, coordinator):
    PatientFactory(given_name="Lucía", family_name="Fernández-Ruiz", date_of_birth=BORN)
    PatientFactory(given_name="Luciana", family_name="Fernández", date_of_birth=BORN)
    response = signed_in(coordinator).post(URL, form_data())
    assert response.status_code == 302


# Odd input, queries


@pytest.mark.parametrize("field", ["mrn", "given_name", "family_name", "pronouns", "email", "mobile", "date_of_birth"])
def test_it_answers_a_nul_character_with_a_message_not_an_error_page(signed_in, coordinator, field):
    data = form_data(**{field: "Luc\x00ía" if field != "date_of_birth" else "1975-08-14\x00"})
    response = signed_in(coordinator).post(URL, data)
    assert response.status_code == 200
    assert errors_of(response)[field]
    assert not Patient.objects.exists()


@pytest.mark.parametrize(
    "field", ["mrn", "given_name", "family_name", "preferred_name", "email", "mobile", "referring_clinician"]
)
def test_it_answers_a_very_long_entry_with_a_message_not_an_error_page(signed_in, coordinator, field):
    response = signed_in(coordinator).post(URL, form_data(**{field: "7" * 10_000}))
    assert response.status_code == 200
    assert errors_of(response)[field]
    assert not Patient.objects.exists()


def test_it_survives_odd_choices_and_a_nul_in_the_language_and_conditions(signed_in, coordinator):
    data = form_data(preferred_language="en\x00", other_conditions=["migraine\x00", "x" * 5000], primary_condition="")
    response = signed_in(coordinator).post(URL, data)
    assert response.status_code == 200
    assert set(errors_of(response)) == {"preferred_language", "other_conditions", "primary_condition"}


def test_it_runs_a_bounded_number_of_queries(signed_in, coordinator, django_assert_max_num_queries):
    client = signed_in(coordinator)
    client.get(URL)  # the first page after sign-in also notes the session's start
    with django_assert_max_num_queries(6):
        client.get(URL)
    with django_assert_max_num_queries(13):  # 12, and the active clinicians offered for the care team
        assert client.post(URL, form_data()).status_code == 302


def test_it_shows_at_most_five_possible_duplicates_in_a_bounded_number_of_queries(
    signed_in, coordinator, django_assert_max_num_queries
):
    client = signed_in(coordinator)
    client.get(URL)
    PatientFactory(given_name="Lucía", family_name="Fernández", date_of_birth=BORN)
    with django_assert_max_num_queries(14) as one:
        client.post(URL, form_data())
    PatientFactory.create_batch(7, given_name="Lucía", family_name="Fernández", date_of_birth=BORN)
    with django_assert_max_num_queries(18) as many:
        response = client.post(URL, form_data())
    assert len(response.context["duplicates"]) == 5
    assert len(many) - len(one) == 4  # one audit row for each patient shown, nothing else


# The service on its own


def test_the_service_refuses_a_taken_mrn_and_a_possible_duplicate(coordinator, patient):
    fields = {"given_name": "Maria", "family_name": "García López", "date_of_birth": patient.date_of_birth}
    with pytest.raises(MRNTaken) as taken:
        register_patient(by=coordinator, mrn="100234", **fields)
    assert taken.value.existing == patient
    fields["family_name"] = "GARCÍA-LOPEZ"
    with pytest.raises(PossibleDuplicate) as duplicate:
        register_patient(by=coordinator, mrn="100999", **fields)
    assert duplicate.value.matches == [patient]
    registered = register_patient(by=coordinator, mrn="100999", confirmed_new_person=True, **fields)
    event = AuditEvent.objects.get(action=Action.CREATE)
    assert (event.patient, event.actor, event.actor_label) == (registered, coordinator, "Sam Reyes")


def test_the_service_refuses_fields_that_are_not_registry_fields(coordinator):
    with pytest.raises(TypeError):
        register_patient(by=coordinator, mrn="100999", given_name="A", family_name="B", date_of_birth=BORN, pk=1)
    with pytest.raises(TypeError):
        register_patient(by=coordinator, mrn="100999", given_name="A", family_name="", date_of_birth=BORN)


def test_possible_duplicates_match_the_preferred_name_on_either_record(db):
    existing = PatientFactory(given_name="Robert", preferred_name="Bob", family_name="Ng", date_of_birth=BORN)
    assert find_possible_duplicates(given_name="robert", family_name="NG", date_of_birth=BORN) == [existing]
    assert find_possible_duplicates(given_name="Bob", family_name="Ng", date_of_birth=BORN) == []
    assert find_possible_duplicates(given_name="Robert", family_name="Ng", date_of_birth=BORN, exclude=existing) == []
    assert find_possible_duplicates(given_name="\x00", family_name="Ng", date_of_birth=BORN) == []
