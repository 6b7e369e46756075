"""What the test run's throwaway servers (MariaDB, Redis, clamd, S3) share:
a free port, a child process that dies with pytest, and stopping one."""

import ctypes
import shutil
import signal
import socket
import subprocess


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_with_parent_hook():
    """A preexec_fn asking the kernel to kill the child when pytest dies (Linux)."""
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def hook():
        prctl(pr_set_pdeathsig, signal.SIGKILL)

    return hook


class ThrowawayServer:
    """A server process started in its own temporary folder: `stop()` ends the
    process (politely, then for good after 15 s) and removes the folder."""

    process: subprocess.Popen | None = None
    folder = None

    def stop(self):
        process = self.process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.process = None
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
