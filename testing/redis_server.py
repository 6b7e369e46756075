"""The test run's own Redis server, for the task queue's Redis backend
(TASKS_BACKEND=redis; tests marked `redis`).

`ThrowawayRedis` starts Debian's `redis-server` on 127.0.0.1 and a free port,
keeping nothing on disk (no RDB snapshots, no append-only file), and returns
once it answers PING; `stop()` ends it. Its own server rather than the
machine's: the tests flush what they queue, and no other program's queues
share it. Should pytest itself be killed outright, the kernel stops it
(PR_SET_PDEATHSIG). conftest.py starts one for the session (fixture
`redis_server`).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from testing.processes import ThrowawayServer
from testing.processes import free_port as _free_port
from testing.processes import stop_with_parent_hook as _stop_with_parent_hook

START_TIMEOUT = 30
INSTALL_HINT = "scripts/system-packages.sh redis  (Debian's redis-server)"


class StartError(Exception):
    pass


def redis_executable():
    """Debian's redis-server, or None (REDIS_SERVER_PATH names another)."""
    path = os.environ.get("REDIS_SERVER_PATH") or shutil.which("redis-server") or "/usr/bin/redis-server"
    return path if os.access(path, os.X_OK) else None


def _answers_ping(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class ThrowawayRedis(ThrowawayServer):
    def __init__(self, executable):
        self.executable = executable
        self.process = None
        self.port = None
        self.folder = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.folder = Path(tempfile.mkdtemp(prefix="iset-test-redis-"))
        deadline = time.monotonic() + START_TIMEOUT
        for _attempt in range(3):
            self.port = _free_port()
            log = self.folder / "redis.log"
            self.process = subprocess.Popen(
                [
                    self.executable,
                    "--bind", "127.0.0.1",
                    "--port", str(self.port),
                    "--save", "",
                    "--appendonly", "no",
                    "--dir", str(self.folder),
                    "--logfile", str(log),
                ],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=_stop_with_parent_hook(),
            )
            while time.monotonic() < deadline:
                if _answers_ping(self.port):
                    return
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
            else:
                raise StartError(self._failure(f"redis-server did not answer within {START_TIMEOUT} s"))
            if "Address already in use" not in (log.read_text(errors="replace") if log.exists() else ""):
                break  # not a lost race for the port: retrying will not help
        raise StartError(self._failure(f"redis-server exited (code {self.process.returncode})"))

    def _failure(self, what):
        log = self.folder / "redis.log"
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:]) if log.exists() else ""
        return f"The test run's Redis server did not start: {what}.\n{tail}"

