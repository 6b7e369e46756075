"""Search of messages by words (intake.search): what matches, who finds what,
and the three steps at scale (the newest messages, then the FULLTEXT index
for rare words, then a partial page), on SQLite and MariaDB."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.utils import timezone

from casework.models import StaffProfile
from casework.tests.factories import ApplicationFactory, CaseFactory, StaffProfileFactory, SubmissionFactory, staff_user
from common.errors import InvalidInput
from intake import search
from intake.models import Message
from intake.search import Criteria, applicant_scope, indexed, messages_search, search_words, staff_scope, word_pattern
from intake.tests.factories import MessageFactory, StaffMessageFactory

pytestmark = pytest.mark.django_db


def found(scope, words, **limits):
    return [message.subject for message in messages_search(scope, Criteria(words=search_words(words), **limits)).messages]


# Words ------------------------------------------------------------------------------


def test_words_are_split_as_the_index_splits_them_each_once():
    assert search_words("  Pay-stub l'application, REÇU reçu recu  ") == ["Pay", "stub", "l", "application", "REÇU"]


def test_at_most_ten_words():
    assert len(search_words(" ".join(f"word{n}" for n in range(10)))) == 10
    with pytest.raises(InvalidInput) as refused:
        search_words(" ".join(f"word{n}" for n in range(11)))
    assert str(refused.value.message).startswith("Search with at most 10 words.")
    assert refused.value.field == "q"


def test_at_most_200_characters():
    with pytest.raises(InvalidInput):
        search_words("a" * 201)


@pytest.mark.parametrize(
    ("word", "matches", "misses"),
    [
        ("recu", ["Nous avons reçu", "REÇU le 3", "recu", "récupérer"], ["irecu", "re cu"]),
        ("reçu", ["Nous avons recu", "Reçu"], ["perçu"]),
        ("ecole", ["École primaire", "l'école"], ["préecole"]),
        ("soeur", ["ma sœur", "Soeur"], []),
        ("document", ["Documents received", "(document)"], ["subdocument"]),
        ("12", ["file 1234", "12"], ["312"]),
    ],
)
def test_a_word_matches_words_that_begin_with_it_whatever_their_accents(word, matches, misses):
    pattern = re.compile(word_pattern(word), re.IGNORECASE)

    assert [text for text in matches if pattern.search(text)] == matches
    assert [text for text in misses if pattern.search(text)] == []


def test_short_words_and_stopwords_are_not_in_the_index():
    assert [indexed(word) for word in ("id", "the", "about", "reçu", "T4", "1234")] == [False, False, False, True, False, True]


# What is found -----------------------------------------------------------------------


def test_words_are_found_in_the_body_and_the_subject_newest_first():
    case = CaseFactory()
    MessageFactory(case=case, subject="Start date", body="Is the welding course full?", created_at=timezone.now() - timedelta(days=2))
    MessageFactory(case=case, subject="Welding", body="Still waiting for the course.", created_at=timezone.now() - timedelta(days=1))
    MessageFactory(case=case, subject="Other", body="Nothing to see.")

    assert found(staff_scope(case.assigned_staff_profile.user), "welding course") == ["Welding", "Start date"]


def test_every_word_must_be_there():
    case = CaseFactory()
    MessageFactory(case=case, subject="One", body="pay stub")
    MessageFactory(case=case, subject="Two", body="pay cheque")

    assert found(staff_scope(case.assigned_staff_profile.user), "pay stub") == ["One"]


@pytest.mark.parametrize("words", ["reçu", "recu", "RECU", "Reçu"])
def test_accented_and_unaccented_forms_find_french_words(words):
    case = CaseFactory()
    MessageFactory(case=case, subject="Accusé de réception", body="Nous avons reçu votre demande.")
    MessageFactory(case=case, subject="Receipt", body="We got the recu form.")

    assert found(staff_scope(case.assigned_staff_profile.user), words) == ["Receipt", "Accusé de réception"]


def test_withdrawn_messages_are_never_found():
    case = CaseFactory()
    StaffMessageFactory(case=case, subject="Withdrawn", body="secret budget", deleted=True)

    assert found(staff_scope(case.assigned_staff_profile.user), "budget") == []


def test_direction_and_dates_limit_the_search():
    case = CaseFactory()
    now = timezone.now()
    MessageFactory(case=case, subject="Asked", body="budget", created_at=now - timedelta(days=10))
    StaffMessageFactory(case=case, subject="Answered", body="budget", created_at=now - timedelta(days=5))
    StaffMessageFactory(case=case, subject="Answered again", body="budget", created_at=now)
    scope = staff_scope(case.assigned_staff_profile.user)
    today = timezone.localdate()

    assert found(scope, "budget", direction=Message.Direction.APPLICANT_TO_STAFF) == ["Asked"]
    assert found(scope, "budget", date_from=today - timedelta(days=6), date_to=today - timedelta(days=1)) == ["Answered"]
    assert found(scope, "budget", date_to=today - timedelta(days=6)) == ["Asked"]


def test_pages_of_results(monkeypatch):
    monkeypatch.setattr(search, "PAGE_SIZE", 2)
    case = CaseFactory()
    for number in range(5):
        MessageFactory(case=case, subject=f"Budget {number}", created_at=timezone.now() - timedelta(minutes=number))
    scope = staff_scope(case.assigned_staff_profile.user)
    criteria = Criteria(words=["budget"])

    pages = [messages_search(scope, criteria, number) for number in (1, 2, 3)]

    assert [[message.subject for message in page.messages] for page in pages] == [
        ["Budget 0", "Budget 1"],
        ["Budget 2", "Budget 3"],
        ["Budget 4"],
    ]
    assert [(page.has_previous, page.has_next) for page in pages] == [(False, True), (True, True), (True, False)]


# Who finds what ---------------------------------------------------------------------


def test_a_caseworker_never_finds_another_caseworkers_case():
    mine, theirs = CaseFactory(), CaseFactory()
    MessageFactory(case=mine, subject="Mine", body="budget")
    MessageFactory(case=theirs, subject="Theirs", body="budget")

    assert found(staff_scope(mine.assigned_staff_profile.user), "budget") == ["Mine"]
    assert found(staff_scope(mine.assigned_staff_profile.user, reference=theirs.application.submission.reference_number), "budget") == []


def test_a_caseworker_finds_what_was_written_before_their_case_existed():
    case = CaseFactory()
    MessageFactory(case=None, application=case.application, recipient=None, subject="Before the case", body="budget")

    assert found(staff_scope(case.assigned_staff_profile.user), "budget") == ["Before the case"]


def test_supervisors_find_every_case_and_applications_without_one():
    case = CaseFactory()
    application = ApplicationFactory()
    MessageFactory(case=case, subject="On a case", body="budget", created_at=timezone.now() - timedelta(hours=1))
    MessageFactory(case=None, application=application, recipient=None, subject="No case yet", body="budget")

    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    assert found(staff_scope(supervisor), "budget") == ["No case yet", "On a case"]
    assert found(staff_scope(supervisor, reference=application.submission.reference_number), "budget") == ["No case yet"]


def test_an_applicant_finds_only_their_own_messages():
    case, other = CaseFactory(), CaseFactory()
    applicant = case.application.submission.user
    MessageFactory(case=case, subject="Mine", body="budget")
    StaffMessageFactory(case=case, subject="To me", body="budget")
    MessageFactory(case=other, subject="Someone else's", body="budget")
    StaffMessageFactory(case=other, subject="To someone else", body="budget")

    assert sorted(found(applicant_scope(applicant), "budget")) == ["Mine", "To me"]


def test_an_applicant_limits_the_search_to_one_application():
    applicant = SubmissionFactory().user
    first = CaseFactory(application__submission__user=applicant)
    second = CaseFactory(application__submission__user=applicant)
    MessageFactory(case=first, subject="First", body="budget")
    MessageFactory(case=second, subject="Second", body="budget")

    assert found(applicant_scope(applicant, first.application), "budget") == ["First"]


def test_staff_have_no_applicant_scope_and_applicants_no_staff_scope():
    case = CaseFactory()
    MessageFactory(case=case, body="budget")

    assert found(applicant_scope(case.assigned_staff_profile.user), "budget") == []
    with pytest.raises(Http404):
        staff_scope(case.application.submission.user)


# The steps at scale ---------------------------------------------------------------------


@pytest.fixture
def small_windows(monkeypatch):
    """Windows of two messages or conversations, and a sample of ten, so that a
    handful of rows goes through every step."""
    monkeypatch.setattr(search, "WINDOW_MESSAGES", 2)
    monkeypatch.setattr(search, "WINDOW_CONVERSATIONS", 2)
    monkeypatch.setattr(search, "SAMPLE", 10)
    monkeypatch.setattr(search, "RARE_BELOW", 3)
    monkeypatch.setattr(search, "PAGE_SIZE", 1)


def older(minutes):
    return timezone.now() - timedelta(minutes=minutes)


def test_common_words_fill_the_page_from_the_newest_messages(small_windows, django_assert_num_queries):
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    case = CaseFactory()
    for minutes in range(6):
        MessageFactory(case=case, subject=f"Question {minutes}", body="Please see the application.", created_at=older(minutes))

    # the window's start, its matches, the page's messages
    with django_assert_num_queries(3):
        results = messages_search(staff_scope(supervisor), Criteria(words=["application", "please"]))

    assert [message.subject for message in results.messages] == ["Question 0"]
    assert results.has_next and not results.partial


@pytest.mark.django_db(transaction=True)  # InnoDB's FULLTEXT index sees committed rows only
@pytest.mark.parametrize("role", ["supervisor", "caseworker"])
def test_a_rare_word_missing_from_the_window_is_still_found(small_windows, role):
    """On MariaDB through the FULLTEXT index (step 2); SQLite has none and
    checks every message."""
    caseworker = role == "caseworker"
    profile = StaffProfileFactory(primary_role=StaffProfile.Role.CASEWORKER if caseworker else StaffProfile.Role.SUPERVISOR)
    cases = [CaseFactory(assigned_staff_profile=profile if caseworker else None) for _ in range(4)]
    MessageFactory(case=cases[0], subject="Old", body="Please see my welding certificate.", created_at=older(600))
    for position, case in enumerate(cases):
        for minutes in range(3):
            MessageFactory(case=case, subject=f"New {position}.{minutes}", body="Please see.", created_at=older(minutes))
    MessageFactory(case=CaseFactory(), subject="Another case", body="Please, welding.", created_at=older(700))

    results = messages_search(staff_scope(profile.user), Criteria(words=["welding", "please"]))

    assert [message.subject for message in results.messages] == ["Old"]
    assert results.has_next is (not caseworker)  # supervisors also find the other case's
    assert not results.partial


@pytest.mark.django_db(transaction=True)
def test_common_words_missing_from_the_window(small_windows):
    """On MariaDB the page says only the most recent messages were searched
    (step 3: the FULLTEXT lists of common words are as long as a full read);
    SQLite checks every message."""
    supervisor = staff_user(StaffProfile.Role.SUPERVISOR)
    case = CaseFactory()
    MessageFactory(case=case, subject="Old", body="funding decision", created_at=older(600))
    for minutes in range(12):
        MessageFactory(case=case, subject=f"New {minutes}", body="funding" if minutes % 2 else "decision", created_at=older(minutes))

    results = messages_search(staff_scope(supervisor), Criteria(words=["funding", "decision"]))

    if connection.vendor == "mysql":
        assert (results.messages, results.partial) == ([], True)
    else:
        assert ([message.subject for message in results.messages], results.partial) == (["Old"], False)
