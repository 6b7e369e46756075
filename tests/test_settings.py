import json
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


def printed_settings(script, env):
    """What `script` (run by `manage.py shell` under the production values
    plus `env`) prints as JSON on its last line."""
    result = manage("shell", "--no-startup", "-c", script, env={**PRODUCTION, **env})
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


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
        ("DATABASE_CONN_MAX_AGE", "-1"),
        ("DATABASE_CONN_HEALTH_CHECKS", "sometimes"),
        ("TEMPLATE_CACHE", "maybe"),
        ("CACHE_URL", "carrier-pigeon://loft"),
        ("RESPONSE_TARGET_BUSINESS_DAYS", "-1"),
        ("RESPONSE_TARGET_BUSINESS_DAYS", "two"),
        ("RESPONSE_TARGET_HOLIDAYS", "2025-12-25,Christmas"),
        ("STAFF_CAN_CLAIM_CASES", "maybe"),
        ("OFFICE_CONTACT_EMAIL", "office at nation dot example"),
        ("OFFICE_HOURS", "9 to 5"),
        ("OFFICE_HOURS", "16:30-08:30"),
        ("OFFICE_HOURS", "08:30-25:00"),
        ("APPLY_URL", "javascript:alert(1)"),
        ("APPLY_URL", "//elsewhere.example/apply"),
        ("MESSAGE_RETENTION_YEARS", "-1"),
        ("SIGN_IN_FAILURE_LIMIT", "0"),
        ("SIGN_IN_ADDRESS_FAILURE_LIMIT", "many"),
        ("SIGN_IN_COOL_OFF_MINUTES", "0"),
        ("TRUSTED_PROXY_COUNT", "-1"),
        ("SESSION_IDLE_TIMEOUT_MINUTES", "1"),
        ("PASSWORD_RESET_TIMEOUT_MINUTES", "soon"),
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


SPEED_SETTINGS = """
import json
from django.conf import settings
from casework.forms import EmailAuthenticationForm
database = settings.DATABASES["default"]
engine = settings.TEMPLATES[0]
print(json.dumps({
    "conn_max_age": database["CONN_MAX_AGE"],
    "conn_health_checks": database["CONN_HEALTH_CHECKS"],
    "app_dirs": engine.get("APP_DIRS", False),
    "loaders": engine["OPTIONS"]["loaders"],
    "form_renderer": settings.FORM_RENDERER,
    "cache": settings.CACHES["default"]["BACKEND"],
    "session_engine": settings.SESSION_ENGINE,
    "field": str(EmailAuthenticationForm()["username"].as_field_group()),
}))
"""


# Empty means "the default", and keeps a developer's .env out of these tests.
SPEED_DEFAULTS = {"DATABASE_CONN_MAX_AGE": "", "DATABASE_CONN_HEALTH_CHECKS": "", "TEMPLATE_CACHE": "", "CACHE_URL": ""}


def speed_settings(**overrides):
    return printed_settings(SPEED_SETTINGS, {**SPEED_DEFAULTS, **overrides})


def test_defaults_serve_speed():
    found = speed_settings()

    assert found["conn_max_age"] == 60
    assert found["conn_health_checks"] is True
    assert found["loaders"] == [
        [
            "django.template.loaders.cached.Loader",
            ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"],
        ]
    ]
    assert found["app_dirs"] is False
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["session_engine"] == "django.contrib.sessions.backends.db"
    # The form renderer finds the project's field template and Django's widgets through the cached loader.
    assert found["form_renderer"] == "intake.forms.renderer.ProjectFormRenderer"
    assert 'type="email"' in found["field"] and 'name="username"' in found["field"]


def test_speed_defaults_can_be_turned_off_from_the_environment():
    found = speed_settings(DATABASE_CONN_MAX_AGE="0", DATABASE_CONN_HEALTH_CHECKS="false", TEMPLATE_CACHE="false")

    assert found["conn_max_age"] == 0
    assert found["conn_health_checks"] is False
    assert found["loaders"] == [
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    assert 'type="email"' in found["field"] and 'name="username"' in found["field"]


def test_sessions_are_cached_only_in_a_shared_cache():
    assert speed_settings(CACHE_URL="locmemcache://")["session_engine"] == "django.contrib.sessions.backends.db"

    shared = speed_settings(CACHE_URL="redis://127.0.0.1:6379/0")

    assert shared["cache"].endswith("RedisCache")
    assert shared["session_engine"] == "django.contrib.sessions.backends.cached_db"


WORK_QUEUE_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "target": settings.RESPONSE_TARGET_BUSINESS_DAYS,
    "holidays": [day.isoformat() for day in settings.RESPONSE_TARGET_HOLIDAYS],
    "claim": settings.STAFF_CAN_CLAIM_CASES,
}))
"""
# Empty means "the default", and keeps a developer's .env out of these tests.
WORK_QUEUE_DEFAULTS = {"RESPONSE_TARGET_BUSINESS_DAYS": "", "RESPONSE_TARGET_HOLIDAYS": "", "STAFF_CAN_CLAIM_CASES": ""}


def work_queue_settings(**overrides):
    return printed_settings(WORK_QUEUE_SETTINGS, {**WORK_QUEUE_DEFAULTS, **overrides})


def test_work_queue_defaults():
    assert work_queue_settings() == {"target": 2, "holidays": [], "claim": True}


def test_work_queue_settings_from_the_environment():
    found = work_queue_settings(
        RESPONSE_TARGET_BUSINESS_DAYS="0",
        RESPONSE_TARGET_HOLIDAYS=" 2026-01-01, 2025-12-25 ,2025-12-26,2025-12-25",
        STAFF_CAN_CLAIM_CASES="false",
    )

    assert found == {"target": 0, "holidays": ["2025-12-25", "2025-12-26", "2026-01-01"], "claim": False}


@pytest.mark.parametrize("bad", ["2025-13-01", "25/12/2025", "20251225", "2025-W52-4", "2025-02-29"])
def test_a_bad_holiday_is_named(bad):
    value = f"2025-12-25,{bad}"

    result = manage("check", env={**PRODUCTION, "RESPONSE_TARGET_HOLIDAYS": value})

    assert result.returncode == 1
    assert f"RESPONSE_TARGET_HOLIDAYS={value!r} is not valid" in result.stderr
    assert f"{bad!r} is not one" in result.stderr


OFFICE_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "name": settings.OFFICE_NAME,
    "email": settings.OFFICE_CONTACT_EMAIL,
    "phone": settings.OFFICE_PHONE,
    "tty": settings.OFFICE_TTY,
    "hours": [moment.isoformat() for moment in settings.OFFICE_HOURS],
    "address": settings.OFFICE_ADDRESS,
    "apply": settings.APPLY_URL,
    "retention": settings.MESSAGE_RETENTION_YEARS,
}))
"""
# Empty means "the default", and keeps a developer's .env out of these tests.
OFFICE_DEFAULTS = {
    name: ""
    for name in (
        "OFFICE_NAME",
        "OFFICE_CONTACT_EMAIL",
        "OFFICE_PHONE",
        "OFFICE_TTY",
        "OFFICE_HOURS",
        "APPLY_URL",
        "MESSAGE_RETENTION_YEARS",
    )
}


SIGN_IN_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "failure_limit": settings.AXES_FAILURE_LIMIT,
    "address_limit": settings.SIGN_IN_ADDRESS_FAILURE_LIMIT,
    "cool_off_seconds": settings.AXES_COOLOFF_TIME.total_seconds(),
    "proxies": settings.TRUSTED_PROXY_COUNT,
    "idle": settings.SESSION_IDLE_TIMEOUT,
    "warning": settings.SESSION_IDLE_WARNING,
    "reset": settings.PASSWORD_RESET_TIMEOUT,
    "backends": settings.AUTHENTICATION_BACKENDS,
    "middleware": settings.MIDDLEWARE,
}))
"""
SIGN_IN_DEFAULTS = {
    name: ""
    for name in (
        "SIGN_IN_FAILURE_LIMIT",
        "SIGN_IN_ADDRESS_FAILURE_LIMIT",
        "SIGN_IN_COOL_OFF_MINUTES",
        "TRUSTED_PROXY_COUNT",
        "SESSION_IDLE_TIMEOUT_MINUTES",
        "PASSWORD_RESET_TIMEOUT_MINUTES",
    )
}


def office_settings(**overrides):
    return printed_settings(OFFICE_SETTINGS, {**OFFICE_DEFAULTS, **overrides})


def sign_in_settings(**overrides):
    return printed_settings(SIGN_IN_SETTINGS, {**SIGN_IN_DEFAULTS, **overrides})


def test_office_defaults_are_examples():
    assert office_settings() == {
        "name": "",
        "email": "iset-office@iset.example",
        "phone": "1-800-555-0199",
        "tty": "",
        "hours": ["08:30:00", "16:30:00"],
        "address": ["123 Example Street", "Ottawa ON  X0X 0X0"],
        "apply": "",
        "retention": 0,
    }


def test_office_settings_from_the_environment():
    found = office_settings(
        OFFICE_NAME="Nation Employment and Training Services",
        OFFICE_CONTACT_EMAIL=" training@nation.example ",
        OFFICE_PHONE="1-855-555-0123",
        OFFICE_TTY="1-855-555-0124",
        OFFICE_HOURS="9:00 - 17:00",
        OFFICE_ADDRESS="PO Box 40; Thunder Bay ON  P7B 0A1;",
        APPLY_URL="https://apply.nation.example/iset",
        MESSAGE_RETENTION_YEARS="7",
    )

    assert found == {
        "name": "Nation Employment and Training Services",
        "email": "training@nation.example",
        "phone": "1-855-555-0123",
        "tty": "1-855-555-0124",
        "hours": ["09:00:00", "17:00:00"],
        "address": ["PO Box 40", "Thunder Bay ON  P7B 0A1"],
        "apply": "https://apply.nation.example/iset",
        "retention": 7,
    }
    assert office_settings(APPLY_URL="/apply/")["apply"] == "/apply/"


def test_production_settings_pause_failed_sign_ins_and_require_the_code_step():
    found = sign_in_settings()

    assert {key: found[key] for key in ("failure_limit", "address_limit", "cool_off_seconds", "proxies", "idle", "warning", "reset")} == {
        "failure_limit": 5,
        "address_limit": 30,
        "cool_off_seconds": 15 * 60,
        "proxies": 0,
        "idle": 30 * 60,
        "warning": 5 * 60,
        "reset": 60 * 60,
    }
    # The lockout backend comes first, so a paused sign-in checks no password.
    assert found["backends"] == ["casework.sign_in_protection.SignInLockoutBackend", "casework.auth.EmailBackend"]
    # Nothing turns two-step verification off: its middleware is always there, after Django's sign-in.
    middleware = found["middleware"]
    assert middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") < middleware.index(
        "casework.middleware.TwoStepRequiredMiddleware"
    )
    assert "casework.middleware.SessionIdleTimeoutMiddleware" in middleware
    assert "casework.middleware.SignedInNoStoreMiddleware" in middleware
    assert middleware[-1] == "axes.middleware.AxesMiddleware"


def test_sign_in_settings_from_the_environment():
    found = sign_in_settings(
        SIGN_IN_FAILURE_LIMIT="3",
        SIGN_IN_ADDRESS_FAILURE_LIMIT="50",
        SIGN_IN_COOL_OFF_MINUTES="60",
        TRUSTED_PROXY_COUNT="1",
        SESSION_IDLE_TIMEOUT_MINUTES="4",
        PASSWORD_RESET_TIMEOUT_MINUTES="20",
    )

    assert {key: found[key] for key in ("failure_limit", "address_limit", "cool_off_seconds", "proxies", "idle", "warning", "reset")} == {
        "failure_limit": 3,
        "address_limit": 50,
        "cool_off_seconds": 3600,
        "proxies": 1,
        "idle": 240,
        "warning": 120,
        "reset": 1200,
    }
