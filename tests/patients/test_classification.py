"""Pain classification: the service (a history row copied onto the patient) and its page, for every role."""

import re
import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from patients.models import PainClassification, Patient
from patients.problem_services import classify_pain


def page_url(patient):
    return reverse("patients:classification", args=[patient.public_id])


FORM = {
    "pain_type": "mixed",
    "main_condition": "fibromyalgia",
    "other_conditions": ["migraine", "low_back_pain"],
    "note": "Widespread pain with a nociceptive back component.",
}


# --------------------------------------------------------------------------- service


def test_it_records_the_classification_and_copies_it_onto_the_patient_main_condition_first(physician, patient):
    row = classify_pain(
        patient=patient,
        by=physician,
        pain_type="neuropathic",
        main_condition="neuropathy",
        other_conditions=["sickle_cell", "neuropathy", "cancer_related"],
        note=" Burning feet. ",
    )
    assert row.conditions == ["neuropathy", "sickle_cell", "cancer_related"]  # main first, then the list's order
    assert (row.pain_type, row.note, row.recorded_by) == ("neuropathic", "Burning feet.", physician)
    stored = Patient.objects.get(pk=patient.pk)
    assert stored.pain_type == "neuropathic"
    assert stored.primary_condition == "neuropathy"
    assert stored.other_conditions == ["sickle_cell", "cancer_related"]
    assert patient.pain_type == "neuropathic"  # the caller's object too
    event = AuditEvent.objects.get(patient=patient)
    assert (event.action, event.target) == (Action.CREATE, "pain classification recorded")


def test_a_new_classification_replaces_the_current_one_and_keeps_the_history(physician, psychologist, patient):
    classify_pain(patient=patient, by=physician, pain_type="nociceptive", main_condition="osteoarthritis")
    classify_pain(patient=patient, by=psychologist, pain_type="nociplastic", main_condition="fibromyalgia")
    stored = Patient.objects.get(pk=patient.pk)
    assert (stored.pain_type, stored.primary_condition, stored.other_conditions) == ("nociplastic", "fibromyalgia", [])
    history = list(PainClassification.objects.filter(patient=patient).newest_first())
    assert [(r.pain_type, r.recorded_by) for r in history] == [
        ("nociplastic", psychologist),
        ("nociceptive", physician),
    ]


@pytest.mark.parametrize(
    "bad",
    [{"pain_type": ""}, {"pain_type": "psychogenic"}, {"main_condition": "gout"}, {"other_conditions": ["gout"]}],
)
def test_it_refuses_types_and_conditions_outside_the_lists(physician, patient, bad):
    fields = {"pain_type": "mixed", "main_condition": "migraine", "other_conditions": []} | bad
    with pytest.raises(ValueError):
        classify_pain(patient=patient, by=physician, **fields)
    assert not PainClassification.objects.exists()
    assert Patient.objects.get(pk=patient.pk).pain_type == ""


def test_the_issues_conditions_are_all_offered():
    from patients.problem_forms import PainClassificationForm

    offered = {value for value, _ in PainClassificationForm.base_fields["main_condition"].choices}
    assert offered == {
        "low_back_pain",
        "neuropathy",
        "fibromyalgia",
        "migraine",
        "osteoarthritis",
        "post_surgical",
        "cancer_related",
        "sickle_cell",
        "endometriosis",
        "other",
    }
    types = {value for value, _ in PainClassificationForm.base_fields["pain_type"].choices}
    assert types == {"nociceptive", "neuropathic", "nociplastic", "mixed"}


# --------------------------------------------------------------------------- page


@pytest.mark.parametrize("who", ["physician", "psychologist"])
def test_a_team_clinician_records_a_classification_from_the_page(request, signed_in, patient, who):
    person = request.getfixturevalue(who)
    response = signed_in(person).post(page_url(patient), FORM)
    assert response.status_code == 302
    assert response["Location"].endswith("#classification")
    row = PainClassification.objects.get()
    assert (row.pain_type, row.conditions, row.recorded_by) == (
        "mixed",
        ["fibromyalgia", "low_back_pain", "migraine"],
        person,
    )
    assert AuditEvent.objects.filter(patient=patient, action=Action.CREATE, actor=person).exists()


def test_the_page_shows_the_form_with_the_current_values_and_the_history(signed_in, physician, patient):
    classify_pain(patient=patient, by=physician, pain_type="nociceptive", main_condition="osteoarthritis", note="Knees")
    response = signed_in(physician).get(page_url(patient))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["form"].initial["pain_type"] == "nociceptive"
    assert 'name="pain_type"' in page
    assert "Ada Okafor, MD" in page and "Osteoarthritis" in page and "Knees" in page
    assert AuditEvent.objects.filter(action=Action.VIEW, target="pain classification").count() == 1


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_read_the_history_but_get_no_form(request, signed_in, physician, patient, who):
    classify_pain(patient=patient, by=physician, pain_type="mixed", main_condition="migraine")
    response = signed_in(request.getfixturevalue(who)).get(page_url(patient))
    assert response.status_code == 200
    assert response.context["form"] is None
    assert 'name="pain_type"' not in response.content.decode()
    assert "Chronic migraine" in response.content.decode()


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_may_not_classify(request, signed_in, patient, who):
    response = signed_in(request.getfixturevalue(who)).post(page_url(patient), FORM)
    assert response.status_code == 403
    assert not PainClassification.objects.exists()
    assert not AuditEvent.objects.filter(patient=patient).exclude(action=Action.REFUSED).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_clinician_on_no_team_gets_a_404(signed_in, outsider, patient, method):
    response = getattr(signed_in(outsider), method)(page_url(patient), FORM)
    assert response.status_code == 404
    assert not PainClassification.objects.exists()
    assert not AuditEvent.objects.exclude(action=Action.REFUSED).exists()


def test_another_teams_patient_is_a_404_for_a_team_clinician(signed_in, physician, other_patient):
    assert signed_in(physician).post(page_url(other_patient), FORM).status_code == 404
    assert signed_in(physician).get(reverse("patients:classification", args=[uuid.uuid4()])).status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"pain_type": ""}, "Choose the pain type."),
        ({"main_condition": "gout"}, "Choose the main condition from the list."),
        ({"other_conditions": ["gout"]}, "Choose other conditions from the list."),
        ({"note": "x" * 2001}, "The note can be at most 2000 characters"),
        ({"note": "Null\x00byte"}, "Null characters are not allowed."),
    ],
)
def test_it_explains_a_wrong_entry_and_keeps_what_was_typed(signed_in, physician, patient, change, message):
    response = signed_in(physician).post(page_url(patient), FORM | change)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    kept = {name: value for name, value in FORM.items() if name not in change}
    for name in ("pain_type", "main_condition"):
        if name in kept:
            assert re.search(rf'name="{name}" value="{kept[name]}"[^>]* checked', page)
    if "other_conditions" in kept:
        assert re.search(r'name="other_conditions" value="migraine"[^>]* checked', page)
    if "note" in kept:
        assert kept["note"] in page
    assert not PainClassification.objects.exists()
