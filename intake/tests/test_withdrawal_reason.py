"""Withdrawal with a reason (issue 16): the caseworker may say why, from a
fixed list; the applicant reads it in place of the message, with what they
need to do, on every page and in the API; the audit keeps only the code."""

import pytest
from django.urls import reverse

from common.errors import InvalidInput
from intake.models import Message, MessageEvent
from intake.services.sending import message_send_to_case
from intake.services.withdrawal import message_withdraw

pytestmark = pytest.mark.django_db


def _sent(cast):
    return message_send_to_case(staff_user=cast.caseworker, case=cast.case, subject="Your pay stub", body="SIN 123")


def test_the_applicant_reads_why_and_what_to_do(cast):
    message = _sent(cast)
    staff = cast.client_for(cast.caseworker)

    staff.post(reverse("dashboard:message_withdraw", args=[cast.case.pk, message.pk]), {"reason": "sent_in_error"})

    message.refresh_from_db()
    assert (message.deleted, message.withdrawal_reason) == (True, "sent_in_error")
    applicant = cast.client_for(cast.applicant)
    notice = "it was sent to you in error. Please ignore it; you do not need to do anything."
    for page in (
        reverse("portal:message_detail", args=[message.pk]),
        reverse("portal:conversation", args=[cast.case.application_id]),
    ):
        body = applicant.get(page).content.decode()
        assert notice in body
        assert "SIN 123" not in body
    api = applicant.get(reverse("api:message_detail", args=[message.pk])).json()
    assert notice in api["body"]
    [event] = MessageEvent.objects.filter(event_type=MessageEvent.Type.WITHDRAWN)
    assert event.detail["reason"] == "sent_in_error"


def test_without_a_reason_the_applicant_reads_the_plain_notice(cast):
    message = message_withdraw(staff_user=cast.caseworker, case=cast.case, message=_sent(cast))

    body = cast.client_for(cast.applicant).get(reverse("portal:message_detail", args=[message.pk])).content.decode()

    assert message.withdrawal_reason is None
    assert "This message was withdrawn by the ISET case team." in body


def test_an_unknown_reason_is_refused_and_nothing_is_withdrawn(cast):
    message = _sent(cast)

    with pytest.raises(InvalidInput):
        message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message, reason="because")

    assert Message.objects.get(pk=message.pk).deleted is False


def test_the_withdraw_page_offers_the_reasons_and_a_withdrawn_message_no_button(cast):
    message = _sent(cast)
    staff = cast.client_for(cast.caseworker)

    form = staff.get(reverse("dashboard:message_withdraw", args=[cast.case.pk, message.pk])).content.decode()
    message_withdraw(staff_user=cast.caseworker, case=cast.case, message=message, reason="replaced")
    opened = staff.get(reverse("dashboard:message_detail", args=[cast.case.pk, message.pk])).content.decode()

    assert 'name="reason" value="replaced"' in form and "Tell the applicant why (optional)" in form
    assert "Withdraw this message" not in opened
    assert "Withdrawn (Replaced by a newer message)." in opened
