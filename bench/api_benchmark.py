"""Benchmark (not a test): the case-thread and message endpoints over a large
MariaDB database.

Loads 100,000 messages over 5,000 cases (20 each, both directions) into its own
database, then times 200 requests to each endpoint through Django's full
request handling (session, auth, middleware, view, JSON) in-process, and prints
the query count and the median and 95th-percentile server time.

    .venv/bin/python bench/api_benchmark.py [--messages 100000] [--cases 5000] [--requests 200]

Needs MariaDB at 127.0.0.1:3306 (root, no password); uses the database
`iset_bench_api`, created and loaded on the first run and reused afterwards.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "iset_bench_api"
os.environ["DATABASE_URL"] = f"mysql://root@127.0.0.1:3306/{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iset_messaging.settings_test")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=5_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    import MySQLdb

    server = MySQLdb.connect(host="127.0.0.1", user="root", autocommit=True)
    server.cursor().execute(
        f"CREATE DATABASE IF NOT EXISTS `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )
    server.close()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM messages")
        loaded = cursor.fetchone()[0]
    if loaded != args.messages:
        load(args.messages, args.cases)
    measure(args.requests)


def load(message_count, case_count):
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    started = time.perf_counter()
    password = make_password("bench-password-123")
    caseworkers = 50
    base = datetime(2025, 9, 25, 9, 0, 0)
    tables = [
        "message_event",
        "iset_document",
        "message_attachment",
        "messages",
        "iset_case",
        "iset_application",
        "iset_application_submission",
        "staff_profiles",
        "user",
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
        for table in tables:
            cursor.execute(f"TRUNCATE TABLE `{table}`")
        cursor.execute("SET FOREIGN_KEY_CHECKS = 1")

        users = [(i, f"staff{i}@iset.example", password, "Staff", f"{i}", "en") for i in range(1, caseworkers + 2)]
        users += [
            (caseworkers + 1 + i, f"applicant{i}@example.org", password, "Applicant", f"{i}", "en")
            for i in range(1, case_count + 1)
        ]
        insert(cursor, "user", ["id", "email", "password", "first_name", "last_name", "preferred_language"], users)
        profiles = [(i, i, f"Staff {i}", "caseworker") for i in range(1, caseworkers + 1)]
        profiles.append((caseworkers + 1, caseworkers + 1, "Supervisor", "supervisor"))
        insert(cursor, "staff_profiles", ["id", "user_id", "display_name", "primary_role"], profiles)
        insert(
            cursor,
            "iset_application_submission",
            ["id", "user_id", "reference_number", "submitted_at"],
            [(i, caseworkers + 1 + i, f"ISET-20250925-{i:06X}", base) for i in range(1, case_count + 1)],
        )
        insert(cursor, "iset_application", ["id", "submission_id"], [(i, i) for i in range(1, case_count + 1)])
        insert(
            cursor,
            "iset_case",
            ["id", "application_id", "assigned_staff_profile_id"],
            [(i, i, (i % caseworkers) + 1) for i in range(1, case_count + 1)],
        )
        rows = []
        per_case = message_count // case_count
        for n in range(message_count):
            case = (n % case_count) + 1
            applicant, caseworker = caseworkers + 1 + case, (case % caseworkers) + 1
            to_applicant = (n // case_count) % 2 == 0
            rows.append(
                (
                    caseworker if to_applicant else applicant,
                    applicant if to_applicant else caseworker,
                    case,
                    case,
                    "staff_to_applicant" if to_applicant else "applicant_to_staff",
                    f"Message {n // case_count + 1} of {per_case}",
                    "Benchmark body text.\nSecond line.",
                    "read",
                    base + timedelta(seconds=n),
                )
            )
            if len(rows) == 5000:
                insert(cursor, "messages", MESSAGE_COLUMNS, rows)
                rows = []
        insert(cursor, "messages", MESSAGE_COLUMNS, rows)
        cursor.execute("ANALYZE TABLE messages, iset_case, iset_application, iset_application_submission")
    print(f"loaded {message_count:,} messages over {case_count:,} cases in {time.perf_counter() - started:.1f} s")


MESSAGE_COLUMNS = [
    "sender_id", "recipient_id", "case_id", "application_id", "direction", "subject", "body", "status", "created_at"
]


def insert(cursor, table, columns, rows):
    sql = f"INSERT INTO `{table}` ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    for start in range(0, len(rows), 5000):
        cursor.executemany(sql, rows[start : start + 5000])


def measure(request_count):
    from django.db import connection
    from django.test import Client

    from casework.models import Case, User
    from intake.models import Message

    random.seed(25)
    supervisor = User.objects.get(staff_profile__primary_role="supervisor")
    case_ids = list(Case.objects.values_list("id", flat=True))
    staff = Client()
    staff.force_login(supervisor)
    thread_times, thread_queries = time_requests(
        staff, [f"/api/cases/{random.choice(case_ids)}/messages" for _ in range(request_count)]
    )

    max_id = Message.objects.order_by("-id").values_list("id", flat=True).first()
    picks = [random.randint(1, max_id) for _ in range(request_count)]
    owners = dict(Message.objects.filter(pk__in=picks).values_list("pk", "case__application__submission__user_id"))
    applicant_times, applicant_queries = [], set()
    clients = {}
    for message_id in picks:
        owner = owners[message_id]
        if owner not in clients:
            clients[owner] = Client()
            clients[owner].force_login(User.objects.get(pk=owner))
        times, queries = time_requests(clients[owner], [f"/api/messages/{message_id}"])
        applicant_times += times
        applicant_queries |= queries

    total = Message.objects.count()
    print(
        f"\nMariaDB {connection.mysql_version}, {total:,} messages, {len(case_ids):,} cases, {request_count} requests each"
    )
    report("GET /api/cases/<id>/messages", thread_times, thread_queries)
    report("GET /api/messages/<id>", applicant_times, applicant_queries)


def time_requests(client, urls):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, query_counts = [], set()
    for url in urls:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:200])
        query_counts.add(len(queries))
    return times, query_counts


def report(name, times, query_counts):
    times = sorted(times)
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    print(
        f"{name:32} queries/request {sorted(query_counts)}  "
        f"median {statistics.median(times):6.2f} ms  p95 {p95:6.2f} ms  (n={len(times)})"
    )


if __name__ == "__main__":
    main()
