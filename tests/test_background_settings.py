"""Background work's settings (issue 14): the task backend from one variable,
EMAIL_TIMEOUT, retry and reminder delays, and `check --deploy` refusing a
production configuration whose e-mail would never be delivered."""


import pytest

from tests.test_settings import PRODUCTION, manage, printed_settings

SETTINGS = """
import json
from django.conf import settings
from django_tasks import task_backends
print(json.dumps({
    "backend": type(task_backends["default"]).__module__ + "." + type(task_backends["default"]).__name__,
    "rq_queues": getattr(settings, "RQ_QUEUES", None),
    "apps": [app for app in settings.INSTALLED_APPS if "tasks" in app or app == "django_rq"],
    "email_timeout": settings.EMAIL_TIMEOUT,
    "notice": [settings.NOTICE_MAX_ATTEMPTS, settings.NOTICE_RETRY_SECONDS],
    "reminders": [settings.REMINDER_AFTER_DAYS, settings.REMINDER_AFTER_DAYS_URGENT],
}))
"""
# Empty means "the default", and keeps a developer's .env out of these tests.
DEFAULTS = {
    "TASKS_BACKEND": "",
    "TASKS_REDIS_URL": "",
    "TASKS_REDIS_SOCKET_TIMEOUT": "",
    "EMAIL_TIMEOUT": "",
    "NOTICE_MAX_ATTEMPTS": "",
    "NOTICE_RETRY_SECONDS": "",
    "REMINDER_AFTER_DAYS": "",
    "REMINDER_AFTER_DAYS_URGENT": "",
}


def background_settings(**overrides):
    return printed_settings(SETTINGS, {**DEFAULTS, **overrides})


def test_defaults_the_database_task_queue_and_bounded_smtp():
    found = background_settings()

    assert found == {
        "backend": "django_tasks_db.backend.DatabaseBackend",
        "rq_queues": None,
        "apps": ["django_tasks", "django_tasks_db"],
        "email_timeout": 10,
        "notice": [8, 60],
        "reminders": [7, 3],
    }


def test_one_variable_chooses_the_redis_task_queue():
    found = background_settings(TASKS_BACKEND="redis", TASKS_REDIS_URL="redis://queue.internal:6380/2")

    assert found["backend"] == "django_tasks_rq.backend.RQBackend"
    # The queue's Redis gets TASKS_REDIS_SOCKET_TIMEOUT (tests/test_timeout_settings.py).
    assert found["rq_queues"] == {
        "default": {
            "URL": "redis://queue.internal:6380/2?socket_timeout=5&socket_connect_timeout=5",
            "DEFAULT_TIMEOUT": 600,
        }
    }
    assert found["apps"] == ["django_tasks", "django_tasks_db", "django_rq", "django_tasks_rq"]


def test_values_from_the_environment():
    found = background_settings(
        EMAIL_TIMEOUT="3",
        NOTICE_MAX_ATTEMPTS="4",
        NOTICE_RETRY_SECONDS="30",
        REMINDER_AFTER_DAYS="10",
        REMINDER_AFTER_DAYS_URGENT="2",
    )

    assert (found["email_timeout"], found["notice"], found["reminders"]) == (3, [4, 30], [10, 2])


@pytest.mark.parametrize(
    "variable, value",
    [
        ("TASKS_BACKEND", "celery"),
        ("EMAIL_TIMEOUT", "0"),
        ("EMAIL_TIMEOUT", "forever"),
        ("NOTICE_MAX_ATTEMPTS", "0"),
        ("REMINDER_AFTER_DAYS", "a week"),
        ("REMINDER_AFTER_DAYS_URGENT", "0"),
    ],
)
def test_a_bad_value_is_named(variable, value):
    result = manage("check", env={**PRODUCTION, variable: value})

    assert result.returncode == 1
    assert f"{variable}={value!r} is not valid" in result.stderr


def test_check_deploy_passes_with_a_mail_server():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("email_url", [None, "consolemail://", "dummymail://", "memorymail://"])
def test_check_deploy_fails_when_email_would_not_be_delivered(email_url):
    env = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_URL"}
    if email_url is not None:
        env["EMAIL_URL"] = email_url

    result = manage("check", "--deploy", env=env)

    assert result.returncode == 1
    assert "intake.E001" in result.stderr
    assert "EMAIL_URL is unset or names a backend that delivers nothing" in result.stderr


def test_with_debug_on_the_console_backend_is_fine():
    env = {key: value for key, value in PRODUCTION.items() if key != "EMAIL_URL"}

    result = manage("check", "--deploy", env={**env, "DEBUG": "true"})

    assert "intake.E001" not in result.stderr
