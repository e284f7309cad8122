"""Visit notes and psychotherapy notes (clinic/access/visit_notes.py, psychotherapy_notes.py): the single-object
check and the queryset filter agree, for every member of the cast, and say what the rules say."""

import pytest

from clinic.access.psychotherapy_notes import may_see_psychotherapy_note, psychotherapy_notes_visible_to
from clinic.access.visit_notes import may_see_visit_note, visit_notes_visible_to
from clinic.roles import Discipline, Role
from patients.models import Encounter, PsychotherapyNote
from tests.factories import CareTeamMemberFactory, EncounterFactory, PsychotherapyNoteFactory, StaffFactory

CAST = ["physician", "psychologist", "coordinator", "outsider", "clinic_admin"]

#: Whose notes each member of the cast may see: "ours" (the cast's patient), "theirs" (the other patient).
VISIT_NOTES_SEEN = {
    "physician": {"ours"},
    "psychologist": {"ours"},
    "coordinator": {"ours", "theirs"},
    "outsider": set(),
    "clinic_admin": {"ours", "theirs"},
}
PSYCHOTHERAPY_NOTES_SEEN = {
    "physician": set(),
    "psychologist": {"ours"},
    "coordinator": set(),
    "outsider": set(),
    "clinic_admin": set(),
}


@pytest.fixture
def notes(patient, other_patient, physician, psychologist, other_team_lead):
    """Two visit notes and a psychotherapy note for each patient, by their own teams (read back fresh, as a
    task or a command would hold them)."""
    their_psychologist = StaffFactory(username="dr.theirs", role=Role.CLINICIAN, discipline=Discipline.PSYCHOLOGIST)
    CareTeamMemberFactory(patient=other_patient, member=their_psychologist)
    owner = {}
    for whose, person, lead, psych in (
        ("ours", patient, physician, psychologist),
        ("theirs", other_patient, other_team_lead, their_psychologist),
    ):
        for note in (
            EncounterFactory(patient=person, author=lead),
            EncounterFactory(patient=person, author=lead, signed_at=person.created_at),
            PsychotherapyNoteFactory(patient=person, author=psych),
        ):
            owner[(type(note), note.pk)] = whose
    return owner


def whose(notes, note) -> str:
    return notes[(type(note), note.pk)]


@pytest.mark.parametrize("member", CAST)
def test_the_visit_note_filter_lists_exactly_the_notes_the_single_check_allows(request, notes, member):
    user = request.getfixturevalue(member)
    every = list(Encounter.objects.select_related("patient"))

    listed = set(visit_notes_visible_to(user))

    assert listed == {note for note in every if may_see_visit_note(user, note)}
    assert {whose(notes, note) for note in listed} == VISIT_NOTES_SEEN[member]
    assert len(listed) == 2 * len(VISIT_NOTES_SEEN[member])


@pytest.mark.parametrize("member", CAST)
def test_the_psychotherapy_note_filter_lists_exactly_the_notes_the_single_check_allows(request, notes, member):
    user = request.getfixturevalue(member)
    every = list(PsychotherapyNote.objects.select_related("patient"))

    listed = set(psychotherapy_notes_visible_to(user))

    assert listed == {note for note in every if may_see_psychotherapy_note(user, note)}
    assert {whose(notes, note) for note in listed} == PSYCHOTHERAPY_NOTES_SEEN[member]
    assert len(listed) == len(PSYCHOTHERAPY_NOTES_SEEN[member])


@pytest.mark.parametrize("member", CAST)
def test_an_inactive_account_sees_no_note_either_way(request, notes, member):
    user = request.getfixturevalue(member)
    user.is_active = False

    assert not visit_notes_visible_to(user).exists()
    assert not psychotherapy_notes_visible_to(user).exists()
    assert not any(may_see_visit_note(user, note) for note in Encounter.objects.all())
    assert not any(may_see_psychotherapy_note(user, note) for note in PsychotherapyNote.objects.all())
