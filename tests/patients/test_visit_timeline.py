"""The chart's timeline of visits and psychotherapy note stubs (patients.selectors.timeline_for), the
"all visits" page, and the unsigned notes of a clinician's worklist (unsigned_notes_for)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from patients.models import Addendum
from patients.selectors import TIMELINE_LIMIT, timeline_for, unsigned_notes_for
from tests.factories import CareTeamMemberFactory, EncounterFactory, PsychotherapyNoteFactory, StaffFactory


def days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def visits_url(patient, page=None):
    address = reverse("patients:visits", args=[patient.public_id])
    return f"{address}?page={page}" if page is not None else address


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def signed(encounter):
    encounter.sign(by=encounter.author, based_on_version=encounter.version)
    return encounter


def history(patient, count, *, authors):
    """``count`` visits on different days, alternately signed, by the given authors in turn."""
    visits = []
    for number in range(count):
        author = authors[number % len(authors)]
        visit = EncounterFactory(patient=patient, author=author, occurred_on=days_ago(number + 1))
        visits.append(signed(visit) if number % 2 else visit)
    return visits


# --------------------------------------------------------------------------- timeline_for


def test_it_lists_visits_and_psychotherapy_stubs_newest_first(patient, physician, psychologist):
    old = signed(EncounterFactory(patient=patient, author=physician, occurred_on=days_ago(10), kind="initial"))
    Addendum.objects.create(encounter=old, author=psychologist, text="a")
    Addendum.objects.create(encounter=old, author=physician, text="b")
    note = PsychotherapyNoteFactory(patient=patient, author=psychologist, occurred_on=days_ago(5))
    new = EncounterFactory(patient=patient, author=psychologist, occurred_on=days_ago(1), kind="remote")
    EncounterFactory(author=physician)  # another patient's visit
    entries = timeline_for(patient, physician)
    assert [entry.public_id for entry in entries] == [new.public_id, note.public_id, old.public_id]
    first, stub, last = entries
    assert (first.is_visit, first.is_signed, first.kind_label, first.discipline_label) == (
        True,
        False,
        "Phone or video",
        "Psychologist",
    )
    assert (first.author_name, first.addenda) == ("Elin Lindqvist, PhD", 0)
    assert (stub.is_visit, stub.kind_label, stub.author_name, stub.occurred_on) == (
        False,
        "Psychotherapy note",
        "Elin Lindqvist, PhD",
        days_ago(5),
    )
    assert (last.is_signed, last.kind_label, last.discipline_label, last.addenda) == (
        True,
        "Initial assessment",
        "Physician",
        2,
    )
    assert entries.more is False


def test_it_keeps_the_discipline_the_author_had_when_they_wrote(patient, physician):
    visit = EncounterFactory(patient=patient, author=physician)
    physician.discipline = "nurse_practitioner"
    physician.save()
    assert timeline_for(patient, physician)[0].discipline_label == "Physician"
    assert visit.discipline == "physician"


def test_it_orders_visits_of_the_same_day_by_when_they_were_written(patient, physician):
    first = EncounterFactory(patient=patient, author=physician, created_at=timezone.now() - datetime.timedelta(hours=2))
    second = EncounterFactory(patient=patient, author=physician)
    assert [e.public_id for e in timeline_for(patient, physician)] == [second.public_id, first.public_id]


def test_it_is_bounded_and_says_when_there_is_more(patient, physician, psychologist):
    history(patient, TIMELINE_LIMIT - 1, authors=[physician])
    PsychotherapyNoteFactory(patient=patient, author=psychologist, occurred_on=days_ago(0))
    exactly = timeline_for(patient, physician)
    assert (len(exactly), exactly.more) == (TIMELINE_LIMIT, False)
    EncounterFactory(patient=patient, author=physician, occurred_on=days_ago(100))
    more = timeline_for(patient, physician)
    assert (len(more), more.more) == (TIMELINE_LIMIT, True)
    assert more[0].entry == "psychotherapy_note"


def test_it_pages_with_an_offset(patient, physician):
    visits = history(patient, 7, authors=[physician])
    page_two = timeline_for(patient, physician, limit=3, offset=3)
    assert [e.public_id for e in page_two] == [v.public_id for v in visits[3:6]]
    assert page_two.more is True
    last = timeline_for(patient, physician, limit=3, offset=6)
    assert ([e.public_id for e in last], last.more) == ([visits[6].public_id], False)


@pytest.mark.parametrize(
    ("who", "may_chart", "may_read"),
    [
        ("physician", True, False),
        ("psychologist", True, True),
        ("coordinator", False, False),
        ("clinic_admin", False, False),
    ],
)
def test_it_says_what_the_user_may_do(request, patient, who, may_chart, may_read):
    entries = timeline_for(patient, request.getfixturevalue(who))
    assert (entries.may_chart, entries.may_read_psychotherapy) == (may_chart, may_read)


def test_it_runs_one_query_whatever_the_length_of_the_history(
    patient, physician, psychologist, django_assert_num_queries
):
    history(patient, 1, authors=[physician])
    physician.has_perm("clinic.chart_clinical_notes")  # the chart page has loaded the permissions already
    with django_assert_num_queries(1):
        assert len(timeline_for(patient, physician)) == 1
    authors = [physician, psychologist, *(StaffFactory(password="!") for _ in range(4))]
    visits = history(patient, 29, authors=authors)
    for visit in visits[1::2]:
        Addendum.objects.create(encounter=visit, author=psychologist, text="later")
    PsychotherapyNoteFactory.create_batch(5, patient=patient, author=psychologist)
    with django_assert_num_queries(1):
        entries = timeline_for(patient, physician)
    assert len(entries) == TIMELINE_LIMIT and entries.more


# --------------------------------------------------------------------------- on the chart


@pytest.mark.parametrize("who", ["physician", "psychologist"])
def test_the_chart_offers_clinicians_a_new_visit(request, signed_in, patient, who):
    page = text_of(signed_in(request.getfixturevalue(who)).get(chart_url(patient)))
    assert 'id="visits-heading"' in page
    assert reverse("patients:new_visit", args=[patient.public_id]) in page
    assert "No visits charted yet." in page


@pytest.mark.parametrize("who", ["coordinator", "clinic_admin"])
def test_the_chart_shows_coordinators_and_admins_the_visits_but_no_new_visit(
    request, signed_in, patient, physician, who
):
    visit = EncounterFactory(patient=patient, author=physician, kind="initial", occurred_on=days_ago(3))
    page = text_of(signed_in(request.getfixturevalue(who)).get(chart_url(patient)))
    assert reverse("patients:new_visit", args=[patient.public_id]) not in page
    assert reverse("patients:visit", args=[patient.public_id, visit.public_id]) in page
    assert f"{days_ago(3):%b} {days_ago(3).day}, {days_ago(3).year}</time>: Initial assessment" in page
    assert "Draft (not signed)" in page
    assert "Physician · Ada Okafor, MD" in page


def test_the_chart_marks_drafts_and_counts_addenda(signed_in, patient, physician, psychologist):
    visit = signed(EncounterFactory(patient=patient, author=physician))
    Addendum.objects.create(encounter=visit, author=psychologist, text="x")
    page = text_of(signed_in(psychologist).get(chart_url(patient)))
    assert "Draft (not signed)" not in page
    assert "1 addendum" in page


def test_the_chart_links_to_all_visits_when_there_are_more(signed_in, patient, physician):
    history(patient, TIMELINE_LIMIT + 1, authors=[physician])
    response = signed_in(physician).get(chart_url(patient))
    assert len(response.context["timeline"]) == TIMELINE_LIMIT
    assert visits_url(patient) in response.content.decode()


def test_the_chart_runs_the_same_number_of_queries_however_many_visits(
    signed_in, patient, physician, psychologist, django_assert_max_num_queries
):
    history(patient, 1, authors=[physician])
    client = signed_in(physician)
    client.get(chart_url(patient))
    with django_assert_max_num_queries(40) as one:
        client.get(chart_url(patient))
    visits = history(patient, 29, authors=[physician, psychologist, StaffFactory(password="!")])
    for visit in visits:
        if visit.is_signed:
            Addendum.objects.create(encounter=visit, author=psychologist, text="later")
    PsychotherapyNoteFactory.create_batch(3, patient=patient, author=psychologist)
    with django_assert_max_num_queries(40) as many:
        response = client.get(chart_url(patient))
    assert len(response.context["timeline"]) == TIMELINE_LIMIT
    assert len(one) == len(many), [q["sql"][:90] for q in many.captured_queries]


# --------------------------------------------------------------------------- all visits


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin"])
def test_all_visits_opens_for_everyone_who_may_see_the_chart_and_is_audited(request, signed_in, patient, who):
    person = request.getfixturevalue(who)
    assert signed_in(person).get(visits_url(patient)).status_code == 200
    event = AuditEvent.objects.get(patient=patient)
    assert (event.actor, event.action, event.target) == (person, Action.VIEW, "all visits")


def test_all_visits_is_hidden_from_a_clinician_on_no_team(signed_in, outsider, patient):
    assert signed_in(outsider).get(visits_url(patient)).status_code == 404
    assert not AuditEvent.objects.exclude(action=Action.REFUSED).exists()


def test_all_visits_pages_fifty_at_a_time(signed_in, patient, physician):
    visits = history(patient, 55, authors=[physician])
    client = signed_in(physician)
    first = client.get(visits_url(patient))
    assert [e.public_id for e in first.context["timeline"]] == [v.public_id for v in visits[:50]]
    assert "?page=2" in first.content.decode()
    second = client.get(visits_url(patient, 2))
    assert [e.public_id for e in second.context["timeline"]] == [v.public_id for v in visits[50:]]
    assert "?page=3" not in second.content.decode()
    assert "?page=1" in second.content.decode()
    assert client.get(visits_url(patient, 3)).status_code == 404


@pytest.mark.parametrize("page", ["abc", "-4", "0", "", "99999999999999999999"])
def test_all_visits_reads_an_odd_page_number_without_an_error(signed_in, patient, physician, page):
    history(patient, 2, authors=[physician])
    response = signed_in(physician).get(visits_url(patient, page))
    assert response.status_code in (200, 404)


# --------------------------------------------------------------------------- the worklist's unsigned notes


def test_unsigned_notes_are_the_users_own_drafts_of_patients_they_can_open(patient, other_patient, physician):
    mine = EncounterFactory(patient=patient, author=physician, occurred_on=days_ago(2))
    newer = EncounterFactory(patient=patient, author=physician, occurred_on=days_ago(1))
    signed(EncounterFactory(patient=patient, author=physician))
    EncounterFactory(patient=patient)  # someone else's draft
    EncounterFactory(patient=other_patient, author=physician)  # a patient they can no longer open
    assert list(unsigned_notes_for(physician)) == [newer, mine]
    membership = CareTeamMemberFactory(patient=other_patient, member=physician)
    assert len(unsigned_notes_for(physician)) == 3
    membership.delete()


def test_unsigned_notes_read_in_one_query(patient, physician, django_assert_num_queries):
    history(patient, 10, authors=[physician])
    with django_assert_num_queries(1):
        notes = list(unsigned_notes_for(physician).select_related("patient"))
    assert len(notes) == 5
    assert {note.patient.mrn for note in notes} == {"100234"}
