"""The pre-visit intake on the patient's phone: the link, the welcome, one section per screen saved as the
patient goes (and by autosave), resuming, the red-flag screen and its emergency guidance, review, and
"Send to my care team" once."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from audit.models import Action, AuditEvent
from clinic.models import TeamTask
from measures.models import Alert, Response
from patients import intake as sections
from patients import redflags
from patients.intake_services import RESEND_WINDOW_SECONDS, send_intake_link
from patients.models import Intake, RedFlag
from portal.models import PatientLink
from portal.services import issue_link
from tests.portal.intake_steps import ALL_NO, autosave_url, fresh, section_url, text
from tests.portal.journey import open_link

OVERVIEW = reverse("portal:intake")
RESUME = reverse("portal:intake_resume")
REVIEW = reverse("portal:intake_review")
SAFETY_PAGE = reverse("portal:intake_safety")
THANKS = reverse("portal:intake_thanks")
CLOSED = "This link is no longer open"


@pytest.fixture
def token(sent):
    return sent.url.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def opened(client, token):
    """The patient's phone, with the intake link opened."""
    open_link(client, token)
    return client


# --------------------------------------------------------------------------- opening the link


def test_opening_the_link_leads_to_the_welcome_and_changes_nothing(client, token, sent):
    before = fresh(sent.intake)
    response = open_link(client, token, follow=True)
    assert response.redirect_chain[-1][0] == OVERVIEW
    page = text(response)
    assert "Before your first visit, we would like to hear your pain story in your own words." in page
    assert "About 15 minutes, in 12 short sections." in page
    assert "come back with the same link" in page
    after = fresh(sent.intake)
    assert (after.answers, after.sections_saved, after.red_flag_answers, after.updated_at) == (
        before.answers,
        before.sections_saved,
        before.red_flag_answers,
        before.updated_at,
    )
    assert not RedFlag.objects.exists()


@pytest.mark.parametrize("state", ["unknown", "expired", "revoked", "submitted"])
def test_it_shows_the_same_calm_page_for_every_link_that_is_not_open(client, patient, coordinator, state):
    sent = send_intake_link(patient=patient, by=coordinator)
    token = sent.url.rstrip("/").rsplit("/", 1)[1]
    if state == "unknown":
        token = "x" * 43
    elif state == "expired":
        PatientLink.objects.filter(pk=sent.link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    elif state == "revoked":
        with time_machine.travel(timezone.now() + timedelta(seconds=RESEND_WINDOW_SECONDS + 1), tick=False):
            send_intake_link(patient=patient, by=coordinator)  # a new link (after a minute) revokes the old one
    else:
        Intake.objects.filter(pk=sent.intake.pk).update(submitted_at=timezone.now())
        PatientLink.objects.filter(pk=sent.link.pk).update(completed_at=timezone.now())
    response = client.get(reverse("portal:open", args=[token]))
    assert response.status_code == 200
    assert CLOSED in text(response)
    assert client.get(OVERVIEW).status_code == 200 and CLOSED in text(client.get(OVERVIEW))


def test_it_limits_how_often_links_can_be_tried(client, db):
    for _ in range(31):
        response = client.get(reverse("portal:open", args=["y" * 43]))
    assert response.status_code == 429
    assert CLOSED in text(response)


def test_a_questionnaire_link_does_not_reach_the_intake(client, patient):
    _, token = issue_link(patient=patient, purpose=PatientLink.Purpose.QUESTIONNAIRES)
    open_link(client, token)
    assert client.get(OVERVIEW).status_code == 404
    assert client.post(section_url("onset"), {"when": "not_sure"}).status_code == 404


def test_another_patients_session_cannot_reach_this_intake(client, sent, other_patient, coordinator):
    other = send_intake_link(patient=other_patient, by=coordinator)
    open_link(client, other.url.rstrip("/").rsplit("/", 1)[1])
    client.post(section_url("onset"), {"when": "not_sure", "go": "next"})
    assert fresh(sent.intake).answers == {}
    assert fresh(other.intake).answers["onset"]["when"] == "not_sure"


def test_without_a_session_every_intake_page_is_the_calm_closed_page(client, sent):
    for url in (OVERVIEW, RESUME, section_url("onset"), REVIEW, SAFETY_PAGE, THANKS):
        response = client.get(url)
        assert response.status_code == 200 and CLOSED in text(response), url
    response = client.post(section_url("onset"), {"when": "not_sure"})
    assert CLOSED in text(response)
    assert fresh(sent.intake).answers == {}


# --------------------------------------------------------------------------- sections


def test_the_overview_lists_the_sections_with_their_progress(opened, sent):
    opened.post(section_url("onset"), {"when": "1_to_5_years", "how": "Lifting a box", "go": "next"})
    page = text(opened.get(OVERVIEW))
    assert "1 of 12 sections saved" in page
    assert "1. When and how it started" in page and "Done" in page
    assert "12. Your thoughts" in page and "Not started" in page


def test_a_section_saves_on_save_and_continue_and_moves_on(opened, sent):
    response = opened.post(
        section_url("onset"), {"when": "1_to_5_years", "how": " After a fall\r\nat work ", "go": "next"}
    )
    assert response.status_code == 302 and response["Location"] == section_url("where")
    intake = fresh(sent.intake)
    assert intake.answers["onset"] == {"when": "1_to_5_years", "how": "After a fall\nat work"}
    assert intake.sections_saved == ["onset"]
    assert AuditEvent.objects.filter(
        patient=sent.intake.patient, action=Action.UPDATE, target="intake section saved: onset", actor=None
    ).exists()


def test_the_saved_answers_show_again_when_the_patient_comes_back(opened, sent):
    opened.post(section_url("feels"), {"words": ["burning", "aching"], "other_words": "like a hot wire", "go": "next"})
    page = opened.get(section_url("feels")).content.decode()
    assert 'value="burning" checked' in page and 'value="aching" checked' in page
    assert 'value="tingling" checked' not in page
    assert 'value="like a hot wire"' in page


def test_a_problem_keeps_what_was_typed_says_so_plainly_and_saves_the_rest(opened, sent):
    too_long = "x" * (sections.LONG_TEXT_MAX + 5)
    response = opened.post(section_url("better_worse"), {"better": "Heat <b>pads</b>", "worse": too_long, "go": "next"})
    assert response.status_code == 400
    page = text(response)
    assert "Please check the answer marked below. Everything else on this page is saved." in page
    assert f"Please shorten this to {sections.LONG_TEXT_MAX} characters or fewer" in page
    assert too_long in response.content.decode()
    assert "Heat &lt;b&gt;pads&lt;/b&gt;" in response.content.decode()
    intake = fresh(sent.intake)
    assert intake.answers["better_worse"] == {"better": "Heat <b>pads</b>"}
    assert "better_worse" not in intake.sections_saved


@pytest.mark.parametrize(
    "data",
    [
        {"when": "yesterday"},
        {"when": ["not_sure", "<script>"]},
        {"how": "\x00\x01 null bytes"},
        {"regions": ["front_head", "nowhere"]},
        {"worst": "front_head"},
        {"words": ["burning"] * 500},
        {"phq2_1": "9"},
        {"go": "somewhere"},
    ],
)
def test_no_input_causes_an_error_page(opened, sent, data):
    for code in ("onset", "where", "feels", "mood"):
        response = opened.post(section_url(code), data)
        assert response.status_code in (302, 400)
        autosaved = opened.post(autosave_url(code), data)
        assert autosaved.status_code == 200


def test_a_nul_byte_is_dropped_not_stored(opened, sent):
    opened.post(section_url("onset"), {"how": "a\x00b", "go": "next"})
    assert fresh(sent.intake).answers["onset"]["how"] == "ab"


def test_back_saves_too_and_goes_to_the_previous_section(opened, sent):
    response = opened.post(section_url("where"), {"regions": ["front_left_knee"], "go": "back"})
    assert response["Location"] == section_url("onset")
    assert fresh(sent.intake).answers["where"]["regions"] == ["front_left_knee"]


def test_save_and_finish_later_saves_and_forgets_the_link_in_this_browser(opened, sent, token):
    response = opened.post(section_url("onset"), {"when": "not_sure", "go": "later"})
    assert "Your answers are saved" in text(response)
    assert fresh(sent.intake).answers["onset"]["when"] == "not_sure"
    assert CLOSED in text(opened.get(OVERVIEW))
    # The same link opens it again, where the patient left off.
    response = open_link(opened, token, follow=True)
    assert response.redirect_chain[-1][0] == section_url("where")


def test_resuming_goes_to_the_first_section_not_saved(opened, sent):
    for code in ("onset", "where"):
        opened.post(section_url(code), {"go": "next"})
    opened.post(section_url("feels"), {"go": "next"})
    assert opened.get(RESUME)["Location"] == section_url(sections.SAFETY)


def test_the_body_map_keeps_the_regions_and_the_worst_among_them(opened, sent):
    response = opened.post(
        section_url("where"),
        {"regions": ["back_lower_back", "front_left_knee"], "worst": "back_lower_back", "go": "next"},
    )
    assert response.status_code == 302
    where = fresh(sent.intake).answers["where"]
    assert where["regions"] == ["front_left_knee", "back_lower_back"]  # map order
    assert where["worst"] == "back_lower_back"
    page = opened.get(section_url("where")).content.decode()
    assert "data-bodymap" in page and 'data-region="back_lower_back"' in page
    assert 'id="f-regions-back_lower_back" name="regions" value="back_lower_back" checked' in page


def test_the_worst_place_must_be_one_of_the_places_marked(opened, sent):
    response = opened.post(section_url("where"), {"regions": ["front_left_knee"], "worst": "front_head", "go": "next"})
    assert response.status_code == 400
    assert str(sections.WORST_NOT_MARKED) in text(response)
    assert fresh(sent.intake).answers["where"] == {"regions": ["front_left_knee"], "where_notes": ""}


def test_autosave_stores_answers_without_counting_the_section_as_saved(opened, sent):
    response = opened.post(autosave_url("worries_hopes"), {"fears": "That it never ends"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Saved at" in text(response)
    intake = fresh(sent.intake)
    assert intake.answers["worries_hopes"]["fears"] == "That it never ends"
    assert intake.sections_saved == []
    assert "Started" in text(opened.get(OVERVIEW + "?all=1"))


def test_autosave_after_the_session_ends_sends_the_browser_to_the_calm_page(client, sent):
    response = client.post(autosave_url("onset"), {"how": "x"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == RESUME
    assert fresh(sent.intake).answers == {}


def test_the_mood_section_asks_phq2_and_gad2_word_for_word(opened):
    page = text(opened.get(section_url(sections.MOOD)))
    for words in (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Over the last 2 weeks, how often have you been bothered by the following problems?",
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "More than half the days",
        "No permission required to reproduce, translate, display or distribute.",
    ):
        assert words in page


# --------------------------------------------------------------------------- the red-flag screen


def test_an_emergency_answer_shows_the_guidance_at_once_with_the_task_already_created(opened, sent, physician):
    response = opened.post(section_url(sections.SAFETY), {**ALL_NO, "saddle_numbness": "yes", "go": "next"})
    assert response["Location"] == SAFETY_PAGE
    task = TeamTask.objects.get(source=TeamTask.Source.RED_FLAG)
    assert (task.priority, task.assignee, task.patient) == (TeamTask.Priority.URGENT, physician, sent.intake.patient)
    page = opened.get(SAFETY_PAGE)
    words = text(page)
    guidance = redflags.GUIDANCE[redflags.EMERGENCY]
    assert guidance.title in words
    for paragraph in guidance.paragraphs:
        assert paragraph in words
    assert 'href="tel:911"' in page.content.decode()
    assert "Continue with my questions" in words and "Save and finish later" in words


def test_an_emergency_answer_shows_the_guidance_even_before_the_screen_is_complete(opened, sent, physician):
    response = opened.post(section_url(sections.SAFETY), {"leg_weakness": "yes", "go": "later"})
    assert response["Location"] == SAFETY_PAGE
    assert RedFlag.objects.filter(intake=sent.intake, code="leg_weakness", level=redflags.EMERGENCY).exists()


def test_autosaving_an_emergency_answer_sends_the_browser_to_the_guidance(opened, sent, physician):
    response = opened.post(autosave_url(sections.SAFETY), {"bladder_bowel_control": "yes"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == SAFETY_PAGE
    assert TeamTask.objects.filter(source=TeamTask.Source.RED_FLAG, priority=TeamTask.Priority.URGENT).count() == 1


def test_a_second_submit_of_the_same_answers_creates_nothing_twice(opened, sent, physician):
    data = {**ALL_NO, "saddle_numbness": "yes", "history_of_cancer": "yes", "go": "next"}
    opened.post(section_url(sections.SAFETY), data)
    opened.post(section_url(sections.SAFETY), data)
    opened.post(autosave_url(sections.SAFETY), data)
    assert RedFlag.objects.filter(intake=sent.intake).count() == 2
    assert TeamTask.objects.filter(source=TeamTask.Source.RED_FLAG).count() == 2  # one per level


def test_a_review_answer_says_the_care_team_will_look_and_what_would_mean_care_today(opened, sent, physician):
    response = opened.post(
        section_url(sections.SAFETY), {**ALL_NO, "history_of_cancer": "yes", "go": "next"}, follow=True
    )
    assert response.redirect_chain[0][0] == f"{SAFETY_PAGE}?next=feels"
    page = text(response)
    assert "Your care team will look at these answers." in page
    assert "please go to urgent care or an emergency department today if:" in page
    assert f'href="{section_url("feels")}"' in response.content.decode()  # then on with the questions
    task = TeamTask.objects.get(source=TeamTask.Source.RED_FLAG)
    assert (task.priority, task.assignee) == (TeamTask.Priority.HIGH, physician)


def test_the_screen_asks_for_every_answer_before_moving_on_and_keeps_the_ones_given(opened, sent):
    response = opened.post(section_url(sections.SAFETY), {"fever_with_back_pain": "no", "go": "next"})
    assert response.status_code == 400
    page = text(response)
    assert "Please answer yes or no to each question. Your answers so far are saved." in page
    assert 'value="no" checked' in response.content.decode()
    intake = fresh(sent.intake)
    assert intake.red_flag_answers == {"fever_with_back_pain": False}
    assert sections.SAFETY not in intake.sections_saved


def test_all_no_saves_the_screen_and_creates_no_task(opened, sent):
    response = opened.post(section_url(sections.SAFETY), {**ALL_NO, "go": "next"})
    assert response["Location"] == section_url("feels")
    intake = fresh(sent.intake)
    assert intake.red_flag_level == redflags.NONE and sections.SAFETY in intake.sections_saved
    assert not TeamTask.objects.exists()


def test_the_guidance_page_is_only_for_a_red_flag(opened, sent):
    assert opened.get(SAFETY_PAGE).status_code == 302


# --------------------------------------------------------------------------- review and sending


def fill_and_send(client, *, mood=None, safety=None):
    client.post(section_url(sections.SAFETY), {**ALL_NO, **(safety or {}), "go": "next"})
    client.post(section_url(sections.GOALS), {"goal_1": "Walk the dog", "goal_3": "Dance", "go": "next"})
    if mood:
        client.post(section_url(sections.MOOD), {**mood, "go": "next"})
    return client.post(REVIEW)


def test_the_review_shows_the_answers_in_words_with_change_links(opened, sent):
    opened.post(section_url("onset"), {"when": "over_5_years", "go": "next"})
    page = text(opened.get(REVIEW))
    assert "More than 5 years ago" in page
    assert "Not started yet." in page
    assert f'href="{section_url("onset")}?then=review"' in opened.get(REVIEW).content.decode()


def test_sending_needs_the_safety_questions_first(opened, sent):
    response = opened.post(REVIEW)
    assert response["Location"] == section_url(sections.SAFETY) + "?then=review"
    assert fresh(sent.intake).submitted_at is None


def test_sending_submits_once_closes_the_link_and_a_second_tap_shows_the_thank_you_page(opened, sent, token):
    response = fill_and_send(opened)
    assert response["Location"] == THANKS
    intake = fresh(sent.intake)
    assert intake.submitted_at is not None
    assert PatientLink.objects.get(pk=sent.link.pk).completed_at is not None
    second = opened.post(REVIEW)
    assert second["Location"] == THANKS
    assert fresh(sent.intake).submitted_at == intake.submitted_at
    assert AuditEvent.objects.filter(target="intake sent to the care team").count() == 1
    thanks = text(opened.get(THANKS))
    assert "Thank you, Mari" in thanks and "Your story is with your care team." in thanks
    assert "Support is here for you" not in thanks  # nothing worrying: no support card
    # The link is closed now: opening it again shows the calm page.
    assert CLOSED in text(opened.get(reverse("portal:open", args=[token])))


def test_sending_turns_phq2_and_gad2_into_scored_portal_responses_with_their_alerts(opened, sent, physician):
    mood = {"phq2_1": "2", "phq2_2": "2", "gad2_1": "0", "gad2_2": "1"}
    fill_and_send(opened, mood=mood)
    phq2 = Response.objects.get(patient=sent.intake.patient, instrument__code="phq2")
    gad2 = Response.objects.get(patient=sent.intake.patient, instrument__code="gad2")
    assert (phq2.source, phq2.total, phq2.positive, phq2.completed_at is not None) == ("portal", 4, True, True)
    assert (gad2.total, gad2.positive) == (1, False)
    alert = Alert.objects.get(response=phq2)
    assert alert.kind == Alert.Kind.POSITIVE_SCREEN and alert.task.assignee == physician
    thanks = text(opened.get(THANKS))
    assert "Support is here for you, any time" in thanks and "988" in thanks
    assert "better off dead" not in thanks


def test_an_intake_with_an_emergency_red_flag_repeats_the_guidance_on_the_thank_you_page(opened, sent, physician):
    fill_and_send(opened, safety={"leg_weakness": "yes"})
    thanks = text(opened.get(THANKS))
    assert (
        "Please get emergency care now" in thanks and "Please go to the emergency department now or call 911." in thanks
    )


def test_after_sending_nothing_can_change(opened, sent):
    fill_and_send(opened)
    before = fresh(sent.intake)
    response = opened.post(section_url("onset"), {"when": "not_sure", "go": "next"})
    assert response["Location"] == THANKS
    assert fresh(sent.intake).answers == before.answers


def test_the_thank_you_page_is_not_for_a_browser_that_did_not_send_it(client, opened, sent):
    fill_and_send(opened)
    client.cookies.clear()
    assert CLOSED in text(client.get(THANKS))


def test_every_intake_page_is_audited_with_the_patient_as_the_actor(opened, sent):
    opened.get(OVERVIEW)
    opened.get(section_url("onset"))
    opened.get(REVIEW)
    targets = set(AuditEvent.objects.filter(patient=sent.intake.patient, actor=None).values_list("target", flat=True))
    assert {"intake welcome", "intake section: onset", "intake review"} <= targets


def test_portal_pages_of_the_intake_keep_the_token_private(opened):
    response = opened.get(section_url("onset"))
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_after_an_emergency_answer_with_questions_left_continue_leads_back_to_the_safety_questions(opened, sent):
    opened.post(autosave_url(sections.SAFETY), {"saddle_numbness": "yes"}, HTTP_HX_REQUEST="true")
    page = opened.get(SAFETY_PAGE).content.decode()
    assert f'href="{section_url(sections.SAFETY)}"' in page


def test_after_an_emergency_answer_on_a_complete_screen_continue_leads_to_the_first_section_not_saved(opened, sent):
    opened.post(section_url("onset"), {"go": "next"})
    opened.post(autosave_url(sections.SAFETY), {**ALL_NO, "saddle_numbness": "yes"}, HTTP_HX_REQUEST="true")
    assert sections.SAFETY in fresh(sent.intake).sections_saved  # every item answered: the screen counts as saved
    page = opened.get(SAFETY_PAGE).content.decode()
    assert f'href="{section_url("where")}"' in page
