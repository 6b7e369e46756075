"""Pytest plugin: the test run's own throwaway MariaDB server.

When DATABASE_URL is set (in the environment or in `.env`), this plugin does
nothing and the suite uses that database. Otherwise it creates a data
directory in a new temporary folder (in RAM-backed /dev/shm when it has room)
with Debian's mariadb-server (`mariadb-install-db`), starts
`/usr/sbin/mariadbd` on 127.0.0.1 on a free port, and sets
DATABASE_URL=mysql://root@127.0.0.1:PORT/iset_intake, so that pytest-django
creates `test_iset_intake` there. When the run ends (passed, failed, Ctrl-C,
SIGTERM or SIGHUP) the server is stopped and the folder removed. Should pytest
itself be killed outright, the kernel stops the server (PR_SET_PDEATHSIG) and
the next run removes the folder it left.

Without mariadb-server installed the run stays on SQLite and the `mysql` tests
are reported as skipped, or, with REQUIRE_MYSQL=1 (as `make test` sets), the
run stops with the command that installs it.

pytest.ini loads this module with `-p testing.mariadb_server`, so it is
registered before any conftest; its `pytest_load_initial_conftests` is marked
tryfirst so it runs before pytest-django's, which imports the settings (and
they read DATABASE_URL once, at import).
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from testing.processes import ThrowawayServer
from testing.processes import free_port as _free_port
from testing.processes import stop_with_parent_hook as _stop_with_parent_hook

ROOT = Path(__file__).resolve().parent.parent
DATABASE = "iset_intake"
START_TIMEOUT = 60
FOLDER_PREFIX = "iset-test-mariadb-"
INSTALL_HINT = "scripts/system-packages.sh mariadb  (Debian's mariadb-server)"
SHM = "/dev/shm"
SHM_MINIMUM_FREE = 1 << 30

# A throwaway server: nothing here has to survive a crash, so durability is
# traded for speed. Character set as in Debian's own server configuration.
SERVER_OPTIONS = [
    "--bind-address=127.0.0.1",
    "--skip-name-resolve",
    "--skip-log-bin",
    "--innodb-buffer-pool-size=256M",
    "--innodb-flush-log-at-trx-commit=2",
    "--innodb-doublewrite=0",
    "--character-set-server=utf8mb4",
    "--collation-server=utf8mb4_general_ci",
]


class StartError(Exception):
    pass


def _executable(name, *candidates):
    for path in candidates:
        if os.access(path, os.X_OK):
            return path
    return shutil.which(name)


def _database_url_given():
    """DATABASE_URL as the settings will see it: the environment, else `.env`."""
    if os.environ.get("DATABASE_URL", "").strip():
        return True
    try:
        lines = (ROOT / ".env").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    for line in lines:
        key, sep, value = line.strip().removeprefix("export ").partition("=")
        if sep and key.strip() == "DATABASE_URL" and value.strip().strip("'\""):
            return True
    return False


def _answers(port):
    """True once the server sends its greeting (protocol version 10)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            greeting = b""
            while len(greeting) < 5:
                chunk = connection.recv(5 - len(greeting))
                if not chunk:
                    return False
                greeting += chunk
            return greeting[4] == 10
    except OSError:
        return False


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _parent_folders():
    """Where the server's folder may go: RAM-backed /dev/shm first, when it has
    room (the data need not survive, and the suite runs faster), else the temp folder."""
    folders = []
    try:
        shm = os.statvfs(SHM)
        if shm.f_bavail * shm.f_frsize >= SHM_MINIMUM_FREE and os.access(SHM, os.W_OK | os.X_OK):
            folders.append(SHM)
    except OSError:
        pass
    return [*folders, tempfile.gettempdir()]


def _remove_folders_of_dead_runs():
    for parent in {SHM, tempfile.gettempdir()}:
        for folder in Path(parent).glob(FOLDER_PREFIX + "*"):
            try:
                owner = int((folder / "owner.pid").read_text())
            except (OSError, ValueError):
                continue
            if not _alive(owner):
                shutil.rmtree(folder, ignore_errors=True)


class ThrowawayMariaDB(ThrowawayServer):
    def __init__(self, mariadbd, install_db):
        self.mariadbd = mariadbd
        self.install_db = install_db
        self.folder = None
        self.process = None
        self.port = None

    @property
    def url(self):
        return f"mysql://root@127.0.0.1:{self.port}/{DATABASE}"

    def start(self):
        _remove_folders_of_dead_runs()
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=_parent_folders()[0]))
        (self.folder / "owner.pid").write_text(str(os.getpid()))
        datadir = self.folder / "data"
        as_user = ["--user=root"] if os.geteuid() == 0 else []

        install_log = self.folder / "install.log"
        with install_log.open("wb") as log:
            install = subprocess.run(
                [
                    self.install_db,
                    "--no-defaults",
                    f"--datadir={datadir}",
                    *as_user,
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                    "--skip-name-resolve",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=START_TIMEOUT,
            )
        if install.returncode != 0:
            raise StartError(self._failure(f"{self.install_db} failed (exit {install.returncode})", install_log))

        log_path = self.folder / "mariadbd.log"
        deadline = time.monotonic() + START_TIMEOUT
        for _attempt in range(3):
            self.port = _free_port()
            with log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    self.command(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    # Ctrl-C goes to pytest, which then stops the server itself.
                    start_new_session=True,
                    preexec_fn=_stop_with_parent_hook(),
                )
            while time.monotonic() < deadline:
                if _answers(self.port):
                    return
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
            else:
                raise StartError(self._failure(f"mariadbd did not answer within {START_TIMEOUT} s", log_path))
            text = log_path.read_text(errors="replace")
            if "Address already in use" not in text:
                break  # not a lost race for the port: retrying will not help
        raise StartError(self._failure(f"mariadbd exited (code {self.process.returncode})", log_path))

    def command(self):
        """mariadbd's command line for this server's folder, data and port."""
        as_user = ["--user=root"] if os.geteuid() == 0 else []
        return [
            self.mariadbd,
            "--no-defaults",
            *as_user,
            f"--datadir={self.folder / 'data'}",
            f"--socket={self.folder / 'mariadbd.sock'}",
            f"--pid-file={self.folder / 'mariadbd.pid'}",
            f"--tmpdir={self.folder}",
            f"--port={self.port}",
            *SERVER_OPTIONS,
        ]

    def _failure(self, what, log_path):
        """The error message; the log is kept (outside the removed folder) and named."""
        kept = Path(tempfile.gettempdir()) / f"{FOLDER_PREFIX}{os.getpid()}-{log_path.name}"
        try:
            shutil.copyfile(log_path, kept)
            tail = "\n".join(kept.read_text(errors="replace").splitlines()[-15:])
        except OSError:
            kept, tail = log_path, ""
        return f"The test run's throwaway MariaDB did not start: {what}. Log: {kept}\n{tail}"



_server = None
_notice = None
_previous_handlers = {}


def _interrupt(signum, frame):
    # Unwind like Ctrl-C, so pytest tears down and pytest_unconfigure stops the server.
    raise KeyboardInterrupt(f"received {signal.Signals(signum).name}")


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    global _server, _notice
    options = early_config.known_args_namespace
    if getattr(options, "help", False) or getattr(options, "version", False) or _database_url_given():
        return

    mariadbd = _executable("mariadbd", "/usr/sbin/mariadbd")
    install_db = _executable("mariadb-install-db", "/usr/bin/mariadb-install-db")
    if not (mariadbd and install_db):
        if os.environ.get("REQUIRE_MYSQL", "").strip() == "1":
            raise pytest.UsageError(
                f"REQUIRE_MYSQL=1 but the MariaDB server (mariadbd, mariadb-install-db) is not installed: run {INSTALL_HINT}, or set DATABASE_URL=mysql://..."
            )
        _notice = f"mariadb: server not installed, running on SQLite; tests marked mysql are skipped (install: {INSTALL_HINT})"
        return

    server = ThrowawayMariaDB(mariadbd, install_db)
    atexit.register(server.stop)
    _server = server
    for signum in (signal.SIGTERM, signal.SIGHUP):
        _previous_handlers[signum] = signal.signal(signum, _interrupt)
    try:
        server.start()
    except StartError as error:
        server.stop()
        raise pytest.UsageError(str(error)) from None
    except BaseException:
        server.stop()
        raise
    os.environ["DATABASE_URL"] = server.url
    _notice = f"mariadb: the run's own server at 127.0.0.1:{server.port} ({server.folder}, removed afterwards)"


def pytest_report_header(config):
    return _notice


def pytest_unconfigure(config):
    global _server
    if _server is None:
        return
    try:
        _server.stop()
    finally:
        _server = None
        os.environ.pop("DATABASE_URL", None)
        for signum, handler in _previous_handlers.items():
            signal.signal(signum, handler)
        _previous_handlers.clear()
