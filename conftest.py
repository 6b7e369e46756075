"""Suite-wide rules for services the tests need.

Tests marked `mysql` need a MySQL/MariaDB database, tests marked `browser`
need Chromium, tests marked `clamav` need ClamAV's daemon (clamd) and tests
marked `redis` need redis-server. Without them they are reported as skipped,
never silently; with REQUIRE_MYSQL=1 / REQUIRE_BROWSER=1 / REQUIRE_CLAMAV=1 /
REQUIRE_REDIS=1 (as `make test` and CI set) a missing one is an error.

Session fixtures start the services some tests talk to, once per run, and
stop them at its end: `clamd_server` (testing/clamd_server.py, a real clamd
knowing only the EICAR test signature), `s3_server` (testing/s3_server.py,
moto in server mode) and `redis_server` (testing/redis_server.py). Tests
use them through `malware_scanner` and `s3_storage`, which point the
settings at them for one test, and `redis_server.url`.
"""

import os
import shutil
import uuid

import pytest
from django.db import connection
from django.utils import translation

from common.storage import s3_storage_settings
from testing import clamd_server as clamd
from testing import redis_server as redis
from testing import s3_server as s3

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _required(name):
    return os.environ.get(name, "").strip() == "1"


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "redis: uses the run's own Redis server (Debian's redis-server) for the task queue's Redis backend; skipped without it unless REQUIRE_REDIS=1, which fails instead",
    )
    config.addinivalue_line(
        "markers",
        "clamav: scans files with the run's own ClamAV daemon (Debian's clamav-daemon); skipped without it unless REQUIRE_CLAMAV=1, which fails instead",
    )


def pytest_sessionstart(session):
    if _required("REQUIRE_MYSQL") and connection.vendor != "mysql":
        pytest.exit(
            f"REQUIRE_MYSQL=1 but the tests would run on {connection.vendor}: leave DATABASE_URL unset (environment and .env) so the run starts its own MariaDB, or point it at MySQL/MariaDB (mysql://...).",
            returncode=3,
        )
    if _required("REQUIRE_BROWSER") and not shutil.which(CHROMIUM):
        pytest.exit(
            f"REQUIRE_BROWSER=1 but Chromium was not found at {CHROMIUM}: run scripts/system-packages.sh browser.",
            returncode=3,
        )
    if _required("REQUIRE_REDIS") and not redis.redis_executable():
        pytest.exit(f"REQUIRE_REDIS=1 but redis-server is not installed: run {redis.INSTALL_HINT}.", returncode=3)
    if _required("REQUIRE_CLAMAV") and not clamd.clamd_executable():
        pytest.exit(f"REQUIRE_CLAMAV=1 but ClamAV's daemon (clamd) is not installed: run {clamd.INSTALL_HINT}.", returncode=3)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    # A test that talks to the run's clamd needs it installed: marked `clamav`
    # by the fixture it uses, so the rule below applies (and, marked before
    # `-m` selects, `-m clamav` finds it).
    for item in items:
        if "clamd_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.clamav)
        if "redis_server" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.redis)


def pytest_runtest_setup(item):
    if item.get_closest_marker("mysql") and connection.vendor != "mysql":
        pytest.skip(
            "needs MySQL/MariaDB: unset DATABASE_URL so the run starts its own (Debian's mariadb-server), or set DATABASE_URL=mysql://... (REQUIRE_MYSQL=1 makes this an error)"
        )
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM}, Debian's chromium (REQUIRE_BROWSER=1 makes this an error)")
    if item.get_closest_marker("clamav") and not clamd.clamd_executable():
        pytest.skip(f"needs ClamAV's daemon: {clamd.INSTALL_HINT} (REQUIRE_CLAMAV=1 makes this an error)")
    if item.get_closest_marker("redis") and not redis.redis_executable():
        pytest.skip(f"needs Redis: {redis.INSTALL_HINT} (REQUIRE_REDIS=1 makes this an error)")


@pytest.fixture(scope="session")
def redis_server():
    """The run's own Redis server, for the tests of the task queue's Redis backend (marked `redis`)."""
    server = redis.ThrowawayRedis(redis.redis_executable())
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(scope="session")
def clamd_server():
    """The run's own clamd, answering PING, for the tests marked `clamav`."""
    server = clamd.ThrowawayClamd(clamd.clamd_executable())
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture
def malware_scanner(settings, clamd_server):
    """Uploads in this test are scanned by the run's clamd."""
    settings.MALWARE_SCANNER = clamd_server.url
    return clamd_server


@pytest.fixture(scope="session")
def s3_server():
    """The run's own S3-compatible server (moto in server mode)."""
    server = s3.ThrowawayS3()
    try:
        server.start()
    except BaseException:
        server.stop()
        raise
    yield server
    server.stop()


class Bucket:
    """A bucket of the run's S3 server, as boto3 sees it from outside the product."""

    def __init__(self, server, name):
        import boto3

        self.name = name
        self.client = boto3.client(
            "s3",
            endpoint_url=server.endpoint_url,
            region_name=s3.REGION,
            aws_access_key_id=s3.ACCESS_KEY_ID,
            aws_secret_access_key=s3.SECRET_ACCESS_KEY,
        )

    def keys(self):
        """Every object key in the bucket."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def body(self, key):
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()


@pytest.fixture
def s3_storage(settings, s3_server):
    """Files in this test live in a new, empty bucket of the run's S3 server,
    configured as FILE_STORAGE=s3 would configure it."""
    bucket = Bucket(s3_server, f"iset-test-{uuid.uuid4().hex[:12]}")
    bucket.client.create_bucket(Bucket=bucket.name)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage_settings(
            bucket=bucket.name,
            endpoint_url=s3_server.endpoint_url,
            region=s3.REGION,
            access_key=s3.ACCESS_KEY_ID,
            secret_key=s3.SECRET_ACCESS_KEY,
        ),
    }
    yield bucket
    for key in bucket.keys():
        bucket.client.delete_object(Bucket=bucket.name, Key=key)
    bucket.client.delete_bucket(Bucket=bucket.name)


def _is_transactional(request):
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _language_back_to_the_default():
    """A French page leaves French active in the thread that rendered it
    (UserLanguageMiddleware); a later test rendering without a request would
    inherit it."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_shared_schema_after_transactional_tests(request, django_db_blocker):
    """Django's flush after a transactional test skips unmanaged tables, so the
    shared schema's rows are cleared here, or they would leak into the next test."""
    yield
    if not _is_transactional(request):
        return
    from casework.schema import schema_models

    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            if connection.vendor == "mysql":
                # Children first here too: the conversation triggers on messages
                # and cases read the applications and submissions above them.
                cursor.execute("SET FOREIGN_KEY_CHECKS = 0")
                for model in reversed(_parents_first(schema_models())):
                    cursor.execute(f"DELETE FROM `{model._meta.db_table}`")
                cursor.execute("SET FOREIGN_KEY_CHECKS = 1")
            else:
                # Children first; SQLite checks foreign keys on each delete.
                for model in reversed(_parents_first(schema_models())):
                    cursor.execute(f'DELETE FROM "{model._meta.db_table}"')


def _parents_first(models):
    ordered, seen = [], set()

    def visit(model):
        if model in seen:
            return
        seen.add(model)
        for field in model._meta.concrete_fields:
            target = field.related_model
            if field.is_relation and target is not None and target is not model and target in models:
                visit(target)
        ordered.append(model)

    for model in models:
        visit(model)
    return ordered
