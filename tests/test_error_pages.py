"""Error answers that must work when the database does not: a signed-in
visitor (whose session and user live in that database), an anonymous one and
an API client get the product's 503 (a page in their language, or JSON), with
Retry-After, and the log gets a warning, never an error; nobody gets the
server's bare 500 (iset_messaging.outage)."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

from casework.tests.factories import CaseFactory

ROOT = Path(__file__).resolve().parent.parent

# Ask, in a process whose database is down, for a signed-in page, the sign-in
# (an anonymous visitor: it reads the user table) and the API, in French, and
# collect every log record. take_database_away() is defined by the caller.
ASK_WHILE_DOWN = """
import json, logging
records = []
class Collect(logging.Handler):
    def emit(self, record):
        records.append([record.levelname, record.name, record.getMessage()])
logging.getLogger().addHandler(Collect())
signed_in = take_database_away()
anonymous = Client(raise_request_exception=False)
answers = []
for client, method, path in (
    (signed_in, "get", "/messages/"),
    (signed_in, "get", "/dashboard/cases/"),
    (anonymous, "post", "/login/"),
    (signed_in, "get", "/api/messages/1"),
):
    data = {"username": "a@example.org", "password": "x" * 12} if method == "post" else None
    response = getattr(client, method)(path, data, HTTP_ACCEPT_LANGUAGE="fr")
    answers.append([path, response.status_code, response.get("Retry-After"), response["Content-Type"],
                    response.content.decode()])
print(json.dumps([answers, records, bring_database_back(signed_in)]))
"""

# SQLite: build a database with a user, sign in, then take the database away
# (its folder becomes a file, so SQLite cannot open it); the same session
# cookie asks again.
SQLITE_OUTAGE = """
import os
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from django.test import Client
from casework.services import applicant_create

def take_database_away():
    call_command("migrate", verbosity=0)
    user = applicant_create(email="a@example.org", password="x" * 12, first_name="A", last_name="B")
    client = Client(raise_request_exception=False)
    client.force_login(user)
    assert client.get("/messages/").status_code == 200
    connections.close_all()
    folder = os.path.dirname(os.environ["DB_FILE"])
    os.rename(folder, folder + "-moved")
    open(folder, "w").close()
    return client

def bring_database_back(client):
    folder = os.path.dirname(os.environ["DB_FILE"])
    os.remove(folder)
    os.rename(folder + "-moved", folder)
    return client.get("/messages/").status_code
"""

# MariaDB on a closed port: nothing answers from the start; the signed-in
# visitor is a browser holding a session cookie.
MYSQL_OUTAGE = """
import django
django.setup()
from django.conf import settings
from django.test import Client

def take_database_away():
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "s" * 32
    return client

def bring_database_back(client):
    return None
"""


def ask_while_down(setup, env):
    env = {**os.environ, **env, "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test", "LOG_LEVEL": "INFO"}
    result = subprocess.run(
        [sys.executable, "-c", setup + ASK_WHILE_DOWN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_the_product_503_everywhere(answers, records):
    *pages, api = answers
    for path, status, retry_after, content_type, body in pages:
        assert (path, status, retry_after) == (path, 503, "60")
        assert content_type.startswith("text/html")
        assert '<html lang="fr">' in body
        assert "Service temporairement indisponible" in body
        assert "vérifiez votre conversation" in body
        assert "Server Error" not in body and "Traceback" not in body
    path, status, retry_after, content_type, body = api
    assert (status, retry_after, content_type) == (503, "60", "application/json")
    assert json.loads(body) == {
        "error": "unavailable",
        "message": "Le service est temporairement indisponible. Réessayez plus tard.",
    }
    assert [r for r in records if r[0] in ("ERROR", "CRITICAL")] == []
    assert any(level == "WARNING" and name == "iset_messaging.outage" for level, name, _ in records)


def test_database_down_on_sqlite_every_visitor_gets_the_503(tmp_path):
    db_file = tmp_path / "db" / "iset.sqlite3"
    db_file.parent.mkdir()

    answers, records, afterwards = ask_while_down(
        SQLITE_OUTAGE, {"DATABASE_URL": f"sqlite:///{db_file}", "DB_FILE": str(db_file)}
    )

    assert_the_product_503_everywhere(answers, records)
    # Back without a restart, and the visitor is still signed in.
    assert afterwards == 200


@pytest.mark.mysql
def test_database_down_on_mariadb_every_visitor_gets_the_503():
    answers, records, _afterwards = ask_while_down(MYSQL_OUTAGE, {"DATABASE_URL": "mysql://root@127.0.0.1:9/iset_intake"})

    assert_the_product_503_everywhere(answers, records)


def lost_connection(*args, **kwargs):
    raise OperationalError(2013, "Lost connection to server during query")


@pytest.fixture
def applicant_client(client, db):
    client.force_login(CaseFactory().application.submission.user)
    return client


def test_connection_lost_in_the_middle_of_a_view_gives_the_503_page(applicant_client, monkeypatch, caplog):
    monkeypatch.setattr("intake.views.portal.applicant_conversations", lost_connection)

    with caplog.at_level(logging.INFO):
        response = applicant_client.get("/messages/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "Service temporairement indisponible" in response.content.decode()
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert [r.name for r in caplog.records if r.levelno == logging.WARNING] == ["iset_messaging.outage"]


def test_connection_lost_in_the_middle_of_an_api_view_gives_the_json_503(applicant_client, monkeypatch):
    monkeypatch.setattr("intake.views.api.applicant_message", lost_connection)

    response = applicant_client.get("/api/messages/1")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert response.json()["error"] == "unavailable"


@pytest.mark.parametrize(
    "error",
    [OperationalError(1054, "Unknown column 'x' in 'field list'"), OperationalError("no such table: messages")],
    ids=["mysql-unknown-column", "sqlite-no-such-table"],
)
def test_a_query_that_is_wrong_is_a_500_logged_as_an_error_not_an_outage(applicant_client, monkeypatch, caplog, error):
    def wrong(*args, **kwargs):
        raise error

    monkeypatch.setattr("intake.views.portal.applicant_conversations", wrong)
    applicant_client.raise_request_exception = False

    with caplog.at_level(logging.INFO):
        response = applicant_client.get("/messages/")

    assert response.status_code == 500
    assert "Retry-After" not in response
    assert [r.name for r in caplog.records if r.levelno >= logging.ERROR] == ["django.request"]
