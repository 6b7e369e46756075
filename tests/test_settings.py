import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k7#Qz!p2Lw9@xV4mN8rT1bY6cH3jF0sD5gA-uE_iO+lK=wZ&yX",
    "ALLOWED_HOSTS": "iset.example.org",
    "DATABASE_URL": "sqlite:////tmp/iset-deploy-check.sqlite3",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
}


def manage(*args, env):
    # Only the process basics: none of the test run's own settings leak in.
    clean = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_values():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_with_debug_on():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "DEBUG": "true"})

    assert result.returncode == 1
    assert "DEBUG" in result.stderr


@pytest.mark.parametrize(
    "variable, value",
    [
        ("DEBUG", "maybe"),
        ("DATABASE_URL", "oracle://nowhere/db"),
        ("SECURE_HSTS_SECONDS", "a year"),
        ("LANGUAGE_CODE", "de"),
        ("EMAIL_URL", "carrier-pigeon://loft"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = manage("check", env={**PRODUCTION, variable: value})

    assert result.returncode == 1
    assert f"{variable}=" in result.stderr
    assert "is not valid" in result.stderr


def test_missing_secret_key_stops_start_up_when_debug_is_off():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}

    result = manage("check", env=env)

    assert result.returncode == 1
    assert "SECRET_KEY must be set" in result.stderr
