"""'The story in 60 seconds', the full answers, the chart's intake card and "Send intake link": who may
see them (404 for outsiders), what they show (red flags on top), their audit and their query counts."""

import html
import re
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import OutboxMessage
from clinic.roles import Discipline, Role
from patients import intake as sections
from patients import redflags
from patients.intake_services import save_red_flags, save_section, send_intake_link, submit_intake
from patients.models import Intake, RedFlag
from patients.story import build_story, goal_suggestions, latest_intake_for
from tests.factories import StaffFactory, put_on_duty

ALL_NO = {item.code: False for item in redflags.ITEMS}
# Session, user, patient, intake, audit, the story's own reads, and the banner (which other chart features grow).
MAX_QUERIES = 20
STORY_ANSWERS = {
    "onset": {"when": "1_to_5_years", "how": "Lifting my grandson"},
    "where": {"regions": ["front_left_knee", "back_lower_back"], "worst": "back_lower_back", "where_notes": ""},
    "feels": {"words": ["aching", "burning", "pins_and_needles"], "other_words": "like a hot wire"},
    "better_worse": {"better": "A warm bath", "worse": "Sitting in the car"},
    "impact": {"sleep": "a_lot", "work": "quite_a_bit", "impact_notes": ""},
    "treatments": {
        "medications_result": "did_not_help",
        "medications_side_effects": True,
        "medications_details": "Gabapentin made me dizzy",
        "physical_therapy_result": "helped",
        "physical_therapy_details": "",
        "surgery_result": "not_tried",
    },
    "life": {"sleep": "a_lot", "loneliness": "some", "life_notes": ""},
    "worries_hopes": {
        "fears": "Ending up in a wheelchair",
        "hopes": "To sleep through",
        "good_day": "A walk by the river",
    },
    "goals": {"goal_1": "Walk the dog", "goal_2": " ", "goal_3": "Dance at my daughter's wedding"},
    "your_view": {"think_problem": "A worn disc", "want_from_us": "To be believed"},
}


def story_url(patient, **query):
    url = reverse("patients:intake_story", args=[patient.public_id])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def answers_url(patient):
    return reverse("patients:intake_answers", args=[patient.public_id])


def send_url(patient):
    return reverse("patients:intake_send", args=[patient.public_id])


def chart_url(patient):
    return reverse("patients:chart", args=[patient.public_id])


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def intake(patient, coordinator):
    return send_intake_link(patient=patient, by=coordinator).intake


@pytest.fixture
def told(intake, physician):
    """An intake with the whole story and one emergency red flag, sent by the patient."""
    for code, values in STORY_ANSWERS.items():
        save_section(intake=intake, code=code, values=values, finished=True)
    save_section(
        intake=intake, code=sections.MOOD, values={"phq2_1": 2, "phq2_2": 2, "gad2_1": 1, "gad2_2": 0}, finished=True
    )
    save_red_flags(intake=intake, answers={**ALL_NO, "leg_weakness": True}, finished=True)
    return submit_intake(intake=intake).intake


# --------------------------------------------------------------------------- the summary (pure)


def unsaved_intake(**fields) -> Intake:
    return Intake(answers=fields.pop("answers", {}), **fields)


def test_it_marks_neuropathic_words_as_such():
    story = build_story(unsaved_intake(answers=STORY_ANSWERS), red_flags=[], responses=[])
    assert [(w.label, w.neuropathic) for w in story.words] == [
        ("Aching", False),
        ("Burning", True),
        ("Pins and needles", True),
    ]
    assert story.has_neuropathic_words


def test_it_groups_treatments_by_what_happened():
    story = build_story(unsaved_intake(answers=STORY_ANSWERS), red_flags=[], responses=[])
    assert [t.name for t in story.helped] == ["Physical therapy or exercise programs"]
    assert [(t.name, t.details) for t in story.did_not_help] == [("Medicines", "Gabapentin made me dizzy")]
    assert [t.name for t in story.side_effects] == ["Medicines"]


def test_it_shows_the_body_map_with_the_worst_place_marked():
    story = build_story(unsaved_intake(answers=STORY_ANSWERS), red_flags=[], responses=[])
    assert story.regions == ["Left knee (front)", "Lower back (back)"]
    assert story.worst == "Lower back (back)"
    assert [s.region.code for s in story.shapes if s.selected] == ["front_left_knee", "back_lower_back"]
    assert [s.region.code for s in story.shapes if s.worst] == ["back_lower_back"]


@pytest.mark.parametrize(
    "where",
    [
        {},
        {"regions": "front_head", "worst": "front_head"},
        {"regions": ["nowhere"], "worst": "nowhere"},
        {"regions": ["front_head"], "worst": "back_lower_back"},
    ],
)
def test_it_ignores_what_the_map_does_not_know(where):
    story = build_story(unsaved_intake(answers={"where": where}), red_flags=[], responses=[])
    assert story.worst == "" and story.worst_region is None
    assert story.regions in ([], ["Head (front)"])


def test_it_lists_emergency_flags_first_and_says_when_an_answer_was_changed_to_no():
    intake = unsaved_intake(red_flag_answers={"history_of_cancer": False, "leg_weakness": True})
    flags = [
        RedFlag(code="history_of_cancer", level=redflags.REVIEW, source=RedFlag.Source.INTAKE),
        RedFlag(code="leg_weakness", level=redflags.EMERGENCY, source=RedFlag.Source.INTAKE),
    ]
    story = build_story(intake, red_flags=flags, responses=[])
    assert [(line.text, line.is_emergency, line.changed_to_no) for line in story.red_flags] == [
        ("New or worsening weakness in the legs", True, False),
        ("History of cancer", False, True),
    ]
    assert story.emergency


def test_goal_suggestions_are_the_three_things_as_written_without_empty_ones():
    assert goal_suggestions(unsaved_intake(answers=STORY_ANSWERS)) == ["Walk the dog", "Dance at my daughter's wedding"]
    assert goal_suggestions(unsaved_intake()) == []
    assert goal_suggestions(unsaved_intake(answers={"goals": "not a dict"})) == []


def test_latest_intake_for_is_one_query_with_the_card_facts(patient, intake, physician, django_assert_num_queries):
    save_red_flags(intake=intake, answers={**ALL_NO, "history_of_cancer": True, "leg_weakness": True}, finished=True)
    with django_assert_num_queries(1):
        latest = latest_intake_for(patient)
        assert latest.link.created_at is not None
    assert (latest.pk, latest.red_flag_count, latest.sections_done, latest.sections_total) == (intake.pk, 2, 1, 12)


def test_latest_intake_for_a_patient_with_none_is_none(patient):
    assert latest_intake_for(patient) is None


# --------------------------------------------------------------------------- the story page


@pytest.mark.parametrize("who", ["physician", "psychologist", "coordinator", "clinic_admin"])
def test_the_team_coordinators_and_admins_read_the_story_and_it_is_audited(request, signed_in, patient, told, who):
    user = request.getfixturevalue(who)
    response = signed_in(user).get(story_url(patient))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        patient=patient, actor=user, action=Action.VIEW, target="intake: story in 60 seconds"
    ).exists()


def test_the_story_puts_red_flags_on_top_and_tells_it_in_a_page(signed_in, physician, patient, told):
    response = signed_in(physician).get(story_url(patient))
    page = text(response)
    assert page.index("Red flags") < page.index("Where it hurts") < page.index("Treatments tried")
    assert "Emergency New or worsening weakness in the legs" in page
    assert 'The patient was shown the "please get emergency care now" guidance' in page
    for words in (
        "Hurts most: Lower back (back)",
        "Burning neuropathic feature",
        "Pins and needles neuropathic feature",
        "When: 1 to 5 years ago",
        "Lifting my grandson",
        "A warm bath",
        "Sleep A lot",
        "Medicines: Gabapentin made me dizzy",
        "Ending up in a wheelchair",
        "A walk by the river",
        "Walk the dog",
        "Dance at my daughter's wedding",
        "What would you like from us? To be believed",
        "PHQ-2: 4 of 6, positive screen",
        "GAD-2: 1 of 6, negative screen",
        "Feeling lonely A bit of a worry",
    ):
        assert words in page, words
    html = response.content.decode()
    assert 'class="bodymap-region is-selected is-worst" data-region="back_lower_back"' in html
    assert 'class="bodymap-region is-selected" data-region="front_left_knee"' in html
    assert "bodymap-worst-mark" in html
    assert answers_url(patient) in html


def test_the_story_of_an_intake_in_progress_says_so(signed_in, physician, patient, intake):
    save_section(intake=intake, code="onset", values={"when": "not_sure"}, finished=True)
    page = text(signed_in(physician).get(story_url(patient)))
    assert "In progress, not sent yet: 1 of 12 sections saved so far" in page
    assert "The patient has not answered the safety questions yet." in page


def test_the_story_says_plainly_when_there_is_no_intake(signed_in, physician, patient):
    response = signed_in(physician).get(story_url(patient))
    assert response.status_code == 200
    assert "No intake yet." in text(response)


def test_with_every_safety_answer_no_it_says_none(signed_in, physician, patient, intake):
    save_red_flags(intake=intake, answers=ALL_NO, finished=True)
    assert 'None: the patient answered "no" to every safety question.' in text(
        signed_in(physician).get(story_url(patient))
    )


def test_the_story_shows_the_sent_intake_rather_than_a_newer_empty_one(
    signed_in, physician, coordinator, patient, told
):
    newer = send_intake_link(patient=patient, by=coordinator).intake
    response = signed_in(physician).get(story_url(patient))
    assert response.context["intake"].pk == told.pk
    assert f"?intake={newer.public_id}" in response.content.decode()


def test_the_full_answers_are_one_click_away(signed_in, physician, patient, told):
    response = signed_in(physician).get(answers_url(patient))
    assert response.status_code == 200
    page = text(response)
    assert "1. When and how it started" in page and "Lifting my grandson" in page
    assert "New or worsening weakness in the legs Yes" in page
    assert "Little interest or pleasure in doing things More than half the days" in page
    assert AuditEvent.objects.filter(patient=patient, actor=physician, target="intake: full answers").exists()


@pytest.mark.parametrize("page", [story_url, answers_url])
def test_a_clinician_on_no_team_gets_a_404_and_no_audit(signed_in, outsider, patient, told, page):
    response = signed_in(outsider).get(page(patient))
    assert response.status_code == 404
    assert b"Garcia" not in response.content
    assert not AuditEvent.objects.filter(patient=patient, actor=outsider).exclude(action=Action.REFUSED).exists()


@pytest.mark.parametrize("page", [story_url, answers_url])
def test_a_clinician_of_another_team_gets_a_404(signed_in, physician, other_patient, coordinator, page):
    send_intake_link(patient=other_patient, by=coordinator)
    assert signed_in(physician).get(page(other_patient)).status_code == 404


def test_an_intake_of_another_patient_cannot_be_named_in_the_address(signed_in, coordinator, patient, other_patient):
    theirs = send_intake_link(patient=other_patient, by=coordinator).intake
    send_intake_link(patient=patient, by=coordinator)
    client = signed_in(coordinator)
    assert client.get(story_url(patient, intake=theirs.public_id)).status_code == 404
    assert client.get(answers_url(patient) + f"?intake={theirs.public_id}").status_code == 404
    assert client.get(story_url(patient, intake="not-a-uuid")).status_code == 404


def test_unknown_patients_get_a_404(signed_in, coordinator):
    assert signed_in(coordinator).get(reverse("patients:intake_story", args=[uuid.uuid4()])).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, patient):
    response = client.get(story_url(patient))
    assert response.status_code == 302 and "/accounts/sign-in/" in response["Location"]


def test_the_clinician_on_duty_with_the_urgent_task_can_open_the_story(signed_in, patient, intake):
    duty = put_on_duty(StaffFactory(username="dr.duty", role=Role.CLINICIAN, discipline=Discipline.PHYSICIAN))
    save_red_flags(intake=intake, answers={"saddle_numbness": True}, finished=False)
    assert signed_in(duty).get(story_url(patient)).status_code == 200


def test_the_story_runs_the_same_number_of_queries_however_long_the_history(
    signed_in, physician, coordinator, patient, told, django_assert_max_num_queries
):
    client = signed_in(physician)
    client.get(story_url(patient))
    with django_assert_max_num_queries(MAX_QUERIES) as small:
        client.get(story_url(patient))
    for _ in range(15):  # many earlier intakes, each with red flags
        earlier = send_intake_link(patient=patient, by=coordinator).intake
        save_red_flags(intake=earlier, answers={item.code: True for item in redflags.ITEMS}, finished=True)
        submit_intake(intake=earlier)
    with django_assert_max_num_queries(MAX_QUERIES) as large:
        response = client.get(story_url(patient, intake=told.public_id))
    assert len(response.context["earlier"]) == 10
    assert len(small) == len(large), [q["sql"][:80] for q in large.captured_queries]


def test_the_full_answers_run_the_same_number_of_queries_however_long_the_history(
    signed_in, physician, coordinator, patient, told, django_assert_max_num_queries
):
    client = signed_in(physician)
    client.get(answers_url(patient))
    with django_assert_max_num_queries(MAX_QUERIES) as small:
        client.get(answers_url(patient))
    for _ in range(15):
        earlier = send_intake_link(patient=patient, by=coordinator).intake
        save_red_flags(intake=earlier, answers={item.code: True for item in redflags.ITEMS}, finished=True)
        submit_intake(intake=earlier)
    with django_assert_max_num_queries(MAX_QUERIES) as large:
        client.get(answers_url(patient) + f"?intake={told.public_id}")
    assert len(small) == len(large), [q["sql"][:80] for q in large.captured_queries]


# --------------------------------------------------------------------------- the chart card and sending the link


def test_the_chart_card_says_not_sent_yet(signed_in, coordinator, patient):
    page = text(signed_in(coordinator).get(chart_url(patient)))
    assert "Pre-visit intake Send intake link" in page and "Not sent yet." in page


def test_the_chart_card_shows_progress_and_red_flags(signed_in, physician, patient, intake):
    save_red_flags(intake=intake, answers={**ALL_NO, "history_of_cancer": True}, finished=True)
    response = signed_in(physician).get(chart_url(patient))
    page = text(response)
    assert "1 of 12 sections saved so far." in page and "1 red flag" in page
    assert story_url(patient) in response.content.decode()


def test_the_chart_card_links_to_the_story_once_sent(signed_in, physician, patient, told):
    response = signed_in(physician).get(chart_url(patient))
    page = text(response)
    sent_on = timezone.localdate(told.submitted_at)  # the clinic's date, as the card shows it
    assert f"Sent by the patient on {sent_on:%b} {sent_on.day}, {sent_on.year}." in page
    assert "Read the story" in page


def test_the_chart_stays_within_its_query_budget_with_an_intake(
    signed_in, physician, patient, told, django_assert_max_num_queries
):
    client = signed_in(physician)
    client.get(chart_url(patient))
    with django_assert_max_num_queries(30) as queries:
        client.get(chart_url(patient))
    assert sum("patients_intake" in q["sql"] for q in queries.captured_queries) == 1


def test_a_coordinator_sends_the_link_and_it_is_audited(signed_in, coordinator, patient):
    response = signed_in(coordinator).post(send_url(patient), follow=True)
    assert response.redirect_chain[-1][0] == chart_url(patient)
    assert "The intake link is on its way to Mari by email." in text(response)
    assert OutboxMessage.objects.filter(patient=patient).count() == 1
    assert Intake.objects.get(patient=patient).link.created_by == coordinator
    assert AuditEvent.objects.filter(
        patient=patient, actor=coordinator, action=Action.CREATE, target="intake link sent"
    ).exists()


def test_without_a_channel_the_link_is_shown_once_to_give_in_person(signed_in, coordinator, patient):
    patient.consents_to_email = False
    patient.save(update_fields=["consents_to_email"])
    response = signed_in(coordinator).post(send_url(patient))
    assert response.status_code == 200
    page = text(response)
    assert "Give this intake link to the patient in person" in page
    assert "This page shows the link only this once." in page
    assert re.search(r'value="http://[^"]+/p/[A-Za-z0-9_-]{40,}/"', response.content.decode())
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert not OutboxMessage.objects.exists()


def test_sending_is_a_post(signed_in, coordinator, patient):
    assert signed_in(coordinator).get(send_url(patient)).status_code == 405
    assert not Intake.objects.exists()


def test_a_clinician_on_no_team_cannot_send_and_gets_a_404(signed_in, outsider, patient):
    assert signed_in(outsider).post(send_url(patient)).status_code == 404
    assert not Intake.objects.exists()


@pytest.mark.parametrize("who", ["physician", "clinic_admin"])
def test_staff_without_the_send_links_permission_cannot_send(request, signed_in, patient, who):
    """Only roles whose groups hold clinic.send_patient_links (coordinators, clinic/migrations/0002) send links."""
    response = signed_in(request.getfixturevalue(who)).post(send_url(patient))
    assert response.status_code == 403
    assert not Intake.objects.exists()
    assert b"Send intake link" not in signed_in(request.getfixturevalue(who)).get(chart_url(patient)).content
