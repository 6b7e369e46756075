"""What both audiences' pages show of a message."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from intake.presenters import reply_subject
from intake.services import SUBJECT_MAX


def message(subject, deleted=False):
    return SimpleNamespace(subject=subject, deleted=deleted)


def test_reply_subject_adds_re_once():
    assert reply_subject(message("Bus pass")) == "Re: Bus pass"
    assert reply_subject(message("Re: Bus pass")) == "Re: Bus pass"
    assert reply_subject(message("RE : Laissez-passer")) == "RE : Laissez-passer"


def test_reply_subject_stays_within_the_limit_a_send_accepts():
    subject = reply_subject(message("x" * SUBJECT_MAX))

    assert len(subject) == SUBJECT_MAX
    assert subject.startswith("Re: ")


def test_reply_subject_of_a_withdrawn_message_is_empty():
    assert reply_subject(message("Income figures", deleted=True)) == ""


@pytest.mark.parametrize("language, expected", [("en", "Re: Formulaire"), ("fr", "RE : Formulaire")])
def test_reply_subject_in_the_page_language(language, expected):
    with translation.override(language):
        assert reply_subject(message("Formulaire")) == expected
