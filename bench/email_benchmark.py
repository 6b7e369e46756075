"""Benchmark: a send's response time does not depend on the mail server, and
how fast one worker delivers queued notices (a script, not a test).

Creates its own MariaDB database (`manage.py migrate`), then, in this process
with the production settings (DEBUG off, EMAIL_URL=smtp://127.0.0.1:PORT,
EMAIL_TIMEOUT 10 s), times `message_send_to_case` (what the case page and the
API call) against a local fake mail server in each mode, while a real
`manage.py worker` runs beside it, trying to deliver:

- up:   a small SMTP server in a thread here, accepting every e-mail;
- slow: a socket that accepts the TCP connection and never answers;
- down: a closed port (connection refused).

For comparison it also times the same send followed by the delivery in the
same thread, which is what a request did before the task queue (the e-mail
sent inside the request, after commit), for a few sends per mode.

Last, it queues 1,000 notices (1,000 sends), starts one `manage.py worker
--once` against the "up" server and prints how long it took to deliver them
all, and its peak RSS.

    .venv/bin/python bench/email_benchmark.py
    .venv/bin/python bench/email_benchmark.py --sends 500 --queued 1000

Needs a MariaDB server (default root@127.0.0.1:3306, no password). Drops and
recreates the database named by --database.
"""

import argparse
import os
import socket
import socketserver
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import MySQLdb

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


class FakeSMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's backend: greeting, EHLO, MAIL, RCPT, DATA, QUIT."""

    def handle(self):
        self.wfile.write(b"220 fake.local ESMTP\r\n")
        in_data = False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.server.count_delivered()
                    self.wfile.write(b"250 2.0.0 queued\r\n")
                continue
            command = line[:4].upper()
            if command == b"EHLO":
                self.wfile.write(b"250-fake.local\r\n250 8BITMIME\r\n")
            elif command == b"DATA":
                in_data = True
                self.wfile.write(b"354 end with .\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


class FakeSMTPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), FakeSMTPHandler)
        self.delivered = 0
        self.lock = threading.Lock()
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self):
        return self.server_address[1]

    def count_delivered(self):
        with self.lock:
            self.delivered += 1


class SilentServer:
    """Accepts TCP connections and never says a word."""

    def __init__(self):
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(1000)
        self.port = self.socket.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.held.append(connection)


def closed_port():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sends", type=int, default=300, help="Sends timed per mode.")
    parser.add_argument("--inline-sends", type=int, default=5, help="Sends with delivery in the request, per mode.")
    parser.add_argument("--queued", type=int, default=1000, help="Notices queued for the worker to deliver.")
    parser.add_argument("--database", default="iset_bench_email")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3306)
    parser.add_argument("--user", default="root")
    args = parser.parse_args()

    up, slow, down = FakeSMTPServer(), SilentServer(), closed_port()
    ports = {"up": up.port, "slow": slow.port, "down": down}
    media = tempfile.mkdtemp(prefix="iset-bench-email-")
    database_url = f"mysql://{args.user}@{args.host}:{args.port}/{args.database}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "iset_messaging.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": media,
        "EMAIL_URL": f"smtp://127.0.0.1:{up.port}",
        "EMAIL_TIMEOUT": "10",
        "LOG_LEVEL": "ERROR",
    }
    server = MySQLdb.connect(host=args.host, port=args.port, user=args.user, autocommit=True)
    cursor = server.cursor()
    cursor.execute(f"DROP DATABASE IF EXISTS `{args.database}`")
    cursor.execute(f"CREATE DATABASE `{args.database}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=BASE_DIR, env=env, check=True)
        os.environ.update(env)
        import django

        django.setup()
        run(args, env, ports, up)
    finally:
        cursor.execute(f"DROP DATABASE IF EXISTS `{args.database}`")
        server.close()


def run(args, env, ports, up):
    from django.conf import settings
    from django.db import connection

    from casework.tests.factories import CaseFactory
    from intake.models import EmailNotice
    from intake.notifications import notices_deliver
    from intake.services.sending import message_send_to_case

    case = CaseFactory()
    staff = case.assigned_staff_profile.user

    def send():
        return message_send_to_case(staff_user=staff, case=case, subject="Documents", body="Please send them.")

    print(f"MariaDB {connection.mysql_version}, EMAIL_TIMEOUT {settings.EMAIL_TIMEOUT} s, {os.cpu_count()} cores")
    for _warm_up in range(20):
        send()
    for mode, port in ports.items():
        settings.EMAIL_PORT = port
        # A real worker beside the sends, delivering to the same server.
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "worker", "--every", "0", "--interval", "0.2"],
            cwd=BASE_DIR,
            env={**env, "EMAIL_URL": f"smtp://127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            timings = []
            for _ in range(args.sends):
                started = time.perf_counter()
                send()
                timings.append(time.perf_counter() - started)
            inline = []
            for _ in range(args.inline_sends):
                started = time.perf_counter()
                message = send()
                notices_deliver(EmailNotice.objects.filter(message_id=message.pk).values_list("pk", flat=True))
                inline.append(time.perf_counter() - started)
        finally:
            worker.terminate()
            worker.wait()
        print(
            f"RESULT send mode={mode:<4} n={len(timings)} p50={ms(statistics.median(timings))} "
            f"p95={ms(percentile(timings, 0.95))} max={ms(max(timings))} | delivery inside the request "
            f"(before) n={len(inline)} p50={ms(statistics.median(inline))} max={ms(max(inline))}",
            flush=True,
        )

    # 1,000 queued notices, one worker.
    settings.EMAIL_PORT = ports["up"]
    EmailNotice.objects.filter(status__in=["pending", "retrying", "sending"]).update(status="cancelled")
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").delete()
    for _ in range(args.queued):
        send()
    delivered_before = up.delivered
    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--once", "--every", "0"],
        cwd=BASE_DIR,
        env={**env, "EMAIL_URL": f"smtp://127.0.0.1:{ports['up']}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(worker.pid, 0)
    seconds = time.monotonic() - started
    delivered = up.delivered - delivered_before
    sent = EmailNotice.objects.filter(status="sent").count()
    print(
        f"RESULT worker delivered {delivered} of {args.queued} queued notices in {seconds:.1f} s "
        f"({delivered / seconds:.0f}/s, one SMTP connection per task, worker start-up included; "
        f"peak RSS {usage.ru_maxrss / 1024:.1f} MB; exit {os.waitstatus_to_exitcode(status)}; sent in all: {sent})"
    )
    if delivered != args.queued:
        sys.exit("the worker did not deliver every queued notice")


if __name__ == "__main__":
    main()
