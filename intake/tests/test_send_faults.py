"""What is acknowledged is stored, what is stored is acknowledged (issue 17).

- Work after a send's commit (the notice's delivery, a commit hook) can never
  undo the message or remove its files.
- The connection lost AT the commit: the send is looked up again by its
  submission key; stored, the send succeeded; provably not stored, it failed
  like any other; unknown, the answer is "could not confirm", every file
  stays, and a retry with the same key never makes a second message.
- Storage that refuses files: nothing is sent, no file is left, and the person
  is told so (pages: the form again with everything typed; API: 503 JSON).

The commit failures are the real commit with a lost connection reported after
it (or instead of it), so these tests hold transactions of their own."""

import pytest
from django.core.files.storage import default_storage
from django.db import OperationalError, connections, transaction
from django.urls import reverse

from casework.models import Document
from casework.tests.factories import CaseFactory
from common.errors import AlreadySent, SendUnconfirmed, StorageUnavailable
from intake import notifications
from intake.models import EmailNotice, FileOutbox, Message, MessageAttachment
from intake.outbox import outbox_drain
from intake.services.sending import message_send_from_applicant
from intake.tests.helpers import stored_files, upload

UNCONFIRMED = "We could not confirm that your message was sent; check your conversation before sending again."
NOT_STORED = "Your files could not be stored just now. Nothing was sent; try again in a few minutes."
LOST = (2013, "Lost connection to server during query")


class CommitFault:
    """The database connection reports a lost connection at the send's commit:
    after committing (`committed`: the client never heard the answer) or
    instead of it, once. Armed when the send queues its notices, the last
    thing its transaction does. `check_fails`: the next query fails as well (the
    database is still away when the service asks what became of the send)."""

    def __init__(self, monkeypatch, *, committed, check_fails=False):
        self.connection = connections["default"]
        self.real_commit = self.connection._commit
        self.committed = committed
        self.check_fails = check_fails
        self.armed = self.spent = False
        real_queue = notifications.new_message_notices_queue

        def queue_then_arm(message):
            notices = real_queue(message)
            self.armed = not self.spent
            return notices

        monkeypatch.setattr("intake.services.sending.new_message_notices_queue", queue_then_arm)
        monkeypatch.setattr(self.connection, "_commit", self._commit)

    def _commit(self):
        if not self.armed:
            return self.real_commit()
        self.armed, self.spent = False, True
        if self.committed:
            self.real_commit()
        if self.check_fails:
            self.connection.execute_wrappers.append(self._fail_once)
        raise OperationalError(*LOST)

    def _fail_once(self, execute, sql, params, many, context):
        self.connection.execute_wrappers.remove(self._fail_once)
        raise OperationalError(2006, "Server has gone away")


def applicant_sends(case, *, key=None, files=2):
    return message_send_from_applicant(
        applicant=case.application.submission.user,
        application=case.application,
        subject="My pay stubs",
        body="Both attached.",
        files=[upload(f"stub-{n}.pdf") for n in range(files)],
        submission_key=key,
    )


def assert_stored_once_with_its_files(case):
    [message] = Message.objects.filter(application=case.application)
    attachments = list(MessageAttachment.objects.filter(message=message))
    documents = list(Document.objects.filter(origin_message_id=message.pk))
    assert len(attachments) == 2 and len(documents) == 2
    for key in [a.file_path for a in attachments] + [d.file_path for d in documents]:
        assert default_storage.exists(key), key
    # And nothing will take them away: a drain of every outbox row keeps them.
    outbox_drain(due_only=False)
    for key in [a.file_path for a in attachments] + [d.file_path for d in documents]:
        assert default_storage.exists(key), key
    return message


# Work after the commit -------------------------------------------------------


@pytest.mark.django_db
def test_a_notice_delivery_that_raises_leaves_the_message_and_its_files(monkeypatch):
    case = CaseFactory()
    message = applicant_sends(case)

    def database_gone(notices):
        raise OperationalError(*LOST)

    monkeypatch.setattr("intake.notifications._messages_of", database_gone)
    notice_ids = list(EmailNotice.objects.filter(message_id=message.pk).values_list("pk", flat=True))
    with pytest.raises(OperationalError):
        notifications.notices_deliver(notice_ids)

    assert assert_stored_once_with_its_files(case) == message


@pytest.mark.django_db(transaction=True)
def test_a_commit_hook_that_raises_leaves_the_message_and_its_files(monkeypatch):
    case = CaseFactory()
    real_queue = notifications.new_message_notices_queue

    def queue_and_hook(message):
        def hook():
            raise RuntimeError("a hook run after the commit failed")

        transaction.on_commit(hook)
        return real_queue(message)

    monkeypatch.setattr("intake.services.sending.new_message_notices_queue", queue_and_hook)

    message = applicant_sends(case, key="hook-1")

    assert assert_stored_once_with_its_files(case) == message


# The connection lost at the commit -----------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_lost_at_commit_after_storing_the_send_is_found_by_its_key_and_succeeds(monkeypatch):
    case = CaseFactory()
    CommitFault(monkeypatch, committed=True)

    message = applicant_sends(case, key="k-stored")

    assert assert_stored_once_with_its_files(case) == message
    with pytest.raises(AlreadySent) as again:
        applicant_sends(case, key="k-stored")
    assert again.value.sent == message
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_lost_at_commit_with_no_answer_after_it_is_unconfirmed_and_a_retry_sends_nothing_new(monkeypatch):
    case = CaseFactory()
    CommitFault(monkeypatch, committed=True, check_fails=True)

    with pytest.raises(SendUnconfirmed) as unconfirmed:
        applicant_sends(case, key="k-unknown")

    assert (unconfirmed.value.status, unconfirmed.value.code) == (503, "unconfirmed")
    assert str(unconfirmed.value.message) == UNCONFIRMED
    message = assert_stored_once_with_its_files(case)
    with pytest.raises(AlreadySent) as again:
        applicant_sends(case, key="k-unknown")
    assert again.value.sent == message
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_lost_at_commit_without_a_key_is_unconfirmed_and_keeps_every_file(monkeypatch):
    case = CaseFactory()
    CommitFault(monkeypatch, committed=True)

    with pytest.raises(SendUnconfirmed):
        applicant_sends(case)

    assert_stored_once_with_its_files(case)


@pytest.mark.django_db(transaction=True)
def test_lost_instead_of_the_commit_the_key_proves_nothing_was_stored_and_a_retry_sends_once(monkeypatch):
    case = CaseFactory()
    before = stored_files()
    CommitFault(monkeypatch, committed=False)

    with pytest.raises(OperationalError):
        applicant_sends(case, key="k-rolled-back")

    assert not Message.objects.exists()
    assert not Document.objects.exists()
    assert stored_files() == before
    applicant_sends(case, key="k-rolled-back")
    assert_stored_once_with_its_files(case)


@pytest.mark.django_db(transaction=True)
def test_lost_instead_of_the_commit_with_no_answer_is_unconfirmed_and_the_drain_clears_the_files_later(monkeypatch):
    case = CaseFactory()
    before = stored_files()
    CommitFault(monkeypatch, committed=False, check_fails=True)

    with pytest.raises(SendUnconfirmed):
        applicant_sends(case, key="k-never")

    assert not Message.objects.exists()
    # Left for the drain, recorded before the send stored them: the uploads
    # and the case-file copies, deleted once no row names them.
    assert set(FileOutbox.objects.values_list("storage_key", flat=True)) == stored_files() - before
    assert len(stored_files() - before) == 4
    outbox_drain(due_only=False)
    assert stored_files() == before


@pytest.mark.django_db(transaction=True)
def test_unconfirmed_send_on_the_page_keeps_the_text_and_says_check_before_sending_again(monkeypatch, client):
    case = CaseFactory()
    client.force_login(case.application.submission.user)
    CommitFault(monkeypatch, committed=True, check_fails=True)

    response = client.post(
        reverse("portal:compose"),
        {"application": case.application.pk, "subject": "Kept subject", "body": "Kept body", "submission_key": "p-1"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert UNCONFIRMED in page
    assert "<title>Error:" in page
    assert 'value="Kept subject"' in page and "Kept body" in page
    assert "failed" not in page.lower()
    assert Message.objects.count() == 1
    again = client.post(
        reverse("portal:compose"),
        {"application": case.application.pk, "subject": "Kept subject", "body": "Kept body", "submission_key": "p-1"},
    )
    assert again.status_code == 302
    assert Message.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_unconfirmed_send_on_the_api_answers_503_unconfirmed(monkeypatch, client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)
    CommitFault(monkeypatch, committed=True, check_fails=True)
    url = f"/api/cases/{case.pk}/messages"

    response = client.post(url, {"subject": "S", "body": "B"}, HTTP_IDEMPOTENCY_KEY="api-1")

    assert response.status_code == 503
    assert response.json() == {"error": "unconfirmed", "message": UNCONFIRMED}
    again = client.post(url, {"subject": "S", "body": "B"}, HTTP_IDEMPOTENCY_KEY="api-1")
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert Message.objects.count() == 1


# Storage that refuses files --------------------------------------------------------


@pytest.fixture
def storage_refuses(settings, tmp_path):
    """The storage's folder lies under a file: every save fails with a real
    OSError (NotADirectoryError), as on a read-only or vanished volume, whoever
    runs the tests (root ignores a read-only mode, not this)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the storage's folder should be")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocker / "media")},
        },
    }
    with pytest.raises(OSError):
        default_storage.save("probe", upload())


@pytest.mark.django_db
def test_storage_refusing_files_sends_nothing(storage_refuses):
    case = CaseFactory()

    with pytest.raises(StorageUnavailable) as refused:
        applicant_sends(case)

    assert (refused.value.status, refused.value.code, str(refused.value.message)) == (
        503,
        "storage_unavailable",
        NOT_STORED,
    )
    assert not Message.objects.exists()
    assert not MessageAttachment.objects.exists()


@pytest.mark.django_db
def test_storage_failing_on_the_second_file_removes_the_first(monkeypatch):
    case = CaseFactory()
    before = stored_files()
    real_save = default_storage.save
    saved = []

    def second_fails(name, content, **kwargs):
        if saved:
            raise OSError(30, "Read-only file system")
        saved.append(real_save(name, content, **kwargs))
        return saved[-1]

    monkeypatch.setattr(default_storage, "save", second_fails)

    with pytest.raises(StorageUnavailable):
        applicant_sends(case)

    assert saved and stored_files() == before
    assert not Message.objects.exists()
    assert not FileOutbox.objects.exists()


def sent_back_with_everything_typed(response, *, subject=True):
    page = response.content.decode()
    assert response.status_code == 200
    assert NOT_STORED in page
    assert "<title>Error:" in page
    assert 'id="id_attachments_error"' in page
    if subject:
        assert 'value="Kept subject"' in page
    assert "Kept body" in page
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_storage_refusing_files_on_portal_compose(storage_refuses, client):
    case = CaseFactory()
    client.force_login(case.application.submission.user)

    response = client.post(
        reverse("portal:compose"),
        {"application": case.application.pk, "subject": "Kept subject", "body": "Kept body", "attachments": [upload()]},
    )

    sent_back_with_everything_typed(response)


@pytest.mark.django_db
def test_storage_refusing_files_on_a_portal_reply(storage_refuses, client):
    case = CaseFactory()
    client.force_login(case.application.submission.user)

    response = client.post(
        reverse("portal:conversation", args=[case.application.pk]),
        {"subject": "Kept subject", "body": "Kept body", "attachments": [upload()]},
    )

    sent_back_with_everything_typed(response)


@pytest.mark.django_db
def test_storage_refusing_files_on_the_dashboard_case_reply(storage_refuses, client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(
        reverse("dashboard:case_detail", args=[case.pk]),
        {"subject": "Kept subject", "body": "Kept body", "attachments": [upload()]},
    )

    sent_back_with_everything_typed(response)
    assert "Choose the files again." in response.content.decode()


@pytest.mark.django_db
def test_storage_refusing_files_on_the_api_answers_503_json(storage_refuses, client):
    case = CaseFactory()
    client.force_login(case.assigned_staff_profile.user)

    response = client.post(
        f"/api/cases/{case.pk}/messages", {"subject": "S", "body": "B", "attachments": [upload()]}
    )

    assert response.status_code == 503
    assert response.json() == {"error": "storage_unavailable", "message": NOT_STORED}
    assert not Message.objects.exists()
