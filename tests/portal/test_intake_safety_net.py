"""The intake's safety net, as the patient sees it: the red-flag screen asks about trouble passing urine
(REFERENCE.md 3.1), every red-flag page says honestly when the care team will see it, a review-level flag
comes with advice on what would mean care today or now, and self-harm words in the patient's free text show
the crisis resources at once, with an urgent task saved in the same transaction (no patient words in it)."""

import pytest
from django.urls import reverse

from clinic.models import TeamTask
from patients import intake as sections
from patients import redflags
from patients.models import RedFlag
from tests.clock import AFTER_HOURS_WORDS, IN_HOURS_WORDS, UNSAFE_MEANWHILE
from tests.portal.intake_steps import ALL_NO, autosave_url, fresh, section_url, text
from tests.portal.journey import open_link

SAFETY_PAGE = reverse("portal:intake_safety")
SUPPORT_PAGE = reverse("portal:intake_support")
REVIEW = reverse("portal:intake_review")
THANKS = reverse("portal:intake_thanks")
CARD = "Support is here for you, any time"
WORDS = "Some days I just want to end it all"


@pytest.fixture
def opened(client, sent):
    open_link(client, sent.url.rstrip("/").rsplit("/", 1)[1])
    return client


# --------------------------------------------------------------------------- the red-flag screen


def test_the_screen_asks_about_trouble_passing_urine(opened, sent):
    page = text(opened.get(section_url(sections.SAFETY)))
    assert "New trouble passing urine (peeing), or not being able to pee" in page
    assert "New trouble controlling bladder or bowels" in page


def test_trouble_passing_urine_is_an_emergency_with_an_urgent_task(opened, sent, physician):
    response = opened.post(section_url(sections.SAFETY), {**ALL_NO, "trouble_passing_urine": "yes", "go": "next"})
    assert response["Location"] == SAFETY_PAGE
    flag = RedFlag.objects.get(intake=sent.intake)
    assert (flag.code, flag.level) == ("trouble_passing_urine", redflags.EMERGENCY)
    assert TeamTask.objects.get(source=TeamTask.Source.RED_FLAG).priority == TeamTask.Priority.URGENT
    assert "Please get emergency care now" in text(opened.get(SAFETY_PAGE))


def test_the_emergency_guidance_in_clinic_hours_says_someone_will_contact_them_today(
    in_clinic_hours, opened, sent, physician
):
    opened.post(section_url(sections.SAFETY), {**ALL_NO, "leg_weakness": "yes", "go": "next"})
    page = text(opened.get(SAFETY_PAGE))
    assert IN_HOURS_WORDS in page and "Please go to the emergency department now or call 911." in page


def test_the_emergency_guidance_after_hours_says_when_the_clinic_will_see_it(after_hours, opened, sent, physician):
    opened.post(section_url(sections.SAFETY), {**ALL_NO, "saddle_numbness": "yes", "go": "next"})
    page = text(opened.get(SAFETY_PAGE))
    assert AFTER_HOURS_WORDS in page and IN_HOURS_WORDS not in page
    assert "Please go to the emergency department now or call 911." in page


def test_a_review_flag_gives_advice_on_what_would_mean_care_today_or_now(in_clinic_hours, opened, sent, physician):
    response = opened.post(section_url(sections.SAFETY), {**ALL_NO, "fever_with_back_pain": "yes", "go": "next"})
    assert response["Location"] == f"{SAFETY_PAGE}?next=feels"
    page = text(opened.get(response["Location"]))
    guidance = redflags.GUIDANCE[redflags.REVIEW]
    for advice in guidance.advice:
        assert advice.lead in page
        for sign in advice.signs:
            assert sign in page
    assert 'href="tel:911"' in page
    assert IN_HOURS_WORDS not in page  # a review task makes no same-day promise
    assert f'href="{section_url("feels")}"' in page
    assert TeamTask.objects.get(source=TeamTask.Source.RED_FLAG).priority == TeamTask.Priority.HIGH


def test_a_review_flag_after_hours_says_when_the_clinic_will_see_it(after_hours, opened, sent, physician):
    response = opened.post(section_url(sections.SAFETY), {**ALL_NO, "history_of_cancer": "yes", "go": "next"})
    page = text(opened.get(response["Location"]))
    assert AFTER_HOURS_WORDS in page and "today if:" in page


def test_the_thank_you_page_repeats_the_review_advice(after_hours, opened, sent, physician):
    opened.post(section_url(sections.SAFETY), {**ALL_NO, "injecting_drugs": "yes", "go": "next"})
    opened.post(REVIEW)
    page = text(opened.get(THANKS))
    assert redflags.GUIDANCE[redflags.REVIEW].advice[0].lead in page
    assert AFTER_HOURS_WORDS in page


def test_the_guidance_page_after_a_review_flag_only_continues_to_a_known_page(opened, sent, physician):
    opened.post(section_url(sections.SAFETY), {**ALL_NO, "history_of_cancer": "yes", "go": "next"})
    page = opened.get(f"{SAFETY_PAGE}?next=https://example.com/").content.decode()
    assert "example.com" not in page


# --------------------------------------------------------------------------- self-harm words in free text


def test_self_harm_words_show_the_crisis_resources_at_once_and_raise_an_urgent_task(
    in_clinic_hours, opened, sent, physician
):
    response = opened.post(section_url("worries_hopes"), {"fears": WORDS, "go": "next"}, follow=True)
    assert response.redirect_chain[0][0] == f"{SUPPORT_PAGE}?next=goals"
    page = text(response)
    assert CARD in page and "Some of the words you wrote make us want to check that you are safe." in page
    assert IN_HOURS_WORDS in page and 'href="tel:988"' in page
    assert WORDS not in page  # never quoted back
    assert f'href="{section_url(sections.GOALS)}"' in page
    task = TeamTask.objects.get()
    assert task.source_key == f"self-harm:intake:{sent.intake.public_id}:worries_hopes"
    assert (task.priority, task.source, task.assignee, task.patient) == (
        TeamTask.Priority.URGENT,
        TeamTask.Source.ALERT,
        physician,
        sent.intake.patient,
    )
    assert task.title == "Possible self-harm words in the patient's pre-visit questions: contact the patient today"
    assert "end it all" not in task.title + task.details
    assert task.escalate_at is not None


def test_after_hours_the_patient_is_told_when_the_clinic_will_see_their_words(after_hours, opened, sent, physician):
    response = opened.post(section_url("your_view"), {"want_from_us": "I feel suicidal", "go": "next"}, follow=True)
    page = text(response)
    assert AFTER_HOURS_WORDS in page and UNSAFE_MEANWHILE in page


def test_autosave_with_self_harm_words_leads_to_the_crisis_resources_once(opened, sent, physician):
    first = opened.post(autosave_url("life"), {"life_notes": WORDS}, HTTP_HX_REQUEST="true")
    assert first["HX-Redirect"] == SUPPORT_PAGE
    again = opened.post(autosave_url("life"), {"life_notes": WORDS + " lately"}, HTTP_HX_REQUEST="true")
    assert "HX-Redirect" not in again  # the patient keeps typing in peace; the task exists
    assert TeamTask.objects.count() == 1
    assert CARD in text(opened.get(SUPPORT_PAGE))


def test_everyday_pain_words_raise_nothing(opened, sent, physician):
    response = opened.post(section_url("onset"), {"how": "My back is killing me and I am dead tired", "go": "next"})
    assert response["Location"] == section_url("where")
    assert not TeamTask.objects.exists()
    assert opened.get(SUPPORT_PAGE)["Location"] == section_url("where")  # nothing to show there


def test_a_page_with_a_problem_still_shows_the_crisis_resources_for_the_words_just_saved(opened, sent, physician):
    response = opened.post(section_url("worries_hopes"), {"fears": WORDS, "hopes": "x" * 2001, "go": "next"})
    assert response.status_code == 400
    assert CARD in text(response)
    assert TeamTask.objects.count() == 1


def test_the_words_and_the_task_are_saved_together_or_not_at_all(opened, sent, physician, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the task could not be created")

    monkeypatch.setattr("patients.self_harm_services.raise_routed_task", broken)
    with pytest.raises(RuntimeError):
        opened.post(section_url("worries_hopes"), {"fears": WORDS, "go": "next"})
    assert fresh(sent.intake).answers == {}


def test_the_thank_you_page_shows_the_crisis_resources_after_self_harm_words(opened, sent, physician):
    opened.post(section_url("worries_hopes"), {"fears": WORDS, "go": "next"})
    opened.post(section_url(sections.SAFETY), {**ALL_NO, "go": "next"})
    opened.post(REVIEW)
    page = text(opened.get(THANKS))
    assert CARD in page and "Some of the words you wrote" in page
