"""The taper schedule a person can follow: the steps rounded to tablets when the taper is saved, a prescriber
confirms them (audited; nobody else can), a change to the taper asks again, and only then the patient's print
and portal page show each step's dates and tablets, with the clinic's phone, withdrawal and the lost-tolerance
warning. Before that they say the schedule is being prepared."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from audit.models import Action, AuditEvent
from clinic.access.refusals import Refused
from medications.models import TaperPlan
from medications.rules.tapering import plan_taper
from medications.services import StaleEdit
from medications.services.tapers import (
    NothingToConfirm,
    confirm_doses,
    set_taper_status,
    start_taper,
    work_out_doses,
)
from tests.medications.medkit import add_line, nurse_practitioner, pharmacist  # noqa: F401
from tests.portal.journey import open_link

MON_14_DEC = datetime.date(2026, 12, 14)
PREPARING = "Your schedule is being prepared"


def oxycodone_tid(patient, physician):
    """Oxycodone 5 mg, 1 tablet 3 times a day: 22.5 MME/day."""
    return add_line(patient, physician, "oxycodone", 5, units=1, doses=3)


def saved_taper(patient, physician, starts_on=MON_14_DEC) -> TaperPlan:
    return start_taper(
        patient=patient, by=physician, schedule=plan_taper(original_mme=Decimal("22.5"), starts_on=starts_on)
    )


def confirmed(patient, physician) -> TaperPlan:
    taper = saved_taper(patient, physician)
    return confirm_doses(taper=taper, by=physician, expected_version=taper.version)


def print_page(client, taper) -> str:
    url = reverse("medications:taper_print", args=[taper.patient.public_id, taper.public_id])
    return client.get(url).content.decode()


def doses_url(taper) -> str:
    return reverse("medications:taper_doses", args=[taper.patient.public_id, taper.public_id])


# --------------------------------------------------------------------------- services


def test_saving_a_taper_rounds_its_steps_to_tablets_unconfirmed(patient, physician):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    steps = taper.doses["steps"]
    assert steps[0]["starts_on"] == "2026-12-14" and steps[0]["doses"][0]["pieces"] == [["5", "1"]]
    assert steps[-1]["kind"] == "stop"
    assert not taper.doses_confirmed


def test_a_prescriber_confirms_the_schedule_and_it_is_audited(patient, physician):
    oxycodone_tid(patient, physician)
    taper = confirmed(patient, physician)
    assert taper.doses_confirmed and taper.doses_confirmed_by == physician
    assert AuditEvent.objects.filter(
        patient=patient, actor=physician, action=Action.UPDATE, target="taper doses confirmed"
    ).exists()


@pytest.mark.parametrize("who", ["psychologist", "pharmacist", "coordinator", "outsider"])
def test_only_a_prescriber_on_the_team_may_confirm(request, patient, physician, who):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    with pytest.raises(Refused):
        confirm_doses(taper=taper, by=request.getfixturevalue(who), expected_version=taper.version)
    taper.refresh_from_db()
    assert not taper.doses_confirmed
    assert not AuditEvent.objects.filter(target="taper doses confirmed").exists()


def test_confirming_a_schedule_that_changed_since_it_was_shown_is_refused(patient, physician):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    shown = taper.version
    work_out_doses(taper=taper, by=physician, expected_version=shown)
    with pytest.raises(StaleEdit):
        confirm_doses(taper=taper, by=physician, expected_version=shown)


@pytest.mark.parametrize("change", ["pause", "pause and resume", "work out again"])
def test_a_change_to_the_taper_unconfirms_it_and_asks_again(patient, physician, change):
    oxycodone_tid(patient, physician)
    taper = confirmed(patient, physician)
    if change == "work out again":
        work_out_doses(taper=taper, by=physician, expected_version=taper.version)
    else:
        set_taper_status(taper=taper, by=physician, status="paused", expected_version=taper.version)
        if change == "pause and resume":
            set_taper_status(taper=taper, by=physician, status="active", expected_version=taper.version)
    taper.refresh_from_db()
    assert not taper.doses_confirmed and taper.doses_confirmed_by is None


def test_resuming_re_dates_the_rounded_steps(patient, physician):
    import time_machine

    oxycodone_tid(patient, physician)
    with time_machine.travel(datetime.datetime(2026, 12, 20, 12, tzinfo=datetime.UTC), tick=False):
        taper = saved_taper(patient, physician)
        set_taper_status(taper=taper, by=physician, status="paused", expected_version=taper.version)
    with time_machine.travel(datetime.datetime(2027, 1, 3, 12, tzinfo=datetime.UTC), tick=False):
        set_taper_status(taper=taper, by=physician, status="active", expected_version=taper.version)
    taper.refresh_from_db()
    later = [step["starts_on"] for step in taper.doses["steps"][1:]]
    assert later[0] == "2027-01-28"  # Jan 14 + the 14 days it was paused
    assert not taper.doses_confirmed


def test_a_paused_taper_cannot_be_confirmed(patient, physician):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    taper = set_taper_status(taper=taper, by=physician, status="paused", expected_version=taper.version)
    with pytest.raises(NothingToConfirm):
        confirm_doses(taper=taper, by=physician, expected_version=taper.version)


def test_a_form_the_app_cannot_round_is_said_and_cannot_be_confirmed(patient, physician):
    add_line(patient, physician, "morphine", 10, units=1, doses=2, form="injection")
    taper = start_taper(
        patient=patient, by=physician, schedule=plan_taper(original_mme=Decimal(20), starts_on=MON_14_DEC)
    )
    assert "cannot work out doses for this form" in taper.doses["problem"]
    with pytest.raises(NothingToConfirm):
        confirm_doses(taper=taper, by=physician, expected_version=taper.version)


# --------------------------------------------------------------------------- the confirm page


def test_the_doses_page_shows_target_vs_rounded_and_confirms(signed_in, patient, physician):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    client = signed_in(physician)
    page = client.get(doses_url(taper)).content.decode()
    assert "Not confirmed yet" in page and "Confirm this schedule" in page
    assert "<td>20.25</td><td>22.50</td><td>2.25</td>" in page  # step 1: planned, rounded, difference
    assert "Take half a tablet of oxycodone 5 mg, 3 times a day" in page
    assert "the app's own rules, not the guideline's" in page
    response = client.post(doses_url(taper), {"action": "confirm", "version": taper.version})
    assert response.status_code == 302
    taper.refresh_from_db()
    assert taper.doses_confirmed


def test_the_doses_page_offers_no_confirm_button_to_others_and_refuses_their_post(
    signed_in, patient, physician, psychologist
):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    client = signed_in(psychologist)
    assert "Confirm this schedule" not in client.get(doses_url(taper)).content.decode()
    response = client.post(doses_url(taper), {"action": "confirm", "version": taper.version})
    assert response.status_code == 403
    taper.refresh_from_db()
    assert not taper.doses_confirmed
    assert AuditEvent.objects.filter(patient=patient, action=Action.REFUSED).exists()


def test_the_doses_page_is_not_found_for_a_clinician_off_the_team(signed_in, patient, physician, outsider):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    assert signed_in(outsider).get(doses_url(taper)).status_code == 404


def test_a_stale_confirm_says_so_and_keeps_it_unconfirmed(signed_in, patient, physician):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    response = signed_in(physician).post(doses_url(taper), {"action": "confirm", "version": taper.version + 5})
    assert response.status_code == 302
    taper.refresh_from_db()
    assert not taper.doses_confirmed


@pytest.mark.parametrize("lines", [1, 6])
def test_the_doses_page_runs_a_constant_number_of_queries(
    signed_in, patient, physician, lines, django_assert_max_num_queries
):
    for _ in range(lines):
        oxycodone_tid(patient, physician)
    taper = start_taper(
        patient=patient,
        by=physician,
        schedule=plan_taper(original_mme=Decimal("22.5") * lines, starts_on=MON_14_DEC),
    )
    client = signed_in(physician)
    with django_assert_max_num_queries(25):
        assert client.get(doses_url(taper)).status_code == 200


# --------------------------------------------------------------------------- the patient's print


def test_the_print_shows_each_step_in_plain_words_with_the_phone_and_safety(signed_in, patient, physician):
    oxycodone_tid(patient, physician)
    taper = confirmed(patient, physician)
    page = print_page(signed_in(physician), taper)
    assert "From Mon 14 Dec 2026 to Sat 13 Feb 2027: take 1 tablet of oxycodone 5 mg, 3 times a day." in page
    assert "take half a tablet of oxycodone 5 mg, 3 times a day." in page
    assert "stop taking oxycodone. This is the last step." in page
    assert settings.CLINIC_PHONE in page
    assert "withdrawal" in page
    assert "your body is no longer used to your old dose" in page and "naloxone" in page
    assert PREPARING not in page
    assert "MME" not in page.split('id="taper-print-title"', 1)[1]


def test_an_unconfirmed_print_says_the_schedule_is_being_prepared_and_no_dose(signed_in, patient, physician):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    page = print_page(signed_in(physician), taper)
    assert PREPARING in page and "keep taking your medicine the way your prescriber told you" in page
    assert "tablet of oxycodone" not in page
    assert settings.CLINIC_PHONE in page and "naloxone" in page


def test_the_taper_page_says_when_the_doses_need_confirming(signed_in, patient, physician):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    url = reverse("medications:taper_detail", args=[patient.public_id, taper.public_id])
    page = signed_in(physician).get(url).content.decode()
    assert "need a prescriber's confirmation" in page and doses_url(taper) in page


# --------------------------------------------------------------------------- the portal


@pytest.fixture
def opened(client, patient_link):
    _, token = patient_link
    open_link(client, token)
    return client


def test_the_portal_plan_links_to_the_schedule_only_once_confirmed(opened, patient, physician):
    oxycodone_tid(patient, physician)
    taper = saved_taper(patient, physician)
    link = reverse("portal:plan_taper")
    assert link not in opened.get(reverse("portal:plan")).content.decode()
    confirm_doses(taper=taper, by=physician, expected_version=taper.version)
    assert link in opened.get(reverse("portal:plan")).content.decode()


def test_the_portal_schedule_shows_the_confirmed_steps_and_is_audited_as_the_patient(opened, patient, physician):
    oxycodone_tid(patient, physician)
    confirmed(patient, physician)
    page = opened.get(reverse("portal:plan_taper")).content.decode()
    assert "From Mon 14 Dec 2026 to Sat 13 Feb 2027: take 1 tablet of oxycodone 5 mg, 3 times a day." in page
    assert settings.CLINIC_PHONE in page and "naloxone" in page
    assert AuditEvent.objects.filter(
        patient=patient, actor=None, action=Action.VIEW, target="portal: taper schedule"
    ).exists()


def test_the_portal_schedule_is_being_prepared_until_confirmed(opened, patient, physician):
    oxycodone_tid(patient, physician)
    saved_taper(patient, physician)
    page = opened.get(reverse("portal:plan_taper")).content.decode()
    assert PREPARING in page and "tablet of oxycodone" not in page


def test_the_portal_schedule_without_a_taper_goes_back_to_the_plan(opened):
    response = opened.get(reverse("portal:plan_taper"))
    assert response.status_code == 302 and response.url == reverse("portal:plan")


def test_the_portal_schedule_needs_a_patient_session(client):
    assert b"This link is no longer open" in client.get(reverse("portal:plan_taper")).content


@pytest.mark.parametrize("lines", [1, 6])
def test_the_portal_schedule_runs_a_constant_number_of_queries(
    opened, patient, physician, lines, django_assert_max_num_queries
):
    for _ in range(lines):
        oxycodone_tid(patient, physician)
    taper = start_taper(
        patient=patient,
        by=physician,
        schedule=plan_taper(original_mme=Decimal("22.5") * lines, starts_on=MON_14_DEC),
    )
    confirm_doses(taper=taper, by=physician, expected_version=taper.version)
    with django_assert_max_num_queries(12):
        assert opened.get(reverse("portal:plan_taper")).status_code == 200
