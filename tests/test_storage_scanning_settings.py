"""FILE_STORAGE / S3_* and MALWARE_SCANNER from the environment: strict about
bad values, local files and no scanner by default (docs/storage-and-scanning.md)."""


import pytest

from tests.test_settings import PRODUCTION, manage, printed_settings

SHOW = """
import json
from django.conf import settings
from django.core.files.storage import storages
print(json.dumps({
    "default": settings.STORAGES["default"],
    "backend": type(storages["default"]).__name__,
    "scanner": settings.MALWARE_SCANNER,
    "timeout": settings.MALWARE_SCANNER_TIMEOUT,
}))
"""
# Empty means "the default", and keeps a developer's .env out of these tests
# (FILE_STORAGE and S3_ADDRESSING_STYLE are choices: empty is not one of them).
UNSET = {
    name: ""
    for name in (
        "S3_BUCKET",
        "S3_ENDPOINT_URL",
        "S3_REGION",
        "S3_ACCESS_KEY_ID",
        "S3_SECRET_ACCESS_KEY",
        "MALWARE_SCANNER",
        "MALWARE_SCANNER_TIMEOUT",
    )
}
S3 = {
    "FILE_STORAGE": "s3",
    "S3_BUCKET": "iset-files",
    "S3_ENDPOINT_URL": "https://minio.example.org:9000",
    "S3_REGION": "ca-central-1",
    "S3_ACCESS_KEY_ID": "iset-app",
    "S3_SECRET_ACCESS_KEY": "a-secret",
    "S3_ADDRESSING_STYLE": "path",
}


def shown(**overrides):
    return printed_settings(SHOW, {**UNSET, **overrides})


def test_defaults_are_the_local_folder_and_no_scanner(tmp_path):
    settings = shown(MEDIA_ROOT=str(tmp_path))

    assert settings["default"] == {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)},
    }
    assert settings["backend"] == "FileSystemStorage"
    assert (settings["scanner"], settings["timeout"]) == ("none", 30)


def test_object_storage_from_the_environment():
    settings = shown(**S3, MALWARE_SCANNER="clamd://clamav.internal:3310", MALWARE_SCANNER_TIMEOUT="10")

    assert settings["backend"] == "S3Storage"
    assert settings["default"]["OPTIONS"] == {
        "bucket_name": "iset-files",
        "endpoint_url": "https://minio.example.org:9000",
        "region_name": "ca-central-1",
        "access_key": "iset-app",
        "secret_key": "a-secret",
        "addressing_style": "path",
        "signature_version": "s3v4",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
        "max_memory_size": 2_621_440,
    }
    assert (settings["scanner"], settings["timeout"]) == ("clamd://clamav.internal:3310", 10)


def test_object_storage_without_keys_leaves_them_to_boto3():
    settings = shown(FILE_STORAGE="s3", S3_BUCKET="iset-files")

    options = settings["default"]["OPTIONS"]
    assert (options["access_key"], options["secret_key"], options["endpoint_url"]) == (None, None, None)


def test_check_deploy_passes_with_object_storage_and_a_scanner():
    env = {**PRODUCTION, **UNSET, **S3, "MALWARE_SCANNER": "clamd:///run/clamav/clamd.ctl"}

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "overrides, named",
    [
        ({"FILE_STORAGE": "ftp"}, "FILE_STORAGE='ftp' is not valid"),
        ({"FILE_STORAGE": "s3"}, "S3_BUCKET must be set when FILE_STORAGE=s3"),
        ({**S3, "S3_SECRET_ACCESS_KEY": ""}, "S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together"),
        ({**S3, "S3_ADDRESSING_STYLE": "sideways"}, "S3_ADDRESSING_STYLE='sideways' is not valid"),
        ({"MALWARE_SCANNER": "tcp://127.0.0.1:3310"}, "MALWARE_SCANNER='tcp://127.0.0.1:3310' is not valid"),
        ({"MALWARE_SCANNER": "clamd://host:port"}, "MALWARE_SCANNER='clamd://host:port' is not valid"),
        ({"MALWARE_SCANNER": "off"}, "MALWARE_SCANNER='off' is not valid"),
        ({"MALWARE_SCANNER_TIMEOUT": "0"}, "MALWARE_SCANNER_TIMEOUT='0' is not valid"),
    ],
)
def test_bad_values_stop_start_up_naming_the_variable(overrides, named):
    result = manage("check", env={**PRODUCTION, **UNSET, **overrides})

    assert result.returncode == 1
    assert named in result.stderr
