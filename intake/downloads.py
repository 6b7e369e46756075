"""Stored files leave only through authorising views, with these headers
(invariant 8): always a download, never sniffed, never cached."""

from django.core.files.storage import default_storage
from django.http import FileResponse

from common.errors import NotFound


def file_response(*, key, filename, content_type):
    try:
        handle = default_storage.open(key, "rb")
    except (FileNotFoundError, OSError):
        raise NotFound() from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
