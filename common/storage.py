"""Stored files: generated keys, the object-storage configuration, and deletes that never hide a failure."""

import logging
import uuid
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

# What a storage backend raises when it cannot store or read a file now: the
# local folder (read-only, full, gone: OSError) and object storage (unreachable,
# timed out, refused: botocore's errors).
STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)


def storage_key_new(prefix: str) -> str:
    """A generated storage key: nothing the user typed ends up in a path."""
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


def s3_client_config(
    *, addressing_style: str | None, connect_timeout: float, read_timeout: float, max_attempts: int
) -> Config:
    """botocore's client configuration (the AWS_S3_CLIENT_CONFIG setting):
    the addressing style and signature django-storages would set itself, with
    bounded waits and retries, so object storage that does not answer cannot
    hold a request. botocore's own defaults are 60 s to connect, 60 s for each
    read, and 5 attempts."""
    return Config(
        s3={"addressing_style": addressing_style},
        signature_version="s3v4",
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        retries={"mode": "standard", "total_max_attempts": max_attempts},
    )


def s3_storage_settings(
    *,
    bucket: str,
    endpoint_url: str | None = None,
    region: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    addressing_style: str | None = None,
) -> dict[str, Any]:
    """The STORAGES entry for S3-compatible object storage through django-storages
    (FILE_STORAGE=s3 in the settings; the tests' S3 server uses it too).

    Without keys, boto3 finds its own (AWS_* variables, an instance or pod role);
    without an endpoint, AWS itself."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key or None,
            "secret_key": secret_key or None,
            "addressing_style": addressing_style or None,
            "signature_version": "s3v4",
            # Private objects: no ACL is sent (the bucket's policy applies), and
            # a URL, were one ever made, would be signed. None is: downloads are
            # streamed through the authorising views (intake/downloads.py).
            "default_acl": None,
            "querystring_auth": True,
            # Like the local folder: an existing key is never overwritten.
            "file_overwrite": False,
            # An object read whole (the copy adoption makes) spills from memory
            # to a temporary file past 2.5 MB.
            "max_memory_size": 2_621_440,
        },
    }


def file_delete(key: str) -> bool:
    """Delete a stored file now; True when it is gone (also when it already
    was). A failure, of whatever storage backend, is logged with the key and
    reported as False. A file that a row stops naming is not deleted here but
    recorded in the outbox in the row change's transaction
    (intake.outbox.files_unlink), so that a crash cannot lose it."""
    try:
        default_storage.delete(key)
    except Exception:
        logger.exception("Could not delete stored file %s.", key)
        return False
    return True
