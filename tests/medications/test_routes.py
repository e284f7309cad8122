"""The route of a medication line: the short list, the app's rules for when the drug, form and route agree, the
add and change forms that say what to correct and keep what was typed, the service that refuses a line whose
parts contradict each other, and the pages that show the route (list, line and its history)."""

import pytest
from django.urls import reverse

from medications.models import Medication
from medications.rules import routes
from medications.rules.routes import Route, disagreements, route_from_form
from medications.services.lines import change_medication, stop_medication
from tests.medications.medkit import add_line, edit_data, form_data

A_PATCH_IS_TRANSDERMAL = "A patch is worn on the skin: choose Transdermal as the route."
FENTANYL_IS_A_PATCH = "This drug is a patch: choose Patch as the form."
FENTANYL_IS_TRANSDERMAL = "This drug is a patch worn on the skin: choose Transdermal as the route."


def add_url(patient):
    return reverse("medications:medication_add", args=[patient.public_id])


def line_url(name, medication):
    return reverse(f"medications:{name}", args=[medication.patient.public_id, medication.public_id])


# --------------------------------------------------------------------------- the rules (pure)


@pytest.mark.parametrize(
    ("form", "route"),
    [
        ("patch", Route.TRANSDERMAL),
        ("tablet", Route.ORAL),
        ("capsule", Route.ORAL),
        ("extended_release", Route.ORAL),
        ("liquid", Route.ORAL),
        ("injection", Route.NOT_RECORDED),  # intravenous, intramuscular or subcutaneous: not guessed
        ("other", Route.NOT_RECORDED),
    ],
)
def test_an_older_line_s_route_comes_from_its_form_and_an_injection_s_is_not_guessed(form, route):
    assert route_from_form(form) is route


@pytest.mark.parametrize(
    ("drug", "form", "route", "expected"),
    [
        ("oxycodone", "tablet", "oral", {}),
        ("oxycodone", "tablet", "sublingual_buccal", {}),
        ("morphine", "tablet", "rectal", {}),  # unusual but real: never stopped
        ("buprenorphine", "patch", "transdermal", {}),
        ("buprenorphine", "patch", "oral", {"route": A_PATCH_IS_TRANSDERMAL}),
        ("fentanyl_transdermal", "patch", "transdermal", {}),
        ("fentanyl_transdermal", "tablet", "transdermal", {"form": FENTANYL_IS_A_PATCH}),
        ("fentanyl_transdermal", "tablet", "oral", {"form": FENTANYL_IS_A_PATCH, "route": FENTANYL_IS_TRANSDERMAL}),
        ("fentanyl_transdermal", "patch", "oral", {"route": FENTANYL_IS_TRANSDERMAL}),
        ("ibuprofen", "tablet", "transdermal", {"route": "Transdermal is for a patch (or choose Other as the form"}),
        ("diclofenac_gel", "other", "transdermal", {}),
        ("morphine", "injection", "subcutaneous", {}),
        ("morphine", "injection", "oral", {"route": "An injection is intravenous, intramuscular or subcutaneous"}),
        ("morphine", "injection", "not_recorded", {}),  # an older line, as the migration left it
        ("morphine", "liquid", "intravenous", {"route": "This route is an injection: choose Injection as the form"}),
    ],
)
def test_the_drug_form_and_route_agree_or_say_what_to_correct(drug, form, route, expected):
    found = disagreements(drug_code=drug, form=form, route=route)
    assert set(found) == set(expected)
    for field, words in expected.items():
        assert found[field].startswith(words)


def test_the_route_list_is_short_and_standard():
    assert [label for route, label in routes.ROUTE_LABELS.items() if route is not Route.NOT_RECORDED] == [
        "Oral (by mouth)",
        "Sublingual or buccal",
        "Transdermal (through the skin)",
        "Topical (on the skin)",
        "Intravenous",
        "Intramuscular",
        "Subcutaneous",
        "Intranasal",
        "Rectal",
        "Inhaled",
        "Other",
    ]


# --------------------------------------------------------------------------- the forms


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"form": "patch", "route": "oral"}, A_PATCH_IS_TRANSDERMAL),
        ({"drug_code": "fentanyl_transdermal", "form": "tablet", "route": "transdermal"}, FENTANYL_IS_A_PATCH),
        ({"drug_code": "fentanyl_transdermal", "form": "patch", "route": "oral"}, FENTANYL_IS_TRANSDERMAL),
        ({"route": ""}, "Choose the route."),
        ({"route": "not_recorded"}, "Choose the route."),
        ({"route": "by pigeon"}, "Choose the route."),
    ],
)
def test_a_line_whose_parts_disagree_is_refused_with_what_to_correct(signed_in, patient, physician, overrides, message):
    response = signed_in(physician).post(add_url(patient), form_data(reason="Keep these words", **overrides))
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert 'value="Keep these words"' in page
    assert not Medication.objects.exists()


def test_the_form_keeps_the_chosen_form_and_route_when_they_disagree(signed_in, patient, physician):
    page = signed_in(physician).post(add_url(patient), form_data(form="patch", route="sublingual_buccal")).content
    assert b'<option value="patch" selected>' in page
    assert b'<option value="sublingual_buccal" selected>' in page


def test_a_line_saved_with_its_route_shows_it_on_the_list_and_the_line(signed_in, patient, physician):
    client = signed_in(physician)
    assert client.post(add_url(patient), form_data(route="sublingual_buccal")).status_code == 302
    line = Medication.objects.get()
    assert line.route == "sublingual_buccal"
    listing = client.get(reverse("medications:medications", args=[patient.public_id])).content.decode()
    assert "Tablet, sublingual or buccal" in listing
    detail = client.get(line_url("medication_detail", line)).content.decode()
    assert '<dt class="col-sm-3">Route</dt><dd class="col-sm-9">Sublingual or buccal' in detail


def test_a_change_of_route_is_in_the_history_in_words(signed_in, patient, physician):
    line = add_line(patient, physician, "oxycodone", 5, doses=4)
    client = signed_in(physician)
    data = edit_data(line, route="sublingual_buccal", why="Cannot swallow tablets")
    assert client.post(line_url("medication_edit", line), data).status_code == 302
    detail = client.get(line_url("medication_detail", line)).content.decode()
    assert "Route: Oral (by mouth) → Sublingual or buccal" in detail


def test_changing_an_older_line_asks_for_its_route_and_keeps_what_was_typed(signed_in, patient, physician):
    line = add_line(patient, physician, "morphine", 10, doses=2, form="injection", route="not_recorded")
    client = signed_in(physician)
    detail = client.get(line_url("medication_detail", line)).content.decode()
    assert "Not recorded" in detail and "choose it when the line is next changed" in detail
    response = client.post(line_url("medication_edit", line), edit_data(line, why="Dose review", strength="12"))
    assert response.status_code == 400
    assert "Choose the route." in response.content.decode()
    assert 'value="12"' in response.content.decode()
    data = edit_data(line, why="Dose review", strength="12", route="subcutaneous")
    assert client.post(line_url("medication_edit", line), data).status_code == 302
    line.refresh_from_db()
    assert (line.route, line.strength) == ("subcutaneous", 12)


# --------------------------------------------------------------------------- the service


def test_the_service_refuses_a_line_whose_parts_disagree(patient, physician):
    with pytest.raises(ValueError, match="choose Transdermal as the route"):
        add_line(patient, physician, "fentanyl_transdermal", 25, route="oral")
    assert not Medication.objects.exists()
    line = add_line(patient, physician, "oxycodone", 5, doses=4)
    with pytest.raises(ValueError, match="A patch is worn on the skin"):
        change_medication(medication=line, by=physician, values={"form": "patch"}, why="x", expected_version=1)
    line.refresh_from_db()
    assert (line.form, line.version) == ("tablet", 1)


def test_stopping_an_older_line_never_trips_on_its_route(patient, physician):
    line = add_line(patient, physician, "fentanyl_transdermal", 25)
    # A line written before the checks, whose parts disagree: stopping it changes none of them.
    Medication.objects.filter(pk=line.pk).update(form="tablet", route="not_recorded")
    line.refresh_from_db()
    stopped = stop_medication(medication=line, by=physician, on=line.started_on, why="Stopped", expected_version=1)
    assert stopped.stopped_on == line.started_on
