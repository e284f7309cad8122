"""The clinician's caseload on the home page: patients not improving, overdue questionnaires and open
alerts; team patients only; a constant number of queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.caseload import caseload_for, not_improving
from measures.change import change_over_time
from measures.models import Invitation, MeasurementSchedule, MeasureSummary
from tests.factories import CareTeamMemberFactory, PatientFactory
from tests.measures.responses import gad7, peg, phq9

HOME = reverse("home")


def entries_by_mrn(user):
    entries, _ = caseload_for(user)
    return {entry.patient.mrn: entry for entry in entries}


@pytest.mark.parametrize(
    ("baseline", "latest", "weeks", "stalled"),
    [(8, 6, 10, True), (8, 6, 6, False), (8, 5, 10, False), (8, 7, 10, True), (8, 9, 8, True), (0, 2, 10, False)],
)
def test_a_peg_is_not_improving_after_eight_weeks_without_a_30_percent_improvement(baseline, latest, weeks, stalled):
    # 8 -> 6 is 25% better (not a responder) and 8 -> 5 is 37.5%; before 8 weeks nothing is judged.
    change = change_over_time("peg", baseline, latest)
    assert not_improving(change, since=timedelta(weeks=weeks)) is stalled


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "stalled"),
    [
        ("phq9", 12, 12, True),
        ("phq9", 12, 14, True),
        ("phq9", 12, 8, False),
        ("phq9", 3, 4, False),
        ("gad7", 9, 9, True),
    ],
)
def test_phq9_and_gad7_are_not_improving_when_no_lower_and_above_the_lowest_band(code, baseline, latest, stalled):
    change = change_over_time(code, baseline, latest)
    assert not_improving(change, since=timedelta(weeks=9)) is stalled


def test_it_lists_a_team_patient_whose_peg_has_stalled(physician, patient):
    peg(patient, 8, days_ago=70)
    peg(patient, 7, days_ago=1)
    entry = entries_by_mrn(physician)[patient.mrn]
    assert [c.code for c in entry.not_improving] == ["peg"]
    assert entry.not_improving[0].clinician_words.endswith("not a responder")


def test_it_leaves_out_a_patient_who_is_improving(physician, patient):
    peg(patient, 8, days_ago=70)
    peg(patient, 4, days_ago=1)
    phq9(patient, 2, days_ago=70)
    phq9(patient, 1, days_ago=1)
    assert patient.mrn not in entries_by_mrn(physician)


def test_it_lists_overdue_schedules_and_invitations_waiting_more_than_a_week(physician, patient):
    today = timezone.localdate()
    MeasurementSchedule.objects.create(
        patient=patient, instrument_code="phq9", every_days=28, next_due_on=today - timedelta(days=2)
    )
    MeasurementSchedule.objects.create(
        patient=patient, instrument_code="peg", every_days=14, next_due_on=today + timedelta(days=2)
    )
    MeasurementSchedule.objects.create(
        patient=patient, instrument_code="gad7", every_days=28, next_due_on=today - timedelta(days=9), active=False
    )
    Invitation.objects.create(patient=patient, due_on=today - timedelta(days=10), instrument_codes=["peg"])
    entry = entries_by_mrn(physician)[patient.mrn]
    assert entry.overdue == ["PHQ-9"]
    assert entry.waiting_since == today - timedelta(days=10)


def test_it_ignores_a_recent_or_completed_invitation(physician, patient):
    today = timezone.localdate()
    Invitation.objects.create(patient=patient, due_on=today - timedelta(days=3))
    Invitation.objects.create(patient=patient, due_on=today - timedelta(days=20), completed_at=timezone.now())
    assert patient.mrn not in entries_by_mrn(physician)


def test_it_lists_open_alerts_urgent_first(physician, patient):
    calm = PatientFactory()
    CareTeamMemberFactory(patient=calm, member=physician)
    phq9(calm, 3)  # severe band: a review alert
    phq9(patient, 1, item9=1)
    entries, _ = caseload_for(physician)
    assert [e.patient.mrn for e in entries] == [patient.mrn, calm.mrn]
    assert (entries[0].urgent_alerts, entries[0].open_alerts) == (1, 1)
    assert (entries[1].urgent_alerts, entries[1].open_alerts) == (0, 1)


def test_it_shows_only_the_clinicians_own_patients(physician, other_patient):
    phq9(other_patient, 1, item9=1)
    assert caseload_for(physician) == ([], False)


def test_coordinators_get_no_caseload_section_on_home(signed_in, coordinator):
    response = signed_in(coordinator).get(HOME)
    assert response.context["show_caseload"] is False
    assert b"Caseload: needs attention" not in response.content


def test_the_home_page_shows_the_caseload_with_links_to_the_chart(signed_in, physician, patient):
    gad7(patient, 2, days_ago=80)
    gad7(patient, 2)
    page = signed_in(physician).get(HOME).content.decode()
    section = page.split('id="home-caseload"', 1)[1].split("</section>", 1)[0]
    assert reverse("patients:chart", args=[patient.public_id]) in section
    assert "GAD-7 14 \N{RIGHTWARDS ARROW} 14 (0%)" in section


def test_the_home_page_runs_the_same_number_of_queries_for_one_patient_or_twenty_five(
    signed_in, physician, patient, django_assert_max_num_queries
):
    today = timezone.localdate()

    def troubled(person):
        peg(person, 8, days_ago=70)
        peg(person, 8, days_ago=1)
        phq9(person, 1, item9=1)
        MeasurementSchedule.objects.create(patient=person, instrument_code="gad7", every_days=28, next_due_on=today)
        MeasurementSchedule.objects.create(
            patient=person, instrument_code="phq9", every_days=28, next_due_on=today - timedelta(days=1)
        )

    troubled(patient)
    client = signed_in(physician)
    client.get(HOME)
    with django_assert_max_num_queries(10) as one:
        response = client.get(HOME)
    assert len(response.context["caseload"]) == 1
    for other in PatientFactory.create_batch(24):
        CareTeamMemberFactory(patient=other, member=physician)
        troubled(other)
    with django_assert_max_num_queries(10) as many:
        response = client.get(HOME)
    assert len(response.context["caseload"]) == 25
    assert len(response.context["tasks"]) == 20 and response.context["more_tasks"]
    assert len(one) == len(many), [q["sql"][:80] for q in many.captured_queries]


def test_it_lists_a_not_improving_patient_from_the_summary_and_not_an_improving_one(physician, patient):
    improving = PatientFactory()
    CareTeamMemberFactory(patient=improving, member=physician)
    phq9(patient, 2, days_ago=70)
    phq9(patient, 2)  # 16 -> 16: not improving
    phq9(improving, 2, days_ago=70)
    phq9(improving, 1)  # 16 -> 8: improving
    assert MeasureSummary.objects.get(patient=patient, instrument_code="phq9").not_improving is True
    assert MeasureSummary.objects.get(patient=improving, instrument_code="phq9").not_improving is False
    entries = entries_by_mrn(physician)
    assert [c.code for c in entries[patient.mrn].not_improving] == ["phq9"]
    assert improving.mrn not in entries


def test_it_leaves_out_a_stalled_patient_the_clinician_cannot_see(physician, other_patient):
    peg(other_patient, 8, days_ago=70)
    peg(other_patient, 8)
    assert caseload_for(physician) == ([], False)


def test_it_lists_patients_needing_attention_by_name_after_those_with_alerts_and_says_when_there_are_more(
    physician, patient
):
    phq9(patient, 1, item9=1)
    for family_name in ("Zed", "Adams", "Moss"):
        person = PatientFactory(family_name=family_name)
        CareTeamMemberFactory(patient=person, member=physician)
        Invitation.objects.create(patient=person, due_on=timezone.localdate() - timedelta(days=8))
    entries, more = caseload_for(physician, limit=3)
    assert [e.patient.family_name for e in entries] == [patient.family_name, "Adams", "Moss"]
    assert more is True


def test_the_caseload_runs_the_same_number_of_queries_for_one_patient_or_twenty_five(
    physician, patient, django_assert_max_num_queries
):
    today = timezone.localdate()

    def troubled(person):
        peg(person, 8, days_ago=70)
        peg(person, 8)
        phq9(person, 1, item9=1)
        Invitation.objects.create(patient=person, due_on=today - timedelta(days=9))
        MeasurementSchedule.objects.create(
            patient=person, instrument_code="gad7", every_days=28, next_due_on=today - timedelta(days=1)
        )

    troubled(patient)
    with django_assert_max_num_queries(3) as one:
        entries, _ = caseload_for(physician)
    assert len(entries) == 1 and entries[0].overdue == ["GAD-7"] and entries[0].not_improving
    for other in PatientFactory.create_batch(24):
        CareTeamMemberFactory(patient=other, member=physician)
        troubled(other)
    with django_assert_max_num_queries(3) as many:
        entries, _ = caseload_for(physician)
    assert len(entries) == 25
    assert all(e.overdue == ["GAD-7"] and e.not_improving and e.urgent_alerts == 1 for e in entries)
    assert len(one) == len(many)
