"""/healthz names the malware scanner's state; its status stays the database's
(docs/storage-and-scanning.md): a scanner that is down stops files, not
messages, so the instance stays in service and monitoring alerts on the body."""

import pytest

from testing.processes import free_port

pytestmark = pytest.mark.django_db


def test_without_a_scanner_healthz_says_none(client, settings):
    settings.MALWARE_SCANNER = "none"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "malware_scanner": "none"}


def test_healthz_reports_a_scanner_that_answers(client, malware_scanner):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "malware_scanner": "ok"}


def test_healthz_reports_a_stopped_scanner_without_failing_the_database_check(client, settings):
    settings.MALWARE_SCANNER = f"clamd://127.0.0.1:{free_port()}"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "malware_scanner": "unavailable"}
