"""Malware scanning: every uploaded file is scanned by ClamAV's daemon
(`clamd`) before anything is stored.

The file goes to the daemon over its socket protocol (INSTREAM, through the
`clamav-client` library), so the daemon needs no access to our disk and may
run on another machine. MALWARE_SCANNER (settings) names it:
`clamd://HOST:PORT`, `clamd:///path/to/clamd.sock`, or `none` (no scanning:
the embedded default for a first run; /healthz says so).

Fail closed: when the daemon cannot be reached, answers with an error, or
times out, no file is accepted (ScannerUnavailable, HTTP 503); a message
without files does not come here and still sends. See
docs/storage-and-scanning.md.
"""

import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket, CommunicationError
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.errors import DomainError, InvalidInput

logger = logging.getLogger(__name__)

NONE = "none"
DEFAULT_PORT = 3310
# /healthz must answer quickly even when the daemon hangs.
HEALTH_TIMEOUT_SECONDS = 2
STATE_OK, STATE_UNAVAILABLE = "ok", "unavailable"


class ScannerUnavailable(DomainError):
    """The scanner could not give a verdict: the upload is refused, not waved through."""

    status = 503
    code = "scanner_unavailable"
    default_message = gettext_lazy(
        "We cannot check files for viruses right now, so your files were not sent. Try again later, or send your message without attachments."
    )


class BoundedClamdUnixSocket(ClamdUnixSocket):
    """clamd's unix socket with the timeout set before connecting, as the
    network socket already has it: clamav-client sets it only after the
    connect, which waits forever on a daemon whose backlog is full. The
    timeout then bounds the connect, each send and each read."""

    def _init_socket(self) -> None:
        try:
            self.clamd_socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.clamd_socket.settimeout(self.timeout)
            self.clamd_socket.connect(self.unix_socket)
        except OSError as err:
            raise CommunicationError(self._error_message(err)) from err


@dataclass(frozen=True)
class ClamdAddress:
    host: str = ""
    port: int = 0
    socket_path: str = ""

    def client(self, timeout: int) -> ClamdNetworkSocket:
        if self.socket_path:
            return BoundedClamdUnixSocket(path=self.socket_path, timeout=timeout)
        return ClamdNetworkSocket(host=self.host, port=self.port, timeout=timeout)


def scanner_address(value: str) -> ClamdAddress | None:
    """Parse a MALWARE_SCANNER value: None for `none`, else where clamd listens.
    Raises ImproperlyConfigured naming the variable for anything else."""
    value = (value or "").strip()
    if value.lower() == NONE:
        return None
    parts = urlsplit(value)
    if parts.scheme == "clamd" and not parts.query and not parts.fragment:
        if parts.netloc and parts.path in ("", "/") and parts.hostname:
            try:
                port = parts.port or DEFAULT_PORT
            except ValueError:
                port = 0
            if port:
                return ClamdAddress(host=parts.hostname, port=port)
        elif not parts.netloc and parts.path.startswith("/") and len(parts.path) > 1:
            return ClamdAddress(socket_path=parts.path)
    raise ImproperlyConfigured(
        f"MALWARE_SCANNER={value!r} is not valid: expected clamd://HOST:PORT, clamd:///path/to/clamd.sock or none."
    )


def scanner_configured() -> ClamdAddress | None:
    return scanner_address(settings.MALWARE_SCANNER)


def file_scan(upload, *, name: str) -> None:
    """Scan one upload (any file-like object) before it is stored.

    Returns when clamd finds nothing. Raises InvalidInput (code
    `infected_file`, naming the file) when it finds something, and
    ScannerUnavailable when it cannot say. Without a scanner configured it
    returns at once. The file is left at its start either way."""
    address = scanner_configured()
    if address is None:
        return
    upload.seek(0)
    try:
        result = address.client(settings.MALWARE_SCANNER_TIMEOUT).instream(upload)
    except (ClamdError, OSError) as error:
        # OSError: a refused or reset connection, or a timeout, while sending
        # (clamd also closes the connection on a file over its StreamMaxLength).
        logger.error("Malware scanner %s did not answer: %s", _where(address), error)
        raise ScannerUnavailable() from None
    finally:
        upload.seek(0)
    status, signature = result.get("stream", ("ERROR", "no verdict"))
    if status == "FOUND":
        # The signature is logged, never the file or its name.
        logger.warning("Upload refused: the malware scanner found %s.", signature)
        raise InvalidInput(
            _(
                "“%(name)s” failed our virus scan and was not sent. Choose another file, or send your message without it."
            )
            % {"name": name},
            code="infected_file",
            field="attachments",
        )
    if status != "OK":
        logger.error("Malware scanner %s could not scan an upload: %s", _where(address), signature)
        raise ScannerUnavailable()


def scanner_state() -> str:
    """For /healthz: `none` (no scanner configured), `ok` (clamd answered
    PING) or `unavailable`."""
    address = scanner_configured()
    if address is None:
        return NONE
    try:
        answer = address.client(HEALTH_TIMEOUT_SECONDS).ping()
    except (ClamdError, OSError) as error:
        logger.warning("Malware scanner %s did not answer PING: %s", _where(address), error)
        return STATE_UNAVAILABLE
    return STATE_OK if answer == "PONG" else STATE_UNAVAILABLE


def _where(address: ClamdAddress) -> str:
    return address.socket_path or f"{address.host}:{address.port}"
