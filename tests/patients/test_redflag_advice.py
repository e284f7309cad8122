"""The safety-net advice a patient gets with a review-level red flag (patients/redflags.py, GUIDANCE[REVIEW]):
what would mean urgent care today, and what would mean 911 now. The app's wording, pending clinical sign-off;
plain, short and calm. Pure: no database."""

import re

from patients.redflags import EMERGENCY, GUIDANCE, ITEMS_BY_CODE, REVIEW, Advice


def words(text):
    return re.findall(r"[A-Za-z0-9']+", text)


def test_the_review_guidance_says_what_would_mean_care_today_and_what_would_mean_911_now():
    today, now = GUIDANCE[REVIEW].advice
    assert isinstance(today, Advice) and today.lead.endswith("today if:")
    assert "urgent care" in today.lead and today.phone is None
    assert now.lead.startswith("Call 911") and "now" in now.lead and now.phone == "911"


def test_the_now_signs_are_the_emergency_items_of_the_screen_in_plain_words():
    now = " ".join(GUIDANCE[REVIEW].advice[1].signs).lower()
    for sign in ("weakness in your legs", "numbness around your genitals, bottom or inner thighs", "passing urine"):
        assert sign in now
    for code in ("leg_weakness", "saddle_numbness", "trouble_passing_urine", "bladder_bowel_control"):
        assert ITEMS_BY_CODE[code].level == EMERGENCY


def test_the_advice_is_short_plain_and_calm():
    for advice in GUIDANCE[REVIEW].advice:
        for line in (advice.lead, *advice.signs):
            assert len(words(line)) <= 15, line
            lowered = line.lower().replace("urgent care", "")  # a place, not an alarm
            for word in ("!", "urgent", "danger", "serious", "infection", "cancer", "fracture", "syndrome"):
                assert word not in lowered, (word, line)


def test_the_emergency_guidance_has_no_today_list_it_says_go_now():
    assert GUIDANCE[EMERGENCY].advice == ()
