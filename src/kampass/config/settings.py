"""Django settings for kampass.

Everything that differs between installations comes from the environment
(django-environ): ``KAMPASS_HOME`` (data directory, default ``./var``),
``DATABASE_URL`` (default: SQLite in the data directory), ``KAMPASS_SECRET_KEY``,
``KAMPASS_DEBUG``, ``KAMPASS_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

env = environ.Env()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
KAMPASS_HOME = Path(env.str("KAMPASS_HOME", default=str(Path.cwd() / "var"))).resolve()
KAMPASS_HOME.mkdir(mode=0o750, parents=True, exist_ok=True)  # not for others (kampass.common.filemodes)
(KAMPASS_HOME / "static").mkdir(exist_ok=True)


def _secret_key() -> str:
    """Take the key from the environment or keep a generated one in the data directory."""
    key = env.str("KAMPASS_SECRET_KEY", default="")
    if key:
        return key
    path = KAMPASS_HOME / "secret_key"
    if not path.exists():
        try:  # readable by its owner only from the start; another process may have just written it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env.bool("KAMPASS_DEBUG", default=False)
#: check every chart spec against the Vega-Lite schema while it is built (Altair's validation costs
#: about 0.2 s per chart): on in debugging and in the tests, off in production
KAMPASS_VALIDATE_CHARTS = env.bool("KAMPASS_VALIDATE_CHARTS", default=DEBUG)
# no "testserver" (Django's test client) here: the test settings add it
ALLOWED_HOSTS = env.list("KAMPASS_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("KAMPASS_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "django_countries",
    "kampass.common",
    "kampass.users",
    "kampass.accounts",
    "kampass.commercial",
    "kampass.pipeline",
    "kampass.programme",
    "kampass.organisation",
    "kampass.roadmap",
    "kampass.planning",
    "kampass.solutions",
    "kampass.screening",
    "kampass.demo",
    "django_tasks",
    "django_tasks_db",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kampass.common.sessions.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kampass.users.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kampass.common.concurrency.ConflictMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "kampass.common.request_memo.RequestMemoMiddleware",
]

ROOT_URLCONF = "kampass.config.urls"
WSGI_APPLICATION = "kampass.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kampass.common.context_processors.kampass",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{KAMPASS_HOME / 'kampass.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            # seconds a connection waits for another one's write lock before "database is locked"
            "timeout": env.float("KAMPASS_SQLITE_TIMEOUT", default=20.0),
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "start"
# the notification digest (`kampass notifications digest`) is written to the console unless a backend is named
EMAIL_BACKEND = env.str("KAMPASS_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
LOGOUT_REDIRECT_URL = "login"

# ---- Accounts, passwords, logins and API tokens ----
# Every password set through kampass (admin site, `kampass createuser`, `createsuperuser`, `changepassword`)
# is checked by these validators: at least KAMPASS_PASSWORD_MIN_LENGTH characters, not like the user's
# name or e-mail, not a common password, not all digits.
KAMPASS_PASSWORD_MIN_LENGTH = env.int("KAMPASS_PASSWORD_MIN_LENGTH", default=12)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": max(12, KAMPASS_PASSWORD_MIN_LENGTH)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes: after KAMPASS_LOGIN_FAILURE_LIMIT failed logins, lock out the user name from that address,
# and the account itself however many addresses the attempts come from (an attacker spreading guesses over
# addresses), for AXES_COOLOFF_TIME hours. The failures are counted per parameter set.
AXES_FAILURE_LIMIT = env.int("KAMPASS_LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("KAMPASS_AXES_ENABLED", default=True)
AXES_LOCKOUT_CALLABLE = "kampass.users.lockout.lockout_response"  # the lockout page, translated
# A new personal API token is valid for this many days unless its creator chooses another lifetime.
KAMPASS_API_TOKEN_DAYS = env.int("KAMPASS_API_TOKEN_DAYS", default=90)
# Invitations: a new user gets an e-mail with a one-time link to set their password (valid for
# PASSWORD_RESET_TIMEOUT seconds, three days by default). The link starts with KAMPASS_BASE_URL (the address
# users reach kampass at; empty: the address of the request that sends the invitation). E-mail goes to the
# console (the server's log) unless KAMPASS_EMAIL_BACKEND names another backend (e.g. SMTP with EMAIL_HOST ...).
KAMPASS_BASE_URL = env.str("KAMPASS_BASE_URL", default="").rstrip("/")
EMAIL_BACKEND = env.str("KAMPASS_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("KAMPASS_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("KAMPASS_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("KAMPASS_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("KAMPASS_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("KAMPASS_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("KAMPASS_FROM_EMAIL", default="kampass <kampass@localhost>")
PASSWORD_RESET_TIMEOUT = env.int("KAMPASS_INVITATION_SECONDS", default=3 * 24 * 3600)
# ---- end of accounts, passwords, logins and API tokens ----

# Totals over amounts in several currencies are converted into this one (ISO 4217; a user may pick another
# for their own view). Rates: ECB reference rates shipped with kampass, plus files loaded with `kampass rates load`.
KAMPASS_REPORTING_CURRENCY = env.str("KAMPASS_REPORTING_CURRENCY", default="EUR").upper()

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env.str("KAMPASS_TIME_ZONE", default="Europe/Zurich")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
#: English dates without the month-first ambiguity (see kampass/config/formats/en/formats.py)
FORMAT_MODULE_PATH = ["kampass.config.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = KAMPASS_HOME / "static"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # HTMX reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Deployment: HTTPS, cookies, headers, idle sessions, Content-Security-Policy -----------------------------
# `KAMPASS_HTTPS=true` turns on the set for a site served over HTTPS only (README, "Production"); each part
# can be overridden on its own. `kampass check --deploy` is clean in the documented production configuration
# (tests/test_deploy.py runs it).
KAMPASS_HTTPS = env.bool("KAMPASS_HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("KAMPASS_SSL_REDIRECT", default=KAMPASS_HTTPS)
SESSION_COOKIE_SECURE = env.bool("KAMPASS_SECURE_COOKIES", default=KAMPASS_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("KAMPASS_HSTS_SECONDS", default=365 * 24 * 3600 if KAMPASS_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("KAMPASS_HSTS_INCLUDE_SUBDOMAINS", default=KAMPASS_HTTPS)
#: asking browsers to preload HTTPS for the whole domain is the domain owner's decision, so it is off unless
#: set; Django's reminder of it (security.W021) is then silenced, as that decision was made here
SECURE_HSTS_PRELOAD = env.bool("KAMPASS_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"] if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD else []
SECURE_REFERRER_POLICY = env.str("KAMPASS_REFERRER_POLICY", default="same-origin")
#: behind a reverse proxy that ends TLS: the request header that says the original scheme, e.g.
#: `X-Forwarded-Proto` (the proxy must set it and strip it from clients); then requests with "https" count as secure
_proxy_ssl_header = env.str("KAMPASS_PROXY_SSL_HEADER", default="")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_ssl_header.upper().replace("-", "_"), "https") if _proxy_ssl_header else None
)
#: a session ends after this many minutes without a request; a request renews it when a minute (at most a
#: tenth of the idle time) has passed since its last renewal (kampass.common.sessions), not on every request:
#: an htmx poll does not write the session row each time
KAMPASS_SESSION_IDLE_MINUTES = env.int("KAMPASS_SESSION_IDLE_MINUTES", default=60)
SESSION_COOKIE_AGE = KAMPASS_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
KAMPASS_SESSION_RENEW_SECONDS = max(1, min(60, SESSION_COOKIE_AGE // 10))
# django-csp: scripts and styles from this site's static files only -- no inline scripts or event handlers,
# no eval (htmx runs with allowEval off, Vega with its expression interpreter), no inline <style> blocks or
# style attributes (sizes from data are set through the CSSOM, as Vega and vega-embed do, which CSP allows).
# `data:` images: the icons of the API docs' stylesheet (Swagger UI).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# Analytics store (facts such as invoice lines), chosen by URL: DuckDB file by default,
# postgres://... or pyspark://local for other backends.
KAMPASS_ANALYTICS_URL = env.str("KAMPASS_ANALYTICS_URL", default=f"duckdb://{KAMPASS_HOME / 'analytics.duckdb'}")

# Background tasks (imports): django-tasks with its database backend; `kampass serve` starts a worker.
TASKS = {
    "default": {
        "BACKEND": env.str("KAMPASS_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# The worker writes a heartbeat every few seconds; when none is newer than KAMPASS_WORKER_STALE_SECONDS,
# no worker is alive: the health endpoint reports it and the UI warns while work is queued.
KAMPASS_WORKER_HEARTBEAT_SECONDS = env.float("KAMPASS_WORKER_HEARTBEAT_SECONDS", default=5.0)
KAMPASS_WORKER_STALE_SECONDS = env.float("KAMPASS_WORKER_STALE_SECONDS", default=60.0)
# A running worker enqueues the daily jobs (health snapshots, review events: kampass.common.schedule)
# once a day from KAMPASS_DAILY_AT (local time, HH:MM); it checks every KAMPASS_SCHEDULE_CHECK_SECONDS (0: never).
KAMPASS_DAILY_AT = env.str("KAMPASS_DAILY_AT", default="02:00")
KAMPASS_SCHEDULE_CHECK_SECONDS = env.float("KAMPASS_SCHEDULE_CHECK_SECONDS", default=60.0)
# The programme report PDF renders in the worker: at most this many renders queued or running per user
# (more requests join the running one with the same inputs or are answered 429); rendered PDFs are kept
# in the report cache by the fingerprint of their inputs, pruned after KAMPASS_REPORT_CACHE_DAYS unused
# days and beyond KAMPASS_REPORT_CACHE_FILES files; a render not finished after
# KAMPASS_REPORT_RENDER_TIMEOUT seconds (a lost worker) frees its place.
KAMPASS_REPORT_RENDERS_PER_USER = env.int("KAMPASS_REPORT_RENDERS_PER_USER", default=1)
KAMPASS_REPORT_CACHE_DIR = env.str("KAMPASS_REPORT_CACHE_DIR", default="")  # "": $KAMPASS_HOME/reports
KAMPASS_REPORT_CACHE_DAYS = env.float("KAMPASS_REPORT_CACHE_DAYS", default=30.0)
KAMPASS_REPORT_CACHE_FILES = env.int("KAMPASS_REPORT_CACHE_FILES", default=200)
KAMPASS_REPORT_RENDER_TIMEOUT = env.float("KAMPASS_REPORT_RENDER_TIMEOUT", default=600.0)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# every uploaded file is an import file (or its mapping): refused while it is received once it passes
# KAMPASS_IMPORT_MAX_FILE_MB, before Django keeps it in memory or on disk (kampass.common.uploads)
FILE_UPLOAD_HANDLERS = [
    "kampass.common.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Limits of an import file (issue 11), checked before the heavy work starts; 0 switches a limit off.
KAMPASS_IMPORT_MAX_FILE_MB = env.float("KAMPASS_IMPORT_MAX_FILE_MB", default=200.0)
KAMPASS_IMPORT_MAX_ROWS = env.int("KAMPASS_IMPORT_MAX_ROWS", default=10_000_000)
KAMPASS_IMPORT_MAX_COLUMNS = env.int("KAMPASS_IMPORT_MAX_COLUMNS", default=500)
KAMPASS_IMPORT_MAX_CELL_CHARS = env.int("KAMPASS_IMPORT_MAX_CELL_CHARS", default=32_767)
KAMPASS_IMPORT_XLSX_MAX_UNCOMPRESSED_MB = env.float("KAMPASS_IMPORT_XLSX_MAX_UNCOMPRESSED_MB", default=1024.0)
KAMPASS_IMPORT_XLSX_MAX_RATIO = env.float("KAMPASS_IMPORT_XLSX_MAX_RATIO", default=100.0)
KAMPASS_IMPORT_TIME_LIMIT_SECONDS = env.float("KAMPASS_IMPORT_TIME_LIMIT_SECONDS", default=3600.0)
# Uploaded import files are deleted when their import ends (0) or kept this many hours; the worker
# deletes older ones when it starts (and `kampass import cleanup` on demand).
KAMPASS_UPLOAD_RETENTION_HOURS = env.float("KAMPASS_UPLOAD_RETENTION_HOURS", default=0.0)
# an opportunity upload left on its mapping step, or the file a dry run keeps for "Import these rows now",
# is removed by the worker's daily schedule after this many days
KAMPASS_IMPORT_DRAFT_KEEP_DAYS = env.int("KAMPASS_IMPORT_DRAFT_KEEP_DAYS", default=7)
# plan exports are built by the task worker; the files wait this many days for their download
KAMPASS_EXPORT_KEEP_DAYS = env.int("KAMPASS_EXPORT_KEEP_DAYS", default=7)
# an approved account plan counts as current for this many months after its sign-off (programme signal)
KAMPASS_PLAN_MAX_AGE_MONTHS = env.int("KAMPASS_PLAN_MAX_AGE_MONTHS", default=12)
# account reviews: the regular check-in's cadence unless an account has its own (monthly, quarterly,
# half_yearly, yearly); a lost opportunity of at least this amount (reporting currency) raises a review;
# a key account's leakage share (12 months) above this raises one (the Commercialisation guardrail);
# events of the last this many days are looked at
KAMPASS_REVIEW_CADENCE = env.str("KAMPASS_REVIEW_CADENCE", default="quarterly")
KAMPASS_REVIEW_LARGE_LOSS = env.str("KAMPASS_REVIEW_LARGE_LOSS", default="100000")
KAMPASS_REVIEW_LEAKAGE_SHARE = env.float("KAMPASS_REVIEW_LEAKAGE_SHARE", default=0.08)
KAMPASS_REVIEW_EVENT_DAYS = env.int("KAMPASS_REVIEW_EVENT_DAYS", default=90)

# Relationship map: a contact with at least this influence must be covered.
KAMPASS_HIGH_INFLUENCE = env.int("KAMPASS_HIGH_INFLUENCE", default=7)
# a fall of the account health score by at least this many points since the previous snapshot raises a
# notice to the account's key account manager and the head of KAM
KAMPASS_HEALTH_DROP_POINTS = env.float("KAMPASS_HEALTH_DROP_POINTS", default=10.0)
KAMPASS_PAGE_SIZE = 25

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("KAMPASS_LOG_LEVEL", default="WARNING")},
}
