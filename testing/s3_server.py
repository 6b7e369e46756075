"""The test run's own S3-compatible server: moto in server mode.

`ThrowawayS3` starts `python -m moto.server` (the `moto[server]` dev
requirement) as a separate process on 127.0.0.1 and a free port, and returns
once it answers HTTP; `stop()` ends it. Objects live in that process's
memory, so nothing outlives the run. Should pytest itself be killed outright,
the kernel stops it (PR_SET_PDEATHSIG).

A separate process, not moto's in-process mock: the product talks to it over
HTTP through boto3 exactly as to real object storage, and what the test
process holds in memory is the product's alone (the download test measures
it). conftest.py starts one for the session (fixture `s3_server`).
"""

import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from testing.processes import ThrowawayServer
from testing.processes import free_port as _free_port
from testing.processes import stop_with_parent_hook as _stop_with_parent_hook

START_TIMEOUT = 60
REGION = "us-east-1"
# moto accepts any credentials; these only keep boto3 from looking for real ones.
ACCESS_KEY_ID, SECRET_ACCESS_KEY = "test-access-key", "test-secret-key"


class StartError(Exception):
    pass


def _answers(url):
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


class ThrowawayS3(ThrowawayServer):
    def __init__(self):
        self.process = None
        self.port = None
        self.log_path = None

    @property
    def endpoint_url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.log_path = Path(tempfile.mkstemp(prefix="iset-test-moto-", suffix=".log")[1])
        deadline = time.monotonic() + START_TIMEOUT
        for _attempt in range(3):
            self.port = _free_port()
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=_stop_with_parent_hook(),
                )
            while time.monotonic() < deadline:
                if _answers(self.endpoint_url + "/"):
                    return
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
            else:
                raise StartError(self._failure(f"moto did not answer within {START_TIMEOUT} s"))
            if "Address already in use" not in self.log_path.read_text(errors="replace"):
                break  # not a lost race for the port: retrying will not help
        raise StartError(self._failure(f"moto exited (code {self.process.returncode})"))

    def _failure(self, what):
        tail = "\n".join(self.log_path.read_text(errors="replace").splitlines()[-15:])
        return f"The test run's S3 server (moto) did not start: {what}.\n{tail}"

    def stop(self):
        super().stop()
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None
