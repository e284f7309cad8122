"""List pages are audited naming the patients they showed: one event per page view (one INSERT), the patients'
public ids in ``shown``, never a name, a search term or a token in the target or the path."""

from django.urls import reverse

from audit.models import Action, AuditEvent
from audit.services import shown_patient_ids
from tests.factories import PatientFactory, referral_in_state
from tests.measures.responses import phq9


def the_event(target_start: str) -> AuditEvent:
    (event,) = AuditEvent.objects.filter(target__startswith=target_start)
    return event


def assert_no_name_in(event, *patients):
    for person in patients:
        for text in (person.given_name, person.family_name, person.preferred_name, person.mrn):
            if text:
                assert text not in event.target and text not in event.path


def test_the_patient_list_names_the_patients_it_showed_and_no_one_else(signed_in, physician, patient, other_patient):
    signed_in(physician).get(reverse("patients:list"))
    event = the_event("patient list")
    assert (event.actor, event.action, event.patient, event.target) == (physician, Action.VIEW, None, "patient list")
    assert event.shown == [str(patient.public_id)]


def test_a_search_names_the_patients_found_but_not_what_was_typed(signed_in, coordinator, patient, other_patient):
    signed_in(coordinator).get(reverse("patients:list"), {"q": "Garcia"})
    event = the_event("patient list")
    assert event.target == "patient list, search by name"
    assert event.shown == [str(patient.public_id)]
    assert event.path == reverse("patients:list")
    assert "Garcia" not in event.target
    assert_no_name_in(event, patient, other_patient)


def test_the_patient_list_keeps_one_insert_per_page(signed_in, coordinator):
    PatientFactory.create_batch(3)
    client = signed_in(coordinator)
    client.get(reverse("patients:list"))  # warm the session
    before = AuditEvent.objects.count()
    client.get(reverse("patients:list"))
    assert AuditEvent.objects.count() == before + 1
    assert len(AuditEvent.objects.latest("id").shown) == 3


def test_the_admin_patient_list_names_the_patients_it_showed(signed_in, clinic_admin, patient, other_patient):
    response = signed_in(clinic_admin).get(reverse("admin:patients_patient_changelist"))
    assert response.status_code == 200
    event = the_event("admin: patient list")
    assert (event.actor, event.patient, event.target) == (clinic_admin, None, "admin: patient list")
    assert sorted(event.shown) == sorted([str(patient.public_id), str(other_patient.public_id)])
    assert_no_name_in(event, patient, other_patient)


def test_an_admin_search_names_only_the_patients_found(signed_in, clinic_admin, patient, other_patient):
    signed_in(clinic_admin).get(reverse("admin:patients_patient_changelist"), {"q": "100777"})
    event = the_event("admin: patient list")
    assert event.target == "admin: patient list, search"
    assert event.shown == [str(other_patient.public_id)]
    assert_no_name_in(event, patient, other_patient)


def test_the_admin_patient_list_reads_its_rows_once(signed_in, clinic_admin, patient, django_assert_max_num_queries):
    PatientFactory.create_batch(5)
    client = signed_in(clinic_admin)
    url = reverse("admin:patients_patient_changelist")
    client.get(url)
    with django_assert_max_num_queries(20) as captured:
        client.get(url)
    patient_reads = [q for q in captured.captured_queries if q["sql"].startswith('SELECT "patients_patient"."id"')]
    assert len(patient_reads) == 1


def test_the_kiosk_last_page_is_audited(signed_in, physician, patient):
    client = signed_in(physician)
    answers = {f"phq9_{n}": "1" for n in range(1, 10)} | {"phq9_difficulty": "1"}
    done = client.post(reverse("measures:kiosk", args=[patient.public_id, "phq9"]), answers)
    assert done.status_code == 302
    page = client.get(done["Location"])
    assert page.status_code == 200
    event = AuditEvent.objects.latest("id")
    assert (event.actor, event.patient, event.action, event.target) == (
        physician,
        patient,
        Action.VIEW,
        "clinic tablet: phq9 sent",
    )
    assert_no_name_in(event, patient)


def test_the_worklist_names_the_patients_on_it(signed_in, coordinator, patient, other_patient):
    signed_in(coordinator).get(reverse("team:worklist"))
    event = the_event("worklist")
    assert event.target == "worklist: coordinator"
    assert event.shown == [str(patient.public_id)]  # needs a care team; the other patient has a lead


def test_the_referral_list_names_the_patients_on_it(signed_in, physician, patient, other_patient, other_team_lead):
    referral_in_state("sent", patient=patient, by=physician)
    referral_in_state("sent", patient=other_patient, by=other_team_lead)
    signed_in(physician).get(reverse("referrals:list"))
    assert the_event("referral list").shown == [str(patient.public_id)]


def test_the_home_page_names_the_patients_on_it(signed_in, physician, patient, other_patient):
    phq9(patient, 1, item9=2)  # an urgent task and a caseload entry as well as the patient list
    signed_in(physician).get(reverse("home"))
    event = the_event("home")
    assert event.shown == [str(patient.public_id)]


def test_shown_ids_are_read_without_a_query_and_each_patient_once(patient, other_patient, django_assert_num_queries):
    class Row:
        def __init__(self, person):
            self.patient = person

    with django_assert_num_queries(0):
        ids = shown_patient_ids([patient, Row(other_patient), Row(patient), Row(None)])
    assert ids == [str(patient.public_id), str(other_patient.public_id)]
