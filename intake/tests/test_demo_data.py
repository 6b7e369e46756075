"""`manage.py demo_data`: a realistic office built through the real services,
re-dated into the last three weeks, safe to re-run with --if-empty."""

import datetime
import hashlib
import io

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

from casework.models import Application, Case, StaffProfile, User
from intake.business_days import business_days_between, is_business_day, overdue_threshold
from intake.conversations import conversations_differences
from intake.management.commands.demo_data import (
    ALICE,
    APPLICANTS,
    BENOIT,
    CASELOADS,
    DEMO_PASSWORD,
    MARIE,
    NOAH,
    PRIYA,
    SOPHIE,
    SUPERVISOR,
)
from intake.models import Conversation, Message, MessageAttachment, MessageEvent
from intake.uploads import content_type_sniff

pytestmark = pytest.mark.django_db

CASEWORKERS = [MARIE, PRIYA, SOPHIE]


def demo_data(*args):
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def office(settings):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = 2
    settings.RESPONSE_TARGET_HOLIDAYS = []
    return demo_data()


def local(moment):
    return timezone.localtime(moment, timezone.get_default_timezone())


def test_people_and_who_is_who(office):
    caseworkers = StaffProfile.objects.filter(primary_role=StaffProfile.Role.CASEWORKER, status="active")
    applicants = User.objects.filter(staff_profile__isnull=True)

    assert sorted(caseworkers.values_list("user__email", flat=True)) == sorted(CASEWORKERS)
    supervisors = StaffProfile.objects.filter(primary_role=StaffProfile.Role.SUPERVISOR)
    assert list(supervisors.values_list("user__email", flat=True)) == [SUPERVISOR]
    assert applicants.count() == 3 + len(APPLICANTS) == 40
    for email, caseload in CASELOADS.items():
        assert Case.objects.filter(assigned_staff_profile__user__email=email).count() == caseload
    assert Case.objects.get(application__submission__user__email=ALICE).assigned_staff_profile.user.email == MARIE
    assert not Application.objects.filter(submission__user__email=NOAH).exists()
    # The supervisor assigned every assigned case, through the assignment service (audited).
    assigned = Case.objects.filter(assigned_staff_profile__isnull=False)
    events = MessageEvent.objects.filter(event_type=MessageEvent.Type.CASE_ASSIGNED, actor_user__email=SUPERVISOR)
    assert set(events.values_list("case_id", flat=True)) == set(assigned.values_list("pk", flat=True))
    elise = Case.objects.get(application__submission__user__email="elise.picard@example.org")
    moves = events.filter(case_id=elise.pk).order_by("created_at", "pk")
    profiles = {profile.pk: profile.user.email for profile in StaffProfile.objects.select_related("user")}
    assert [profiles[move.detail["to_staff_profile_id"]] for move in moves] == [PRIYA, SOPHIE]
    # Every account the output names signs in with the demo password.
    for email in [*CASEWORKERS, SUPERVISOR, ALICE, BENOIT, NOAH, "tanya.bellegarde@example.org"]:
        assert email in office
        assert Client().login(username=email, password=DEMO_PASSWORD), email


def test_queue_has_every_kind_of_work(office):
    now = timezone.now()
    threshold = overdue_threshold(now)
    conversations = Conversation.objects.select_related("assigned_staff_profile__user")

    for email in CASEWORKERS:
        mine = conversations.filter(assigned_staff_profile__user__email=email)
        overdue = [row for row in mine if row.awaiting_reply_since and row.awaiting_reply_since < threshold]
        assert overdue, f"{email} has a conversation past the target"
        assert all(business_days_between(row.awaiting_reply_since, now) >= 3 for row in overdue)
        assert mine.filter(awaiting_reply_since__gte=threshold).exists(), f"{email} has one waiting within the target"
        assert mine.filter(awaiting_reply_since__isnull=True, unread_by_applicant=0).exists(), "answered"
        assert mine.filter(unread_by_applicant__gt=0).exists(), "a new message for the applicant"
    unassigned = Case.objects.filter(assigned_staff_profile__isnull=True)
    assert unassigned.count() == 3
    assert conversations.filter(case__in=unassigned, awaiting_reply_since__isnull=False).count() == 3
    assert conversations.filter(case__isnull=True, message_count__gt=0).count() == 2
    assert Application.objects.filter(case__isnull=True).annotate(n=Count("messages")).filter(n__gt=0).count() == 2
    urgent = Case.objects.filter(urgent=True)
    assert urgent.count() == 4
    marked = MessageEvent.objects.filter(event_type=MessageEvent.Type.CASE_URGENCY_CHANGED)
    assert set(marked.values_list("case_id", flat=True)) == set(urgent.values_list("pk", flat=True))
    assert Case.objects.filter(application__conversation__isnull=True).exists(), "a new case without messages"
    assert conversations_differences() == []


@pytest.mark.parametrize("target", [0, 5])
def test_past_the_target_whatever_the_target(settings, target):
    settings.RESPONSE_TARGET_BUSINESS_DAYS = target

    demo_data()

    threshold = overdue_threshold(timezone.now())
    for email in CASEWORKERS:
        mine = Conversation.objects.filter(assigned_staff_profile__user__email=email)
        assert mine.filter(awaiting_reply_since__lt=threshold).exists()
        assert mine.filter(awaiting_reply_since__gte=threshold).exists()


def test_three_weeks_of_messages_at_realistic_times(office):
    now = timezone.now()
    messages = list(Message.objects.select_related("application__submission", "case").order_by("pk"))

    assert len(messages) >= 100
    assert all(now - datetime.timedelta(days=21) <= message.created_at < now for message in messages)
    assert min(message.created_at for message in messages) < now - datetime.timedelta(days=14)
    for message in messages:
        if not message.from_applicant:
            at = local(message.created_at)
            assert is_business_day(at.date()) and datetime.time(8, 30) <= at.time() <= datetime.time(16, 45), at
        if message.read_at is not None:
            assert message.created_at < message.read_at < now
        assert message.application.submission.submitted_at < message.created_at
        if message.case is not None:
            assert message.case.created_at < message.created_at
        # The audit trail was re-dated with its message.
        sent = MessageEvent.objects.get(message_id=message.pk, event_type=MessageEvent.Type.SENT)
        assert sent.created_at == message.created_at
    # Within a conversation, sending order is time order, and each answer comes after the message it answers.
    for application_id in {message.application_id for message in messages}:
        thread = [message for message in messages if message.application_id == application_id]
        assert [message.created_at for message in thread] == sorted(message.created_at for message in thread)
    by_id = {message.pk: message for message in messages}
    for message in messages:
        if message.reply_to_id:
            parent = by_id[message.reply_to_id]
            assert parent.created_at < message.created_at
            assert parent.read_at is not None and parent.read_at < message.created_at
    weekend = [message for message in messages if local(message.created_at).weekday() >= 5]
    assert len(weekend) < len(messages) / 5


def test_one_withdrawn_message_through_the_withdrawal_service(office):
    withdrawn = Message.objects.get(deleted=True)

    assert withdrawn.case.application.submission.user.email == ALICE
    assert withdrawn.subject == "Message withdrawn"
    assert not withdrawn.attachments.exists()
    event = MessageEvent.objects.get(message_id=withdrawn.pk, event_type=MessageEvent.Type.WITHDRAWN)
    assert event.detail["attachments_removed"] == 1
    assert withdrawn.created_at < event.created_at < timezone.now()


def test_attachments_are_real_files_in_storage(office):
    attachments = list(MessageAttachment.objects.select_related("message"))

    assert len(attachments) >= 8
    assert {attachment.content_type for attachment in attachments} == {"application/pdf", "image/png", "text/plain"}
    assert any(not attachment.message.from_applicant for attachment in attachments)
    for attachment in attachments:
        with default_storage.open(attachment.file_path) as stored:
            content = stored.read()
            assert content_type_sniff(stored) == attachment.content_type
        assert len(content) == attachment.size_bytes
        assert hashlib.sha256(content).hexdigest() == attachment.checksum_sha256
        assert attachment.uploaded_at == attachment.message.created_at
        assert MessageEvent.objects.filter(
            message_id=attachment.message_id, event_type=MessageEvent.Type.ATTACHMENT_UPLOADED
        ).exists()


def test_the_french_applicant_has_two_applications(office):
    benoit = User.objects.get(email=BENOIT)
    applications = Application.objects.filter(submission__user=benoit)
    with_case = Application.objects.filter(submission__user=benoit, case__isnull=False)

    assert benoit.preferred_language == "fr"
    assert applications.count() == 2
    assert [case.assigned_staff_profile for case in Case.objects.filter(application__in=with_case)] == [None]
    assert applications.filter(case__isnull=True).count() == 1
    written_about = Message.objects.filter(Q(application__in=applications) | Q(case__application__in=applications))
    assert written_about.values("application_id").distinct().count() == 2


def test_a_second_run_adds_nothing(office):
    def counts():
        return [model.objects.count() for model in (User, Case, Message, MessageAttachment, MessageEvent)]

    before = counts()
    output = demo_data("--if-empty")
    with pytest.raises(CommandError, match="already has users"):
        demo_data()

    assert "nothing added" in output
    assert SUPERVISOR in output and ALICE in output
    assert counts() == before


def test_the_same_office_every_time():
    def snapshot():
        rows = Message.objects.values_list(
            "sender__email",
            "direction",
            "subject",
            "body",
            "application__submission__intake_payload",
            "application__case__assigned_staff_profile__user__email",
            "application__case__urgent",
        )
        return sorted(rows, key=repr)

    builds = []
    for _ in range(2):
        with transaction.atomic():
            demo_data()
            builds.append(snapshot())
            transaction.set_rollback(True)

    assert builds[0] == builds[1]
    assert len(builds[0]) >= 100
