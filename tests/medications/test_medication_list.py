"""The medication list: who may add, change, stop and annotate which lines (every role in the cast), history
with who and why, forms that keep what was typed, audit, and a constant number of queries."""

import pytest
from django.urls import reverse

from audit.models import Action, AuditEvent
from medications.models import Medication, MedicationChange
from tests.medications.medkit import (  # noqa: F401 (fixtures)
    add_line,
    edit_data,
    form_data,
    nurse_practitioner,
    oxycodone_60,
    pharmacist,
)

PRESCRIBERS_ONLY = "Only a prescriber (a physician or nurse practitioner on the care team) can add, change or stop"
READ_ONLY = "Coordinators and clinic admins can read the medication list"


def list_url(patient):
    return reverse("medications:medications", args=[patient.public_id])


def add_url(patient):
    return reverse("medications:medication_add", args=[patient.public_id])


def line_url(name, medication):
    return reverse(f"medications:{name}", args=[medication.patient.public_id, medication.public_id])


@pytest.mark.parametrize(
    "who", ["physician", "psychologist", "pharmacist", "nurse_practitioner", "coordinator", "clinic_admin"]
)
def test_everyone_with_access_reads_the_list_with_its_mme(request, signed_in, patient, physician, who):
    oxycodone_60(patient, physician)
    add_line(patient, physician, "gabapentin", 300, doses=3)
    response = signed_in(request.getfixturevalue(who)).get(list_url(patient))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Oxycodone" in page and "5 mg x 2, 4 times a day" in page
    assert "Gabapentin" in page and "300 mg, 3 times a day" in page
    assert "Total</span> <strong>60 MME/day</strong>" in page


def test_it_hides_the_list_from_an_outsider_with_a_404(signed_in, outsider, patient, physician):
    oxycodone_60(patient, physician)
    response = signed_in(outsider).get(list_url(patient))
    assert response.status_code == 404
    assert b"Oxycodone" not in response.content


@pytest.mark.parametrize("who", ["physician", "nurse_practitioner"])
def test_prescribers_add_an_opioid_line_with_its_history(request, signed_in, patient, who):
    person = request.getfixturevalue(who)
    response = signed_in(person).post(add_url(patient), form_data(why="Trial for function"))
    assert response.status_code == 302
    line = Medication.objects.get(patient=patient)
    assert (line.drug_code, line.drug_class, line.strength_unit, line.doses_per_day) == ("oxycodone", "opioid", "mg", 4)
    change = line.changes.get()
    assert change.kind == MedicationChange.Kind.ADDED and change.by == person and change.reason == "Trial for function"
    assert AuditEvent.objects.filter(patient=patient, action=Action.CREATE, target="medication added (opioid)").exists()


@pytest.mark.parametrize("code", ["oxycodone", "lorazepam"])
@pytest.mark.parametrize("who", ["psychologist", "pharmacist"])
def test_other_clinicians_are_refused_opioid_and_benzodiazepine_lines_and_keep_what_they_typed(
    request, signed_in, patient, physician, who, code
):
    response = signed_in(request.getfixturevalue(who)).post(
        add_url(patient), form_data(drug_code=code, reason="Typed by me")
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert PRESCRIBERS_ONLY in page
    assert 'value="Typed by me"' in page
    assert not Medication.objects.exists()


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_get_a_clear_refusal_on_every_form(request, signed_in, patient, physician, who):
    line = oxycodone_60(patient, physician)
    client = signed_in(request.getfixturevalue(who))
    for url in (add_url(patient), line_url("medication_edit", line), line_url("medication_stop", line)):
        for response in (client.get(url), client.post(url, form_data(drug_code="gabapentin", why="x", version="1"))):
            assert response.status_code == 403
            assert READ_ONLY in response.content.decode()
    response = client.post(line_url("medication_annotate", line), {"note": "x"})
    assert response.status_code == 403
    assert Medication.objects.count() == 1 and MedicationChange.objects.count() == 1


@pytest.mark.parametrize("who", ["psychologist", "pharmacist", "physician"])
def test_any_clinician_on_the_team_adds_other_classes(request, signed_in, patient, who):
    response = signed_in(request.getfixturevalue(who)).post(
        add_url(patient), form_data(drug_code="duloxetine", strength="30", units_per_dose="1", doses_per_day="1")
    )
    assert response.status_code == 302
    assert Medication.objects.get().drug_class == "antidepressant"


def test_a_prescriber_changes_an_opioid_line_and_the_history_keeps_before_after_who_and_why(
    signed_in, patient, physician
):
    line = oxycodone_60(patient, physician)
    data = edit_data(line, doses_per_day="3", why="Less sedation at night")
    response = signed_in(physician).post(line_url("medication_edit", line), data)
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.doses_per_day == 3 and line.version == 2
    change = line.changes.order_by("-id").first()
    assert change.kind == "changed" and change.reason == "Less sedation at night" and change.by == physician
    assert change.before == {"doses_per_day": "4"} and change.after == {"doses_per_day": "3"}
    page = signed_in(physician).get(line_url("medication_detail", line)).content.decode()
    assert "Doses a day: 4 → 3" in page and "Less sedation at night" in page and "Ada Okafor, MD" in page


@pytest.mark.parametrize("who", ["psychologist", "pharmacist"])
def test_non_prescribers_cannot_change_or_stop_an_opioid_line(request, signed_in, patient, physician, who):
    line = oxycodone_60(patient, physician)
    client = signed_in(request.getfixturevalue(who))
    for url in (line_url("medication_edit", line), line_url("medication_stop", line)):
        response = client.post(url, form_data(doses_per_day="8", why="x", version="1", stopped_on="2026-01-01"))
        assert response.status_code == 403
        assert PRESCRIBERS_ONLY in response.content.decode()
    line.refresh_from_db()
    assert line.doses_per_day == 4 and line.stopped_on is None


def test_a_non_prescriber_cannot_turn_a_line_into_an_opioid(signed_in, patient, psychologist):
    line = add_line(patient, psychologist, "gabapentin", 300, doses=3)
    data = edit_data(line, drug_code="oxycodone", why="swap")
    response = signed_in(psychologist).post(line_url("medication_edit", line), data)
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.drug_code == "gabapentin"


def test_a_stale_edit_is_refused_and_shows_both_versions(request, signed_in, patient, physician):
    other_prescriber = request.getfixturevalue("nurse_practitioner")
    line = oxycodone_60(patient, physician)
    first = signed_in(other_prescriber).post(
        line_url("medication_edit", line), edit_data(line, doses_per_day="3", why="first")
    )
    assert first.status_code == 302
    response = signed_in(physician).post(
        line_url("medication_edit", line), edit_data(line, doses_per_day="2", why="second")
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone changed this line while you were editing it" in page
    assert "Their version: Oxycodone, 5 mg x 2, 3 times a day." in page
    assert ">\nsecond</textarea>" in page and 'name="version" value="2"' in page
    line.refresh_from_db()
    assert line.doses_per_day == 3


def test_a_prescriber_stops_a_line_with_the_reason(signed_in, patient, physician):
    line = oxycodone_60(patient, physician)
    response = signed_in(physician).post(
        line_url("medication_stop", line), {"stopped_on": str(line.started_on), "why": "Replaced", "version": "1"}
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.stopped_on == line.started_on and line.stop_reason == "Replaced"
    assert line.changes.order_by("-id").first().kind == "stopped"
    page = signed_in(physician).get(list_url(patient)).content.decode()
    assert "Past medications" in page and "Why stopped: Replaced" in page
    assert "No current opioid: MME/day 0." in page


def test_a_pharmacist_annotates_a_line_and_a_psychologist_cannot(request, signed_in, patient, physician, psychologist):
    rph = request.getfixturevalue("pharmacist")
    line = oxycodone_60(patient, physician)
    response = signed_in(rph).post(line_url("medication_annotate", line), {"note": "Check interactions"})
    assert response.status_code == 302
    note = line.changes.get(kind="annotated")
    assert note.by == rph and note.reason == "Check interactions"
    line.refresh_from_db()
    assert line.version == 1
    refused = signed_in(psychologist).post(line_url("medication_annotate", line), {"note": "x"})
    assert refused.status_code == 403
    assert "Pharmacists and prescribers on the care team annotate" in refused.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"strength": "abc"}, "Enter a number."),
        ({"strength": "-5"}, "greater than or equal to 0.001"),
        ({"strength": "99999999999"}, "less than or equal to"),
        ({"doses_per_day": ""}, "Give the number of doses a day"),
        ({"is_prn": "on", "prn_max_doses_per_day": ""}, "give the most doses allowed a day"),
        ({"drug_code": "meperidine"}, "Select a valid choice."),
        ({"started_on": "2999-01-01"}, "cannot be in the future"),
        ({"started_on": "not a date"}, "Enter a valid date."),
    ],
)
def test_bad_input_is_refused_plainly_never_a_500(signed_in, patient, physician, overrides, field_error):
    response = signed_in(physician).post(add_url(patient), form_data(**overrides))
    assert response.status_code == 400
    assert field_error in response.content.decode()
    assert not Medication.objects.exists()


def test_a_fentanyl_patch_needs_no_doses_a_day(signed_in, patient, physician):
    data = form_data(
        drug_code="fentanyl_transdermal",
        strength="25",
        units_per_dose="1",
        doses_per_day="",
        form="patch",
        route="transdermal",
    )
    assert signed_in(physician).post(add_url(patient), data).status_code == 302
    page = signed_in(physician).get(list_url(patient)).content.decode()
    assert "25 mcg/hr x 1 worn at once" in page and "<strong>60 MME/day</strong>" in page


def test_viewing_the_list_and_a_line_is_audited(signed_in, patient, physician):
    line = oxycodone_60(patient, physician)
    client = signed_in(physician)
    client.get(list_url(patient))
    client.get(line_url("medication_detail", line))
    targets = set(AuditEvent.objects.filter(patient=patient, action=Action.VIEW).values_list("target", flat=True))
    assert {"medication list", "medication line and history"} <= targets


def many_lines(patient, physician, count):
    for n in range(count):
        line = add_line(patient, physician, "gabapentin" if n % 2 else "oxycodone", 5 + n, doses=2)
        for change in range(3):
            MedicationChange.objects.create(medication=line, kind="annotated", reason=f"note {change}", by=physician)
    for n in range(count):
        line = add_line(patient, physician, "ibuprofen", 200 + n, doses=3)
        Medication.objects.filter(pk=line.pk).update(stopped_on=line.started_on)


@pytest.mark.parametrize("count", [1, 25])
def test_the_list_page_runs_a_constant_number_of_queries(
    signed_in, patient, physician, count, django_assert_max_num_queries
):
    many_lines(patient, physician, count)
    client = signed_in(physician)
    client.get(list_url(patient))  # warm the session
    with django_assert_max_num_queries(21):
        response = client.get(list_url(patient))
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 40])
def test_the_line_page_runs_a_constant_number_of_queries(
    signed_in, patient, physician, count, django_assert_max_num_queries
):
    line = oxycodone_60(patient, physician)
    for n in range(count):
        MedicationChange.objects.create(medication=line, kind="annotated", reason=f"note {n}", by=physician)
    client = signed_in(physician)
    with django_assert_max_num_queries(19):
        response = client.get(line_url("medication_detail", line))
    assert response.status_code == 200
