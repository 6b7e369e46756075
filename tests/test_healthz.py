import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db


def test_healthz_ok_when_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "malware_scanner": "none"}
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def healthz_with_database(url):
    """Ask /healthz in a separate process whose DATABASE_URL is `url`."""
    return run_with_database(
        url,
        "r = Client().get('/healthz');"
        "print(json.dumps([r.status_code, json.loads(r.content)]))",
    )


def run_with_database(url, code):
    script = "import django, json; django.setup(); from django.test import Client;" + code
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.mysql
def test_healthz_503_when_mysql_port_is_closed():
    status, body = healthz_with_database("mysql://root@127.0.0.1:9/iset_intake")

    assert status == 503
    assert body == {"database": "unavailable", "malware_scanner": "none"}


def test_healthz_503_when_sqlite_file_cannot_be_opened(tmp_path):
    unreadable = tmp_path / "not-a-dir"
    unreadable.write_text("a file where a folder should be")

    status, body = healthz_with_database(f"sqlite:///{unreadable}/db.sqlite3")

    assert status == 503
    assert body == {"database": "unavailable", "malware_scanner": "none"}


@pytest.mark.mysql
def test_pages_answer_503_with_a_plain_message_when_the_database_is_down():
    status, retry_after, page = run_with_database(
        "mysql://root@127.0.0.1:9/iset_intake",
        "r = Client(raise_request_exception=False).post('/login/', {'username': 'a@example.org', 'password': 'x'});"
        "print(json.dumps([r.status_code, r.get('Retry-After'), r.content.decode()]))",
    )

    assert status == 503
    assert retry_after == "60"
    assert "Service temporarily unavailable" in page
    assert "Traceback" not in page and "OperationalError" not in page
