"""Error answers that must work when the database does not: a signed-in
visitor (whose session and user live in that database) gets the product's 503
page, an API client a JSON 503; neither gets the server's bare 500."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Build a SQLite database with a user, sign in, then take the database away
# (its folder becomes a file, so SQLite cannot open it) and ask again with the
# same session cookie.
SCRIPT = """
import json, os, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connections
from django.test import Client
from casework.services import applicant_create

call_command("migrate", verbosity=0)
user = applicant_create(email="a@example.org", password="x" * 12, first_name="A", last_name="B")
client = Client(raise_request_exception=False)
client.force_login(user)
before = client.get("/messages/").status_code
connections.close_all()
folder = os.path.dirname(os.environ["DB_FILE"])
os.rename(folder, folder + "-moved")
open(folder, "w").close()
answers = []
for path in ("/messages/", "/dashboard/cases/", "/api/messages/1"):
    response = client.get(path)
    answers.append([path, response.status_code, response.get("Retry-After"), response["Content-Type"],
                    response.content.decode()])
print(json.dumps([before, answers]))
"""


def test_signed_in_visitor_gets_the_503_page_when_the_database_is_down(tmp_path):
    db_file = tmp_path / "db" / "iset.sqlite3"
    db_file.parent.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_file}",
        "DB_FILE": str(db_file),
        "DJANGO_SETTINGS_MODULE": "iset_messaging.settings_test",
    }

    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    before, answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == 200
    pages, api = answers[:2], answers[2]
    for path, status, retry_after, content_type, body in pages:
        assert (path, status, retry_after) == (path, 503, "60")
        assert content_type.startswith("text/html")
        assert "Service temporarily unavailable" in body
        assert "Server Error" not in body
    path, status, retry_after, content_type, body = api
    assert (status, retry_after, content_type) == (503, "60", "application/json")
    assert json.loads(body)["error"] == "unavailable"
