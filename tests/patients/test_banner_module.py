"""The patient banner (patients/banner.py): built by the view, placed by a template tag that never queries."""

import pytest
from django.template import engines
from django.test import RequestFactory

from patients.banner import banner_for, patient_page
from patients.templatetags.patient_banner import MissingBanner

pytestmark = pytest.mark.django_db

COMPONENT = '{% include "components/patient_banner.html" %}'


def render(context, user):
    request = RequestFactory().get("/")
    request.user = user
    return engines["django"].from_string(COMPONENT).render(context, request)


def test_the_banner_tag_runs_no_query(physician, patient, django_assert_num_queries):
    banner = banner_for(patient, physician)
    with django_assert_num_queries(0):
        html = render({"patient": patient, "banner": banner}, physician)
    assert 'aria-label="Patient"' in html


def test_a_page_without_the_patients_banner_fails_loudly(physician, patient):
    with pytest.raises(MissingBanner):
        render({"patient": patient}, physician)


def test_another_patients_banner_is_refused(physician, patient, other_patient):
    with pytest.raises(MissingBanner):
        render({"patient": patient, "banner": banner_for(other_patient, physician)}, physician)


def test_patient_page_builds_the_banner_when_the_view_did_not(physician, patient):
    request = RequestFactory().get("/")
    request.user = physician
    response = patient_page(request, "patients/red_flags/list.html", {"patient": patient, "flags": []})
    assert response.context_data["banner"].patient_id == patient.pk
