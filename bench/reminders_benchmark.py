"""Benchmark for the unread reminders run (`manage.py send_reminders`) on
MariaDB (a script, not a test).

Creates its own database, applies the schema with `manage.py migrate`, and
bulk-loads N staff -> applicant messages still unread and old enough for a
reminder (over 1,000 cases, one applicant each, 10 % of them urgent), plus as
many again that must NOT be reminded (read, withdrawn, too recent, or from the
applicant), so the run has to tell them apart. Then it runs
`manage.py send_reminders` as a subprocess and prints its wall time and peak
RSS (from wait4, so only that process is measured), checks that exactly the N
due messages got one reminder notice each and one delivery task per batch,
and runs it a second time (nothing left to claim: the steady state of a
periodic run). The e-mails themselves are the worker's work, measured by
bench/email_benchmark.py.

    .venv/bin/python bench/reminders_benchmark.py --messages 100000

Needs a MariaDB server (default root@127.0.0.1:3306, no password). Drops and
recreates the database named by --database.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import MySQLdb

BASE_DIR = Path(__file__).resolve().parent.parent
CASES = 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000, help="Messages due for a reminder.")
    parser.add_argument("--database", default="iset_bench_reminders")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3306)
    parser.add_argument("--user", default="root")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test",
        "DATABASE_URL": f"mysql://{args.user}@{args.host}:{args.port}/{args.database}",
        "LOG_LEVEL": "WARNING",
    }
    server = MySQLdb.connect(host=args.host, port=args.port, user=args.user, autocommit=True)
    cursor = server.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{args.database}`")
    cursor.execute(f"CREATE DATABASE `{args.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        step("schema", lambda: manage(env, "migrate", "--no-input", "-v", "0"))
        cursor.execute(f"USE `{args.database}`")
        step("load", lambda: load(cursor, args.messages))
        cursor.execute("SELECT COUNT(*) FROM messages")
        print(f"loaded {cursor.fetchone()[0]:,} messages, {args.messages:,} of them due for a reminder", flush=True)

        for run in ("first run", "second run (nothing left to claim)"):
            seconds, rss_mb, output = timed(env, "send_reminders")
            print(f"{run}: {output}")
            print(f"RESULT {run}: seconds={seconds:.1f} peak_rss_mb={rss_mb:.1f} (wall time includes Django start-up)")

        cursor.execute("SELECT COUNT(*), COUNT(DISTINCT message_id) FROM email_notice WHERE kind = 'unread_reminder'")
        notices, messages = cursor.fetchone()
        cursor.execute(
            "SELECT COUNT(*) FROM email_notice n JOIN messages m ON m.id = n.message_id "
            "WHERE n.kind = 'unread_reminder' AND NOT (m.status = 'unread' AND m.deleted = 0 "
            "AND m.direction = 'staff_to_applicant')"
        )
        (wrong,) = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE task_path = 'intake.tasks.notices_deliver'")
        (tasks,) = cursor.fetchone()
        print(f"reminder notices: {notices:,} for {messages:,} messages ({wrong} for messages that must not have one); delivery tasks: {tasks:,}")
        if (notices, messages, wrong) != (args.messages, args.messages, 0):
            sys.exit("the run claimed the wrong reminders")
    finally:
        if not args.keep:
            cursor.execute(f"DROP DATABASE IF EXISTS `{args.database}`")
        server.close()


def step(name, action):
    started = time.monotonic()
    value = action()
    print(f"{name}: {time.monotonic() - started:.1f}s", flush=True)
    return value


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def timed(env, *args):
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True
    )
    output = process.stdout.read().strip()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args)} failed")
    return seconds, usage.ru_maxrss / 1024, output


def load(cursor, due):
    """CASES cases, one applicant and one caseworker each; `due` staff
    messages unread for 8 to 60 days (every tenth urgent and 4 days old), and
    `due` more that must not be reminded."""
    cursor.execute(
        "INSERT INTO `user` (id, email, password, first_name, last_name, preferred_language, is_active) "
        f"SELECT seq, CONCAT('person', seq, '@bench.example'), '!', 'P', CONCAT('Person ', seq), "
        f"IF(seq % 3 = 0, 'fr', 'en'), 1 FROM seq_1_to_{2 * CASES}"
    )
    cursor.execute(
        "INSERT INTO staff_profiles (id, user_id, display_name, primary_role, status) "
        f"SELECT seq, {CASES} + seq, CONCAT('Staff ', seq), 'caseworker', 'active' FROM seq_1_to_{CASES}"
    )
    cursor.execute(
        "INSERT INTO iset_application_submission (id, user_id, reference_number, status, submitted_at, intake_payload) "
        f"SELECT seq, seq, CONCAT('ISET-20260101-', LPAD(HEX(seq), 6, '0')), 'submitted', NOW(6), '{{}}' "
        f"FROM seq_1_to_{CASES}"
    )
    cursor.execute(f"INSERT INTO iset_application (id, submission_id, status) SELECT seq, seq, 'open' FROM seq_1_to_{CASES}")
    cursor.execute(
        "INSERT INTO iset_case (id, application_id, assigned_staff_profile_id, status) "
        f"SELECT seq, seq, seq, 'open' FROM seq_1_to_{CASES}"
    )
    # Odd ids are due; even ids each fail one rule (from the applicant, read,
    # withdrawn, too recent). Inserted oldest first, as they were written, so
    # the conversation summaries' triggers append instead of recounting.
    cursor.execute(
        "INSERT INTO messages (id, sender_id, recipient_id, case_id, application_id, direction, subject, body, "
        "status, urgent, deleted, created_at) "
        "SELECT * FROM ("
        f"SELECT seq, IF(seq % 8 = 0, seq % {CASES} + 1, {CASES} + seq % {CASES} + 1) AS sender_id, "
        f"IF(seq % 8 = 0, {CASES} + seq % {CASES} + 1, seq % {CASES} + 1) AS recipient_id, "
        f"seq % {CASES} + 1 AS case_id, seq % {CASES} + 1 AS application_id, "
        "IF(seq % 8 = 0, 'applicant_to_staff', 'staff_to_applicant') AS direction, CONCAT('Bench ', seq) AS subject, "
        "'Body.' AS body, IF(seq % 8 = 2, 'read', 'unread') AS status, IF(seq % 20 = 1, 1, 0) AS urgent, "
        "IF(seq % 8 = 4, 1, 0) AS deleted, "
        "CASE WHEN seq % 8 = 6 THEN NOW(6) - INTERVAL 1 DAY "
        "     WHEN seq % 20 = 1 THEN NOW(6) - INTERVAL 4 DAY "
        "     ELSE NOW(6) - INTERVAL (8 + seq % 53) DAY - INTERVAL seq MICROSECOND END AS created_at "
        f"FROM seq_1_to_{2 * due}) AS rows_ ORDER BY created_at, seq"
    )
    cursor.connection.commit()

if __name__ == "__main__":
    main()
