"""Benchmark for `manage.py purge --all --yes` on MariaDB (a script, not a test).

Creates its own database, applies the schema with `manage.py migrate`,
bulk-loads N messages (10 % with one attachment row and a small real file in a
temporary MEDIA_ROOT) with INSERT ... SELECT over MariaDB's sequence engine,
then runs the purge as a subprocess and prints messages/second and the purge
process's peak RSS (from wait4, so only that process is measured).

    .venv/bin/python bench/purge_benchmark.py --messages 100000
    .venv/bin/python bench/purge_benchmark.py --messages 1000000

Needs a MariaDB server (default root@127.0.0.1:3306, no password). Drops and
recreates the database named by --database.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import MySQLdb

BASE_DIR = Path(__file__).resolve().parent.parent
CHUNK = 100_000


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--database", default="iset_bench_purge")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3306)
    parser.add_argument("--user", default="root")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--keep", action="store_true", help="Keep the database and media folder afterwards.")
    args = parser.parse_args()

    media = Path(tempfile.mkdtemp(prefix="iset-bench-media-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test",
        "DATABASE_URL": f"mysql://{args.user}@{args.host}:{args.port}/{args.database}",
        "MEDIA_ROOT": str(media),
    }
    server = MySQLdb.connect(host=args.host, port=args.port, user=args.user, autocommit=True)
    cursor = server.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{args.database}`")
    cursor.execute(f"CREATE DATABASE `{args.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        step("schema", lambda: manage(env, "migrate", "--no-input", "-v", "0"))
        cursor.execute(f"USE `{args.database}`")
        attachments = step("load", lambda: load(cursor, media, args.messages))
        print(f"loaded {args.messages:,} messages, {attachments:,} attachments with files")

        command = ["purge", "--all", "--yes", "--batch-size", str(args.batch_size)]
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, text=True
        )
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        print(output.strip().splitlines()[-1] if output.strip() else "(no output)")
        if process.returncode != 0:
            sys.exit(f"purge exited {process.returncode}")

        cursor.execute("SELECT (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM message_attachment)")
        left = cursor.fetchone()
        files_left = sum(1 for path in (media / "attachments").rglob("*") if path.is_file())
        print(f"left afterwards: messages={left[0]}, attachments={left[1]}, files={files_left}")
        print(
            f"RESULT messages={args.messages} seconds={seconds:.1f} "
            f"messages_per_second={args.messages / seconds:,.0f} "
            f"rows_per_second={(args.messages + attachments) / seconds:,.0f} "
            f"peak_rss_mb={usage.ru_maxrss / 1024:.1f} (wall time includes Django start-up; cores: {os.cpu_count()})"
        )
    finally:
        if not args.keep:
            cursor.execute(f"DROP DATABASE IF EXISTS `{args.database}`")
            shutil.rmtree(media, ignore_errors=True)
        server.close()


def step(name, action):
    started = time.monotonic()
    value = action()
    print(f"{name}: {time.monotonic() - started:.1f}s", flush=True)
    return value


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def load(cursor, media, count):
    """One case; N messages; every 10th message has one attachment with a real file."""
    cursor.execute(
        "INSERT INTO `user` (id, email, password, first_name, last_name, preferred_language, is_active) VALUES "
        "(1, 'applicant@bench.example', '!', 'A', 'Applicant', 'en', 1), "
        "(2, 'staff@bench.example', '!', 'S', 'Staff', 'en', 1)"
    )
    cursor.execute(
        "INSERT INTO staff_profiles (id, user_id, display_name, primary_role, status) "
        "VALUES (1, 2, 'S Staff', 'caseworker', 'active')"
    )
    cursor.execute(
        "INSERT INTO iset_application_submission (id, user_id, reference_number, status, submitted_at, intake_payload) "
        "VALUES (1, 1, 'ISET-20260101-ABCDEF', 'submitted', NOW(6), '{}')"
    )
    cursor.execute("INSERT INTO iset_application (id, submission_id, status) VALUES (1, 1, 'open')")
    cursor.execute(
        "INSERT INTO iset_case (id, application_id, assigned_staff_profile_id, status) VALUES (1, 1, 1, 'open')"
    )
    for start in range(1, count + 1, CHUNK):
        end = min(start + CHUNK - 1, count)
        cursor.execute(
            "INSERT INTO messages (id, sender_id, recipient_id, case_id, application_id, direction, subject, body, "
            "status, urgent, deleted, created_at) "
            f"SELECT seq, 1, 2, 1, 1, 'applicant_to_staff', CONCAT('Bench ', seq), 'Benchmark message body.', "
            f"'unread', 0, 0, NOW(6) FROM seq_{start}_to_{end}"
        )
        cursor.execute(
            "INSERT INTO message_attachment (message_id, case_id, user_id, file_path, original_filename, "
            "content_type, size_bytes, checksum_sha256, uploaded_at) "
            "SELECT seq, 1, 1, CONCAT('attachments/bench/', seq DIV 10000, '/', seq), 'stub.txt', 'text/plain', 32, "
            f"REPEAT('0', 64), NOW(6) FROM seq_{start}_to_{end} WHERE seq % 10 = 0"
        )
        cursor.connection.commit()
    content = b"benchmark attachment, 32 bytes\n\n"
    written = 0
    for seq in range(10, count + 1, 10):
        folder = media / "attachments" / "bench" / str(seq // 10000)
        if seq == 10 or seq % 10000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / str(seq)).write_bytes(content)
        written += 1
    return written


if __name__ == "__main__":
    main()
