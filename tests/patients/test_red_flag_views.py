"""Red-flag pages: recording one found at examination, acknowledging one, the full list; for every role."""

import re
import uuid

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from clinic.safety_forms import REASON_NEEDED
from patients.models import RedFlag
from patients.problem_forms import ACKNOWLEDGEMENT_NEEDED, OUT_OF_DATE
from patients.problem_services import record_exam_red_flag


def new_url(patient):
    return reverse("patients:red_flag_add", args=[patient.public_id])


def list_url(patient):
    return reverse("patients:red_flags", args=[patient.public_id])


def ack_url(patient, flag):
    return reverse("patients:red_flag_acknowledge", args=[patient.public_id, flag.public_id])


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def intake_flag(patient, code="bladder_bowel_control", level="emergency"):
    return RedFlag.objects.create(patient=patient, code=code, level=level, source=RedFlag.Source.INTAKE)


def form(**fields):
    return {
        "code": "ankle_weakness",
        "note": "Left foot drop, new since last week.",
        "submission": uuid.uuid4(),
    } | fields


# --------------------------------------------------------------------------- recording


def test_the_form_offers_the_examination_findings_and_the_history_items_in_two_groups(signed_in, psychologist, patient):
    response = signed_in(psychologist).get(new_url(patient))
    assert response.status_code == 200
    page = response.content.decode()
    exam = page.index('<legend class="h6">Found at examination</legend>')
    history = page.index('<legend class="h6">From the history</legend>')
    assert exam < page.index("Unexpected laxity of the anal sphincter") < history
    assert history < page.index("New trouble controlling bladder or bowels")
    assert re.search(r'name="submission" value="[0-9a-f-]{36}"', page)
    assert AuditEvent.objects.get().target == "red flags: record a red flag"


def test_a_team_clinician_records_an_emergency_finding_and_is_told_who_got_the_task(
    signed_in, psychologist, physician, patient
):
    response = signed_in(psychologist).post(new_url(patient), form(), follow=True)
    assert response.redirect_chain[-1][0] == chart_url(patient) + "#red-flags"
    flag = RedFlag.objects.get()
    assert (flag.source, flag.level, flag.found_by) == ("examination", "emergency", psychologist)
    assert TeamTask.objects.get().assignee == physician
    page = response.content.decode()
    assert (
        "Red flag recorded: major motor weakness: ankle plantar flexors, evertors, dorsiflexors (foot drop). "
        "An urgent task went to Ada Okafor, MD." in page
    )


def test_the_lead_recording_a_finding_is_not_told_about_a_task(signed_in, physician, patient):
    response = signed_in(physician).post(new_url(patient), form(code="perianal_sensory_loss"), follow=True)
    assert "Red flag recorded: perianal/perineal sensory loss." in response.content.decode()
    assert "An urgent task went to" not in response.content.decode()
    assert not TeamTask.objects.exists()


def test_a_double_submit_records_the_flag_once(signed_in, psychologist, physician, patient):
    client = signed_in(psychologist)
    data = form()
    assert client.post(new_url(patient), data).status_code == 302
    assert client.post(new_url(patient), data).status_code == 302
    assert RedFlag.objects.count() == 1
    assert TeamTask.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": ""}, "Choose the red flag you found."),
        ({"code": "chest_pain"}, "Choose a red flag from the list."),
        ({"note": "x" * 2001}, "The note can be at most 2000 characters (it has 2001)."),
        ({"submission": "not-a-key"}, OUT_OF_DATE),
        ({"submission": ""}, OUT_OF_DATE),
    ],
)
def test_it_explains_a_wrong_entry_and_keeps_what_was_typed(signed_in, psychologist, patient, change, message):
    response = signed_in(psychologist).post(new_url(patient), form(**change))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    if "note" not in change:
        assert "Left foot drop, new since last week." in page
    if "code" not in change:
        assert re.search(r'value="ankle_weakness"[^>]* checked', page)
    assert not RedFlag.objects.exists()


def test_a_submission_key_of_another_patients_flag_records_nothing(signed_in, psychologist, patient, other_patient):
    theirs = intake_flag(other_patient)
    response = signed_in(psychologist).post(new_url(patient), form(submission=theirs.public_id))
    assert response.status_code == 400
    assert OUT_OF_DATE in response.content.decode()
    assert not RedFlag.objects.filter(patient=patient).exists()


# --------------------------------------------------------------------------- acknowledging


def test_a_team_clinician_acknowledges_a_flag_with_a_note(signed_in, physician, patient):
    flag = intake_flag(patient)
    client = signed_in(physician)
    shown = client.get(ack_url(patient, flag))
    assert shown.status_code == 200
    assert "Acknowledge the red flag: new trouble controlling bladder or bowels" in shown.content.decode()
    response = client.post(
        ack_url(patient, flag), {"action": "reached", "note": "Phoned Maria: going to the emergency department."}
    )
    assert response.status_code == 302
    assert response["Location"] == chart_url(patient) + "#red-flags"
    flag.refresh_from_db()
    assert (flag.acknowledged_by, flag.acknowledgement) == (
        physician,
        "Reached the patient. Phoned Maria: going to the emergency department.",
    )
    targets = list(AuditEvent.objects.filter(actor=physician).order_by("id").values_list("target", flat=True))
    assert targets == ["red flag to acknowledge", "red flag acknowledged"]


def test_it_returns_to_a_safe_next_page_only(signed_in, physician, patient):
    first, second = intake_flag(patient), intake_flag(patient, code="saddle_numbness")
    client = signed_in(physician)
    back = reverse("patients:classification", args=[patient.public_id])
    assert (
        client.post(ack_url(patient, first), {"action": "reached", "note": "Seen.", "next": back})["Location"] == back
    )
    outside = client.post(
        ack_url(patient, second), {"action": "reached", "note": "Seen.", "next": "https://evil.example/"}
    )
    assert outside["Location"] == chart_url(patient) + "#red-flags"


@pytest.mark.parametrize("data", [{"note": "Phoned."}, {"action": "reviewed", "note": "  "}])
def test_an_acknowledgement_needs_what_was_done_and_a_reason_when_no_contact_is_needed(
    signed_in, physician, patient, data
):
    flag = intake_flag(patient)
    response = signed_in(physician).post(ack_url(patient, flag), data)
    assert response.status_code == 400
    assert (ACKNOWLEDGEMENT_NEEDED if "action" not in data else REASON_NEEDED) in response.content.decode()
    flag.refresh_from_db()
    assert flag.acknowledged_at is None


def test_an_acknowledged_flag_is_not_acknowledged_again(signed_in, physician, psychologist, patient):
    flag = intake_flag(patient)
    signed_in(physician).post(ack_url(patient, flag), {"action": "reached", "note": "First."})
    response = signed_in(psychologist).post(
        ack_url(patient, flag), {"action": "reached", "note": "Second."}, follow=True
    )
    assert "This red flag was already acknowledged by Ada Okafor, MD." in response.content.decode()
    flag.refresh_from_db()
    assert flag.acknowledgement == "Reached the patient. First."


def test_a_flag_of_another_patient_cannot_be_acknowledged_through_this_patients_chart(
    signed_in, physician, patient, other_patient
):
    theirs = intake_flag(other_patient)
    url = reverse("patients:red_flag_acknowledge", args=[patient.public_id, theirs.public_id])
    assert signed_in(physician).post(url, {"action": "reached", "note": "Seen."}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None


# --------------------------------------------------------------------------- the list and who may


def test_the_list_shows_every_flag_most_pressing_first_with_source_and_acknowledgement(
    signed_in, physician, psychologist, patient, coordinator
):
    done = intake_flag(patient, code="leg_weakness")
    signed_in(physician).post(ack_url(patient, done), {"action": "reached", "note": "Known, stable."})
    intake_flag(patient, code="history_of_cancer", level="review")
    record_exam_red_flag(patient=patient, by=psychologist, code="quadriceps_weakness", note="Grade 3/5 right.")
    response = signed_in(coordinator).get(list_url(patient))
    assert response.status_code == 200
    page = response.content.decode().split('class="list-group red-flag-list"', 1)[1]
    order = [page.index(text) for text in ("Major motor weakness: quadriceps", "History of cancer", "New or worsening")]
    assert order == sorted(order)
    assert "Found at examination by Elin Lindqvist, PhD" in page
    assert "Reported by the patient at intake" in page
    assert "Grade 3/5 right." in page
    assert "Acknowledged by Ada Okafor, MD" in page and "Known, stable." in page
    assert AuditEvent.objects.filter(actor=coordinator, target="red flags").count() == 1


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_read_red_flags_but_neither_record_nor_acknowledge(request, signed_in, patient, who):
    flag = intake_flag(patient)
    client = signed_in(request.getfixturevalue(who))
    listed = client.get(list_url(patient)).content.decode()
    assert "New trouble controlling bladder or bowels" in listed
    assert new_url(patient) not in listed and ack_url(patient, flag) not in listed
    assert "A clinician on the care team acknowledges it." in listed
    assert client.get(new_url(patient)).status_code == 403
    assert client.post(new_url(patient), form()).status_code == 403
    assert client.get(ack_url(patient, flag)).status_code == 403
    assert client.post(ack_url(patient, flag), {"action": "reached", "note": "Seen."}).status_code == 403
    assert RedFlag.objects.count() == 1
    flag.refresh_from_db()
    assert flag.acknowledged_at is None


def test_a_clinician_on_no_team_gets_a_404_everywhere(signed_in, outsider, patient):
    flag = intake_flag(patient)
    client = signed_in(outsider)
    for response in (
        client.get(list_url(patient)),
        client.get(new_url(patient)),
        client.post(new_url(patient), form()),
        client.get(ack_url(patient, flag)),
        client.post(ack_url(patient, flag), {"action": "reached", "note": "Seen."}),
    ):
        assert response.status_code == 404
    assert RedFlag.objects.count() == 1
    assert not AuditEvent.objects.exclude(action=Action.REFUSED).exists()


def test_an_unknown_flag_is_a_404(signed_in, physician, patient):
    url = reverse("patients:red_flag_acknowledge", args=[patient.public_id, uuid.uuid4()])
    assert signed_in(physician).get(url).status_code == 404
