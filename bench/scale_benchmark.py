"""Benchmark (not a test): every conversation page and endpoint at a million
messages on MariaDB (issue 11, "Speed").

Builds, in its own database, 1,000,000 messages over 25,000 applications, each
with a case (40 messages per conversation, both directions, mostly read, the
newest few unread, a few urgent and a few withdrawn, some attachments, the
first message of every tenth thread written before its case existed), 50
caseworkers with 500 cases each, 2 supervisors, and one applicant per
application except that one applicant in ten has two applications.

The rows are loaded with INSERT ... SELECT over MariaDB's sequence engine, on
the schema as it stood *before* the conversation-summary migration
(sql/migrations/20261127_conversation_summary.sql), so no summary trigger runs
per row. The migration is then applied for real, through the project's own
`casework.schema.apply_schema`, and timed statement by statement: the printed
"summary fill" is the migration's own set-based fill over the loaded messages.
The triggers it creates are checked to be there, and the summary to have one
row per conversation.

Then it times full request handling in-process (django.test.Client: session,
auth, middleware, view, template or JSON) for each page: warm-up requests,
then --requests requests, each on a randomly chosen row (conversation, case,
message, page) by a user allowed to see it. It prints p50 and p95 server time
and the query count of one request, against the target p95 <= 25 ms. A page
whose URL name does not resolve yet is listed as "not available yet". For a
page over the target it prints the query it spends most time in and its
EXPLAIN.

    .venv/bin/python bench/scale_benchmark.py                      # full size (load: see docs/benchmarks.md)
    .venv/bin/python bench/scale_benchmark.py --messages 20000 --applications 500 --caseworkers 5

Needs MariaDB at 127.0.0.1:3306 (root, no password). Uses the database
`iset_bench_scale`: built on the first run, reused while it holds the sizes
asked for, dropped and rebuilt when they differ (or with --rebuild). Exit
status 1 when a measured page misses its target or fails, else 0.
"""

import argparse
import contextlib
import cProfile
import functools
import math
import os
import pstats
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "iset_bench_scale"
os.environ["DATABASE_URL"] = f"mysql://root@127.0.0.1:3306/{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iset_messaging.settings_test")

SUMMARY_MIGRATION = "20261127_conversation_summary.sql"
# One case in UNASSIGNED_EVERY has no caseworker; one in URGENT_EVERY is marked urgent.
UNASSIGNED_EVERY = 50
URGENT_EVERY = 40
TARGET_P95_MS = 25.0
CHUNK = 100_000
# One row written at the end of a complete load: what was built and how long it took.
META_TABLE = "bench_scale_load"
# Sent and read over about a year, whatever the number of messages.
BASE_TIME = "2025-01-06 14:00:00"
YEAR_SECONDS = 365 * 24 * 3600


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__
    )
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--applications", type=int, default=25_000, help="one case and one conversation each")
    parser.add_argument("--caseworkers", type=int, default=50, help="the cases are shared out evenly among them")
    parser.add_argument("--supervisors", type=int, default=2)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--only", action="append", metavar="TEXT", help="measure only the pages whose label contains TEXT (repeatable)"
    )
    parser.add_argument(
        "--profile",
        type=int,
        metavar="N",
        default=0,
        help="also profile each measured page's timed requests (cProfile) and print its N functions of most own time",
    )
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the database even if it fits")
    parser.add_argument(
        "--check-summaries", action="store_true", help="after a load, also run `manage.py threads --check`"
    )
    args = parser.parse_args()
    if args.messages < args.applications or args.applications < args.caseworkers or args.caseworkers < 1:
        parser.error("need messages >= applications >= caseworkers >= 1")
    sizes = (args.messages, args.applications, args.caseworkers, args.supervisors)

    loaded = None if args.rebuild else loaded_sizes()
    fresh = loaded is None or loaded[:4] != sizes
    if fresh:
        recreate_database()

    import django

    django.setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    from casework.schema import SchemaError

    if not fresh:
        try:
            call_command("migrate", verbosity=0)
        except (SchemaError, CommandError) as exc:
            # An applied .sql file was edited since the load (files under review
            # change): this database can no longer follow sql/migrations.
            print(f"{DATABASE} no longer matches sql/migrations ({exc}); rebuilding", flush=True)
            connection.close()
            recreate_database()
            fresh = True
    if fresh:
        build(args)
        if args.check_summaries:
            check_summaries()
    else:
        load_s, migration_s, fill_s = loaded[4:]
        print(
            f"reusing {DATABASE}: {args.messages:,} messages over {args.applications:,} applications, "
            f"loaded in {load_s:.1f} s; summary fill: {fill_s:.1f} s for {args.messages:,} messages "
            f"(whole migration {migration_s:.1f} s)",
            flush=True,
        )
    failed = measure(args)
    sys.exit(1 if failed else 0)


def server_cursor():
    import MySQLdb

    return MySQLdb.connect(host="127.0.0.1", user="root", autocommit=True).cursor()


def recreate_database():
    """Drop and create this benchmark's own database (never any other)."""
    cursor = server_cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{DATABASE}`")
    cursor.execute(f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    cursor.connection.close()


def loaded_sizes():
    """(messages, applications, caseworkers, supervisors, load s, migration s, fill s) of
    a complete earlier load, or None."""
    cursor = server_cursor()
    try:
        cursor.execute(
            f"SELECT messages, applications, caseworkers, supervisors, load_seconds, migration_seconds, fill_seconds "
            f"FROM `{DATABASE}`.`{META_TABLE}`"
        )
        row = cursor.fetchone()
    except Exception:  # no database or no complete load
        return None
    finally:
        cursor.connection.close()
    return tuple(row) if row else None


# Building ------------------------------------------------------------------------


def build(args):
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection
    from django.db.models.signals import post_migrate

    from casework.apps import apply_shared_schema
    from casework.schema import MIGRATIONS_DIR, apply_schema, sql_files

    names = [sql_file.name for sql_file in sql_files()]
    if SUMMARY_MIGRATION not in names:
        sys.exit(f"{SUMMARY_MIGRATION} is not in {MIGRATIONS_DIR}")

    # Django's own tables, then the shared schema as it stood before the
    # summary migration: the files before it, applied by the project's code.
    # casework's migration 0002 applies the shared schema itself on MySQL
    # (django-otp's tables refer to `user`): during this migrate it applies
    # only the files before the summary migration too.
    import casework.schema

    casework_app = apps.get_app_config("casework")
    post_migrate.disconnect(sender=casework_app, dispatch_uid="casework.apply_shared_schema")
    with tempfile.TemporaryDirectory(prefix="iset-bench-schema-") as before:
        for name in names:
            if name < SUMMARY_MIGRATION:
                shutil.copy(MIGRATIONS_DIR / name, Path(before) / name)
        casework.schema.apply_schema = functools.partial(apply_schema, directory=Path(before))
        try:
            call_command("migrate", verbosity=0)
            apply_schema(directory=Path(before))
        finally:
            casework.schema.apply_schema = apply_schema
            post_migrate.connect(
                apply_shared_schema, sender=casework_app, dispatch_uid="casework.apply_shared_schema"
            )

    started = time.perf_counter()
    counts = load(args)
    load_s = time.perf_counter() - started
    print(
        f"load: {load_s:.1f} s for {counts['messages']:,} messages, {counts['applications']:,} applications "
        f"and cases, {counts['applicants']:,} applicants ({counts['two_applications']:,} with two applications), "
        f"{args.caseworkers} caseworkers, {args.supervisors} supervisors, {counts['attachments']:,} attachments, "
        f"{counts['documents']:,} documents (summary migration not applied yet, so no trigger ran)",
        flush=True,
    )

    migration_s, fill_s = summary_migration(apply_schema, args.messages)
    call_command("migrate", verbosity=0)  # anything after it; normally nothing left
    verify_summary(connection)
    with connection.cursor() as cursor:
        # iset_case.urgent came with a later migration than the load's schema.
        cursor.execute(f"UPDATE iset_case SET urgent = 1 WHERE MOD(id, {URGENT_EVERY}) = 0")

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE TABLE `user`, staff_profiles, iset_application_submission, iset_application, iset_case, "
            "messages, message_attachment, iset_document, conversation"
        )
        cursor.fetchall()
        cursor.execute(
            f"CREATE TABLE `{META_TABLE}` (messages INT NOT NULL, applications INT NOT NULL, "
            "caseworkers INT NOT NULL, supervisors INT NOT NULL, load_seconds DOUBLE NOT NULL, "
            "migration_seconds DOUBLE NOT NULL, fill_seconds DOUBLE NOT NULL, "
            "loaded_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))"
        )
        cursor.execute(
            f"INSERT INTO `{META_TABLE}` (messages, applications, caseworkers, supervisors, load_seconds, "
            "migration_seconds, fill_seconds) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [args.messages, args.applications, args.caseworkers, args.supervisors, load_s, migration_s, fill_s],
        )
    print(f"analyze: {time.perf_counter() - started:.1f} s", flush=True)


def applicant_of(application, staff):
    """SQL: the applicant user id of an application id (one applicant in ten has two
    applications: in every block of 11 applications, the first two share one)."""
    return f"({staff} + 10 * (({application} - 1) DIV 11) + GREATEST(MOD({application} - 1, 11), 1))"


def load(args):
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    messages, applications, caseworkers = args.messages, args.applications, args.caseworkers
    staff = caseworkers + args.supervisors
    applicants = 10 * ((applications - 1) // 11) + max((applications - 1) % 11, 1)
    step = max(1, YEAR_SECONDS // messages)
    base = f"TIMESTAMP('{BASE_TIME}')"
    password = make_password("bench-password-123")

    with connection.cursor() as cursor:
        cursor.execute("SET SESSION foreign_key_checks = 0, unique_checks = 0")
        cursor.execute(
            "INSERT INTO `user` (id, email, password, first_name, last_name, preferred_language, is_active, created_at) "
            f"SELECT seq, CONCAT(IF(seq <= {caseworkers}, 'caseworker', 'supervisor'), seq, '@iset.example'), %s, "
            f"IF(seq <= {caseworkers}, 'Casey', 'Sam'), CONCAT('Worker ', seq), IF(MOD(seq, 3) = 0, 'fr', 'en'), 1, "
            f"{base} - INTERVAL 400 DAY FROM seq_1_to_{staff}",
            [password],
        )
        cursor.execute(
            "INSERT INTO staff_profiles (id, user_id, display_name, primary_role, status, created_at) "
            f"SELECT seq, seq, CONCAT(IF(seq <= {caseworkers}, 'Caseworker ', 'Supervisor '), seq), "
            f"IF(seq <= {caseworkers}, 'caseworker', 'supervisor'), 'active', {base} - INTERVAL 400 DAY "
            f"FROM seq_1_to_{staff}"
        )
        cursor.execute(
            "INSERT INTO `user` (id, email, password, first_name, last_name, preferred_language, is_active, created_at) "
            f"SELECT {staff} + seq, CONCAT('applicant', seq, '@bench.example'), %s, "
            "ELT(1 + MOD(seq, 8), 'Marie', 'Joseph', 'Aiyana', 'Louis', 'Nina', 'Peter', 'Tara', 'Wapun'), "
            f"CONCAT('Applicant', seq), IF(MOD(seq, 4) = 0, 'fr', 'en'), 1, {base} - INTERVAL 200 DAY "
            f"FROM seq_1_to_{applicants}",
            [password],
        )
        submitted = f"{base} - INTERVAL 30 DAY - INTERVAL ({applications} - seq) MINUTE"
        cursor.execute(
            "INSERT INTO iset_application_submission (id, user_id, reference_number, status, submitted_at, "
            f"intake_payload) SELECT seq, {applicant_of('seq', staff)}, "
            f"CONCAT('ISET-20241206-', LPAD(HEX(seq), 6, '0')), 'submitted', {submitted}, "
            "IF(MOD(seq, 7) = 0, NULL, JSON_OBJECT('program', ELT(1 + MOD(seq, 4), 'Welding apprenticeship', "
            "'Early childhood education', 'Heavy equipment operator', 'Office administration'))) "
            f"FROM seq_1_to_{applications}"
        )
        cursor.execute(
            "INSERT INTO iset_application (id, submission_id, status, created_at) "
            f"SELECT seq, seq, 'open', {submitted} FROM seq_1_to_{applications}"
        )
        cursor.execute(
            "INSERT INTO iset_case (id, application_id, assigned_staff_profile_id, status, created_at) "
            f"SELECT seq, seq, IF(MOD(seq, {UNASSIGNED_EVERY}) = 0, NULL, 1 + MOD(seq - 1, {caseworkers})), "
            f"'open', {submitted} + INTERVAL 1 DAY "
            f"FROM seq_1_to_{applications}"
        )

        # Message n is message k of conversation a: the threads are interleaved,
        # so ids grow with time as they do in production. The first message of
        # every tenth thread came before its case (bound to the application only);
        # about 40 % are staff messages; the newest ((a div 3) mod 5) messages
        # of a thread are unread; 1 in 47 urgent; 1 in 211 staff messages withdrawn;
        # two in three answer the message before them.
        started = time.perf_counter()
        for start in range(1, messages + 1, CHUNK):
            end = min(start + CHUNK - 1, messages)
            cursor.execute(
                "INSERT INTO messages (id, sender_id, recipient_id, case_id, application_id, reply_to_id, direction, "
                "subject, body, status, urgent, deleted, created_at, read_at) "
                "SELECT n, IF(to_applicant, caseworker, applicant), "
                "IF(to_applicant, applicant, IF(before_case, NULL, caseworker)), IF(before_case, NULL, a), a, "
                f"IF(k > 0 AND MOD(n, 3) <> 0, n - {applications}, NULL), "
                "IF(to_applicant, 'staff_to_applicant', 'applicant_to_staff'), "
                "CONCAT(IF(k > 0, 'Re: ', ''), ELT(1 + MOD(a + k DIV 8, 4), 'Documents for your application', "
                "'Training start date', 'Funding decision', 'Question about my application')), "
                "CONCAT('Hello,\\n\\nThis is message ', k + 1, ' about application ', a, '. ', "
                "REPEAT('Please find the details of the next steps below. ', 1 + MOD(n, 4)), '\\n\\nThank you.'), "
                "IF(unread, 'unread', 'read'), MOD(n, 47) = 0, to_applicant AND MOD(n, 211) = 0, created, "
                "IF(unread, NULL, created + INTERVAL 2 HOUR) "
                "FROM ("
                "  SELECT n, a, k, before_case, "
                f"   {applicant_of('a', staff)} AS applicant, 1 + MOD(a - 1, {caseworkers}) AS caseworker, "
                "    NOT before_case AND MOD(k * 7 + a, 5) < 2 AS to_applicant, "
                f"   n > {messages} - MOD(a DIV 3, 5) * {applications} AS unread, "
                f"   {base} + INTERVAL (n * {step}) SECOND AS created "
                "  FROM ("
                f"   SELECT seq AS n, 1 + MOD(seq - 1, {applications}) AS a, (seq - 1) DIV {applications} AS k, "
                f"     seq <= {applications} AND MOD(seq, 10) = 0 AS before_case "
                f"   FROM seq_{start}_to_{end}"
                "  ) AS position"
                ") AS message"
            )
            print(f"  messages {end:>10,} / {messages:,}  ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute(
            "INSERT INTO message_attachment (id, message_id, case_id, user_id, file_path, original_filename, "
            "content_type, size_bytes, checksum_sha256, uploaded_at) "
            "SELECT id DIV 25, id, case_id, sender_id, CONCAT('attachments/bench/', id), 'letter.pdf', "
            "'application/pdf', 48213, REPEAT('0', 64), created_at FROM messages WHERE MOD(id, 25) = 0"
        )
        attachments = cursor.rowcount
        cursor.execute(
            "INSERT INTO iset_document (case_id, application_id, applicant_user_id, source, file_name, file_path, "
            "mime_type, size_bytes, status, created_at) "
            "SELECT c.id, c.application_id, s.user_id, 'application_submission', "
            "ELT(d.seq, 'intake-form.pdf', 'status-card.pdf'), CONCAT('documents/bench/', c.id, '/', d.seq), "
            "'application/pdf', 120000, 'active', c.created_at "
            "FROM iset_case c JOIN iset_application a ON a.id = c.application_id "
            "JOIN iset_application_submission s ON s.id = a.submission_id JOIN seq_1_to_2 d"
        )
        documents = cursor.rowcount
        cursor.execute("SET SESSION foreign_key_checks = 1, unique_checks = 1")
    return {
        "messages": messages,
        "applications": applications,
        "applicants": applicants,
        "two_applications": applications - applicants,
        "attachments": attachments,
        "documents": documents,
    }


def summary_migration(apply_schema, message_count):
    """Apply the summary migration (and any after it) with the project's own
    apply_schema, timing each statement; prints the fill's steps."""
    from django.db import connection

    timings = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timings.append((sql, time.perf_counter() - started))

    started = time.perf_counter()
    with connection.execute_wrapper(timed):
        applied = apply_schema(log=lambda line: print(f"  {line}", flush=True))
    migration_s = time.perf_counter() - started
    if SUMMARY_MIGRATION not in applied:
        sys.exit(f"{SUMMARY_MIGRATION} was not applied: {applied}")

    first = next(i for i, (sql, _) in enumerate(timings) if sql.startswith("CREATE TABLE `conversation_fill`"))
    last = next(i for i, (sql, _) in enumerate(timings) if sql.startswith("DROP TABLE `conversation_fill`"))
    fill = timings[first : last + 1]
    fill_s = sum(seconds for _, seconds in fill)
    slow_other = [(sql, s) for i, (sql, s) in enumerate(timings) if not first <= i <= last and s >= 0.5]
    print(f"migration: {migration_s:.1f} s in all ({', '.join(applied)})")
    for sql, seconds in slow_other:
        print(f"  {seconds:7.1f} s  {one_line(sql)}")
    print("  the fill:")
    for sql, seconds in fill:
        print(f"  {seconds:7.1f} s  {one_line(sql)}")
    print(f"summary fill: {fill_s:.1f} s for {message_count:,} messages", flush=True)
    return migration_s, fill_s


def one_line(sql, width=100):
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def verify_summary(connection):
    """The migration's triggers are there and there is one summary row per conversation."""
    from casework.schema import MIGRATIONS_DIR, SqlFile

    summary = MIGRATIONS_DIR / SUMMARY_MIGRATION
    statements = SqlFile(summary.name, summary.read_text(encoding="utf-8")).statements()
    expected = {match.group(1) for statement in statements if (match := re.match(r"CREATE TRIGGER `(\w+)`", statement))}
    with connection.cursor() as cursor:
        cursor.execute("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()")
        present = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM conversation), "
            "(SELECT COUNT(DISTINCT COALESCE(c.application_id, m.application_id)) "
            " FROM messages m LEFT JOIN iset_case c ON c.id = m.case_id), "
            "(SELECT SUM(message_count) FROM conversation), (SELECT COUNT(*) FROM messages)"
        )
        rows, conversations, summed, messages = cursor.fetchone()
    missing = expected - present
    print(
        f"triggers: {len(expected & present)} of {len(expected)} present"
        + (f", MISSING {sorted(missing)}" if missing else "")
        + f"; conversation rows: {rows:,} for {conversations:,} conversations with messages; "
        f"message_count adds up to {summed:,} of {messages:,} messages",
        flush=True,
    )
    if missing or rows != conversations or summed != messages:
        sys.exit("the summary migration left the database wrong")


def check_summaries():
    from django.core.management import call_command

    started = time.perf_counter()
    try:
        call_command("threads", "--check")
    except SystemExit as exc:  # pragma: no cover - CommandError from call_command raises, not exits
        sys.exit(f"threads --check failed ({exc})")
    print(f"threads --check: {time.perf_counter() - started:.1f} s", flush=True)


# Measuring -----------------------------------------------------------------------


@dataclass
class Page:
    label: str
    url_name: str
    # rng -> (user id, url kwargs, query parameters)
    pick: Callable[[random.Random], tuple[int, dict, dict]]


@dataclass
class Result:
    label: str
    status: str  # "measured", "not available yet", "error"
    detail: str = ""
    times: list[float] = field(default_factory=list)
    queries: int = 0
    query_range: tuple[int, int] = (0, 0)
    samples: list = field(default_factory=list)  # (url, client) pairs, for explain_slowest

    @property
    def p50(self):
        return statistics.median(self.times)

    @property
    def p95(self):
        ordered = sorted(self.times)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def passed(self):
        return self.status == "measured" and self.p95 <= TARGET_P95_MS


class Rows:
    """Who may see what, read once (untimed), so each request can pick a random row."""

    def __init__(self):
        from django.db.models import Count

        from casework.models import Application, Case, StaffProfile
        from intake.models import Message

        self.case_owner = dict(Case.objects.values_list("id", "assigned_staff_profile__user_id"))
        self.case_ids = sorted(self.case_owner)
        self.application_owner = dict(Application.objects.values_list("id", "submission__user_id"))
        self.application_ids = sorted(self.application_owner)
        by_applicant = {}
        for application_id, user_id in self.application_owner.items():
            by_applicant.setdefault(user_id, []).append(application_id)
        self.two_applications = {user: apps for user, apps in by_applicant.items() if len(apps) > 1}
        self.two_application_users = sorted(self.two_applications)
        profiles = StaffProfile.objects.filter(status="active")
        busy = profiles.filter(primary_role="caseworker").annotate(n=Count("assigned_cases")).filter(n__gt=0)
        self.caseworkers = sorted(busy.values_list("user_id", flat=True))
        self.supervisors = sorted(profiles.filter(primary_role="supervisor").values_list("user_id", flat=True))
        self.max_message_id = Message.objects.order_by("-id").values_list("id", flat=True).first() or 0
        self.message_count = Message.objects.count()
        if not (self.case_ids and self.two_application_users and self.caseworkers and self.supervisors):
            sys.exit("the benchmark database lacks cases, applicants with two applications, caseworkers or supervisors")

    def message_owners(self, count, rng):
        """`count` random existing messages, each with its applicant."""
        from intake.models import Message

        picks = {}
        while len(picks) < count:
            wanted = [rng.randint(1, self.max_message_id) for _ in range(count * 2)]
            rows = Message.objects.filter(pk__in=wanted).values_list(
                "pk", "case__application__submission__user_id", "application__submission__user_id"
            )
            for pk, via_case, via_application in rows:
                picks[pk] = via_case or via_application
        chosen = list(picks.items())[:count]
        rng.shuffle(chosen)
        return chosen


def pages(rows: Rows, args, rng):
    from intake.views import dashboard

    per_page = getattr(dashboard, "CASES_PER_PAGE", 25)
    all_pages = max(1, math.ceil(len(rows.case_ids) / per_page))

    def applicant_two(rng):
        return rng.choice(rows.two_application_users), {}, {}

    def applicant_filtered(rng):
        user = rng.choice(rows.two_application_users)
        return user, {}, {"application": rng.choice(rows.two_applications[user])}

    def conversation(rng):
        application = rng.choice(rows.application_ids)
        return rows.application_owner[application], {"application_id": application}, {}

    message_queue = []

    def message(rng):
        if not message_queue:
            message_queue.extend(rows.message_owners(args.requests + args.warmup + 10, rng))
        message_id, owner = message_queue.pop()
        return owner, {"message_id": message_id}, {}

    def caseworker_list(sort):
        def pick(rng):
            return rng.choice(rows.caseworkers), {}, ({"sort": sort} if sort else {})

        return pick

    def supervisor_list(sort, page=None):
        def pick(rng):
            query = {"sort": sort} if sort else {}
            if page == "deep":
                query["page"] = rng.randint(max(2, all_pages // 2), all_pages)
            elif page:
                query["page"] = page
            return rng.choice(rows.supervisors), {}, query

        return pick

    def case(rng):
        case_id = rng.choice(rows.case_ids)
        # An unassigned case is opened by a supervisor.
        return rows.case_owner[case_id] or rng.choice(rows.supervisors), {"case_id": case_id}, {}

    queue_pages = max(1, math.ceil(len(rows.application_ids) / per_page))

    def queue(staff, query, deep=False):
        def pick(rng):
            chosen = dict(query)
            if deep:
                chosen["page"] = rng.randint(max(2, queue_pages // 2), queue_pages)
            return rng.choice(staff), {}, chosen

        return pick

    cases_each = len(rows.case_ids) // max(1, len(rows.caseworkers))
    result = [
        Page("applicant inbox (2 applications)", "portal:inbox", applicant_two),
        Page("applicant inbox ?application=", "portal:inbox", applicant_filtered),
        Page("conversation page", "portal:conversation", conversation),
        Page("MessageDetails", "portal:message_detail", message),
    ]
    for sort in (None, "activity", "unread", "waiting"):
        suffix = f"?sort={sort}" if sort else "(no sort)"
        result.append(
            Page(f"case list, caseworker ({cases_each:,}) {suffix}", "dashboard:case_list", caseworker_list(sort))
        )
    for sort in (None, "activity", "unread", "waiting"):
        suffix = f"?sort={sort}" if sort else "(no sort)"
        result.append(
            Page(
                f"case list, supervisor ({len(rows.case_ids):,}) {suffix}", "dashboard:case_list", supervisor_list(sort)
            )
        )
    result.append(Page("case list, supervisor, page 2", "dashboard:case_list", supervisor_list(None, 2)))
    for sort in (None, "activity", "unread", "waiting"):
        suffix = f" ?sort={sort}" if sort else ""
        result.append(
            Page(f"case list, supervisor, deep page{suffix}", "dashboard:case_list", supervisor_list(sort, "deep"))
        )
    result += [
        Page("case page", "dashboard:case_detail", case),
        Page("GET /api/cases/<id>/messages", "api:case_messages", case),
        Page("GET /api/messages/<id>", "api:message_detail", message),
        Page("GET /api/me/threads", "api:me_threads", applicant_two),
    ]
    for view in ("awaiting", "mine", "unassigned", "urgent"):
        result.append(Page(f"queue, caseworker ({cases_each:,}) ?view={view}", "dashboard:queue", queue(
            rows.caseworkers, {"view": view})))
    result.append(Page("queue, caseworker ?view=mine&sort=activity", "dashboard:queue", queue(
        rows.caseworkers, {"view": "mine", "sort": "activity"})))
    everyone = f"{len(rows.application_ids):,}"
    for view in ("awaiting", "unassigned", "urgent", "all"):
        result.append(Page(f"queue, supervisor ({everyone}) ?view={view}", "dashboard:queue", queue(
            rows.supervisors, {"view": view})))
    result += [
        Page("queue, supervisor ?view=all&sort=activity", "dashboard:queue", queue(
            rows.supervisors, {"view": "all", "sort": "activity"})),
        Page("queue, supervisor ?view=awaiting, deep page", "dashboard:queue", queue(
            rows.supervisors, {"view": "awaiting"}, deep=True)),
        Page("queue, supervisor ?view=all, deep page", "dashboard:queue", queue(
            rows.supervisors, {"view": "all"}, deep=True)),
        Page("queue, supervisor ?view=all&sort=activity, deep page", "dashboard:queue", queue(
            rows.supervisors, {"view": "all", "sort": "activity"}, deep=True)),
        Page("queue, supervisor search by name (posted once, results ?search=<id> timed)", "dashboard:queue",
             posted_search("dashboard:queue", lambda rng: (rng.choice(rows.supervisors), {"view": "all", "q": "Applicant1234"}))),
        Page("GET /api/staff/queue, supervisor", "api:staff_queue", queue(rows.supervisors, {"view": "awaiting"})),
        Page("GET /api/staff/queue, caseworker", "api:staff_queue", queue(rows.caseworkers, {"view": "awaiting"})),
    ]
    result += message_search_pages(rows)
    return result


def message_search_pages(rows: Rows):
    """The search of messages (issue 13; intake/search.py, docs/caseworker-tools.md).

    Two words, as people search: from the subject of a message they have in
    front of them (each caseworker's most recently active conversation; for
    supervisors, the newest messages), common words found in a quarter of all
    messages; and a common word with a rare one (an application's number,
    found in its 40 messages only), which the FULLTEXT index answers."""
    from casework.models import Application
    from intake.models import Conversation, Message

    def two_words(subject):
        return " ".join(subject.removeprefix("Re: ").split()[:2]).lower()

    recent = {}
    for user_id in rows.caseworkers:
        latest = (
            Conversation.objects.filter(assigned_staff_profile__user_id=user_id)
            .order_by("-last_message_at")
            .values_list("last_message__subject", flat=True)
            .first()
        )
        recent[user_id] = two_words(latest or "Funding decision")
    newest_subjects = sorted({two_words(subject) for subject in Message.objects.order_by("-id").values_list("subject", flat=True)[:200]})
    applications_of = {}
    for application_id, user_id in Application.objects.filter(case__isnull=False).values_list("id", "case__assigned_staff_profile__user_id"):
        applications_of.setdefault(user_id, []).append(application_id)

    def caseworker_common(rng):
        user = rng.choice(rows.caseworkers)
        return user, {"q": recent[user]}

    def supervisor_common(rng):
        return rng.choice(rows.supervisors), {"q": rng.choice(newest_subjects)}

    def caseworker_rare(rng):
        user = rng.choice(rows.caseworkers)
        return user, {"q": f"application {rng.choice(applications_of[user])}"}

    def supervisor_rare(rng):
        return rng.choice(rows.supervisors), {"q": f"application {rng.choice(rows.application_ids)}"}

    def applicant(rng):
        return rng.choice(rows.two_application_users), {"q": rng.choice(newest_subjects)}

    # The form posts the words; what is timed is the results page ?search=<id>, which runs the search (as paging does).
    timed = "(posted, results ?search=<id> timed)"
    staff = [
        ("caseworker, two common words", caseworker_common),
        ("supervisor, two common words", supervisor_common),
        ("caseworker, a common and a rare word", caseworker_rare),
        ("supervisor, a common and a rare word", supervisor_rare),
    ]
    return [
        Page(f"message search, {label} {timed}", "dashboard:search", posted_search("dashboard:search", asked))
        for label, asked in staff
    ] + [Page(f"message search, applicant (2 applications) {timed}", "portal:search", posted_search("portal:search", applicant))]


# A session remembers its 20 latest searches (intake.search_terms.KEPT): each
# person keeps at most this many per page, so that every id picked before the
# timed requests still names its search when it is timed.
SEARCHES_EACH = 5


def posted_search(url_name: str, asked: Callable[[random.Random], tuple[int, dict]]):
    """A pick for a page whose search form posts its terms (issue 15): the
    first time a person asks for a search, it is posted (untimed) with the
    client that then times its results page, `?search=<id>` and the list's
    other parameters, which is what following the redirect and paging do.
    Each person keeps up to SEARCHES_EACH searches of the page; past them a
    pick times one of those again."""
    from urllib.parse import parse_qsl, urlsplit

    from django.urls import reverse

    kept: dict[int, dict[tuple, dict]] = {}

    def pick(rng):
        user, form = asked(rng)
        searches = kept.setdefault(user, {})
        key = tuple(sorted(form.items()))
        if key not in searches and len(searches) >= SEARCHES_EACH:
            key = rng.choice(sorted(searches))
        if key not in searches:
            posted = Clients()(user).post(reverse(url_name), form)
            if posted.status_code != 302:
                raise AssertionError(f"POST {url_name} {form} answered {posted.status_code}: {posted.content[:200]!r}")
            searches[key] = dict(parse_qsl(urlsplit(posted["Location"]).query))
        return user, {}, searches[key]

    return pick


class Clients:
    """One signed-in django.test.Client per user for the whole run, made on
    first use (untimed): a search page posts its search with the client that
    then times the results (posted_search)."""

    by_user: dict = {}

    def __call__(self, user_id):
        from django.test import Client

        from casework.models import User

        if user_id not in self.by_user:
            from django_otp import DEVICE_ID_SESSION_KEY

            client = Client()
            client.force_login(User.objects.get(pk=user_id))
            # Staff past the code step too (casework.two_step reads only this key), as after a real sign-in.
            session = client.session
            session[DEVICE_ID_SESSION_KEY] = "bench/signed-in"
            session.save()
            self.by_user[user_id] = client
        return self.by_user[user_id]


def url_for(page: Page, kwargs, query):
    from urllib.parse import urlencode

    from django.urls import reverse

    url = reverse(page.url_name, kwargs=kwargs or None)
    return f"{url}?{urlencode(query)}" if query else url


def measure(args):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch

    rng = random.Random(args.seed)
    rows = Rows()
    clients = Clients()
    print(
        f"\nMariaDB {'.'.join(map(str, connection.mysql_version))}, {rows.message_count:,} messages, "
        f"{len(rows.application_ids):,} applications, {len(rows.case_ids):,} cases, "
        f"{len(rows.caseworkers)} caseworkers, {len(rows.supervisors)} supervisors, "
        f"{len(rows.two_application_users):,} applicants with two applications; "
        f"{args.warmup} warm-up + {args.requests} timed requests per page, each on a random row; "
        f"{os.cpu_count()} cores",
        flush=True,
    )

    results = []
    for page in pages(rows, args, rng):
        if args.only and not any(text.lower() in page.label.lower() for text in args.only):
            continue
        user, kwargs, query = page.pick(rng)
        try:
            url_for(page, kwargs, query)
        except NoReverseMatch as exc:
            results.append(Result(page.label, "not available yet", f"{page.url_name}: {exc}"))
            print(f"  {page.label}: not available yet", flush=True)
            continue
        try:
            result = time_page(page, args, rng, clients, connection, CaptureQueriesContext)
        except Exception as exc:  # a page under construction: report it, go on with the others
            result = Result(page.label, "error", f"{type(exc).__name__}: {str(exc)[:300]}")
        results.append(result)
        if result.status == "measured":
            print(f"  {page.label}: p95 {result.p95:.1f} ms", flush=True)
        else:
            print(f"  {page.label}: {result.status} {result.detail}", flush=True)

    print_table(results)
    failed = [
        result for result in results if result.status == "error" or (result.status == "measured" and not result.passed)
    ]
    for result in failed:
        if result.status == "measured":
            explain_slowest(result, connection)
    return bool(failed)


def time_page(page, args, rng, clients, connection, capture):
    def get(pick_user, kwargs, query):
        url = url_for(page, kwargs, query)
        client = clients(pick_user)
        return url, client

    def check(url, response):
        if response.status_code != 200:
            raise AssertionError(f"GET {url} answered {response.status_code}: {response.content[:200]!r}")

    # Warm-up, then one request whose queries are captured (untimed).
    for _ in range(args.warmup):
        url, client = get(*page.pick(rng))
        check(url, client.get(url))
    url, client = get(*page.pick(rng))
    with capture(connection) as captured:
        check(url, client.get(url))
    result = Result(page.label, "measured", queries=len(captured))

    picks = [get(*page.pick(rng)) for _ in range(args.requests)]
    counter = [0]

    def count(execute, sql, params, many, context):
        counter[0] += 1
        return execute(sql, params, many, context)

    counts = []
    profiler = cProfile.Profile() if args.profile else None
    with connection.execute_wrapper(count), profiler or contextlib.nullcontext():
        for url, client in picks:
            counter[0] = 0
            started = time.perf_counter()
            response = client.get(url)
            result.times.append((time.perf_counter() - started) * 1000)
            counts.append(counter[0])
            check(url, response)
    result.query_range = (min(counts), max(counts))
    result.samples = picks[:10]
    if profiler is not None:
        print_profile(page.label, profiler, args.profile, len(picks))
    return result


def print_profile(label, profiler, top, requests):
    """The functions that spent most time themselves, per request, and how
    that time splits between the database driver, templates and the rest."""
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)
    total = sum(row[2] for _key, row in rows)
    groups = {"database driver": ("MySQLdb", "django/db/backends"), "templates": ("django/template",)}
    split = dict.fromkeys([*groups, "other"], 0.0)
    for (filename, _line, _name), row in rows:
        group = next((name for name, parts in groups.items() if any(part in filename for part in parts)), "other")
        split[group] += row[2]
    shares = ", ".join(f"{name} {seconds / requests * 1000:.1f} ms" for name, seconds in split.items())
    print(f"    profile of {label}: {total / requests * 1000:.1f} ms a request under the profiler ({shares})")
    ours = sorted(
        (item for item in rows if item[0][0].startswith(str(ROOT)) and "/.venv/" not in item[0][0]),
        key=lambda item: item[1][3],
        reverse=True,
    )
    for title, listing in (("most own time", rows[:top]), ("the project's code by time within", ours[:top])):
        print(f"      {title}:")
        for (filename, line, name), row in listing:
            where = filename.split("site-packages/")[-1].replace(str(ROOT) + "/", "")
            print(
                f"      {row[2] / requests * 1000:7.2f} ms own  {row[3] / requests * 1000:7.2f} ms cum"
                f"  {row[1] / requests:7.1f} calls  {where}:{line} {name}"
            )


def print_table(results):
    if not results:
        print("\nno page selected")
        return
    width = max(len(result.label) for result in results)
    print(f"\n{'page':{width}}  {'p50 ms':>7}  {'p95 ms':>7}  {'queries':>9}  target p95 <= {TARGET_P95_MS:g} ms")
    print("-" * (width + 52))
    for result in results:
        if result.status == "measured":
            low, high = result.query_range
            queries = str(result.queries) if low == high == result.queries else f"{result.queries} ({low}-{high})"
            verdict = "PASS" if result.passed else "FAIL"
            print(f"{result.label:{width}}  {result.p50:7.1f}  {result.p95:7.1f}  {queries:>9}  {verdict}")
        elif result.status == "not available yet":
            print(f"{result.label:{width}}  {'':>7}  {'':>7}  {'':>9}  not available yet")
        else:
            print(f"{result.label:{width}}  {'':>7}  {'':>7}  {'':>9}  ERROR {result.detail}")
    measured = [result for result in results if result.status == "measured"]
    print(
        f"\n{sum(result.passed for result in measured)} of {len(measured)} measured pages within the target; "
        f"{sum(result.status == 'not available yet' for result in results)} not available yet; "
        f"{sum(result.status == 'error' for result in results)} errors"
    )


def explain_slowest(result, connection):
    """For a page over its target: where a request's time goes (SQL or Python),
    the query it spends most SQL time in, and that query's EXPLAIN."""
    from django.test.utils import CaptureQueriesContext

    spent, request_ms, sql_ms, query_count = {}, 0.0, 0.0, 0
    for url, client in result.samples:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(url)
            request_ms += (time.perf_counter() - started) * 1000
        for query in captured.captured_queries:
            shape = re.sub(r"\b\d+\b", "N", query["sql"])
            total, count, example = spent.get(shape, (0.0, 0, query["sql"]))
            spent[shape] = (total + float(query["time"]) * 1000, count + 1, example)
            sql_ms += float(query["time"]) * 1000
            query_count += 1
    if not spent:
        return
    requests = len(result.samples)
    ranked = sorted(spent.values(), reverse=True)
    print(
        f"\n{result.label}: p50 {result.p50:.1f} ms, p95 {result.p95:.1f} ms. Over {requests} more requests "
        f"(queries captured): {request_ms / requests:.1f} ms per request, of which SQL "
        f"{sql_ms / requests:.1f} ms in {query_count / requests:.0f} queries (the rest is Python: view, "
        f"template, middleware). Most SQL time, per request:"
    )
    for total, count, example in ranked[:3]:
        print(f"  {total / requests:6.1f} ms  ({count} runs)  {one_line(example, 160)}")
    total, count, example = ranked[0]
    print(f"  the first in full:\n  {example}")
    if example.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "INSERT")):
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {example}")
            columns = [column[0] for column in cursor.description]
            print("  EXPLAIN:")
            for row in cursor.fetchall():
                print("   ", dict(zip(columns, row, strict=True)))


if __name__ == "__main__":
    main()
