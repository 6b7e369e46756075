"""What both audiences' pages show of a message."""

import pytest
from django.utils import translation

from intake.presenters import reply_subject
from intake.tests.factories import MessageFactory
from intake.validators import SUBJECT_MAX


def test_reply_subject_adds_re_once():
    assert reply_subject(MessageFactory.build(subject="Bus pass")) == "Re: Bus pass"
    assert reply_subject(MessageFactory.build(subject="Re: Bus pass")) == "Re: Bus pass"
    assert reply_subject(MessageFactory.build(subject="RE : Laissez-passer")) == "RE : Laissez-passer"


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
