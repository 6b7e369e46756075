"""Stored files: generated keys, and deletes that never hide a failure."""

import logging
import uuid

from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)


def storage_key_new(prefix: str) -> str:
    """A generated storage key: nothing the user typed ends up in a path."""
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


def file_delete(key: str) -> bool:
    """Delete a stored file. A failure is logged with the key and reported as
    False, so the caller can record the file for a later attempt."""
    try:
        default_storage.delete(key)
    except OSError:
        logger.exception("Could not delete stored file %s.", key)
        return False
    return True
