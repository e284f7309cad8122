"""What the patient is told about when the care team will answer (portal/safety.py): honest about time.
In clinic hours, someone will contact them today; after hours, when the clinic will see it (its next opening,
clinic time) and what to do meanwhile. The clock is pinned in the clinic's own time zone."""

from datetime import datetime

import pytest

from clinic.dates import clock_words
from portal.safety import REVIEW, URGENT, opening_words, team_reply, words_for
from tests.clock import (
    AFTER_HOURS_WORDS,
    IN_HOURS_WORDS,
    UNSAFE_MEANWHILE,
    clinic_time,
    saturday_night,
    wednesday_morning,
)


def test_in_clinic_hours_someone_will_contact_the_patient_today(in_clinic_hours):
    reply = team_reply()
    assert (reply.in_hours, reply.when, reply.meanwhile, reply.opens_at) == (True, IN_HOURS_WORDS, "", None)


def test_after_hours_it_says_when_the_clinic_opens_and_what_to_do_meanwhile(after_hours):
    reply = team_reply()
    assert not reply.in_hours
    assert reply.when == AFTER_HOURS_WORDS
    assert reply.meanwhile == UNSAFE_MEANWHILE
    assert reply.opens_at == clinic_time(2026, 12, 14, 8, 0)  # Monday 08:00, clinic time


def test_the_reply_can_be_asked_for_any_moment(clinic_hours):
    assert team_reply(now=wednesday_morning()).when == IN_HOURS_WORDS
    assert team_reply(now=saturday_night()).when == AFTER_HOURS_WORDS


@pytest.mark.parametrize(
    ("moment", "words"),
    [
        (clinic_time(2026, 12, 9, 18, 30), "tomorrow at 8:00 am"),  # Wednesday evening
        (clinic_time(2026, 12, 9, 23, 30), "tomorrow at 8:00 am"),  # before midnight
        (clinic_time(2026, 12, 10, 0, 30), "today at 8:00 am"),  # after midnight
        (clinic_time(2026, 12, 11, 19, 0), "on Monday at 8:00 am"),  # Friday evening
        (clinic_time(2026, 12, 13, 9, 0), "tomorrow at 8:00 am"),  # Sunday morning
    ],
)
def test_it_names_the_next_opening_by_day(clinic_hours, moment, words):
    assert team_reply(now=moment).opening == words


def test_a_review_flag_promises_no_time_in_clinic_hours_but_says_when_after_hours(clinic_hours):
    assert team_reply(kind=REVIEW, now=wednesday_morning()).when == ""
    after = team_reply(kind=REVIEW, now=saturday_night())
    assert after.when == AFTER_HOURS_WORDS and after.meanwhile == ""


def test_the_words_are_pure_and_follow_the_clock_given():
    now = datetime(2026, 12, 12, 22, 0)
    opens = datetime(2026, 12, 14, 9, 30)
    reply = words_for(now=now, in_hours=False, opens_at=opens, kind=URGENT)
    assert reply.when.endswith("when we open on Monday at 9:30 am.")
    assert "988" in reply.meanwhile and "911" in reply.meanwhile


@pytest.mark.parametrize(
    ("hour", "minute", "words"), [(0, 0, "12:00 am"), (8, 0, "8:00 am"), (12, 15, "12:15 pm"), (13, 30, "1:30 pm")]
)
def test_times_read_the_way_people_say_them(hour, minute, words):
    assert clock_words(datetime(2026, 1, 1, hour, minute)) == words


def test_an_opening_a_week_away_names_the_weekday():
    assert opening_words(datetime(2026, 12, 11, 19, 0), datetime(2026, 12, 17, 8, 0)) == "on Thursday at 8:00 am"
