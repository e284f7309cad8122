"""As-needed (PRN) lines on the pages: the dose reads "as needed, up to 4 a day" on the list and the line, the MME
column and the line say the MME counts the maximum (and that this is the app's rule), and the form asks for the
maximum whenever "As needed" is ticked, keeping what was typed."""

from django.urls import reverse

from medications.models import Medication
from tests.medications.medkit import add_line, form_data


def list_page(client, patient) -> str:
    return client.get(reverse("medications:medications", args=[patient.public_id])).content.decode()


def test_the_list_says_up_to_how_many_a_day_and_that_the_mme_counts_that_maximum(signed_in, patient, physician):
    add_line(patient, physician, "hydrocodone", 5, prn_max=4)
    page = list_page(signed_in(physician), patient)
    assert "5 mg, as needed, up to 4 a day" in page
    assert '20 <span class="small text-secondary">(maximum: counted at 4 a day)</span>' in page
    assert "as-needed lines count their most doses a day, the app's rule as the guideline does not say" in page


def test_the_line_says_up_to_how_many_a_day_and_that_the_mme_counts_it(signed_in, patient, physician):
    line = add_line(patient, physician, "oxycodone", 5, units=2, prn_max="2.5")
    url = reverse("medications:medication_detail", args=[patient.public_id, line.public_id])
    page = signed_in(physician).get(url).content.decode()
    assert "5 mg x 2, as needed, up to 2.5 a day" in page
    assert "the MME counts this line at its maximum, 2.5 a day (the app's rule" in page


def test_a_non_opioid_as_needed_line_says_nothing_about_the_mme(signed_in, patient, physician):
    line = add_line(patient, physician, "ibuprofen", 400, prn_max=3)
    url = reverse("medications:medication_detail", args=[patient.public_id, line.public_id])
    page = signed_in(physician).get(url).content.decode()
    assert "400 mg, as needed, up to 3 a day" in page
    assert "the MME counts this line" not in page


def test_as_needed_without_its_maximum_is_refused_keeping_what_was_typed(signed_in, patient, physician):
    data = form_data(is_prn="on", prn_max_doses_per_day="", doses_per_day="", reason="Breakthrough pain")
    response = signed_in(physician).post(reverse("medications:medication_add", args=[patient.public_id]), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "For as-needed use, give the most doses allowed a day." in page
    assert 'value="Breakthrough pain"' in page and 'name="is_prn" class="checkboxinput form-check-input" id' in page
    assert not Medication.objects.exists()


def test_an_as_needed_line_keeps_only_its_maximum(signed_in, patient, physician):
    data = form_data(is_prn="on", prn_max_doses_per_day="3", doses_per_day="6")
    response = signed_in(physician).post(reverse("medications:medication_add", args=[patient.public_id]), data)
    assert response.status_code == 302
    line = Medication.objects.get()
    assert (line.is_prn, line.prn_max_doses_per_day, line.doses_per_day) == (True, 3, None)
