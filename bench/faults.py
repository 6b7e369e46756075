"""Fault campaign (not a test): what is acknowledged is stored, what is stored
is acknowledged, and no file is left behind, while a fault is injected into a
running server (issue 17).

The script starts its own throwaway MariaDB (testing/mariadb_server.py, in
/dev/shm), creates the database `iset_faults`, applies the schema and loads the
demo office (`manage.py demo_data`: about forty applicants with applications
and cases), collects the static files, and serves the product with gunicorn
(4 sync workers, `--timeout 60` as docs/deployment.md says, DEBUG off) and one
task worker (`manage.py worker`). Sign-in and send limits are raised through
the environment, so the clients measure faults, not limits.

Then, for each fault named, N client threads sign in as English-speaking
applicants (no two-step step for applicants) and, for the given seconds, send
messages from the compose page (every third one with a small PDF; each form
carries its one-time submission key) and read their inbox and a conversation.
A third of the way in, the fault is injected:

    none              nothing
    db-stop           the database is killed (SIGKILL) and restarted on the same port and data 10 s later
    db-hang           the database is frozen (SIGSTOP) for 10 s: connections hang instead of failing
    kill-worker       a gunicorn worker is killed with SIGKILL every 2 s for 10 s (5 kills; gunicorn
                      starts new ones); with 20 clients on 4 workers most kills hit a request
    storage-readonly  MEDIA_ROOT is bind-mounted read-only over itself for 10 s (chmod would not
                      stop root, which the script runs as to mount)
    smtp-hang         from the start, e-mail goes to a server that accepts and never answers

Afterwards it checks, through the database and the media folder:

    acknowledged  sends answered 302 (to the sent message)
    refused       sends answered otherwise (an error status, or the form again with the reason)
    lost          acknowledged sends whose submission key is not stored
    duplicates    submission keys stored more than once
    missing-files attachments of this run's stored sends whose file is not in storage
    hidden-stored sends answered with an error (not a redirect) whose key is stored, without the
                  "could not confirm" wording: the person was told it failed, but it was sent
    unconfirmed   sends answered "could not confirm" (stored or not: both are honest)
    no-answer     sends whose connection ended without an answer (a killed worker), and how many
                  of those were stored (the person saw a proxy error, not "failed")
    orphans       files in storage that no row references and the file outbox does not name,
                  new since the run started

and prints one line per fault. Exit code 1 when lost, duplicates,
missing-files, hidden-stored or orphans is not 0.

    .venv/bin/python bench/faults.py --fault none kill-worker storage-readonly --clients 20 --seconds 30

Needs Debian's mariadb-server (as the test suite does), root for the
read-only bind mount, and gunicorn. See docs/faults.md for measured figures.
"""

import argparse
import collections
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testing.mariadb_server import ThrowawayMariaDB, _answers, _executable  # noqa: E402
from testing.processes import free_port  # noqa: E402
from testing.silent_server import SilentServer  # noqa: E402

DATABASE = "iset_faults"
PASSWORD = "demo-password-2025"  # intake/management/commands/demo_data.py
SECRET_KEY = "faults-benchmark-only-secret-key-not-for-any-deployment-0123456789"
FAULTS = ("none", "db-stop", "db-hang", "kill-worker", "storage-readonly", "smtp-hang")
OUTAGE_SECONDS = 10
UNCONFIRMED = "could not confirm that your message was sent"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


class Database(ThrowawayMariaDB):
    """The test run's throwaway MariaDB, which can also be killed and started again on its data."""

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def restart(self):
        port = self.port
        log = (self.folder / "mariadbd.log").open("ab")
        self.process = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _answers(port):
            time.sleep(0.1)


def connect(port):
    import MySQLdb

    return MySQLdb.connect(
        host="127.0.0.1", port=port, user="root", database=DATABASE, charset="utf8mb4", autocommit=True
    )


# The server ----------------------------------------------------------------------


def environment(port, media, email_url):
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "iset_messaging.settings",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"mysql://root@127.0.0.1:{port}/{DATABASE}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": email_url,
        "EMAIL_TIMEOUT": "5",
        "MEDIA_ROOT": str(media),
        "MALWARE_SCANNER": "none",
        # The clients measure faults, not limits.
        "SIGN_IN_FAILURE_LIMIT": "100000",
        "SIGN_IN_ADDRESS_FAILURE_LIMIT": "100000",
        "RATE_LIMIT_SEND_COUNT": "100000",
        "RATE_LIMIT_SEND_SECONDS": "1",
    }


def manage(env, *args):
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}{result.stderr[-4000:]}")
    return result.stdout


@dataclass
class Server:
    gunicorn: subprocess.Popen
    worker: subprocess.Popen
    port: int
    log: Path

    def worker_pids(self):
        children = Path(f"/proc/{self.gunicorn.pid}/task/{self.gunicorn.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self):
        for process in (self.gunicorn, self.worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in (self.gunicorn, self.worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def server_start(env, folder, workers, fault):
    port = free_port()
    log = folder / f"gunicorn-{fault}.log"
    command = [
        sys.executable, "-m", "gunicorn", "iset_messaging.wsgi:application",
        "--chdir", str(ROOT), "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--timeout", "60", "--log-level", "warning",
    ]  # fmt: skip
    gunicorn = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "1"],
        cwd=ROOT,
        env=env,
        stdout=(folder / f"worker-{fault}.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if gunicorn.poll() is not None:
            sys.exit(f"gunicorn exited ({gunicorn.returncode}); its log:\n{log.read_text()[-4000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                return Server(gunicorn, worker, port, log)
        except requests.RequestException:
            pass
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer /healthz within 60 s; see {log}")


# The clients ---------------------------------------------------------------------


@dataclass
class Send:
    user_id: int
    key: str
    with_file: bool
    status: int | str  # an HTTP status, or "no-answer"
    unconfirmed: bool = False


@dataclass
class Tally:
    statuses: collections.Counter = field(default_factory=collections.Counter)
    sends: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def request(self, status, seconds):
        with self.lock:
            self.statuses[status] += 1
            self.seconds.append(seconds)


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="submission_key" value="([^"]+)"')
MESSAGE_LINK = re.compile(r'href="(/messages/\d+/)"')


class Client(threading.Thread):
    def __init__(self, base, applicant, tally, deadline, seed):
        super().__init__(daemon=True)
        self.base, self.tally, self.deadline = base, tally, deadline
        self.user_id, self.email, self.applications = applicant
        self.random = random.Random(seed)
        self.http = requests.Session()

    def call(self, method, path, **kwargs):
        """One request: (status, text), or ("no-answer", "") when the connection ends without one."""
        started = time.monotonic()
        try:
            response = self.http.request(method, self.base + path, timeout=90, allow_redirects=False, **kwargs)
        except requests.RequestException:
            self.tally.request("no-answer", time.monotonic() - started)
            return "no-answer", ""
        self.tally.request(response.status_code, time.monotonic() - started)
        return response.status_code, response.text

    def sign_in(self):
        while time.monotonic() < self.deadline:
            status, page = self.call("GET", "/login/")
            token = TOKEN.search(page)
            if status == 200 and token:
                form = {"csrfmiddlewaretoken": token.group(1), "username": self.email, "password": PASSWORD}
                status, _ = self.call("POST", "/login/", data=form)
                if status == 302 and "sessionid" in self.http.cookies:
                    return True
            time.sleep(1)
        return False

    def run(self):
        if not self.sign_in():
            return
        while time.monotonic() < self.deadline:
            if self.random.random() < 0.6:
                self.send()
            else:
                self.read()

    def send(self):
        status, page = self.call("GET", "/messages/new/")
        token, key = TOKEN.search(page), KEY.search(page)
        if status != 200 or not token or not key:
            time.sleep(0.5)
            return
        with_file = self.random.random() < 1 / 3
        files = {"attachments": ("pay-stub.pdf", PDF + uuid.uuid4().hex.encode(), "application/pdf")} if with_file else None
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "submission_key": key.group(1),
            "application": str(self.random.choice(self.applications)),
            "subject": "Fault campaign",
            "body": "A message sent while a fault was injected.",
        }
        status, answer = self.call("POST", "/messages/new/", data=form, files=files)
        sent = Send(self.user_id, key.group(1), with_file, status, unconfirmed=UNCONFIRMED in answer)
        with self.tally.lock:
            self.tally.sends.append(sent)

    def read(self):
        status, page = self.call("GET", "/messages/")
        links = MESSAGE_LINK.findall(page) if status == 200 else []
        if links:
            self.call("GET", self.random.choice(links))
        else:
            time.sleep(0.2)


def applicants(port):
    """English-speaking applicants (the checks read the English wording) with their application ids."""
    db = connect(port)
    cursor = db.cursor()
    cursor.execute(
        "SELECT u.id, u.email, a.id FROM user u"
        " JOIN iset_application_submission s ON s.user_id = u.id"
        " JOIN iset_application a ON a.submission_id = s.id"
        " WHERE u.preferred_language = 'en' AND u.is_active AND NOT EXISTS"
        " (SELECT 1 FROM staff_profiles p WHERE p.user_id = u.id) ORDER BY u.id"
    )
    found: dict[int, tuple[str, list[int]]] = {}
    for user_id, email, application_id in cursor.fetchall():
        found.setdefault(user_id, (email, []))[1].append(application_id)
    db.close()
    return [(user_id, email, applications) for user_id, (email, applications) in found.items()]


# Faults --------------------------------------------------------------------------


def inject(fault, database, server, media, log):
    if fault == "db-stop":
        database.kill()
        log.append(f"database killed at {time.strftime('%X')}")
        time.sleep(OUTAGE_SECONDS)
        database.restart()
        log.append(f"database back at {time.strftime('%X')}")
    elif fault == "db-hang":
        database.process.send_signal(signal.SIGSTOP)
        time.sleep(OUTAGE_SECONDS)
        database.process.send_signal(signal.SIGCONT)
    elif fault == "kill-worker":
        for _kill in range(5):
            victim = random.choice(server.worker_pids())
            os.kill(victim, signal.SIGKILL)
            log.append(f"gunicorn worker {victim} killed at {time.strftime('%X')}")
            time.sleep(2)
    elif fault == "storage-readonly":
        subprocess.run(["mount", "--bind", str(media), str(media)], check=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(media)], check=True)
        try:
            time.sleep(OUTAGE_SECONDS)
        finally:
            subprocess.run(["umount", str(media)], check=True)


# Checks --------------------------------------------------------------------------


def stored_files(media):
    return {
        os.path.relpath(os.path.join(folder, name), media)
        for folder, _dirs, names in os.walk(media)
        for name in names
    }


def orphans(port, media):
    db = connect(port)
    cursor = db.cursor()
    referenced = set()
    for query in (
        "SELECT file_path FROM message_attachment",
        "SELECT file_path FROM iset_document",
        "SELECT storage_key FROM file_outbox",
    ):
        cursor.execute(query)
        referenced |= {row[0] for row in cursor.fetchall()}
    db.close()
    return stored_files(media) - referenced


def verdict(fault, tally, port, media, orphans_before, seconds):
    db = connect(port)
    cursor = db.cursor()
    counts = collections.Counter()
    for sent in tally.sends:
        cursor.execute(
            "SELECT id FROM messages WHERE sender_id = %s AND submission_key = %s", [sent.user_id, sent.key]
        )
        ids = [row[0] for row in cursor.fetchall()]
        counts["sends"] += 1
        if len(ids) > 1:
            counts["duplicates"] += len(ids) - 1
        if ids:
            cursor.execute("SELECT file_path, size_bytes FROM message_attachment WHERE message_id = %s", [ids[0]])
            for path, size in cursor.fetchall():
                on_disk = media / path
                if not on_disk.is_file() or on_disk.stat().st_size != size:
                    counts["missing-files"] += 1
        if sent.status == 302:
            counts["acknowledged"] += 1
            if not ids:
                counts["lost"] += 1
        elif sent.status == "no-answer":
            counts["no-answer"] += 1
            counts["no-answer-stored"] += bool(ids)
        elif sent.unconfirmed:
            counts["unconfirmed"] += 1
            counts["unconfirmed-stored"] += bool(ids)
        else:
            counts["refused"] += 1
            counts["hidden-stored"] += bool(ids)
    db.close()
    new_orphans = orphans(port, media) - orphans_before
    counts["orphans"] = len(new_orphans)
    requests_made = sum(tally.statuses.values())
    errors = {str(status): n for status, n in sorted(tally.statuses.items(), key=str) if status not in (200, 302)}
    durations = sorted(tally.seconds) or [0.0]
    line = (
        f"fault={fault} seconds={seconds} requests={requests_made} errors={errors or 0} "
        f"p99={durations[int(len(durations) * 0.99)]:.2f}s max={durations[-1]:.2f}s sends={counts['sends']} "
        f"acknowledged={counts['acknowledged']} refused={counts['refused']} lost={counts['lost']} "
        f"duplicates={counts['duplicates']} "
        f"missing-files={counts['missing-files']} hidden-stored={counts['hidden-stored']} "
        f"unconfirmed={counts['unconfirmed']} (stored {counts['unconfirmed-stored']}) "
        f"no-answer={counts['no-answer']} (stored {counts['no-answer-stored']}) orphans={counts['orphans']}"
    )
    bad = sum(counts[name] for name in ("lost", "duplicates", "missing-files", "hidden-stored", "orphans"))
    return line, bad, sorted(new_orphans)[:5]


def notices(port, after_id=None):
    """E-mail notices by status (those with an id above `after_id`); with no
    argument, the highest id so far."""
    db = connect(port)
    cursor = db.cursor()
    if after_id is None:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM email_notice")
        found = cursor.fetchone()[0]
    else:
        cursor.execute("SELECT status, COUNT(*) FROM email_notice WHERE id > %s GROUP BY status", [after_id])
        found = dict(cursor.fetchall())
    db.close()
    return found


# The campaign --------------------------------------------------------------------


def campaign(args):
    mariadbd = _executable("mariadbd", "/usr/sbin/mariadbd")
    install_db = _executable("mariadb-install-db", "/usr/bin/mariadb-install-db")
    if not (mariadbd and install_db):
        sys.exit("Needs Debian's mariadb-server (scripts/system-packages.sh mariadb).")
    folder = Path(tempfile.mkdtemp(prefix="iset-faults-"))
    media = folder / "media"
    media.mkdir()
    database = Database(mariadbd, install_db)
    database.start()
    failures = 0
    smtp = SilentServer().__enter__()
    try:
        setup = connect_server(database.port)
        setup.cursor().execute(
            f"CREATE DATABASE `{DATABASE}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
        setup.close()
        quiet_mail = environment(database.port, media, "dummymail://")
        hung_mail = environment(database.port, media, f"smtp://127.0.0.1:{smtp.port}")
        started = time.monotonic()
        manage(quiet_mail, "migrate", "--noinput")
        manage(quiet_mail, "demo_data")
        manage(quiet_mail, "collectstatic", "--noinput")
        print(f"setup: MariaDB on port {database.port}, schema and demo office in {time.monotonic() - started:.0f} s")
        people = applicants(database.port)
        print(f"clients: {args.clients} threads over {len(people)} English-speaking applicants; {args.seconds} s per fault")
        for fault in args.fault:
            env = hung_mail if fault == "smtp-hang" else quiet_mail
            server = server_start(env, folder, args.workers, fault)
            try:
                before = orphans(database.port, media)
                last_notice = notices(database.port)
                tally = Tally()
                deadline = time.monotonic() + args.seconds
                clients = [
                    Client(f"http://127.0.0.1:{server.port}", people[n % len(people)], tally, deadline, seed=n)
                    for n in range(args.clients)
                ]
                for client in clients:
                    client.start()
                log: list[str] = []
                time.sleep(args.seconds / 3)
                inject(fault, database, server, media, log)
                for client in clients:
                    client.join()
                # Let the task worker catch up (notices, file deletions) before counting.
                time.sleep(3)
                line, bad, examples = verdict(fault, tally, database.port, media, before, args.seconds)
                print(line, flush=True)
                if fault == "smtp-hang":
                    print(f"  this run's e-mail notices by status: {notices(database.port, last_notice)}")
                for note in log:
                    print(f"  {note}")
                if examples:
                    print(f"  orphaned files, e.g. {examples}")
                logged = server.log.read_text(errors="replace")
                if "Traceback" in logged:
                    print(
                        f"  gunicorn log: {logged.count('Traceback')} tracebacks, "
                        f"{logged.count('Internal Server Error')} 'Internal Server Error' ({server.log})"
                    )
                failures += bad
            finally:
                server.stop()
    finally:
        smtp.__exit__(None, None, None)
        database.stop()
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"kept: {folder}")
    return 1 if failures else 0


def connect_server(port):
    import MySQLdb

    return MySQLdb.connect(host="127.0.0.1", port=port, user="root", charset="utf8mb4", autocommit=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fault", nargs="+", choices=FAULTS, default=["none"])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--keep", action="store_true", help="Keep the folder with the logs and media.")
    return campaign(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
