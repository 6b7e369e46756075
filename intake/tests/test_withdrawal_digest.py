"""Withdrawal keeps no plain hash of the withdrawn text (issue 15): before, an
unsalted SHA-256 of a withdrawn "Your SIN on file: …" was reversed by trying
10,000 endings. Now the record holds HMAC-SHA256 digests under a key the
database does not hold, named by a key id so the key can be rotated."""

import hashlib
import hmac

import pytest

from intake.models import MessageEvent
from intake.services.sending import message_send_to_case
from intake.services.withdrawal import message_withdraw, withdrawn_text_matches

pytestmark = pytest.mark.django_db

SUBJECT = "Your SIN on file"
BODY = "Your SIN on file: 046 454 286"


def withdraw(case):
    caseworker = case.assigned_staff_profile.user
    message = message_send_to_case(staff_user=caseworker, case=case, subject=SUBJECT, body=BODY)
    message_withdraw(staff_user=caseworker, case=case, message=message)
    return MessageEvent.objects.get(event_type="message_withdrawn", message_id=message.pk).detail


def guesses():
    """The attack of the report: the known start of the text, and each of the 10,000 possible endings."""
    return [f"Your SIN on file: 046 45{number // 1000} {number % 1000:03d}" for number in range(10_000)]


def test_the_record_cannot_be_recomputed_without_the_key(case, settings):
    settings.WITHDRAWAL_DIGEST_KEY = "k" * 48
    detail = withdraw(case)
    stored = {detail["subject_hmac"], detail["body_hmac"]}

    plain = {hashlib.sha256(BODY.encode()).hexdigest(), hashlib.sha256(SUBJECT.encode()).hexdigest()}
    keyless = {hmac.new(b"", BODY.encode(), hashlib.sha256).hexdigest()}
    wrong_key = {hmac.new(b"k" * 47, f"body\0{BODY}".encode(), hashlib.sha256).hexdigest()}

    assert stored.isdisjoint(plain | keyless | wrong_key)
    assert BODY not in str(detail) and "046" not in str(detail)
    # The guessing attack finds nothing without the key, though the right text is among its guesses.
    assert BODY in guesses()
    assert not [guess for guess in guesses() if hashlib.sha256(guess.encode()).hexdigest() in stored]


def test_whoever_holds_the_key_can_check_a_claim(case, settings):
    settings.WITHDRAWAL_DIGEST_KEY = "k" * 48
    detail = withdraw(case)

    assert withdrawn_text_matches(detail, subject=SUBJECT, body=BODY)
    assert not withdrawn_text_matches(detail, subject=SUBJECT, body=BODY + " ")
    settings.WITHDRAWAL_DIGEST_KEY = "another key entirely, 48 characters long......"
    assert not withdrawn_text_matches(detail, subject=SUBJECT, body=BODY)


def test_the_key_id_names_the_key_and_old_records_verify_after_rotation(case, settings):
    settings.WITHDRAWAL_DIGEST_KEY = "first key " * 5
    before = withdraw(case)
    settings.WITHDRAWAL_DIGEST_KEY = "second key " * 5
    settings.WITHDRAWAL_DIGEST_PREVIOUS_KEYS = ["first key " * 5]
    after = withdraw(case)

    assert before["digest_key_id"] != after["digest_key_id"]
    assert before["body_hmac"] != after["body_hmac"]
    assert withdrawn_text_matches(before, subject=SUBJECT, body=BODY)
    assert withdrawn_text_matches(after, subject=SUBJECT, body=BODY)
    assert "first key" not in str(before) and "second key" not in str(after)


def test_without_a_configured_key_one_is_derived_from_the_secret_key(case, settings):
    settings.WITHDRAWAL_DIGEST_KEY = ""
    detail = withdraw(case)

    assert detail["digest"] == "hmac-sha256"
    assert withdrawn_text_matches(detail, subject=SUBJECT, body=BODY)
    settings.SECRET_KEY = "a different secret key, as after a rotation of SECRET_KEY"
    assert not withdrawn_text_matches(detail, subject=SUBJECT, body=BODY)
