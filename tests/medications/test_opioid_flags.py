"""MME and safety flags: the banner's total MME/day and unacknowledged flags, the flags' CDC wording and source,
benzodiazepine co-prescription, acknowledgement with a reason until a review date, naloxone, and errors shown
plainly (never a guess)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from medications.models import Medication, NaloxoneRecord, OpioidFlagAcknowledgement
from tests.medications.medkit import add_line, oxycodone_60, pharmacist  # noqa: F401 (fixtures)

NALOXONE_QUOTE = (
    "If a patient&#x27;s opioid dosage for all sources of opioids reaches or exceeds 50 MME/day, clinicians should "
    "implement additional precautions, including increased frequency of follow-up, and offer naloxone and overdose "
    "prevention education to both the patient and the patient&#x27;s household members."
)


def chart(client, patient):
    return client.get(reverse("patients:chart", args=[patient.public_id])).content.decode()


def banner(page: str) -> str:
    return page.split('class="patient-banner', 1)[1].split("</section>", 1)[0]


def list_page(client, patient) -> str:
    return client.get(reverse("medications:medications", args=[patient.public_id])).content.decode()


def ack_url(patient, flag):
    return reverse("medications:flag_acknowledge", args=[patient.public_id, flag])


def test_the_banner_shows_the_total_mme_and_the_naloxone_flag(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    shown = banner(chart(signed_in(physician), patient))
    assert "<dt>MME/day</dt>" in shown and ">60</a>" in shown
    assert "Opioid safety: 50 MME/day or more: pause and reassess before increasing; offer naloxone" in shown


def test_the_banner_shows_no_mme_without_an_opioid(signed_in, patient, physician):
    add_line(patient, physician, "gabapentin", 300, doses=3)
    shown = banner(chart(signed_in(physician), patient))
    assert "MME/day" not in shown and "Opioid safety" not in shown


def test_below_50_there_is_an_mme_but_no_naloxone_flag(signed_in, patient, physician):
    add_line(patient, physician, "hydrocodone", 5, doses=4)  # mme-01: 20
    shown = banner(chart(signed_in(physician), patient))
    assert ">20</a>" in shown and "Opioid safety" not in shown


def test_the_list_shows_each_flag_with_the_guidelines_words_and_source(signed_in, patient, physician):
    add_line(patient, physician, "oxycodone", 15, doses=4)  # mme-20: 90
    page = list_page(signed_in(physician), patient)
    assert NALOXONE_QUOTE in page
    assert "Source: CDC Clinical Practice Guideline for Prescribing Opioids for Pain, 2022" in page
    assert "Informational: 90 MME/day or more (not a limit)" in page
    assert "should avoid increasing dosage to 90 MME or more per day" in page
    assert "Naloxone not recorded yet." in page


def test_an_opioid_with_a_benzodiazepine_raises_the_caution_and_naloxone_flag_at_any_dose(
    signed_in, patient, physician
):
    add_line(patient, physician, "tramadol", 50, doses=2)  # 20 MME
    add_line(patient, physician, "lorazepam", 1, doses=2)
    page = list_page(signed_in(physician), patient)
    assert "Opioid with a benzodiazepine: particular caution; offer naloxone" in page
    assert (
        "Clinicians should use particular caution when prescribing opioid pain medication and benzodiazepines" in page
    )
    assert "Recommendation 11" in page
    assert "Opioid safety: Opioid with a benzodiazepine" in banner(chart(signed_in(physician), patient))


@pytest.mark.parametrize(
    ("code", "strength", "extra", "title", "quote"),
    [
        ("methadone", 10, {"doses": 3}, "Methadone: particular caution", "methadone has a long and variable half-life"),
        (
            "fentanyl_transdermal",
            12,
            {"units": 1},
            "Transdermal fentanyl: particular caution",
            "its absorption is affected by heat and other factors",
        ),
    ],
)
def test_methadone_and_fentanyl_cautions(signed_in, patient, physician, code, strength, extra, title, quote):
    add_line(patient, physician, code, strength, **extra)
    page = list_page(signed_in(physician), patient)
    assert title in page and quote in page


def test_buprenorphine_is_listed_but_never_converted(signed_in, patient, physician):
    add_line(patient, physician, "oxycodone", 10, doses=3)
    add_line(patient, physician, "buprenorphine", 5, units=1, doses=None)  # mme-18: 45, buprenorphine excluded
    page = list_page(signed_in(physician), patient)
    assert "<strong>45 MME/day</strong>" in page
    assert "MME not applicable (partial agonist)" in page


def test_an_unknown_opioid_is_shown_plainly_never_guessed_and_the_rest_still_counts(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    Medication.objects.create(
        patient=patient, drug_code="meperidine", drug_class="opioid", strength=50, doses_per_day=4
    )
    client = signed_in(physician)
    page = list_page(client, patient)
    assert "<strong>60 MME/day (incomplete)</strong>" in page
    assert "meperidine (not on the drug list)</a> (50 mg, 4 times a day): not counted: no CDC 2022 conversion " in page
    assert "It is never guessed." in page
    chart_page = chart(client, patient)
    assert ">60 (incomplete)" in banner(chart_page)
    assert "Opioid safety: 50 MME/day or more" in banner(chart_page)
    assert "60 MME/day (incomplete: 1 line not counted, see the medication list)" in chart_page


def test_a_prn_opioid_counts_its_maximum_and_says_so(signed_in, patient, physician):
    add_line(patient, physician, "hydrocodone", 5, prn_max=4)
    page = list_page(signed_in(physician), patient)
    assert '<strong>20 MME/day</strong> <span class="text-secondary">(maximum' in page
    assert "as needed, up to 4 a day" in page


def test_a_prescriber_acknowledges_a_flag_with_a_reason_and_it_leaves_the_banner(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    client = signed_in(physician)
    review_on = timezone.localdate() + datetime.timedelta(days=90)
    response = client.post(
        ack_url(patient, "naloxone"), {"reason": "Naloxone given; stable for a year", "review_on": review_on}
    )
    assert response.status_code == 302
    ack = OpioidFlagAcknowledgement.objects.get()
    assert (ack.flag, ack.by, ack.mme_at_the_time) == ("naloxone", physician, 60)
    assert "Opioid safety" not in banner(chart(client, patient))
    page = list_page(client, patient)
    assert "Acknowledged by Ada Okafor, MD" in page and f"Shows again after {review_on:%b} {review_on.day}" in page
    assert AuditEvent.objects.filter(action=Action.UPDATE, target="opioid flag acknowledged: naloxone").exists()


def test_an_acknowledged_flag_reappears_after_its_review_date(signed_in, patient, physician):
    oxycodone_60(patient, physician)
    OpioidFlagAcknowledgement.objects.create(
        patient=patient,
        flag="naloxone",
        reason="x",
        review_on=timezone.localdate() - datetime.timedelta(days=1),
        by=physician,
    )
    assert "Opioid safety: 50 MME/day" in banner(chart(signed_in(physician), patient))


def test_an_acknowledged_flag_reappears_when_the_dose_rises(signed_in, patient, physician):
    line = oxycodone_60(patient, physician)
    OpioidFlagAcknowledgement.objects.create(
        patient=patient,
        flag="naloxone",
        reason="x",
        review_on=timezone.localdate() + datetime.timedelta(days=30),
        mme_at_the_time=60,
        by=physician,
    )
    client = signed_in(physician)
    assert "Opioid safety" not in banner(chart(client, patient))
    Medication.objects.filter(pk=line.pk).update(doses_per_day=5)
    assert "Opioid safety: 50 MME/day" in banner(chart(client, patient))


@pytest.mark.parametrize(
    ("review_on", "error"),
    [
        (0, "Choose a review date after today."),
        (400, "Choose a review date within a year."),
        (None, "This field is required."),
    ],
)
def test_an_acknowledgement_needs_a_reason_and_a_review_date_ahead(signed_in, patient, physician, review_on, error):
    oxycodone_60(patient, physician)
    data = {"reason": ""}
    if review_on is not None:
        data["review_on"] = str(timezone.localdate() + datetime.timedelta(days=review_on))
    response = signed_in(physician).post(ack_url(patient, "naloxone"), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not OpioidFlagAcknowledgement.objects.exists()


@pytest.mark.parametrize("who", ["psychologist", "pharmacist", "coordinator", "clinic_admin"])
def test_only_prescribers_acknowledge_flags(request, signed_in, patient, physician, who):
    oxycodone_60(patient, physician)
    response = signed_in(request.getfixturevalue(who)).post(
        ack_url(patient, "naloxone"),
        {"reason": "x", "review_on": str(timezone.localdate() + datetime.timedelta(days=9))},
    )
    assert response.status_code == 403
    assert not OpioidFlagAcknowledgement.objects.exists()


def test_a_flag_that_does_not_apply_cannot_be_acknowledged(signed_in, patient, physician):
    add_line(patient, physician, "hydrocodone", 5, doses=4)
    response = signed_in(physician).get(ack_url(patient, "naloxone"))
    assert response.status_code == 302
    assert signed_in(physician).get(ack_url(patient, "not_a_flag")).status_code == 404


def test_naloxone_offered_prescribed_or_declined_with_the_date(signed_in, patient, physician, psychologist):
    oxycodone_60(patient, physician)
    url = reverse("medications:naloxone", args=[patient.public_id])
    today = str(timezone.localdate())
    assert signed_in(physician).post(url, {"status": "prescribed", "on": today}).status_code == 302
    assert signed_in(psychologist).post(url, {"status": "offered", "on": today, "note": "Leaflet"}).status_code == 302
    refused = signed_in(psychologist).post(url, {"status": "prescribed", "on": today})
    assert refused.status_code == 400 and "Select a valid choice" in refused.content.decode()
    assert list(NaloxoneRecord.objects.order_by("id").values_list("status", "by__username")) == [
        ("prescribed", "dr.okafor"),
        ("offered", "dr.lindqvist"),
    ]
    page = list_page(signed_in(physician), patient)
    assert "Naloxone: offered on" in page


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_coordinators_and_admins_do_not_record_naloxone(request, signed_in, patient, physician, who):
    url = reverse("medications:naloxone", args=[patient.public_id])
    response = signed_in(request.getfixturevalue(who)).post(url, {"status": "offered", "on": str(timezone.localdate())})
    assert response.status_code == 403
    assert not NaloxoneRecord.objects.exists()


def test_more_current_lines_than_the_limit_refuse_a_total_rather_than_a_partial_sum():
    from medications.selectors.regimen import MAX_CURRENT_LINES, summarise

    lines = [
        Medication(drug_code="hydrocodone", drug_class="opioid", strength=1, units_per_dose=1, doses_per_day=1)
        for _ in range(MAX_CURRENT_LINES + 1)
    ]
    summary = summarise(lines, [], today=timezone.localdate())
    assert summary.total is None and "more than 200 current lines" in summary.error
    assert summarise(lines[:-1], [], today=timezone.localdate()).total == 200
