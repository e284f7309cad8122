"""A taper's doses say how a dose is taken when "take a tablet" does not: a sublingual line's steps read "under
your tongue or inside your cheek" on the patient's printable schedule, and in Spanish where the patient reads
Spanish; a line taken by mouth reads as before."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import translation

from clinic import dates
from medications.rules.tapering import plan_taper
from medications.selectors.tapers import patient_copy
from medications.services.tapers import confirm_doses, start_taper
from tests.medications.medkit import add_line


def confirmed_taper(patient, physician, route):
    add_line(patient, physician, "oxycodone", 5, units=1, doses=3, route=route)
    starts_on = dates.today() + datetime.timedelta(days=5)
    taper = start_taper(
        patient=patient, by=physician, schedule=plan_taper(original_mme=Decimal("22.5"), starts_on=starts_on)
    )
    return confirm_doses(taper=taper, by=physician, expected_version=taper.version)


def test_the_printable_schedule_says_a_sublingual_dose_goes_under_the_tongue(signed_in, patient, physician):
    taper = confirmed_taper(patient, physician, "sublingual_buccal")
    url = reverse("medications:taper_print", args=[patient.public_id, taper.public_id])
    page = signed_in(physician).get(url).content.decode()
    assert "take 1 tablet of oxycodone 5 mg under your tongue or inside your cheek, 3 times a day" in page


def test_a_dose_taken_by_mouth_reads_as_before(signed_in, patient, physician):
    taper = confirmed_taper(patient, physician, "oral")
    url = reverse("medications:taper_print", args=[patient.public_id, taper.public_id])
    page = signed_in(physician).get(url).content.decode()
    assert "take 1 tablet of oxycodone 5 mg, 3 times a day" in page
    assert "tongue" not in page


def test_the_route_is_in_spanish_for_a_patient_reading_spanish(patient, physician):
    taper = confirmed_taper(patient, physician, "sublingual_buccal")
    with translation.override("es"):
        words = patient_copy(taper)["periods"][0].words
    assert words == "tome 1 tableta de oxycodone 5 mg debajo de la lengua o dentro de la mejilla, 3 veces al día"
