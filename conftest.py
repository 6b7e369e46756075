"""Suite-wide rules for services the tests need.

Tests marked `mysql` need a MySQL/MariaDB database and tests marked `browser`
need Chromium. Without them they are reported as skipped, never silently;
with REQUIRE_MYSQL=1 / REQUIRE_BROWSER=1 (as CI sets) a missing one is an error.
"""

import os
import shutil

import pytest
from django.db import connection

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _required(name):
    return os.environ.get(name, "").strip() == "1"


def pytest_sessionstart(session):
    if _required("REQUIRE_MYSQL") and connection.vendor != "mysql":
        pytest.exit(
            f"REQUIRE_MYSQL=1 but DATABASE_URL does not point at MySQL/MariaDB (vendor is {connection.vendor}).",
            returncode=3,
        )
    if _required("REQUIRE_BROWSER") and not shutil.which(CHROMIUM):
        pytest.exit(f"REQUIRE_BROWSER=1 but Chromium was not found at {CHROMIUM}.", returncode=3)


def pytest_runtest_setup(item):
    if item.get_closest_marker("mysql") and connection.vendor != "mysql":
        pytest.skip("needs MySQL/MariaDB: set DATABASE_URL=mysql://... (REQUIRE_MYSQL=1 makes this an error)")
    if item.get_closest_marker("browser") and not shutil.which(CHROMIUM):
        pytest.skip(f"needs Chromium at {CHROMIUM} (REQUIRE_BROWSER=1 makes this an error)")
