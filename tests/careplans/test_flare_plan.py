"""The flare-up plan: clinicians on the team edit it; the second of two concurrent saves is told what
changed and nothing is silently overwritten; every change is kept as plan history."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from careplans.logs.services import StaleEdit, save_flare_plan
from careplans.models import FlarePlan, PlanChange
from tests.careplans.logkit import active_plan

pytestmark = pytest.mark.django_db

DEFAULTS = {
    "warning_signs": "",
    "reduce_by_percent": 25,
    "reduce_for_hours": 48,
    "what_to_reduce": "",
    "what_helps": "",
    "when_to_call": "",
    "when_urgent": "",
}


@pytest.fixture
def plan(patient, physician):
    return active_plan(patient, physician)


def url(patient) -> str:
    return reverse("careplans:flare_edit", args=[patient.public_id])


def form_data(version, **values) -> dict:
    return {**DEFAULTS, "version": str(version), "reason": "", **values}


# --------------------------------------------------------------------------- the service


def test_the_first_save_writes_the_plan_at_version_1_with_history(plan, physician):
    saved = save_flare_plan(plan=plan, by=physician, version=0, values={**DEFAULTS, "what_helps": "Heat pack"})
    assert (saved.version, saved.what_helps, saved.updated_by) == (1, "Heat pack", physician)
    change = PlanChange.objects.get()
    assert (change.kind, change.summary, change.by) == (PlanChange.Kind.FLARE_PLAN, "Flare-up plan written", physician)
    assert change.details["version"] == 1


def test_a_change_bumps_the_version_and_keeps_before_and_after(plan, physician):
    save_flare_plan(plan=plan, by=physician, version=0, values=DEFAULTS)
    saved = save_flare_plan(
        plan=plan, by=physician, version=1, values={**DEFAULTS, "reduce_by_percent": 30}, reason="Bigger flares"
    )
    assert saved.version == 2
    change = PlanChange.objects.order_by("-id").first()
    assert change.summary == "Flare-up plan changed: reduce by percent"
    assert change.reason == "Bigger flares"
    assert change.details == {"version": 2, "before": {"reduce_by_percent": 25}, "after": {"reduce_by_percent": 30}}


def test_saving_unchanged_values_writes_nothing(plan, physician):
    save_flare_plan(plan=plan, by=physician, version=0, values=DEFAULTS)
    saved = save_flare_plan(plan=plan, by=physician, version=1, values=DEFAULTS)
    assert saved.version == 1
    assert PlanChange.objects.count() == 1


def test_a_save_from_an_older_version_is_refused_and_says_what_changed(plan, physician, psychologist):
    save_flare_plan(plan=plan, by=physician, version=0, values=DEFAULTS)
    save_flare_plan(plan=plan, by=psychologist, version=1, values={**DEFAULTS, "what_helps": "Breathing exercise"})
    with pytest.raises(StaleEdit) as refused:
        save_flare_plan(plan=plan, by=physician, version=1, values={**DEFAULTS, "what_helps": "Heat pack"})
    assert refused.value.current.version == 2
    assert [c.by for c in refused.value.changes] == [psychologist]
    assert refused.value.changes[0].details["after"] == {"what_helps": "Breathing exercise"}
    assert FlarePlan.objects.get().what_helps == "Breathing exercise"


def test_two_first_saves_do_not_both_win(plan, physician, psychologist):
    save_flare_plan(plan=plan, by=psychologist, version=0, values={**DEFAULTS, "what_helps": "Walk slowly"})
    with pytest.raises(StaleEdit):
        save_flare_plan(plan=plan, by=physician, version=0, values={**DEFAULTS, "what_helps": "Rest"})
    assert FlarePlan.objects.get().what_helps == "Walk slowly"


# --------------------------------------------------------------------------- the page


def test_the_clinician_writes_the_flare_up_plan(signed_in, physician, plan, patient):
    client = signed_in(physician)
    page = client.get(url(patient))
    assert page.status_code == 200
    assert 'name="reduce_by_percent" value="25"' in page.text
    response = client.post(url(patient), form_data(0, warning_signs="Hip aches by noon", reduce_by_percent="20"))
    assert response.status_code == 302
    assert response["Location"] == reverse("careplans:plan", args=[patient.public_id]) + "#flare-up-plan"
    flare_plan = FlarePlan.objects.get()
    assert (flare_plan.warning_signs, flare_plan.reduce_by_percent, flare_plan.version) == ("Hip aches by noon", 20, 1)
    events = list(AuditEvent.objects.filter(patient=patient).values_list("action", "target").order_by("id"))
    assert events == [(Action.VIEW, "flare-up plan: edit"), (Action.UPDATE, "flare-up plan")]


def test_the_second_of_two_editors_is_told_what_changed_and_keeps_what_they_typed(
    signed_in, physician, psychologist, plan, patient
):
    save_flare_plan(plan=plan, by=physician, version=0, values=DEFAULTS)
    save_flare_plan(plan=plan, by=physician, version=1, values={**DEFAULTS, "what_helps": "Heat pack"})
    client = signed_in(psychologist)
    response = client.post(url(patient), form_data(1, what_helps="Breathing exercise"))
    assert response.status_code == 409
    assert "Someone saved the flare-up plan after you opened it." in response.text
    assert "Ada Okafor" in response.text
    assert "<del>(empty)</del> → <ins>Heat pack</ins>" in response.text
    assert "Breathing exercise</textarea>" in response.text
    assert 'name="version" value="2"' in response.text
    assert FlarePlan.objects.get().what_helps == "Heat pack"
    # Saving again, now knowingly from version 2, keeps theirs.
    client.post(url(patient), form_data(2, what_helps="Breathing exercise"))
    assert FlarePlan.objects.get().what_helps == "Breathing exercise"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reduce_by_percent", "90", "a flare is not a reason to stop everything"),
        ("reduce_by_percent", "abc", "Enter a whole number of percent"),
        ("reduce_for_hours", "9999999999999", "Enter at most 168 hours"),
        ("reduce_for_hours", "", "Enter for how many hours"),
        ("what_helps", "x" * 2001, "at most 2000 characters"),
        ("version", "-1", "This form is out of date"),
        ("version", "", "This form is out of date"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(signed_in, physician, plan, patient, field, value, message):
    response = signed_in(physician).post(url(patient), {**form_data(0), field: value})
    assert response.status_code == 400
    assert message in response.text
    assert not FlarePlan.objects.exists()
    assert AuditEvent.objects.filter(patient=patient, action=Action.VIEW, target="flare-up plan: edit").count() == 1


def test_coordinators_and_admins_may_not_edit_it(signed_in, coordinator, clinic_admin, plan, patient):
    for person in (coordinator, clinic_admin):
        assert signed_in(person).get(url(patient)).status_code == 403
        assert signed_in(person).post(url(patient), form_data(0)).status_code == 403
    assert not FlarePlan.objects.exists()


def test_an_outsider_gets_a_404(signed_in, outsider, plan, patient):
    client = signed_in(outsider)
    assert client.get(url(patient)).status_code == 404
    assert client.post(url(patient), form_data(0)).status_code == 404


def test_a_patient_without_an_active_plan_has_no_flare_up_plan_page(signed_in, physician, patient):
    assert signed_in(physician).get(url(patient)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, plan, patient):
    response = client.get(url(patient))
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]
