"""Django settings for the ExoSafe clinic screening and consent tool.

Everything that differs between a laptop and a production host is read from
``DJANGO_*`` environment variables (and ``DATABASE_URL``) through small helpers
that refuse bad values with a clear message instead of guessing.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", default=True)
# `make run`'s demo: debug off (the app's own error pages, as in production) but over plain http,
# on this machine or the clinic's own network. Never in production: `check --deploy` refuses it.
DEMO = env_bool("EXOSAFE_DEMO", default=False)
# Plain http is allowed: cookies without the Secure flag, no redirect to https, no HSTS.
_PLAIN_HTTP = DEBUG or DEMO

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105 - used only with DEBUG on
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    SECRET_KEY = _DEV_SECRET_KEY
elif len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters long.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if _PLAIN_HTTP else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "clinic.admin_apps.ExoSafeAdminConfig",  # django.contrib.admin, its site asking for a second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    "pgtrigger",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "clinic",
    "checklist",
    "dossiers",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Holds admins, editors and enrolled clinicians at the code (or enrolment) page until verified.
    "clinic.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # After every middleware that adds headers or the session, so its 400 page has them; before the
    # CSRF check and the views, which read the body and query string in the declared charset.
    "clinic.middleware.RequestCharsetMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "clinic.wsgi.application"


# SQLite, the embedded default. WAL lets pages read while another request writes (with the default
# rollback journal every reader waits for the writer); IMMEDIATE takes the write lock when a
# transaction starts, so two saves of the same screening queue up instead of failing with
# "database is locked"; and a writer waits up to the busy timeout for the lock before giving up.
# The journal mode is stored in the file; setting it on each new connection also converts a file
# made before, and costs nothing once the file is in WAL mode.
SQLITE_BUSY_TIMEOUT_SECONDS = env_int("DJANGO_SQLITE_BUSY_TIMEOUT_SECONDS", 20, minimum=1)
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
    "init_command": "PRAGMA journal_mode=WAL",
}


def _database_config(variable: str = "DATABASE_URL") -> dict[str, Any]:
    url = os.environ.get(variable, "").strip()
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            "OPTIONS": dict(SQLITE_OPTIONS),
        }
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 60))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{variable} is not a valid database URL: {exc}") from None
    if config.get("ENGINE") not in {"django.db.backends.sqlite3", "django.db.backends.postgresql"}:
        raise ImproperlyConfigured(f"{variable} must point at PostgreSQL (postgres://...) or SQLite (sqlite:///...).")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return dict(config)


# The connection details of a PostgreSQL role.
ROLE_SETTINGS = ("USER", "PASSWORD", "HOST", "PORT")


def _database_roles(runtime: dict[str, Any]) -> dict[str, dict[str, Any]] | None:
    """PostgreSQL with two roles (docs/security.md, "Database roles"): the app connects as the
    runtime role of DATABASE_URL, which may read and write rows but owns nothing; migrations and
    operator commands (restore, flush) connect as the tables' owner, DATABASE_MIGRATE_URL.
    None when DATABASE_MIGRATE_URL is unset: then one role does everything."""
    if not os.environ.get("DATABASE_MIGRATE_URL", "").strip():
        return None
    owner = _database_config("DATABASE_MIGRATE_URL")
    if runtime["ENGINE"] != "django.db.backends.postgresql" or owner["ENGINE"] != runtime["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_MIGRATE_URL is for PostgreSQL, with DATABASE_URL on PostgreSQL too.")
    if owner["NAME"] != runtime["NAME"]:
        raise ImproperlyConfigured(
            f"DATABASE_MIGRATE_URL must name the same database as DATABASE_URL ({runtime['NAME']!r}); "
            f"got {owner['NAME']!r}."
        )
    if not owner.get("USER") or not runtime.get("USER") or owner["USER"] == runtime["USER"]:
        raise ImproperlyConfigured(
            "DATABASE_URL and DATABASE_MIGRATE_URL must name two different roles: the app's runtime role "
            "and the tables' owner."
        )
    return {
        "runtime": {key: runtime.get(key, "") for key in ROLE_SETTINGS},
        "owner": {key: owner.get(key, "") for key in ROLE_SETTINGS},
    }


DATABASES = {"default": _database_config()}
DATABASE_ROLES = _database_roles(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Argon2id with OWASP's minimum parameters (clinic/hashers.py says why); the others only read
# passwords stored before, and upgrade them at the next sign-in.
PASSWORD_HASHERS = [
    "clinic.hashers.ClinicArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clinic.auth_backends.MembershipModelBackend",
]

# Sign-in throttling: after AXES_FAILURE_LIMIT wrong passwords for one username from one address,
# the account is locked there for AXES_COOLOFF_TIME. A site admin unlocks it in the admin
# ("Access attempts") or with `manage.py axes_reset_username USERNAME`.
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("DJANGO_LOGIN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)

# Second factor (django-otp): TOTP from an authenticator app, with one-time recovery codes. Every
# wrong code doubles the wait before the next try (1 s, 2 s, 4 s ...) and counts as a failed
# sign-in for the lockout above. See docs/security.md.
OTP_TOTP_ISSUER = "ExoSafe"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
SECOND_FACTOR_RECOVERY_CODES = 10

# Shared tablets: an idle session ends after this many minutes (every request renews it).
# Answers are saved at every step, so signing in again loses nothing that was saved.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_IDLE_MINUTES", 15, minimum=1) * 60
SESSION_SAVE_EVERY_REQUEST = True
# ... but the row is rewritten at most once a minute when its data have not changed, so that
# signed-in pages do not write (see clinic.sessions). An idle session never outlives the limit.
SESSION_ENGINE = "clinic.sessions"
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "checklist:dashboard"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Dossier documents: never under MEDIA_ROOT or any URL; served by dossiers.views after a clinic check.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))
DOSSIER_DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if _PLAIN_HTTP
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The demo serves static files through WhiteNoise straight from static/, with no collectstatic,
# and picks up edits to them without a restart.
WHITENOISE_USE_FINDERS = _PLAIN_HTTP
WHITENOISE_AUTOREFRESH = _PLAIN_HTTP

# Security headers. No inline script or style anywhere: every script and stylesheet is a static
# file. Bootstrap draws form icons as data: SVG images, hence img-src data:.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = not _PLAIN_HTTP
CSRF_COOKIE_SECURE = not _PLAIN_HTTP
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not _PLAIN_HTTP)
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if _PLAIN_HTTP else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
if env_bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

SIMPLE_HISTORY_HISTORY_ID_USE_UUID = False

# Background tasks (the signed PDF is rendered outside the request): Django's tasks API through
# the django-tasks backport, queued in the database and run by `manage.py db_worker`. Moving to
# RQ or Celery is a change of BACKEND here, not of code (docs/operations.md).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint and fontTools narrate every render at INFO; keep their warnings only.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}

# The address printed in PDFs' verification QR codes: where patients and third parties check a document.
# No default in production: `check --deploy` refuses it unset, not https, or this machine's address
# (checklist/checks.py), since every signed PDF keeps it for good.
EXOSAFE_PUBLIC_URL = (
    os.environ.get("EXOSAFE_PUBLIC_URL", "http://127.0.0.1:8000" if _PLAIN_HTTP else "").strip().rstrip("/")
)
SCREENINGS_PER_PAGE = 25
