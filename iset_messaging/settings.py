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
    url_with_timeouts,
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
    # A view's lost database connection becomes the product's 503 (iset_messaging.outage).
    "iset_messaging.outage.DatabaseOutageMiddleware",
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

# --- Stored files and malware scanning (docs/storage-and-scanning.md) ---
# Uploaded files (attachments, case-file documents) are never served from a
# public URL, only streamed through authorising views. FILE_STORAGE chooses
# where they live: `local` (the default), a folder, MEDIA_ROOT; or `s3`,
# S3-compatible object storage through django-storages, configured by the
# S3_* variables below.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
FILE_STORAGE = read_choice("FILE_STORAGE", default="local", choices=("local", "s3"))
if FILE_STORAGE == "s3":
    S3_BUCKET = env.str("S3_BUCKET", default="").strip()
    if not S3_BUCKET:
        raise ImproperlyConfigured("S3_BUCKET must be set when FILE_STORAGE=s3.")
    s3_keys = (env.str("S3_ACCESS_KEY_ID", default=""), env.str("S3_SECRET_ACCESS_KEY", default=""))
    if bool(s3_keys[0]) != bool(s3_keys[1]):
        raise ImproperlyConfigured("S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together (or both left unset).")
    s3_addressing = read_choice("S3_ADDRESSING_STYLE", default="auto", choices=("auto", "path", "virtual"))
    from common.storage import s3_storage_settings

    file_storage = s3_storage_settings(
        bucket=S3_BUCKET,
        # Unset: AWS itself; set for MinIO, Ceph, Garage or another S3-compatible service.
        endpoint_url=env.str("S3_ENDPOINT_URL", default=""),
        region=env.str("S3_REGION", default=""),
        access_key=s3_keys[0],
        secret_key=s3_keys[1],
        addressing_style=None if s3_addressing == "auto" else s3_addressing,
    )
else:
    file_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(MEDIA_ROOT)}}

# Every uploaded file is scanned by ClamAV's daemon before it is stored
# (intake/scanning.py). MALWARE_SCANNER: clamd://HOST:PORT,
# clamd:///path/to/clamd.sock, or none (the embedded default: no scanning,
# and /healthz says "none"). MALWARE_SCANNER_TIMEOUT: seconds clamd may take
# for one file before the upload is refused as "try again later".
MALWARE_SCANNER = env.str("MALWARE_SCANNER", default="none").strip() or "none"
malware_scanner_forms = r"none|clamd://[^/:?#@\s\[\]]+(:\d{1,5})?/?|clamd:///[^?#\s]+"
if not re.fullmatch(malware_scanner_forms, MALWARE_SCANNER, flags=re.IGNORECASE):
    raise ImproperlyConfigured(
        f"MALWARE_SCANNER={MALWARE_SCANNER!r} is not valid: expected clamd://HOST:PORT, clamd:///path/to/clamd.sock or none."
    )
MALWARE_SCANNER_TIMEOUT = read_int("MALWARE_SCANNER_TIMEOUT", default=30, minimum=1)
# --- end of stored files and malware scanning ---

STORAGES = {
    "default": file_storage,
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

# --- Background work: the task queue, notification e-mail, the file outbox, unread reminders (issue 14) ---
# docs/background-work.md describes each of these; .env.example lists the variables.
# Work after a request goes through the Django Tasks API (the django-tasks
# backport; django.tasks from Django 6.0) and is run by `manage.py worker`.
# TASKS_BACKEND=database (the default): tasks are rows of this database,
# written in the transaction that needs them, so a rolled-back change queues
# nothing. TASKS_BACKEND=redis: RQ queues in Redis at TASKS_REDIS_URL, for
# more workers than polling one database serves (enqueued once the
# transaction commits; see the docs for what covers a crash in between).
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS_BACKEND = env.str("TASKS_BACKEND", default="").strip() or "database"
if TASKS_BACKEND not in ("database", "redis"):
    raise ImproperlyConfigured(f"TASKS_BACKEND={TASKS_BACKEND!r} is not valid: expected database or redis.")
TASKS_REDIS_URL = env.str("TASKS_REDIS_URL", default="").strip() or "redis://127.0.0.1:6379/0"
# Seconds to connect to that Redis and for each read or write: a send's
# commit queues its notice there, so a Redis that never answers must not hold
# the request. Added to the URL (django-rq passes nothing else to redis-py)
# unless the URL sets its own.
TASKS_REDIS_SOCKET_TIMEOUT = read_int("TASKS_REDIS_SOCKET_TIMEOUT", default=5, minimum=1)
if TASKS_BACKEND == "redis":
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {"URL": url_with_timeouts(TASKS_REDIS_URL, TASKS_REDIS_SOCKET_TIMEOUT), "DEFAULT_TIMEOUT": 600}
    }
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Seconds an SMTP connection may take to answer; the worker, never a request, waits for it.
EMAIL_TIMEOUT = read_int("EMAIL_TIMEOUT", default=10, minimum=1)
# A notice (or a password reset e-mail) that could not be sent is tried again
# after NOTICE_RETRY_SECONDS, then twice as long each time (at most an hour
# between tries), until NOTICE_MAX_ATTEMPTS tries have failed; then it is
# marked "gave up". A reset e-mail also stops once a try would come later than
# PASSWORD_RESET_TIMEOUT after the asking.
NOTICE_MAX_ATTEMPTS = read_int("NOTICE_MAX_ATTEMPTS", default=8, minimum=1)
NOTICE_RETRY_SECONDS = read_int("NOTICE_RETRY_SECONDS", default=60, minimum=1)
# An applicant gets one reminder of a message still unread after this many days (urgent messages: sooner).
REMINDER_AFTER_DAYS = read_int("REMINDER_AFTER_DAYS", default=7, minimum=1)
REMINDER_AFTER_DAYS_URGENT = read_int("REMINDER_AFTER_DAYS_URGENT", default=3, minimum=1)
# --- end of background work ---

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

# --- Sign-in protection, two-step verification and sessions (issue 15) -------
# docs/security.md describes each of these; .env.example lists the variables.
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += [
    # Failed sign-ins: counted per account and per address, lockouts, sign-in records.
    "axes",
    # Two-step verification: time-based codes (an authenticator app) and recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]
# After Django's sign-in: end idle sessions, hold staff at the code step until
# they give one, and keep signed-in pages out of every cache.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "casework.middleware.SessionIdleTimeoutMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("casework.middleware.SessionIdleTimeoutMiddleware") + 1,
    "casework.middleware.TwoStepRequiredMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("casework.middleware.TwoStepRequiredMiddleware") + 1,
    "casework.middleware.SignedInNoStoreMiddleware",
)
# A message form that arrives after its session ended: what was typed is kept
# for the sign-in (intake.kept_text). After CSRF's check and the idle sign-out.
MIDDLEWARE.insert(
    MIDDLEWARE.index("casework.middleware.SessionIdleTimeoutMiddleware") + 1,
    "intake.kept_text.KeepTypedTextMiddleware",
)
# Axes turns a lockout noticed during sign-in into the lockout page; last, as its documentation asks.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# Axes' backend refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = ["casework.sign_in_protection.SignInLockoutBackend", *AUTHENTICATION_BACKENDS]

# Failed sign-ins: SIGN_IN_FAILURE_LIMIT failures for one e-mail address (as
# typed, whether or not an account has it), or SIGN_IN_ADDRESS_FAILURE_LIMIT
# from one network address, pause signing in for SIGN_IN_COOL_OFF_MINUTES.
# Counted in the database, which every app server shares, on SQLite and MySQL
# alike.
SIGN_IN_FAILURE_LIMIT = read_int("SIGN_IN_FAILURE_LIMIT", default=5, minimum=1)
SIGN_IN_ADDRESS_FAILURE_LIMIT = read_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", default=30, minimum=1)
SIGN_IN_COOL_OFF_MINUTES = read_int("SIGN_IN_COOL_OFF_MINUTES", default=15, minimum=1)
# How many proxies in front of the app append to X-Forwarded-For (0: none; the
# client's address is REMOTE_ADDR). Sign-in records and limits use the address
# the nearest trusted proxy saw.
TRUSTED_PROXY_COUNT = read_int("TRUSTED_PROXY_COUNT", default=0)
AXES_HANDLER = "casework.sign_in_protection.SignInAttemptHandler"
AXES_FAILURE_LIMIT = SIGN_IN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=SIGN_IN_COOL_OFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A complete sign-in (after the code step, for staff) clears the account's
# failures, never those of the network address: casework.receivers and the code step.
AXES_RESET_ON_SUCCESS = False
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "casework.sign_in_protection.typed_email"
AXES_CLIENT_IP_CALLABLE = "casework.sign_in_protection.client_ip"
AXES_LOCKOUT_CALLABLE = "casework.sign_in_protection.lockout_response"
# Every failure gets its own record (AccessFailureLog), besides the counters.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Axes keeps the request's form fields with a counter: none of them in clear.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password", "csrfmiddlewaretoken", "code"]
AXES_ENABLE_ADMIN = False
# No start-up banner in every command's output; lockouts are still logged.
AXES_VERBOSE = False

# Two-step verification: required of every active staff member, optional for applicants.
# The name authenticator apps show beside the code (not translated: it names the service).
OTP_TOTP_ISSUER = "ISET Secure Messaging"

# A session ends after SESSION_IDLE_TIMEOUT_MINUTES without a request (and in
# any case SESSION_COOKIE_AGE after sign-in). Pages with a form warn
# SESSION_IDLE_WARNING seconds before and offer to stay signed in. The last
# activity is written to the session at most once a minute.
SESSION_IDLE_TIMEOUT = read_int("SESSION_IDLE_TIMEOUT_MINUTES", default=30, minimum=2) * 60
SESSION_IDLE_WARNING = min(5 * 60, SESSION_IDLE_TIMEOUT // 2)
SESSION_ACTIVITY_RESOLUTION = 60

# Password reset by e-mail: the link works once, for PASSWORD_RESET_TIMEOUT_MINUTES.
# Asking is limited per e-mail address and per network address, over an hour,
# in the cache (CACHE_URL: shared between app servers when it is Redis).
PASSWORD_RESET_TIMEOUT = read_int("PASSWORD_RESET_TIMEOUT_MINUTES", default=60, minimum=5) * 60
PASSWORD_RESET_LIMIT_PER_EMAIL = 3
PASSWORD_RESET_LIMIT_PER_ADDRESS = 20
PASSWORD_RESET_LIMIT_WINDOW = 60 * 60


# --- Headers, request limits, rate limits, audit keys (issue 15) -------------
# docs/security.md and docs/deployment.md describe each of these.
from csp.constants import NONE, SELF  # noqa: E402

INSTALLED_APPS += ["csp"]
# Right after SecurityMiddleware: the two header middlewares, so every response
# carries the headers (the 413 too), then the size limit, before anything
# (whitenoise, sessions, CSRF, views) may read the body.
_HARDENING_AT = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1
MIDDLEWARE[_HARDENING_AT:_HARDENING_AT] = [
    "csp.middleware.CSPMiddleware",
    "iset_messaging.middleware.PermissionsPolicyMiddleware",
    "iset_messaging.middleware.RequestSizeLimitMiddleware",
]
# Content-Security-Policy (django-csp): only this site's own files; no inline
# script or style (templates use classes from static/css/site.css), no
# framing, no plugins, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Permissions-Policy (iset_messaging.middleware): features no page of the
# product uses, off for the site and anything it might embed.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# The largest body a request may have: what the largest legitimate form
# needs (ATTACHMENT_MAX_FILES files of ATTACHMENT_MAX_BYTES, so that a person
# over the 25 MB total still gets the form back with their text and the
# reason) plus 1 MiB for the text fields. Larger: 413 before anything is read.
# The proxy in front must allow at least this much (docs/deployment.md).
REQUEST_BODY_MAX_BYTES = read_int(
    "REQUEST_BODY_MAX_BYTES",
    default=max(ATTACHMENT_MAX_FILES * ATTACHMENT_MAX_BYTES, ATTACHMENT_MAX_TOTAL_BYTES) + 1024 * 1024,
    minimum=DATA_UPLOAD_MAX_MEMORY_SIZE,
)
FILE_UPLOAD_HANDLERS = [
    "iset_messaging.middleware.BodyLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Rate limits per signed-in person, counted in the cache (CACHE_URL: Redis
# makes every app server count together; the default local memory counts
# per process). (how many, in how many seconds)
RATE_LIMITS = {
    # Messages sent: portal compose and replies, dashboard messages, the API.
    "send": (
        read_int("RATE_LIMIT_SEND_COUNT", default=20, minimum=1),
        read_int("RATE_LIMIT_SEND_SECONDS", default=10 * 60, minimum=1),
    ),
    # Staff searches: the work queue, the case list, the queue API.
    "search": (
        read_int("RATE_LIMIT_SEARCH_COUNT", default=60, minimum=1),
        read_int("RATE_LIMIT_SEARCH_SECONDS", default=60, minimum=1),
    ),
}
# Withdrawal keeps a keyed digest (HMAC-SHA256) of the withdrawn text, never a
# plain hash: docs/security.md. Empty: a key derived from SECRET_KEY. Records
# name the key's id; WITHDRAWAL_DIGEST_PREVIOUS_KEYS still verifies older ones.
WITHDRAWAL_DIGEST_KEY = env.str("WITHDRAWAL_DIGEST_KEY", default="")
WITHDRAWAL_DIGEST_PREVIOUS_KEYS = read_list("WITHDRAWAL_DIGEST_PREVIOUS_KEYS", default=[])


# --- Timeouts: every call outside the process has one (issue 17) -------------
# docs/deployment.md ("Timeouts") lists them and says what bounds a request;
# .env.example lists the variables. Each limits one wait (a connect, or one
# read or write of a socket), so a server that accepts and never answers
# fails the call after that long instead of holding a gunicorn worker until
# gunicorn kills it. Set elsewhere in this file: DATABASE_CONNECT_TIMEOUT
# (5 s), EMAIL_TIMEOUT (10 s: the worker's notices and password-reset
# e-mails; no request talks to SMTP), MALWARE_SCANNER_TIMEOUT (30 s; its
# socket's connect, each send and each read).
# The database: seconds to wait for each read (a query's answer) and each
# write. Long statements (a schema change on a large table) need more: set it
# higher for that command. On SQLite, the only wait is for another
# connection's lock: DATABASE_WRITE_TIMEOUT bounds it.
DATABASE_READ_TIMEOUT = read_int("DATABASE_READ_TIMEOUT", default=30, minimum=1)
DATABASE_WRITE_TIMEOUT = read_int("DATABASE_WRITE_TIMEOUT", default=30, minimum=1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.mysql":
    DATABASES["default"]["OPTIONS"].update(read_timeout=DATABASE_READ_TIMEOUT, write_timeout=DATABASE_WRITE_TIMEOUT)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = DATABASE_WRITE_TIMEOUT
# Object storage (FILE_STORAGE=s3): seconds to connect, seconds for each read,
# and attempts in all (1 = no retry).
S3_CONNECT_TIMEOUT = read_int("S3_CONNECT_TIMEOUT", default=5, minimum=1)
S3_READ_TIMEOUT = read_int("S3_READ_TIMEOUT", default=20, minimum=1)
S3_MAX_ATTEMPTS = read_int("S3_MAX_ATTEMPTS", default=2, minimum=1)
if FILE_STORAGE == "s3":
    from common.storage import s3_client_config  # noqa: E402

    # django-storages' S3Storage takes it from here (its options do not name one).
    AWS_S3_CLIENT_CONFIG = s3_client_config(
        addressing_style=STORAGES["default"]["OPTIONS"]["addressing_style"],
        connect_timeout=S3_CONNECT_TIMEOUT,
        read_timeout=S3_READ_TIMEOUT,
        max_attempts=S3_MAX_ATTEMPTS,
    )
# A Redis cache (CACHE_URL=redis://...; sessions and rate limits are read
# from it on every request): seconds to connect and for each read or write.
CACHE_SOCKET_TIMEOUT = read_int("CACHE_SOCKET_TIMEOUT", default=5, minimum=1)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=CACHE_SOCKET_TIMEOUT, socket_timeout=CACHE_SOCKET_TIMEOUT
    )
# --- end of timeouts ---
