"""The patient's recorded sex sets AUDIT-C's cut-off wherever their answers are scored (REFERENCE.md 1.6:
"US/VA positive screen: ≥4 men, ≥3 women"); unknown leaves 'positive' unset, and nothing is re-scored."""

import pytest
from django.urls import reverse

from measures.models import Response
from measures.scoring import score
from measures.scoring_context import scoring_context
from measures.services import latest_instrument, save_answer, start_response, submit_response
from patients.intake_services import record_measure
from patients.models import Sex
from tests.portal.journey import answer_all, invite, open_link, send, start
from tests.reference import vectors

# Totals 3 and 4: the women's cut-off and the men's (REFERENCE.md 1.6); auditc-03 and auditc-09 are total 3.
TOTAL_3 = {"auditc_1": 2, "auditc_2": 0, "auditc_3": 1}
TOTAL_4 = {"auditc_1": 2, "auditc_2": 1, "auditc_3": 1}


def auditc_vectors():
    return vectors()["instruments"]["auditc"]


def with_sex(patient, sex):
    patient.sex = sex
    patient.save(update_fields=["sex"])
    return patient


def submitted(patient, answers):
    """An AUDIT-C scored as the services score it, with the patient's scoring context."""
    response = start_response(patient=patient, instrument=latest_instrument("auditc"))
    for code, value in answers.items():
        response = save_answer(response=response, item_code=code, value=value)
    return submit_response(response=response, context=scoring_context(patient)).response


# --------------------------------------------------------------------------- the rule and the reference vectors


@pytest.mark.parametrize("case", auditc_vectors(), ids=lambda case: case["id"])
def test_the_reference_vectors_score_with_the_sex_they_give(case):
    result = score("auditc", case["answers"], case["context"])
    assert (result.total, result.positive) == (case["expected"]["total"], case["expected"]["positive"])


@pytest.mark.parametrize(
    ("sex", "answers", "positive"),
    [
        (Sex.FEMALE, TOTAL_3, True),  # ≥3 women: 3 is positive (vectors auditc-03, auditc-09)
        (Sex.MALE, TOTAL_3, False),  # ≥4 men: 3 is not
        (Sex.MALE, TOTAL_4, True),  # ≥4 men: 4 is
        (Sex.UNKNOWN, TOTAL_4, None),  # no cut-off is guessed
    ],
)
def test_a_submitted_audit_c_is_judged_at_the_cut_off_of_the_recorded_sex(patient, sex, answers, positive):
    response = submitted(with_sex(patient, sex), answers)
    assert response.positive is positive
    assert response.total == sum(answers.values())


def test_the_context_holds_the_recorded_sex_and_nothing_when_it_is_unknown(patient):
    assert scoring_context(with_sex(patient, Sex.FEMALE)) == {"sex": "female"}
    assert scoring_context(with_sex(patient, Sex.MALE)) == {"sex": "male"}
    assert scoring_context(with_sex(patient, Sex.UNKNOWN)) is None
    assert submitted(patient, TOTAL_4).context == {}


def test_a_new_patient_is_of_unknown_sex_so_audit_c_is_not_judged(patient):
    assert patient.sex == Sex.UNKNOWN
    response = submitted(patient, TOTAL_4)
    assert (response.total, response.positive) == (4, None)


def test_changing_the_sex_later_does_not_rescore_earlier_responses(patient):
    earlier = submitted(patient, TOTAL_3)
    with_sex(patient, Sex.FEMALE)
    assert Response.objects.get(pk=earlier.pk).positive is None
    assert submitted(patient, TOTAL_3).positive is True


# --------------------------------------------------------------------------- every place answers are scored


def test_portal_answers_are_scored_with_the_recorded_sex(client, patient):
    with_sex(patient, Sex.FEMALE)
    invitation, token = invite(patient, codes=("auditc",))
    open_link(client, token)
    response = start(client, invitation, "auditc")
    answer_all(client, response, TOTAL_3)
    send(client, response)
    saved = Response.objects.get(pk=response.pk)
    assert saved.completed_at is not None
    assert (saved.total, saved.positive, saved.context) == (3, True, {"sex": "female"})


def test_intake_answers_are_scored_with_the_recorded_sex(patient):
    response = record_measure(patient=with_sex(patient, Sex.MALE), code="auditc", answers=TOTAL_3)
    assert (response.total, response.positive, response.context) == (3, False, {"sex": "male"})


def enter_url(patient):
    return reverse("measures:enter", args=[patient.public_id, "auditc"])


def test_clinic_entry_preselects_the_recorded_sex(signed_in, physician, patient):
    with_sex(patient, Sex.MALE)
    page = signed_in(physician).get(enter_url(patient)).content.decode()
    assert '<option value="male" selected>' in page
    assert '<option value="female" selected>' not in page


def test_clinic_entry_left_at_not_given_uses_the_recorded_sex(signed_in, physician, patient):
    with_sex(patient, Sex.MALE)
    form = {"auditc_1": "2", "auditc_2": "1", "auditc_3": "1", "context_sex": ""}
    assert signed_in(physician).post(enter_url(patient), form).status_code == 302
    saved = Response.objects.get(patient=patient)
    assert (saved.total, saved.positive, saved.context) == (4, True, {"sex": "male"})


def test_clinic_entry_uses_the_sex_chosen_on_the_form(signed_in, physician, patient):
    with_sex(patient, Sex.MALE)
    form = {"auditc_1": "2", "auditc_2": "0", "auditc_3": "1", "context_sex": "female"}
    signed_in(physician).post(enter_url(patient), form)
    saved = Response.objects.get(patient=patient)
    assert (saved.total, saved.positive, saved.context) == (3, True, {"sex": "female"})
