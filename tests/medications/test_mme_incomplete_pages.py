"""An opioid line that cannot be counted (no CDC 2022 factor, or incomplete) on the banner, the chart and the
medication list: the total and flags of the other lines stay, "(incomplete)" says so, and the list names each
line not counted with why. Nothing is guessed, and nothing is shown as 0 when nothing could be counted."""

from django.urls import reverse

from medications.models import Medication
from medications.selectors.regimen import banner_opioids, forget_summary
from tests.medications.medkit import add_line, oxycodone_60


def chart(client, patient) -> str:
    return client.get(reverse("patients:chart", args=[patient.public_id])).content.decode()


def banner(page: str) -> str:
    return page.split('class="patient-banner', 1)[1].split("</section>", 1)[0]


def banner_mme(page: str) -> str:
    return banner(page).split('class="banner-mme"', 1)[1].split("</dd>", 1)[0]


def chart_section(page: str) -> str:
    return page.split('id="medications"', 1)[1].split("</section>", 1)[0]


def list_page(client, patient) -> str:
    return client.get(reverse("medications:medications", args=[patient.public_id])).content.decode()


def mme_box(page: str) -> str:
    return page.split('id="mme"', 1)[1].split('<section class="mt-4"', 1)[0]


def meperidine(patient) -> Medication:
    """An opioid with no CDC 2022 factor (REFERENCE.md 2.1), not on the app's drug list."""
    return Medication.objects.create(
        patient=patient, drug_code="meperidine", drug_class="opioid", strength=50, doses_per_day=4
    )


def hydrocodone_without_doses(patient) -> Medication:
    """A known opioid whose line is incomplete: how many doses a day is not recorded."""
    return Medication.objects.create(
        patient=patient, drug_code="hydrocodone", drug_class="opioid", strength=5, doses_per_day=None
    )


def test_a_line_with_no_cdc_factor_leaves_the_banner_total_and_naloxone_flag_of_the_others(
    signed_in, patient, physician
):
    oxycodone_60(patient, physician)
    meperidine(patient)
    shown = banner(chart(signed_in(physician), patient))
    assert "60 (incomplete)" in banner_mme(chart(signed_in(physician), patient))
    assert "Opioid safety: 50 MME/day or more: pause and reassess before increasing; offer naloxone" in shown


def test_an_incomplete_line_leaves_the_naloxone_and_high_dose_flags_at_90(signed_in, patient, physician):
    add_line(patient, physician, "oxycodone", 15, doses=4)  # mme-20: 90
    hydrocodone_without_doses(patient)
    client = signed_in(physician)
    shown = banner(chart(client, patient))
    assert "90 (incomplete)" in banner_mme(chart(client, patient))
    assert "Opioid safety: 50 MME/day or more" in shown
    assert "Opioid safety: Informational: 90 MME/day or more (not a limit)" in shown


def test_the_medication_list_names_each_line_not_counted_and_why(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    unknown = meperidine(patient)
    incomplete = hydrocodone_without_doses(patient)
    page = list_page(signed_in(physician), patient)
    box = mme_box(page)
    assert "<strong>60 MME/day (incomplete)</strong>" in box
    assert "<strong>MME incomplete.</strong> This total leaves out the lines below" in box
    assert (
        f'<a href="#line-{unknown.public_id}">meperidine (not on the drug list)</a> (50 mg, 4 times a day): '
        "not counted: no CDC 2022 conversion factor in this app. It is never guessed." in box
    )
    assert (
        f'<a href="#line-{incomplete.public_id}">Hydrocodone</a> (5 mg, ? times a day): not counted: the line is '
        "incomplete (doses per day is missing). Correct the line to count it." in box
    )
    assert "50 MME/day or more: pause and reassess before increasing; offer naloxone" in page
    row = page.split(f'id="line-{incomplete.public_id}"', 1)[1].split("</tr>", 1)[0]
    assert "Not counted" in row


def test_when_no_line_can_be_counted_no_total_is_shown_as_zero(signed_in, patient, physician):
    meperidine(patient)
    hydrocodone_without_doses(patient)
    client = signed_in(physician)
    page = chart(client, patient)
    assert "Not calculated (incomplete)" in banner_mme(page)
    assert ">0" not in banner_mme(page)
    assert "Opioid safety: 50 MME/day" not in banner(page)
    assert "Not calculated (incomplete: 2 lines not counted, see the medication list)" in chart_section(page)
    box = mme_box(list_page(client, patient))
    assert "<strong>not calculated (incomplete)</strong>: no opioid line could be counted." in box
    assert "0 MME/day" not in box


def test_the_chart_section_says_how_many_lines_were_left_out(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    meperidine(patient)
    shown = chart_section(chart(signed_in(physician), patient))
    assert "<dt>Total</dt><dd>60 MME/day (incomplete: 1 line not counted, see the medication list)</dd>" in shown
    assert "MME not counted" in shown


def test_no_taper_is_planned_from_an_incomplete_total(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    meperidine(patient)
    client = signed_in(physician)
    assert "Plan a taper" not in list_page(client, patient)


def test_a_complete_regimen_is_not_marked_incomplete(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    client = signed_in(physician)
    assert "incomplete" not in banner_mme(chart(client, patient))
    assert "MME incomplete" not in list_page(client, patient)


def test_the_banner_summary_carries_the_incomplete_mark(patient, physician):
    oxycodone_60(patient, physician)
    meperidine(patient)
    forget_summary(patient)
    found = banner_opioids(patient)
    assert (found.total, found.incomplete, found.error, found.shows_mme) == (60, True, False, True)
    assert [flag.code for flag in found.unacknowledged] == ["naloxone"]
