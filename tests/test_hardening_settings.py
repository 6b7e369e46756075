"""The settings of issue 15's headers and limits come from the environment,
strictly: a malformed value stops start-up naming the variable, and the
defaults are the documented ones (docs/deployment.md)."""

import pytest
from django.conf import settings

from tests.test_settings import PRODUCTION, manage


@pytest.mark.parametrize(
    "variable, value",
    [
        ("REQUEST_BODY_MAX_BYTES", "lots"),
        ("REQUEST_BODY_MAX_BYTES", "1000"),  # under DATA_UPLOAD_MAX_MEMORY_SIZE: no form would fit
        ("RATE_LIMIT_SEND_COUNT", "0"),
        ("RATE_LIMIT_SEND_SECONDS", "ten minutes"),
        ("RATE_LIMIT_SEARCH_COUNT", "-5"),
        ("RATE_LIMIT_SEARCH_SECONDS", "0"),
    ],
)
def test_bad_value_stops_start_up_naming_the_variable(variable, value):
    result = manage("check", env={**PRODUCTION, variable: value})

    assert result.returncode == 1
    assert f"{variable}=" in result.stderr
    assert "is not valid" in result.stderr


def test_values_from_the_environment_are_used():
    result = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.RATE_LIMITS, settings.REQUEST_BODY_MAX_BYTES)",
        env={
            **PRODUCTION,
            "RATE_LIMIT_SEND_COUNT": "5",
            "RATE_LIMIT_SEND_SECONDS": "60",
            "REQUEST_BODY_MAX_BYTES": "30000000",
        },
    )

    assert result.returncode == 0, result.stderr
    assert "'send': (5, 60)" in result.stdout
    assert "30000000" in result.stdout


def test_defaults():
    assert settings.RATE_LIMITS == {"send": (20, 600), "search": (60, 60)}
    assert settings.REQUEST_BODY_MAX_BYTES == 5 * 10 * 1024 * 1024 + 1024 * 1024
    assert settings.FILE_UPLOAD_HANDLERS[0] == "iset_messaging.middleware.BodyLimitUploadHandler"


def test_the_size_limit_runs_before_anything_that_reads_a_body():
    order = settings.MIDDLEWARE
    limit = order.index("iset_messaging.middleware.RequestSizeLimitMiddleware")

    for reader in (
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ):
        assert limit < order.index(reader), reader
    assert order.index("csp.middleware.CSPMiddleware") < limit
