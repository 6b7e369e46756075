"""Stored files leave only through authorising views, with these headers
(invariant 8): always a download, never sniffed, never cached.

The bytes are streamed through the app in chunks, from the local folder or
from object storage alike: every byte passes the view's access check and its
audit record, and the headers above are ours. A signed object-storage URL
would hand the file to whoever holds the link, unaudited, with the storage's
headers (docs/storage-and-scanning.md).
"""

from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse

from common.errors import NotFound

# Bytes read from the storage and written to the client at a time.
CHUNK_BYTES = 64 * 1024


def file_response(*, key, filename, content_type):
    try:
        handle, size = _open_streamed(key)
    except (FileNotFoundError, OSError):
        raise NotFound() from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response.block_size = CHUNK_BYTES
    if size is not None:
        response["Content-Length"] = str(size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _open_streamed(key):
    """A file object that reads `key` a chunk at a time, and its size when the
    response cannot measure it itself (None: FileResponse does)."""
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        return storage.open(key, "rb"), None
    # Imported here: boto3 is loaded only where object storage is in use.
    from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]

    if isinstance(storage, S3Storage):
        return _object_streamed(storage, key)
    return storage.open(key, "rb"), None


def _object_streamed(storage, key):
    """The object's body as S3 sends it. S3Storage.open() alone would fetch the
    whole object (into memory, or a temporary file) before the first byte
    goes out; here only the HEAD request is made on opening (a missing object
    raises FileNotFoundError), and the GET's body is read chunk by chunk as
    the response is written."""
    from botocore.exceptions import ClientError

    with storage.open(key, "rb") as found:
        try:
            got = found.obj.get()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise FileNotFoundError(key) from None  # deleted since the HEAD request
            raise
    return got["Body"], got["ContentLength"]
