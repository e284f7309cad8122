"""The home page's caseload list (clinic.views.home) stays a constant number of queries."""

from django.urls import reverse

from tests.factories import CareTeamMemberFactory, PatientFactory

URL = reverse("home")


def test_it_runs_the_same_number_of_queries_for_a_clinician_with_one_patient_or_thirty(
    signed_in, physician, patient, django_assert_max_num_queries
):
    client = signed_in(physician)
    client.get(URL)  # the first page after sign-in also notes the session's start
    with django_assert_max_num_queries(8) as one:
        response = client.get(URL)
    assert [p.mrn for p in response.context["patients"]] == [patient.mrn]
    for other in PatientFactory.create_batch(29):
        CareTeamMemberFactory(patient=other, member=physician)
    with django_assert_max_num_queries(8) as thirty:
        response = client.get(URL)
    assert len(response.context["patients"]) == 25
    assert response.context["more"] is True
    assert len(one) == len(thirty), [q["sql"][:80] for q in thirty.captured_queries]


def test_it_lists_only_the_clinicians_own_patients(signed_in, physician, patient, other_patient):
    response = signed_in(physician).get(URL)
    assert patient.family_name.encode() in response.content
    assert other_patient.family_name.encode() not in response.content
