"""What both audiences' pages show of a message."""

import pytest
from django.utils import translation

from intake.presenters import reply_subject
from intake.tests.factories import MessageFactory
from intake.validators import SUBJECT_MAX


def test_reply_subject_adds_re_once():
    assert reply_subject(MessageFactory.build(subject="Bus pass")) == "Re: Bus pass"
    assert reply_subject(MessageFactory.build(subject="Re: Bus pass")) == "Re: Bus pass"
    assert reply_subject(MessageFactory.build(subject="Re: Re: RE: Bus pass")) == "Re: Bus pass"
    assert reply_subject(MessageFactory.build(subject="Re:")) == "Re:"


@pytest.mark.parametrize(
    "subject",
    ["Re: Laissez-passer", "RE : Laissez-passer", "re:Laissez-passer", "RE\xa0: Laissez-passer", "Re : RE: Laissez-passer"],
)
@pytest.mark.parametrize("language, expected", [("en", "Re: Laissez-passer"), ("fr", "RE : Laissez-passer")])
def test_every_reply_prefix_counts_and_the_page_language_writes_it(subject, language, expected):
    """An English "Re:" and a French "RE :" are both recognised, and the reply
    carries the prefix of the language it is written in, once."""
    with translation.override(language):
        assert reply_subject(MessageFactory.build(subject=subject)) == expected


def test_reply_subject_stays_within_the_limit_a_send_accepts():
    subject = reply_subject(MessageFactory.build(subject="x" * SUBJECT_MAX))

    assert len(subject) == SUBJECT_MAX
    assert subject == "Re: " + "x" * (SUBJECT_MAX - len("Re: "))


def test_reply_subject_of_a_withdrawn_message_is_empty():
    assert reply_subject(MessageFactory.build(subject="Income figures", deleted=True)) == ""


@pytest.mark.parametrize("language, expected", [("en", "Re: Formulaire"), ("fr", "RE : Formulaire")])
def test_reply_subject_in_the_page_language(language, expected):
    with translation.override(language):
        assert reply_subject(MessageFactory.build(subject="Formulaire")) == expected
