"""Attachment checks: count, size, type recognised by content, and a malware scan.

The browser's claimed type and the file's extension are ignored; a file is
accepted only when its bytes are a PDF, PNG, JPEG, HEIC, DOCX, XLSX or
plain (UTF-8) text, and ClamAV's daemon finds nothing in it
(intake.scanning). Every send path calls files_check before it stores
anything.
"""

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from common.display import file_size
from common.errors import DomainError, InvalidInput, TooLarge
from intake.scanning import file_scan

PDF, PNG, JPEG, HEIC = "application/pdf", "image/png", "image/jpeg", "image/heic"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT = "text/plain"
# A name's extension must agree with the content: "invoice.pdf" that is really
# text (or anything else) is refused, so what the user sees is what they get.
EXTENSIONS = {
    PDF: {"pdf"},
    PNG: {"png"},
    JPEG: {"jpg", "jpeg", "jpe"},
    HEIC: {"heic", "heif"},
    DOCX: {"docx"},
    XLSX: {"xlsx"},
    TEXT: {"txt", "text", "csv", "md", "log"},
}
HEIC_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
TEXT_SNIFF_BYTES = 64 * 1024


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str


def files_check(files):
    """Check a send's files; raises InvalidInput/TooLarge naming the file at
    fault, or ScannerUnavailable when the malware scanner cannot say."""
    files = [upload for upload in files if upload is not None]
    if len(files) > settings.ATTACHMENT_MAX_FILES:
        raise InvalidInput(
            _("You can attach at most %(count)d files to one message.") % {"count": settings.ATTACHMENT_MAX_FILES},
            code="too_many_files",
            field="attachments",
        )
    checked = []
    # Every file at fault is named, not just the first (each gets its reason).
    problems: list[DomainError] = []
    for upload in files:
        problem = _file_problem(upload)
        if isinstance(problem, DomainError):
            problems.append(problem)
        else:
            checked.append(problem)
    if problems:
        first, *rest = problems
        first.also = rest
        raise first
    total = sum(item.size for item in checked)
    if total > settings.ATTACHMENT_MAX_TOTAL_BYTES:
        raise TooLarge(
            _("Together the files are larger than %(limit)s, the limit for one message. Send some of them in another message.")
            % {"limit": file_size(settings.ATTACHMENT_MAX_TOTAL_BYTES)},
            code="total_too_large",
            field="attachments",
        )
    # Last, once the cheap checks have passed: a refused send costs no scan.
    for item in checked:
        file_scan(item.upload, name=item.name)
    return checked


def _file_problem(upload) -> CheckedFile | DomainError:
    """The file checked, or what is wrong with it."""
    name = filename_sanitise(upload.name)
    if upload.size == 0:
        return InvalidInput(_("“%(name)s” is empty.") % {"name": name}, code="empty_file", field="attachments")
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        return TooLarge(
            _("“%(name)s” is larger than %(limit)s, the limit for one file.")
            % {"name": name, "limit": file_size(settings.ATTACHMENT_MAX_BYTES)},
            code="file_too_large",
            field="attachments",
        )
    content_type = content_type_sniff(upload)
    if content_type is None:
        return InvalidInput(
            _(
                "“%(name)s” is not a file type we accept. Send a PDF, PNG, JPEG, HEIC, Word (.docx), Excel (.xlsx) or plain-text file."
            )
            % {"name": name},
            code="unsupported_type",
            field="attachments",
        )
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    if extension and extension not in EXTENSIONS[content_type]:
        return InvalidInput(
            _(
                "“%(name)s” is named like a .%(extension)s file, but its content is something else. Check that you chose the right file."
            )
            % {"name": name, "extension": extension},
            code="type_mismatch",
            field="attachments",
        )
    return CheckedFile(upload, name, content_type, upload.size, _sha256(upload))


def files_dropped(request) -> list[str]:
    """The names of the file parts of `request` that Django's parser dropped
    because no file may be called so (`..`, `.`, a bare path), noted by
    iset_messaging.middleware.RequestSizeLimitMiddleware (none without it).
    Reads the body if nothing has yet."""
    request.FILES  # noqa: B018  (parsing the body is what notes them)
    return list(getattr(request, "upload_dropped_names", ()))


def content_type_sniff(upload):
    upload.seek(0)
    head = upload.read(TEXT_SNIFF_BYTES)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head[4:8] == b"ftyp" and head[8:12] in HEIC_BRANDS:
        return HEIC
    if head.startswith(b"PK\x03\x04"):
        return _office_type(upload)
    if _looks_like_text(head, complete=upload.size <= TEXT_SNIFF_BYTES):
        return TEXT
    return None


def _office_type(upload):
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _looks_like_text(head, *, complete):
    if b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is still text.
        if complete or exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return all(ch in "\t\n\r\f" or unicodedata.category(ch) != "Cc" for ch in text)


def _sha256(upload):
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def filename_sanitise(name):
    """A display name safe in headers and pages: no path, no control characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        return "attachment"
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:190] + dot + extension[:9]) if dot and len(extension) < 10 else name[:200]
    return name
