"""Writing saved replies (intake.services.saved_replies): who may, what is
refused, and the audit trail, which never holds a reply's text."""

import json

import pytest

from casework.models import StaffProfile
from casework.tests.factories import staff_user
from common.errors import InvalidInput, PermissionRefused
from intake.models import MessageEvent, SavedReply
from intake.services.saved_replies import SavedReplyText, saved_reply_create, saved_reply_delete, saved_reply_update

pytestmark = pytest.mark.django_db

MARKER = "SECRET-REPLY-TEXT-7f3a"


def text(**changes):
    values = {
        "title": f"Title {MARKER}",
        "subject_en": f"Subject {MARKER}",
        "body_en": f"Hello {{applicant_first_name}} {MARKER}",
        "subject_fr": "",
        "body_fr": f"Bonjour {{applicant_first_name}} {MARKER}",
        **changes,
    }
    return SavedReplyText(**values)


def audit_rows():
    return list(MessageEvent.objects.order_by("id").values_list("event_type", "detail"))


def test_a_caseworker_creates_a_personal_reply():
    caseworker = staff_user()

    reply = saved_reply_create(actor=caseworker, text=text(), team=False)

    assert reply.owner_user == caseworker
    assert (reply.body_en, reply.body_fr) == (f"Hello {{applicant_first_name}} {MARKER}", f"Bonjour {{applicant_first_name}} {MARKER}")
    assert audit_rows() == [(MessageEvent.Type.SAVED_REPLY_CREATED, {"saved_reply_id": reply.pk, "team": False})]


def test_only_supervisors_and_admins_create_team_replies():
    with pytest.raises(PermissionRefused):
        saved_reply_create(actor=staff_user(), text=text(), team=True)

    for role in (StaffProfile.Role.SUPERVISOR, StaffProfile.Role.ADMIN):
        assert saved_reply_create(actor=staff_user(role), text=text(), team=True).is_team


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": "  "}, "title"),
        ({"body_en": ""}, "body_en"),
        ({"body_fr": " "}, "body_fr"),
        ({"body_fr": "Bonjour {prenom}"}, "body_fr"),
        ({"subject_en": "About {case}"}, "subject_en"),
        ({"body_en": "x" * 10_001}, "body_en"),
        ({"body_en": "nul \x00"}, "body_en"),
    ],
)
def test_refusals_name_the_field(changes, field):
    with pytest.raises(InvalidInput) as refused:
        saved_reply_create(actor=staff_user(), text=text(**changes), team=False)

    assert refused.value.field == field
    assert not SavedReply.objects.exists()
    assert not MessageEvent.objects.exists()


def test_an_unknown_placeholder_is_named_in_the_refusal():
    with pytest.raises(InvalidInput) as refused:
        saved_reply_create(actor=staff_user(), text=text(body_en="Dear {aplicant_first_name}"), team=False)

    assert "{aplicant_first_name}" in str(refused.value.message)


def test_an_edit_records_which_fields_changed_never_their_text():
    owner = staff_user()
    reply = saved_reply_create(actor=owner, text=text(), team=False)

    changed = saved_reply_update(actor=owner, reply=reply, text=text(body_fr=f"Rebonjour {MARKER}"))

    reply.refresh_from_db()
    assert changed == ["body_fr"]
    assert reply.body_fr == f"Rebonjour {MARKER}"
    assert audit_rows()[-1] == (
        MessageEvent.Type.SAVED_REPLY_EDITED,
        {"saved_reply_id": reply.pk, "team": False, "changed": ["body_fr"]},
    )


def test_an_edit_that_changes_nothing_records_nothing():
    owner = staff_user()
    reply = saved_reply_create(actor=owner, text=text(), team=False)

    assert saved_reply_update(actor=owner, reply=reply, text=text()) == []
    assert len(audit_rows()) == 1


def test_nobody_else_edits_or_deletes_a_personal_reply():
    reply = saved_reply_create(actor=staff_user(), text=text(), team=False)

    for intruder in (staff_user(), staff_user(StaffProfile.Role.SUPERVISOR)):
        with pytest.raises(PermissionRefused):
            saved_reply_update(actor=intruder, reply=reply, text=text(title="Mine now"))
        with pytest.raises(PermissionRefused):
            saved_reply_delete(actor=intruder, reply=reply)
    assert SavedReply.objects.filter(pk=reply.pk, title=f"Title {MARKER}").exists()


def test_a_caseworker_cannot_change_a_team_reply():
    reply = saved_reply_create(actor=staff_user(StaffProfile.Role.SUPERVISOR), text=text(), team=True)

    with pytest.raises(PermissionRefused):
        saved_reply_delete(actor=staff_user(), reply=reply)
    assert SavedReply.objects.filter(pk=reply.pk).exists()


def test_delete_is_recorded():
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    reply = saved_reply_create(actor=supervisor, text=text(), team=True)

    saved_reply_delete(actor=supervisor, reply=reply)

    assert not SavedReply.objects.exists()
    assert audit_rows()[-1] == (MessageEvent.Type.SAVED_REPLY_DELETED, {"saved_reply_id": reply.pk, "team": True})


def test_no_audit_row_holds_the_text():
    owner = staff_user(StaffProfile.Role.SUPERVISOR)
    reply = saved_reply_create(actor=owner, text=text(), team=True)
    saved_reply_update(actor=owner, reply=reply, text=text(body_en=f"Changed {MARKER}"))
    saved_reply_delete(actor=owner, reply=reply)

    assert len(audit_rows()) == 3
    assert MARKER not in json.dumps(audit_rows())
