"""Settings for the ISET secure-messaging monolith.

Every value that differs between machines comes from the environment (or a
`.env` file beside manage.py); `.env.example` documents each one. A malformed
value stops start-up with a message naming the variable.
"""

import re
from datetime import date
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from iset_messaging.environment import (
    env,
    read_bool,
    read_choice,
    read_database,
    read_email,
    read_email_address,
    read_hours,
    read_int,
    read_link,
    read_list,
)

BASE_DIR = Path(__file__).resolve().parent.parent

if (BASE_DIR / ".env").is_file():
    env.read_env(str(BASE_DIR / ".env"))

DEBUG = read_bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = read_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = read_list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Django's widget templates, for the project's form renderer (FORM_RENDERER).
    "django.forms",
    "casework",
    "intake",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "casework.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "iset_messaging.urls"
WSGI_APPLICATION = "iset_messaging.wsgi.application"

# Templates are read from templates/ and each app's templates/ folder. The
# cached loader (TEMPLATE_CACHE, on by default) compiles each template once per
# process instead of on every render; turn it off only to edit templates on a
# server that is not restarted in between (runserver reloads them anyway).
template_loaders = ["django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "loaders": [("django.template.loaders.cached.Loader", template_loaders)]
            if read_bool("TEMPLATE_CACHE", default=True)
            else template_loaders,
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "casework.context_processors.audience",
                "intake.context_processors.portal",
                "iset_messaging.context_processors.site",
            ],
        },
    },
]

# {{ field.as_field_group }} renders templates/includes/field.html (label, help text, errors).
FORM_RENDERER = "intake.forms.renderer.ProjectFormRenderer"

# Embedded default: SQLite in the git-ignored var/ folder, for a first run.
VAR_DIR = BASE_DIR / "var"
DATABASES = {"default": read_database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'iset.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Create var/ for a first run; if that is impossible, the database
    # connection reports it (and /healthz answers 503).
    try:
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "charset": "utf8mb4",
            "connect_timeout": read_int("DATABASE_CONNECT_TIMEOUT", default=5, minimum=1),
            "init_command": "SET sql_mode='STRICT_TRANS_TABLES'",
            "isolation_level": "read committed",
        }
    )
    DATABASES["default"]["TEST"] = {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"}
# Seconds a database connection is kept for the next requests of the same
# worker (0: a new connection for every request, which costs a connect, the
# sign-in and the session set-up each time). A kept connection is checked
# before a request reuses it (DATABASE_CONN_HEALTH_CHECKS): one the database
# closed (restart, wait_timeout) is replaced instead of failing the request.
DATABASES["default"]["CONN_MAX_AGE"] = read_int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = read_bool("DATABASE_CONN_HEALTH_CHECKS", default=True)

# Keys of Django's own tables; the shared schema's keys are declared per model.
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# mysql.W003 warns that a unique VARCHAR over 255 characters may not be
# indexable; the schema targets InnoDB with large index prefixes (MySQL 8,
# MariaDB 10.11: 3072 bytes), where file_path VARCHAR(512) utf8mb4 fits.
SILENCED_SYSTEM_CHECKS = ["mysql.W003"]
AUTH_USER_MODEL = "casework.User"
AUTHENTICATION_BACKENDS = ["casework.auth.EmailBackend"]
LOGIN_URL = "login"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Django's cache, from one URL. Default: local memory, private to each worker
# process, so nothing that every worker must agree on is kept there. A shared
# cache (redis://HOST:6379/0, which needs the `redis` package) also keeps the
# sessions, below.
CACHE_URL = env.str("CACHE_URL", default="") or "locmemcache://"
try:
    CACHES = {"default": env.cache_url_config(CACHE_URL)}
except Exception as exc:  # django-environ raises several kinds for bad URLs
    raise ImproperlyConfigured(
        f"CACHE_URL={CACHE_URL!r} is not valid: expected a cache URL such as redis://127.0.0.1:6379/0 or locmemcache:// ({exc})."
    ) from None
SHARED_CACHE_BACKENDS = (
    "django.core.cache.backends.redis.RedisCache",
    "django_redis.cache.RedisCache",
    "django.core.cache.backends.memcached.PyMemcacheCache",
    "django.core.cache.backends.memcached.PyLibMCCache",
)

# Sessions live in the database, so app servers keep no local state. With a
# shared cache (CACHE_URL) a request reads its session from the cache instead
# (cached_db: written to both, deleted from both at sign-out, so a sign-out in
# one worker ends the session in every worker); never from a per-process cache.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if CACHES["default"]["BACKEND"] in SHARED_CACHE_BACKENDS
    else "django.contrib.sessions.backends.db"
)
SESSION_COOKIE_AGE = read_int("SESSION_COOKIE_AGE", default=60 * 60 * 8, minimum=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LANGUAGE_CODE = read_choice("LANGUAGE_CODE", default="en", choices=("en", "fr"))
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Toronto")
USE_I18N = True
USE_TZ = True
# One way to write dates per language, whichever format a template names:
# "24 November 2026, 2:05 p.m." / "24 novembre 2026, 14 h 05" (iset_messaging/formats/).
FORMAT_MODULE_PATH = ["iset_messaging.formats"]

# CSS and other static files: collected into STATIC_ROOT by collectstatic and
# served by whitenoise (compressed, with hashed names when DEBUG is off).
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded files: stored by the default storage backend (a folder, MEDIA_ROOT,
# unless FILE_STORAGE_BACKEND names another) and never served from a public
# URL, only through authorising views.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {
        "BACKEND": env.str("FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# EMAIL_BACKEND and the SMTP settings, from one URL (smtp://, smtp+tls://,
# consolemail://). Without EMAIL_URL, e-mail is printed to the console.
vars().update(read_email("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ISET Secure Messaging <no-reply@iset.example>")
# The address e-mails link to (e-mails are sent outside any request).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

# HTTPS hardening: on by default whenever DEBUG is off.
SECURE_SSL_REDIRECT = read_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = read_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = read_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = read_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = read_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = read_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if read_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "iset_messaging.views.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": read_choice("LOG_LEVEL", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR")),
    },
}

# Secure-messaging limits (attachments are checked by content, see intake/uploads.py).
ATTACHMENT_MAX_FILES = 5
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENT_MAX_TOTAL_BYTES = 25 * 1024 * 1024
# Largest request body Django reads into memory, not counting uploaded files
# (a 20,000-character message fits many times over); larger: 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# An uploaded file larger than this goes to a temporary file, not to memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Django itself refuses a request with more files than this (400). Up to it,
# the messaging service sees the files and names its own, lower limit
# (ATTACHMENT_MAX_FILES), so the person learns what to change.
DATA_UPLOAD_MAX_NUMBER_FILES = 20


def _holiday(value):
    """One date of RESPONSE_TARGET_HOLIDAYS: strictly YYYY-MM-DD, and a real day."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ImproperlyConfigured(
        f"RESPONSE_TARGET_HOLIDAYS={env.str('RESPONSE_TARGET_HOLIDAYS')!r} is not valid: expected dates as "
        f"YYYY-MM-DD separated by commas, and {value!r} is not one."
    )


# The work queue. Applicants are told the response target ("We usually answer
# within 2 business days") and the queue marks conversations waiting longer
# (intake/business_days.py: weekends and these holidays are not business days;
# days are counted in TIME_ZONE).
RESPONSE_TARGET_BUSINESS_DAYS = read_int("RESPONSE_TARGET_BUSINESS_DAYS", default=2, minimum=0)
RESPONSE_TARGET_HOLIDAYS = sorted({_holiday(value) for value in read_list("RESPONSE_TARGET_HOLIDAYS", default=[])})
# Whether a caseworker may claim an unassigned case for themselves (supervisors
# and admins assign cases either way).
STAFF_CAN_CLAIM_CASES = read_bool("STAFF_CAN_CLAIM_CASES", default=True)

# The program office, as the pages anyone can open without signing in give it
# (Contact us, Privacy, Help: templates/pages/, see docs/pages.md) and as the
# e-mails sign. The defaults are examples: set every one of them for a real office.
# The office's name as people know it, in both languages (empty: "ISET program office", translated).
OFFICE_NAME = env.str("OFFICE_NAME", default="").strip()
OFFICE_CONTACT_EMAIL = read_email_address("OFFICE_CONTACT_EMAIL", default="iset-office@iset.example")
OFFICE_PHONE = env.str("OFFICE_PHONE", default="").strip() or "1-800-555-0199"
# A teletypewriter (TTY) number for people who are deaf or hard of hearing; empty: none is shown.
OFFICE_TTY = env.str("OFFICE_TTY", default="").strip()
# Opening hours, Monday to Friday except RESPONSE_TARGET_HOLIDAYS, in TIME_ZONE: HH:MM-HH:MM.
OFFICE_HOURS = read_hours("OFFICE_HOURS", default="08:30-16:30")
# The postal address under the office's name, its lines separated by semicolons
# (empty: no address is shown).
OFFICE_ADDRESS = [
    line.strip()
    for line in env.str("OFFICE_ADDRESS", default="123 Example Street;Ottawa ON  X0X 0X0").split(";")
    if line.strip()
]
# Where an applicant without an application learns how to apply: an https://
# address (the program's application form), or by default this site's own
# "How to apply" page.
APPLY_URL = read_link("APPLY_URL", default="")
# How many years after it was sent a message (with its files) is deleted, as
# the Privacy page tells people; the operators' scheduled purge (`purge
# --before`, docs/purge.md) keeps that promise. 0: the page names no period
# and says the program's records schedule decides.
MESSAGE_RETENTION_YEARS = read_int("MESSAGE_RETENTION_YEARS", default=0)
