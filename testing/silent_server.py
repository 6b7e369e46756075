"""A server that accepts connections and never answers: what a hung SMTP
server, malware scanner or database looks like from our side. Used by the
timeout tests (issue 17) and bench/faults.py."""

import socket
import threading


class SilentServer:
    """Listens on 127.0.0.1 (or a unix socket path), accepts every connection,
    reads nothing and writes nothing until closed. Use as a context manager."""

    def __init__(self, path=None):
        if path is None:
            self.listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        else:
            self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.listener.bind(str(path))
            self.listener.listen(64)
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def port(self):
        return self.listener.getsockname()[1]

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        # shutdown() wakes the accept() of the thread; close() alone may not.
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        self.thread.join(timeout=5)
        for connection in self.held:
            connection.close()
