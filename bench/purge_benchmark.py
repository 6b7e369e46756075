"""Benchmark for `manage.py purge --all --yes` on MariaDB (a script, not a test).

Creates its own database, applies the schema with `manage.py migrate`,
bulk-loads N messages with INSERT ... SELECT over MariaDB's sequence engine,
then runs the purge as a subprocess and prints messages/second and the purge
process's peak RSS (from wait4, so only that process is measured).

The data is shaped like real threads, so every step of a batch has work:
10 % of the messages have one attachment with a small real file in a temporary
MEDIA_ROOT; every second message replies to the one before it; half the
attachments were adopted into the case file (an `iset_document` row linked to
the message and the attachment, with its own file); and as many documents again
that came from elsewhere (application submission) sit in the same table.

    .venv/bin/python bench/purge_benchmark.py --messages 100000
    .venv/bin/python bench/purge_benchmark.py --messages 1000000
    .venv/bin/python bench/purge_benchmark.py --messages 1000000 --include-documents

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
    parser.add_argument("--include-documents", action="store_true", help="Purge with --include-documents.")
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
        loaded = step("load", lambda: load(cursor, media, args.messages))
        print(
            f"loaded {args.messages:,} messages (half of them replies), {loaded['attachments']:,} attachments "
            f"with files, {loaded['adopted']:,} adopted documents with files, "
            f"{loaded['other_documents']:,} other documents"
        )

        command = ["purge", "--all", "--yes", "--batch-size", str(args.batch_size)]
        if args.include_documents:
            command.append("--include-documents")
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

        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM message_attachment), "
            "(SELECT COUNT(*) FROM iset_document), "
            "(SELECT COUNT(*) FROM iset_document WHERE origin_message_id IS NOT NULL OR origin_attachment_id IS NOT NULL)"
        )
        messages, attachments, documents, linked = cursor.fetchone()
        print(
            f"left afterwards: messages={messages}, attachments={attachments}, documents={documents} "
            f"(still linked to a message: {linked}), attachment files={files_in(media / 'attachments')}, "
            f"document files={files_in(media / 'documents')}"
        )
        kept_documents = loaded["other_documents"] + (0 if args.include_documents else loaded["adopted"])
        if (messages, attachments, documents, linked) != (0, 0, kept_documents, 0):
            sys.exit("the purge left the wrong rows behind")
        rows = args.messages + loaded["attachments"] + (loaded["adopted"] if args.include_documents else 0)
        print(
            f"RESULT messages={args.messages} seconds={seconds:.1f} "
            f"messages_per_second={args.messages / seconds:,.0f} "
            f"rows_per_second={rows / seconds:,.0f} "
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
    """One case; N messages in threads; attachments, adopted and other documents. Returns row counts."""
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
        sequence = f"seq_{start}_to_{end}"
        cursor.execute(
            "INSERT INTO messages (id, sender_id, recipient_id, case_id, application_id, reply_to_id, direction, "
            "subject, body, status, urgent, deleted, created_at) "
            "SELECT seq, 1, 2, 1, 1, IF(seq % 2 = 0, seq - 1, NULL), 'applicant_to_staff', CONCAT('Bench ', seq), "
            f"'Benchmark message body.', 'unread', 0, 0, NOW(6) FROM {sequence}"
        )
        cursor.execute(
            "INSERT INTO message_attachment (id, message_id, case_id, user_id, file_path, original_filename, "
            "content_type, size_bytes, checksum_sha256, uploaded_at) "
            "SELECT seq DIV 10, seq, 1, 1, CONCAT('attachments/bench/', seq DIV 10000, '/', seq), 'stub.txt', "
            f"'text/plain', {len(CONTENT)}, REPEAT('0', 64), NOW(6) FROM {sequence} WHERE seq % 10 = 0"
        )
        cursor.execute(
            "INSERT INTO iset_document (case_id, application_id, applicant_user_id, origin_message_id, "
            "origin_attachment_id, source, file_name, file_path, mime_type, size_bytes) "
            "SELECT 1, 1, 1, seq, seq DIV 10, 'secure_message_attachment', 'stub.txt', "
            f"CONCAT('documents/bench/', seq DIV 10000, '/', seq), 'text/plain', {len(CONTENT)} "
            f"FROM {sequence} WHERE seq % 20 = 0"
        )
        cursor.execute(
            "INSERT INTO iset_document (case_id, application_id, applicant_user_id, source, file_name, file_path, "
            "mime_type, size_bytes) "
            "SELECT 1, 1, 1, 'application_submission', 'form.pdf', CONCAT('documents/other/', seq), "
            f"'application/pdf', 1000 FROM {sequence} WHERE seq % 20 = 0"
        )
        cursor.connection.commit()
    for seq in range(10, count + 1, 10):
        write(media / "attachments" / "bench" / str(seq // 10000) / str(seq))
        if seq % 20 == 0:
            write(media / "documents" / "bench" / str(seq // 10000) / str(seq))
    return {"attachments": count // 10, "adopted": count // 20, "other_documents": count // 20}


CONTENT = b"benchmark attachment, 32 bytes\n\n"


def write(path):
    try:
        path.write_bytes(CONTENT)
    except FileNotFoundError:
        path.parent.mkdir(parents=True)
        path.write_bytes(CONTENT)


def files_in(folder):
    return sum(1 for path in folder.rglob("*") if path.is_file())


if __name__ == "__main__":
    main()
