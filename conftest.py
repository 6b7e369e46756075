"""Suite-wide rules for services the tests need.

Tests marked `mysql` need a MySQL/MariaDB database and tests marked `browser`
need Chromium. Without them they are reported as skipped, never silently;
with REQUIRE_MYSQL=1 / REQUIRE_BROWSER=1 (as CI sets) a missing one is an error.
"""

import os
import shutil

import pytest
from django.db import connection
from django.utils import translation

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _required(name):
    return os.environ.get(name, "").strip() == "1"


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


def pytest_runtest_setup(item):
    if item.get_closest_marker("mysql") and connection.vendor != "mysql":
        pytest.skip(
            "needs MySQL/MariaDB: unset DATABASE_URL so the run starts its own (Debian's mariadb-server), or set DATABASE_URL=mysql://... (REQUIRE_MYSQL=1 makes this an error)"
        )
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM}, Debian's chromium (REQUIRE_BROWSER=1 makes this an error)")


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
