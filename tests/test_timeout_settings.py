"""Timeouts of every call outside the process come from the environment
(issue 17): defaults, values read, bad values refused, and the database's
connect timeout against a server that accepts and never answers."""

import importlib.util
import time

import pytest

from testing.silent_server import SilentServer
from tests.test_settings import PRODUCTION, manage, printed_settings

TIMEOUTS = """
import json
from django.conf import settings
from django.core.files.storage import storages
database = settings.DATABASES["default"]
config = getattr(settings, "AWS_S3_CLIENT_CONFIG", None)
print(json.dumps({
    "database": {k: v for k, v in database.get("OPTIONS", {}).items() if "timeout" in k},
    "email": settings.EMAIL_TIMEOUT,
    "scanner": settings.MALWARE_SCANNER_TIMEOUT,
    "s3": config and [config.connect_timeout, config.read_timeout, config.retries, config.s3, config.signature_version],
    "cache": settings.CACHES["default"].get("OPTIONS", {}),
    "storage_config": storages["default"].client_config is config if config else None,
    "tasks_redis": getattr(settings, "RQ_QUEUES", {}).get("default", {}).get("URL"),
}))
"""

# Empty means "the default", and keeps a developer's .env out of these tests.
DEFAULTS = {
    name: ""
    for name in (
        "DATABASE_CONNECT_TIMEOUT",
        "DATABASE_READ_TIMEOUT",
        "DATABASE_WRITE_TIMEOUT",
        "EMAIL_TIMEOUT",
        "MALWARE_SCANNER_TIMEOUT",
        "S3_CONNECT_TIMEOUT",
        "S3_READ_TIMEOUT",
        "S3_MAX_ATTEMPTS",
        "CACHE_SOCKET_TIMEOUT",
        "CACHE_URL",
        "TASKS_BACKEND",
        "TASKS_REDIS_URL",
        "TASKS_REDIS_SOCKET_TIMEOUT",
    )
}
MYSQL = {"DATABASE_URL": "mysql://iset:secret@db.internal:3306/iset_intake"}
S3 = {"FILE_STORAGE": "s3", "S3_BUCKET": "iset-files", "S3_ADDRESSING_STYLE": "path"}
REDIS = {"CACHE_URL": "redis://cache.internal:6379/0"}
TASKS_REDIS = {"TASKS_BACKEND": "redis", "TASKS_REDIS_URL": "redis://queue.internal:6379/2"}


def timeouts(**env):
    return printed_settings(TIMEOUTS, {**DEFAULTS, **env})


def test_defaults_bound_every_call():
    found = timeouts(**MYSQL, **S3, **REDIS)

    assert found["database"] == {"connect_timeout": 5, "read_timeout": 30, "write_timeout": 30}
    assert found["email"] == 10
    assert found["scanner"] == 30
    assert found["s3"] == [5, 20, {"mode": "standard", "total_max_attempts": 2}, {"addressing_style": "path"}, "s3v4"]
    assert found["cache"] == {"socket_connect_timeout": 5, "socket_timeout": 5}
    assert found["storage_config"] is True  # the storage itself uses it


def test_values_come_from_the_environment():
    found = timeouts(
        **MYSQL,
        **S3,
        **REDIS,
        DATABASE_CONNECT_TIMEOUT="2",
        DATABASE_READ_TIMEOUT="7",
        DATABASE_WRITE_TIMEOUT="8",
        EMAIL_TIMEOUT="3",
        MALWARE_SCANNER_TIMEOUT="4",
        S3_CONNECT_TIMEOUT="6",
        S3_READ_TIMEOUT="9",
        S3_MAX_ATTEMPTS="1",
        CACHE_SOCKET_TIMEOUT="1",
    )

    assert found["database"] == {"connect_timeout": 2, "read_timeout": 7, "write_timeout": 8}
    assert (found["email"], found["scanner"]) == (3, 4)
    assert found["s3"][:3] == [6, 9, {"mode": "standard", "total_max_attempts": 1}]
    assert found["cache"] == {"socket_connect_timeout": 1, "socket_timeout": 1}


def test_the_redis_task_queue_gets_its_timeouts_in_its_url():
    assert timeouts(**TASKS_REDIS)["tasks_redis"] == (
        "redis://queue.internal:6379/2?socket_timeout=5&socket_connect_timeout=5"
    )
    assert timeouts(**TASKS_REDIS, TASKS_REDIS_SOCKET_TIMEOUT="2")["tasks_redis"] == (
        "redis://queue.internal:6379/2?socket_timeout=2&socket_connect_timeout=2"
    )
    # A timeout the URL sets itself is kept.
    own = {**TASKS_REDIS, "TASKS_REDIS_URL": "redis://queue.internal:6379/2?socket_timeout=9"}
    assert timeouts(**own)["tasks_redis"] == "redis://queue.internal:6379/2?socket_timeout=9&socket_connect_timeout=5"
    assert timeouts()["tasks_redis"] is None  # the database backend reaches no Redis


def test_sqlite_waits_for_a_lock_at_most_the_write_timeout():
    assert timeouts()["database"] == {"timeout": 30}
    assert timeouts(DATABASE_WRITE_TIMEOUT="4")["database"] == {"timeout": 4}


def test_local_storage_and_memory_cache_have_nothing_to_bound():
    found = timeouts()

    assert found["s3"] is None
    assert found["cache"] == {}


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DATABASE_READ_TIMEOUT", "0"),
        ("DATABASE_WRITE_TIMEOUT", "forever"),
        ("S3_CONNECT_TIMEOUT", "0"),
        ("S3_READ_TIMEOUT", "-5"),
        ("S3_MAX_ATTEMPTS", "0"),
        ("CACHE_SOCKET_TIMEOUT", "soon"),
        ("TASKS_REDIS_SOCKET_TIMEOUT", "0"),
    ],
)
def test_bad_timeout_stops_start_up_naming_the_variable(variable, value):
    result = manage("check", env={**PRODUCTION, **DEFAULTS, variable: value})

    assert result.returncode == 1
    assert f"{variable}=" in result.stderr
    assert "is not valid" in result.stderr


CONNECT = """
import time
from django.db import connection
started = time.monotonic()
try:
    connection.ensure_connection()
except Exception as exc:
    print(type(exc).__name__, round(time.monotonic() - started, 2))
"""


@pytest.mark.skipif(importlib.util.find_spec("MySQLdb") is None, reason="mysqlclient is not installed")
def test_database_that_accepts_and_never_answers_fails_within_the_connect_timeout():
    with SilentServer() as database:
        started = time.monotonic()
        result = manage(
            "shell",
            "--no-startup",
            "-c",
            CONNECT,
            env={
                **PRODUCTION,
                **DEFAULTS,
                "DATABASE_URL": f"mysql://root@127.0.0.1:{database.port}/iset_intake",
                "DATABASE_CONNECT_TIMEOUT": "1",
            },
        )
        elapsed = time.monotonic() - started

    assert result.returncode == 0, result.stdout + result.stderr
    error, seconds = result.stdout.strip().splitlines()[-1].split()
    assert error == "OperationalError"
    assert float(seconds) < 2.5
    assert elapsed < 30  # Django's start-up included
