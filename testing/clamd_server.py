"""The test run's own ClamAV daemon, with a one-signature database.

`ThrowawayClamd` writes, in a new temporary folder, a signature database
holding only the EICAR test file's signature (`eicar.ndb`: the anti-virus
industry's harmless test string, matched anywhere in a file), a clamd.conf
that reads it, and starts Debian's `clamd` (package clamav-daemon) in the
foreground on a unix socket in that folder. Nothing is downloaded and
freshclam never runs: the configuration names our folder as the only
database. `start()` returns once the daemon answers PING; `stop()` ends it
and removes the folder. Should pytest itself be killed outright, the kernel
stops the daemon (PR_SET_PDEATHSIG).

conftest.py starts one for the session (fixture `clamd_server`) for the tests
marked `clamav`; without clamd installed they are skipped, or, with
REQUIRE_CLAMAV=1 (as `make test` and CI set), the run stops with the command
that installs it.

The EICAR string is assembled from two halves so that this file does not
itself look like the test virus to a scanner reading the repository.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from testing.processes import ThrowawayServer
from testing.processes import stop_with_parent_hook as _stop_with_parent_hook

START_TIMEOUT = 60
FOLDER_PREFIX = "iset-test-clamd-"
INSTALL_HINT = "scripts/system-packages.sh clamav  (Debian's clamav-daemon)"
SIGNATURE_NAME = "Eicar-Test-Signature"
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*").encode("ascii")


class StartError(Exception):
    pass


def clamd_executable():
    """Debian's clamd (/usr/sbin is not on every user's PATH), or one on the PATH."""
    return "/usr/sbin/clamd" if os.access("/usr/sbin/clamd", os.X_OK) else shutil.which("clamd")


def ping(socket_path, timeout=1.0):
    """True when clamd at `socket_path` answers PING with PONG."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(timeout)
            connection.connect(str(socket_path))
            connection.sendall(b"nPING\n")
            return connection.recv(16).strip() == b"PONG"
    except OSError:
        return False


class ThrowawayClamd(ThrowawayServer):
    def __init__(self, clamd):
        self.clamd = clamd
        self.folder = None
        self.process = None

    @property
    def socket_path(self):
        return self.folder / "clamd.sock"

    @property
    def url(self):
        """The MALWARE_SCANNER value that points at this daemon."""
        return f"clamd://{self.socket_path}"

    def start(self):
        # Short folder name: a unix socket's path is limited to 107 bytes.
        self.folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX))
        database = self.folder / "db"
        database.mkdir()
        # Body-based signature (.ndb): name, any file type (0), any offset (*), hex.
        (database / "eicar.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{EICAR.hex()}\n", encoding="ascii")
        config = self.folder / "clamd.conf"
        config.write_text(
            "\n".join(
                [
                    "Foreground yes",
                    f"DatabaseDirectory {database}",
                    f"LocalSocket {self.socket_path}",
                    f"PidFile {self.folder / 'clamd.pid'}",
                    f"TemporaryDirectory {self.folder}",
                    "LogTime yes",
                    # Above the product's largest file (10 MB), as production must be.
                    "StreamMaxLength 30M",
                    "SelfCheck 0",
                    "",
                ]
            ),
            encoding="ascii",
        )
        log_path = self.folder / "clamd.log"
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [self.clamd, f"--config-file={config}"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Ctrl-C goes to pytest, which then stops the daemon itself.
                start_new_session=True,
                preexec_fn=_stop_with_parent_hook(),
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if ping(self.socket_path):
                return
            if self.process.poll() is not None:
                raise StartError(self._failure(f"clamd exited (code {self.process.returncode})", log_path))
            time.sleep(0.05)
        raise StartError(self._failure(f"clamd did not answer PING within {START_TIMEOUT} s", log_path))

    def _failure(self, what, log_path):
        try:
            tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
        except OSError:
            tail = ""
        return f"The test run's ClamAV daemon did not start: {what}.\n{tail}"

