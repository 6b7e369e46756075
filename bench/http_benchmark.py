"""Benchmark (not a test): requests per second under a real server, for two
git refs one after the other, in the same sitting, on the same data.

For each ref the script makes (or reuses) a `git worktree` in /tmp, serves that
code with gunicorn (4 sync workers on 127.0.0.1, DEBUG off, this virtualenv's
Python), signs in over HTTP as an applicant and as a caseworker, and drives
three pages with `wrk -t2 -c16 -d20s` and the session cookie:

    MessageDetails   /messages/<id>/            the applicant's own message
    case page        /dashboard/cases/<id>/     the SecureMessagingWidget, as the case's caseworker
    /healthz         one SELECT 1, no session   (the floor: what the server and database cost by themselves)

It prints requests per second for each page and ref, and candidate/baseline.

    .venv/bin/python bench/http_benchmark.py --baseline a32f327 [--candidate WORKTREE]

--candidate WORKTREE (the default) is this checkout as it is on disk, with its
uncommitted and untracked files (copied over a worktree of HEAD); any other
value is a git ref. Both refs read ONE MariaDB database, `iset_bench_http`
(127.0.0.1:3306, root, no password; override with --database-url), loaded once
with 500 cases x 20 messages and reused while its size matches. The schema is
applied by the candidate's `manage.py migrate`; the .sql migrations are
additive, so the baseline's code runs on it too (it reads only what it knows).

Needs `wrk` (Debian package; scripts/system-packages.sh wrk installs it).
See docs/performance.md.
"""

import argparse
import http.client
import http.cookies
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
WORKTREE = "WORKTREE"
DEFAULT_DATABASE_URL = "mysql://root@127.0.0.1:3306/iset_bench_http"
PASSWORD = "bench-password-123"
CASEWORKERS = 50
SECRET_KEY = "http-benchmark-only-secret-key-not-for-any-deployment-0123456789"


@dataclass
class Target:
    name: str
    label: str
    path: str
    cookie: str = ""


@dataclass
class Ref:
    name: str  # as given on the command line
    commit: str
    path: Path
    note: str = ""
    env: dict[str, str] = field(default_factory=dict)
    results: dict[str, list["WrkResult"]] = field(default_factory=dict)


@dataclass
class WrkResult:
    requests_per_second: float
    requests: int
    latency_p50_ms: float | None
    latency_p99_ms: float | None
    errors: int


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", required=True, help="git ref of the baseline, e.g. a32f327 or main")
    parser.add_argument(
        "--candidate", default=WORKTREE, help="git ref of the candidate, or WORKTREE (default): this checkout on disk"
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--messages-per-case", type=int, default=20)
    parser.add_argument("--reload", action="store_true", help="drop and reload the database even if it matches")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    parser.add_argument("--duration", type=int, default=20, help="seconds of wrk per page (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of wrk per page before measuring (default 3)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate the refs this many times (ABBA...); each page's figure is the median over rounds",
    )
    parser.add_argument(
        "--pages", default="message,case,healthz", help="comma-separated subset of: message,case,healthz"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra environment for both servers (e.g. DATABASE_CONN_MAX_AGE=0); repeatable",
    )
    for side in ("baseline", "candidate"):
        parser.add_argument(
            f"--{side}-env",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help=f"extra environment for the {side}'s server only; repeatable",
        )
    parser.add_argument(
        "--remove-worktrees", action="store_true", help="git worktree remove the /tmp worktrees at the end"
    )
    args = parser.parse_args()

    wrk_present()
    extra_env = assignments(args.env)
    pages = [page.strip() for page in args.pages.split(",") if page.strip()]

    baseline = prepare_ref(args.baseline, assignments(args.baseline_env))
    candidate = prepare_ref(args.candidate, assignments(args.candidate_env))
    database_url = args.database_url
    base_env = server_environment(database_url, extra_env)

    # One database for both: the candidate's schema (a superset of the baseline's).
    ensure_database(database_url)
    # A database the candidate cannot migrate (say, an applied .sql file was
    # edited since) is dropped and loaded afresh: it is only benchmark data.
    migrated = manage(candidate, base_env, "migrate", "--verbosity", "0", check=False)
    if args.reload or not migrated or not loaded(database_url, args.cases, args.messages_per_case):
        recreate_database(database_url)
        manage(candidate, base_env, "migrate", "--verbosity", "0")
        load(database_url, args.cases, args.messages_per_case)
    for ref in (baseline, candidate):
        manage(ref, base_env, "collectstatic", "--noinput", "--verbosity", "0")
    people = bench_people(database_url, args.cases)
    # Staff give a code at sign-in since two-step verification landed: the
    # caseworker gets an authenticator with a known key, through the
    # candidate's own models (a ref without django-otp has no table for it,
    # and no code step to pass).
    manage(candidate, base_env, "shell", "-c", AUTHENTICATOR.format(email=people.caseworker_email, key=TOTP_KEY), check=False)

    print_header(args, baseline, candidate, database_url)
    order = []
    for round_number in range(args.rounds):
        order += [baseline, candidate] if round_number % 2 == 0 else [candidate, baseline]
    try:
        for number, ref in enumerate(order, start=1):
            print(f"\n[{number}/{len(order)}] {ref.name} ({ref.commit[:10]}{ref.note})", flush=True)
            run_ref(ref, {**base_env, **ref.env}, people, pages, args)
    finally:
        if args.remove_worktrees:
            for path in sorted({baseline.path, candidate.path}):
                git("worktree", "remove", "--force", str(path))
    report(baseline, candidate, pages)
    return 0


# Refs and worktrees -------------------------------------------------------------


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


SNAPSHOTS: dict[str, int] = {}


def assignments(items: list[str]) -> dict[str, str]:
    pairs = [item.split("=", 1) for item in items]
    if any(len(pair) != 2 for pair in pairs):
        sys.exit(f"expected NAME=VALUE, got {items}")
    return dict(pairs)


def prepare_ref(name: str, env: dict[str, str]) -> Ref:
    """A worktree in /tmp holding the ref's code (reused when present)."""
    settings = "".join(f" {key}={value}" for key, value in env.items())
    if name == WORKTREE:
        commit = git("rev-parse", "HEAD")
        path = Path("/tmp/iset-bench-http-worktree")
        if WORKTREE not in SNAPSHOTS:  # one snapshot, also when both sides are WORKTREE
            checkout(path, commit)
            SNAPSHOTS[WORKTREE] = overlay_uncommitted(path)
        changed = SNAPSHOTS[WORKTREE]
        note = f" + {changed} uncommitted/untracked files" if changed else ""
        return Ref(name, commit, path, note=note + settings, env=env)
    commit = git("rev-parse", "--verify", f"{name}^{{commit}}")
    path = Path(f"/tmp/iset-bench-http-{commit[:12]}")
    checkout(path, commit)
    return Ref(name, commit, path, note=settings, env=env)


def checkout(path: Path, commit: str) -> None:
    if not (path / ".git").exists():
        if path.exists():
            shutil.rmtree(path)
        git("worktree", "prune")
        git("worktree", "add", "--detach", "--force", str(path), commit)
        return
    # Reused: back to exactly the commit (ignored files such as staticfiles/ stay).
    git("checkout", "--detach", "--force", commit, cwd=path)
    git("clean", "-fdq", cwd=path)


def overlay_uncommitted(path: Path) -> int:
    """Copy this checkout's modified and untracked (not ignored) files over the
    worktree, and remove the ones deleted here: the code as it is on disk."""
    listed = git("ls-files", "-z", "--modified", "--deleted", "--others", "--exclude-standard")
    names = sorted({name for name in listed.split("\0") if name})
    for name in names:
        source, target = ROOT / name, path / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.exists() and not source.exists():
            target.unlink()
    return len(names)


# Database ------------------------------------------------------------------------


def connect(database_url: str, database: bool = True):
    import MySQLdb

    url = urlparse(database_url)
    return MySQLdb.connect(
        host=url.hostname or "127.0.0.1",
        port=url.port or 3306,
        user=url.username or "root",
        password=url.password or "",
        database=url.path.lstrip("/") if database else "",
        charset="utf8mb4",
        autocommit=True,
    )


def database_name(database_url: str) -> str:
    return urlparse(database_url).path.lstrip("/")


def ensure_database(database_url: str) -> None:
    server = connect(database_url, database=False)
    server.cursor().execute(
        f"CREATE DATABASE IF NOT EXISTS `{database_name(database_url)}` "
        "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    )
    server.close()


def recreate_database(database_url: str) -> None:
    server = connect(database_url, database=False)
    server.cursor().execute(f"DROP DATABASE IF EXISTS `{database_name(database_url)}`")
    server.close()
    ensure_database(database_url)


def loaded(database_url: str, cases: int, per_case: int) -> bool:
    db = connect(database_url)
    cursor = db.cursor()
    cursor.execute("SELECT (SELECT COUNT(*) FROM iset_case), (SELECT COUNT(*) FROM messages)")
    found = cursor.fetchone()
    db.close()
    return tuple(found) == (cases, cases * per_case)


def password_hash() -> str:
    """The hash Django stores for PASSWORD (its default hasher, PBKDF2)."""
    from django.conf import settings

    if not settings.configured:
        settings.configure(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def load(database_url: str, cases: int, per_case: int) -> None:
    """500 applicants with one submission, application and case each, 50
    caseworkers and a supervisor, and `per_case` messages per case alternating
    staff -> applicant and applicant -> staff (the last two unread), with
    multi-row INSERTs: the conversation triggers keep the summaries."""
    started = time.perf_counter()
    db = connect(database_url)
    cursor = db.cursor()
    password = password_hash()
    base = datetime(2025, 9, 25, 9, 0, 0)
    staff = [(i, f"staff{i}@iset.example", password, "Staff", f"{i}", "en") for i in range(1, CASEWORKERS + 2)]
    applicants = [
        (CASEWORKERS + 1 + i, f"applicant{i}@example.org", password, "Applicant", f"{i}", "en")
        for i in range(1, cases + 1)
    ]
    insert(
        cursor, "user", ["id", "email", "password", "first_name", "last_name", "preferred_language"], staff + applicants
    )
    profiles = [(i, i, f"Staff {i}", "caseworker") for i in range(1, CASEWORKERS + 1)]
    profiles.append((CASEWORKERS + 1, CASEWORKERS + 1, "Supervisor", "supervisor"))
    insert(cursor, "staff_profiles", ["id", "user_id", "display_name", "primary_role"], profiles)
    insert(
        cursor,
        "iset_application_submission",
        ["id", "user_id", "reference_number", "submitted_at"],
        [(i, CASEWORKERS + 1 + i, f"ISET-20250925-{i:06X}", base) for i in range(1, cases + 1)],
    )
    insert(cursor, "iset_application", ["id", "submission_id"], [(i, i) for i in range(1, cases + 1)])
    insert(
        cursor,
        "iset_case",
        ["id", "application_id", "assigned_staff_profile_id"],
        [(i, i, case_caseworker(i)) for i in range(1, cases + 1)],
    )
    rows = []
    for n in range(cases * per_case):
        case, turn = (n % cases) + 1, n // cases
        applicant, caseworker = CASEWORKERS + 1 + case, case_caseworker(case)
        to_applicant = turn % 2 == 0
        rows.append(
            (
                caseworker if to_applicant else applicant,
                applicant if to_applicant else caseworker,
                case,
                case,
                "staff_to_applicant" if to_applicant else "applicant_to_staff",
                f"Message {turn + 1} of {per_case}",
                "Benchmark body text.\nSecond line.",
                "unread" if turn >= per_case - 2 else "read",
                base + timedelta(seconds=n),
            )
        )
    insert(
        cursor,
        "messages",
        [
            "sender_id",
            "recipient_id",
            "case_id",
            "application_id",
            "direction",
            "subject",
            "body",
            "status",
            "created_at",
        ],
        rows,
    )
    cursor.execute(
        "ANALYZE TABLE messages, conversation, iset_case, iset_application, iset_application_submission, user"
    )
    cursor.fetchall()
    db.close()
    print(f"loaded {cases:,} cases x {per_case} messages in {time.perf_counter() - started:.1f} s")


def case_caseworker(case: int) -> int:
    return (case % CASEWORKERS) + 1


def insert(cursor, table: str, columns: list[str], rows: list[tuple], batch: int = 1000) -> None:
    """Multi-row INSERTs (mysqlclient rewrites executemany of one VALUES group into them)."""
    sql = f"INSERT INTO `{table}` ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    for start in range(0, len(rows), batch):
        cursor.executemany(sql, rows[start : start + batch])


@dataclass
class People:
    applicant_email: str
    message_id: int
    caseworker_email: str
    case_id: int


def bench_people(database_url: str, cases: int) -> People:
    """The pages measured: a case in the middle, its applicant's 15th message
    (a read staff message with 14 earlier ones, so the conversation above it
    is full), and the caseworker assigned to that case."""
    case_id = max(1, cases // 2)
    db = connect(database_url)
    cursor = db.cursor()
    cursor.execute(
        "SELECT u.email FROM iset_case c JOIN iset_application a ON a.id = c.application_id "
        "JOIN iset_application_submission s ON s.id = a.submission_id JOIN user u ON u.id = s.user_id WHERE c.id = %s",
        [case_id],
    )
    applicant_email = cursor.fetchone()[0]
    cursor.execute(
        "SELECT u.email FROM iset_case c JOIN staff_profiles p ON p.id = c.assigned_staff_profile_id "
        "JOIN user u ON u.id = p.user_id WHERE c.id = %s",
        [case_id],
    )
    caseworker_email = cursor.fetchone()[0]
    cursor.execute("SELECT id FROM messages WHERE case_id = %s ORDER BY created_at, id LIMIT 1 OFFSET 14", [case_id])
    row = cursor.fetchone() or (None,)
    if row[0] is None:
        cursor.execute("SELECT MAX(id) FROM messages WHERE case_id = %s", [case_id])
        row = cursor.fetchone()
    # Sessions of earlier runs would only pile up.
    cursor.execute("DELETE FROM django_session")
    db.close()
    return People(applicant_email, row[0], caseworker_email, case_id)


# Servers -----------------------------------------------------------------------


def server_environment(database_url: str, extra: dict[str, str]) -> dict[str, str]:
    """Production settings on plain HTTP on 127.0.0.1; nothing from the
    caller's environment or a .env leaks in except what --env adds."""
    keep = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR") if name in os.environ}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "iset_messaging.settings",
        "DEBUG": "false",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        # Plain HTTP on the loopback: no redirect to https, cookies sent back.
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_HSTS_SECONDS": "0",
        "LOG_LEVEL": "WARNING",
        "EMAIL_URL": "consolemail://",
        "MEDIA_ROOT": "/tmp/iset-bench-http-media",
        **extra,
    }


def manage(ref: Ref, env: dict[str, str], *args: str, check: bool = True) -> bool:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ref.path, env=env, capture_output=True, text=True)
    if result.returncode != 0 and check:
        sys.exit(f"manage.py {' '.join(args)} failed in {ref.path} ({ref.name}):\n{result.stdout}{result.stderr}")
    return result.returncode == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(ref: Ref, env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    log = Path(f"/tmp/iset-bench-http-{ref.commit[:12]}{'-worktree' if ref.name == WORKTREE else ''}.log")
    command = [
        sys.executable, "-m", "gunicorn", "iset_messaging.wsgi:application",
        "--chdir", str(ref.path),
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers),
        "--log-level", "warning",
    ]  # fmt: skip
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ref.path, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn for {ref.name} exited ({server.returncode}); its log:\n{log.read_text()[-4000:]}")
        try:
            if fetch(port, "GET", "/healthz", {})[0] == 200:
                return server, port, log
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    sys.exit(f"gunicorn for {ref.name} did not answer /healthz within 60 s; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def fetch(port: int, method: str, path: str, cookies: dict[str, str], form: dict[str, str] | None = None):
    """One request; Set-Cookie headers update `cookies`. (status, headers, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Host": f"127.0.0.1:{port}"}
    if cookies:
        headers["Cookie"] = cookie_header(cookies)
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
    finally:
        connection.close()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar = http.cookies.SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            cookies[name] = morsel.value
    return response.status, response.headers, content


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


# The caseworker's authenticator: a known key, so the script can give the code.
TOTP_KEY = "3132333435363738393031323334353637383930"
AUTHENTICATOR = """
from django_otp.plugins.otp_totp.models import TOTPDevice
from casework.models import User
user = User.objects.get(email={email!r})
TOTPDevice.objects.filter(user=user).delete()
TOTPDevice.objects.create(user=user, name="bench", key={key!r}, confirmed=True)
"""
TWO_STEP_PATH = "/account/two-step/"


def sign_in(port: int, email: str) -> str:
    """POST /login/ with the CSRF token, as a browser does, then, when the
    server asks for it (staff), the code of the authenticator made above; the
    Cookie header of the signed-in session."""
    cookies: dict[str, str] = {}
    status, _headers, body = fetch(port, "GET", "/login/", cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        sys.exit(f"GET /login/ answered {status} without a CSRF token")
    form = {"csrfmiddlewaretoken": token.group(1).decode(), "username": email, "password": PASSWORD, "next": ""}
    status, headers, _body = fetch(port, "POST", "/login/", cookies, form)
    if status != 302 or "sessionid" not in cookies:
        sys.exit(f"sign-in as {email} failed: {status} {headers.get('Location')}")
    step = urlparse(headers.get("Location", ""))
    if step.path == TWO_STEP_PATH:
        two_step(port, cookies, f"{step.path}?{step.query}" if step.query else step.path, email)
    return cookie_header(cookies)


def two_step(port: int, cookies: dict[str, str], path: str, email: str) -> None:
    from django_otp.oath import totp

    status, _headers, body = fetch(port, "GET", path, cookies)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or token is None:
        sys.exit(f"GET {path} answered {status} without a CSRF token (no authenticator for {email}?)")
    code = f"{totp(bytes.fromhex(TOTP_KEY)):06d}"
    status, headers, _body = fetch(port, "POST", path, cookies, {"csrfmiddlewaretoken": token.group(1).decode(), "code": code})
    if status != 302 or urlparse(headers.get("Location", "")).path == TWO_STEP_PATH:
        sys.exit(f"the code step for {email} failed: {status} {headers.get('Location')}")


def run_ref(ref: Ref, env: dict[str, str], people: People, pages: list[str], args) -> None:
    server, port, log = start_server(ref, env, args.workers)
    try:
        targets = {
            "message": Target(
                "message", "MessageDetails", f"/messages/{people.message_id}/", sign_in(port, people.applicant_email)
            ),
            "case": Target(
                "case", "case page", f"/dashboard/cases/{people.case_id}/", sign_in(port, people.caseworker_email)
            ),
            "healthz": Target("healthz", "/healthz", "/healthz"),
        }
        for page in pages:
            target = targets[page]
            cookies = dict(part.split("=", 1) for part in target.cookie.split("; ") if part)
            status, headers, body = fetch(port, "GET", target.path, cookies)
            if status != 200:
                sys.exit(f"{ref.name}: GET {target.path} answered {status} {headers.get('Location', '')}; see {log}")
            if page == "message" and b"ISET-" not in body:
                sys.exit(f"{ref.name}: MessageDetails shows no booking reference")
            if args.warmup:
                wrk(port, target, args.threads, args.connections, args.warmup)
            result = wrk(port, target, args.threads, args.connections, args.duration)
            ref.results.setdefault(page, []).append(result)
            errors = f", {result.errors} non-2xx/socket errors" if result.errors else ""
            print(
                f"  {target.label:15} {target.path:28} {result.requests_per_second:8.1f} req/s"
                f"  p50 {fmt_ms(result.latency_p50_ms)}  p99 {fmt_ms(result.latency_p99_ms)}{errors}",
                flush=True,
            )
    finally:
        stop_server(server)


# wrk -----------------------------------------------------------------------------


def wrk_present() -> None:
    if shutil.which("wrk"):
        return
    print("wrk is missing: scripts/system-packages.sh wrk", file=sys.stderr)
    if subprocess.run([str(ROOT / "scripts" / "system-packages.sh"), "wrk"]).returncode != 0 or not shutil.which("wrk"):
        sys.exit("wrk is needed (Debian package `wrk`): run  scripts/system-packages.sh wrk")


def wrk(port: int, target: Target, threads: int, connections: int, seconds: int) -> WrkResult:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if target.cookie:
        command += ["-H", f"Cookie: {target.cookie}"]
    command.append(f"http://127.0.0.1:{port}{target.path}")
    output = subprocess.run(command, check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    if rate is None or total is None:
        sys.exit(f"could not read wrk's output:\n{output}")
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        # A sync gunicorn worker closes each connection after its response;
        # wrk counts those closes as read errors, so only connect, write and
        # timeout errors are errors here.
        errors += int(socket_errors.group(1)) + int(socket_errors.group(3)) + int(socket_errors.group(4))
    return WrkResult(
        requests_per_second=float(rate.group(1)),
        requests=int(total.group(1)),
        latency_p50_ms=latency(output, "50%"),
        latency_p99_ms=latency(output, "99%"),
        errors=errors,
    )


def latency(output: str, percentile: str) -> float | None:
    found = re.search(rf"^\s+{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if found is None:
        return None
    value, unit = float(found.group(1)), found.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def fmt_ms(value: float | None) -> str:
    return f"{value:6.1f} ms" if value is not None else "     ? ms"


# Report --------------------------------------------------------------------------


def print_header(args, baseline: Ref, candidate: Ref, database_url: str) -> None:
    db = connect(database_url)
    cursor = db.cursor()
    cursor.execute("SELECT VERSION(), (SELECT COUNT(*) FROM iset_case), (SELECT COUNT(*) FROM messages)")
    version, cases, messages = cursor.fetchone()
    db.close()
    gunicorn = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--version"], capture_output=True, text=True
    ).stdout.strip()
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()
    load = os.getloadavg()
    print(f"database  {database_name(database_url)}: MariaDB {version}, {cases:,} cases, {messages:,} messages")
    print(f"server    {gunicorn}, {args.workers} sync workers, DEBUG off; Python {sys.version.split()[0]}")
    print(
        f"load      {wrk_version[0] if wrk_version else 'wrk'}: -t{args.threads} -c{args.connections} "
        f"-d{args.duration}s (after {args.warmup}s warm-up), {args.rounds} round(s)"
    )
    print(f"machine   {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"baseline  {baseline.name}: {baseline.commit[:10]}{baseline.note}  ({baseline.path})")
    print(f"candidate {candidate.name}: {candidate.commit[:10]}{candidate.note}  ({candidate.path})")


def report(baseline: Ref, candidate: Ref, pages: list[str]) -> None:
    labels = {"message": "MessageDetails", "case": "case page", "healthz": "/healthz"}
    print(f"\n{'page':16} {'baseline req/s':>15} {'candidate req/s':>16} {'candidate/baseline':>19}")
    for page in pages:
        before, after = median_rate(baseline, page), median_rate(candidate, page)
        ratio = f"{after / before:.2f}x" if before and after else "-"
        print(f"{labels[page]:16} {before:15.1f} {after:16.1f} {ratio:>19}")


def median_rate(ref: Ref, page: str) -> float:
    results = ref.results.get(page, [])
    return statistics.median(result.requests_per_second for result in results) if results else 0.0


if __name__ == "__main__":
    sys.exit(main())
