"""The self-harm phrase check on a patient's own writing (patients/self_harm.py): the app's rule, pending
clinical sign-off. Pure: no database. The phrases that must NOT match are the ones people living with pain say
every day and mean the pain."""

import pytest

from patients.self_harm import PHRASES, matches, mentions_in_any, mentions_self_harm

MUST_MATCH = [
    "I want to kill myself",
    "Some days I think about killing myself",
    "sometimes I think about suicide",
    "I have been feeling suicidal again",
    "I just want to end it all",
    "I'm thinking about ending my life",
    "I might take my own life",
    "I want to die",
    "honestly i wanna die",
    "Everyone would be better off without me",
    "I'd be better off dead",
    "I don\u2019t want to live like this anymore",  # a curly apostrophe, as phones type it
    "I dont want to be alive",
    "I can't go on living with this pain",
    "Life is not worth living",
    "life isn't worth living",
    "There is no reason to live",
    "no point in living",
    "I have nothing left to live for",
    "I wish I was dead",
    "I wish I\u2019d be dead",
    "I wish I had never been born",
    "I wish I could just not wake up",
    "I want to go to sleep and never wake up",
    "I have been self-harming",
    "self harm",
    "I keep thinking about hurting myself",
    "I had thoughts of harming myself",
    "I hurt myself on purpose last night",
    "I have been cutting myself",
    "I took an overdose",
    "I want to hang myself",
    "KILL MYSELF",
    "kill\nmyself",  # a line break in the middle
    "I would never kill myself",  # negations still match on purpose: a person reads it first
    "I took too many pills, an overdose on purpose",
    "I get urges to hurt myself",
    "I want to unalive myself",
    "Some nights I wanted to be dead",
    "I keep thinking about taking my life",
    "I could shoot myself",
]

MUST_NOT_MATCH = [
    "My back is killing me",
    "This pain is killing me today",
    "my knees are killing me after the stairs",
    "dead tired after physio",
    "I was dead on my feet by lunch",
    "I'm dying to get back to gardening",
    "I could kill for a good night's sleep",
    "Killed it at the pool today!",
    "I've been killing myself to keep up at work",
    "killing myself trying to finish the garden",
    "I hurt myself lifting a box",
    "I cut myself cooking dinner",
    "I don't want to hurt myself again by overdoing it",
    "I want to take my life back from this pain",
    "The painkillers helped a bit",
    "I was bored to death in the waiting room",
    "I nearly died laughing at my grandson",
    "My deadline at work is Friday",
    "I skilled myself up on the new pacing plan",
    "I want to diet to lose some weight",
    "I did not wake up until ten",
    "I'm cutting myself some slack this week",
    "",
]


@pytest.mark.parametrize("text", MUST_MATCH)
def test_it_finds_words_that_can_mean_thoughts_of_self_harm_or_suicide(text):
    assert mentions_self_harm(text), text
    assert matches(text)


@pytest.mark.parametrize("text", MUST_NOT_MATCH)
def test_it_leaves_everyday_words_about_pain_alone(text):
    assert not mentions_self_harm(text), (text, matches(text))


def test_no_text_matches_nothing():
    assert matches(None) == () and not mentions_self_harm(None)


def test_every_phrase_in_the_list_is_found_by_at_least_one_example():
    found = {phrase for text in MUST_MATCH for phrase in matches(text)}
    assert set(PHRASES) - found == set()


def test_any_of_several_fields_is_enough():
    assert mentions_in_any(["Walked to the shop", "", "I want to end it all"])
    assert not mentions_in_any(["Walked to the shop", None, "My back is killing me"])
    assert not mentions_in_any([])
