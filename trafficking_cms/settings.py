"""Settings, read from the environment.

Every value that differs between the demo, the test suite and production is an environment
variable; the README lists them. The defaults give the embedded demo (SQLite and a filesystem
broker under var/), never production.
"""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
# The demo key is only for the embedded demo and the tests; production sets its own.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-demo-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "guardian",
    "simple_history",
    "django_countries",
    "cases",
    "referrals",
    "services",
    "rehabilitation",
    "reintegration",
    "monitoring",
    "privacy",
    "safety",
    "documents",
    "accounts",
    "operations",
    "caseload",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
]

MIDDLEWARE = [
    # First: every log line of the request carries its id (operations/logs.py).
    "operations.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files stay cacheable, every page and API response is no-store.
    "accounts.middleware.NoStoreMiddleware",
    # Django's, except that a background poll does not renew the idle limit.
    "accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A page's case-permission checks read the permission tables once (cases/permissions.py).
    "cases.permissions.PermissionCacheMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The 12-hour limit, then two-factor before any page (accounts/middleware.py).
    "accounts.middleware.SessionSecurityMiddleware",
    "accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # django-axes turns a lockout into its response; its docs ask for it last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trafficking_cms.urls"
WSGI_APPLICATION = "trafficking_cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cases.context_processors.roles",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
if "DATABASE_URL" not in os.environ:
    # The embedded SQLite file lives in var/; a fresh checkout has none yet, and Django's model
    # checks open the database (JSONField support) before any command runs.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'demo.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users, passwords, sessions ---------------------------------------------------------------
AUTH_USER_MODEL = "cases.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username and address before any password check.
    "accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Victims' case files: short sessions. 30 idle minutes, and the session is not kept after the
# browser closes. A request renews the idle limit at most once a minute
# (accounts.middleware.IdleSessionMiddleware): not a write and a commit on every request.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_RENEW_SECONDS = int(os.environ.get("SESSION_RENEW_SECONDS", "60"))
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# ... and 12 hours in all, however active (accounts.middleware.SessionSecurityMiddleware).
SESSION_ABSOLUTE_SECONDS = int(os.environ.get("SESSION_ABSOLUTE_SECONDS", str(12 * 3600)))

# Two-factor authentication (TOTP with recovery codes): required in production; the demo may
# switch it off (DJANGO_OTP_REQUIRED=0) and then says so on the login page.
OTP_REQUIRED = env_bool("DJANGO_OTP_REQUIRED", env_bool("DJANGO_PRODUCTION", False))
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "NRM case management")

# Login throttling (django-axes): 5 failures of one username from one address lock that
# username at that address only, so colleagues behind the same office address can still log in.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_CLIENT_IP_CALLABLE = "accounts.services.client_ip"
AXES_USERNAME_CALLABLE = "accounts.services.axes_username"
# The security log (accounts.SecurityEvent) records logins; axes keeps only the attempts.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
# Behind a reverse proxy, the number of proxies whose X-Forwarded-For entries are trusted.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))

# --- Security headers -------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# A strict Content-Security-Policy in every mode: nothing inline, nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
PRODUCTION = env_bool("DJANGO_PRODUCTION", False)
if PRODUCTION:
    if SECRET_KEY.startswith("insecure-demo-key"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY in production.")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # The load balancer probes the health check over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Languages --------------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("DJANGO_LANGUAGE_CODE", "lv")
LANGUAGES = [("lv", _("Latvian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Riga"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if PRODUCTION:
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# --- Documents: encrypted at rest, never under a public URL (docs/documents.md) ---------------
# The demo keeps them on the filesystem under MEDIA_ROOT/documents/ (MEDIA_ROOT is never served);
# production sets DOCUMENTS_S3_BUCKET for an S3-compatible store (MinIO in docker-compose.yml).
if os.environ.get("DOCUMENTS_S3_BUCKET"):
    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["DOCUMENTS_S3_BUCKET"],
            "endpoint_url": os.environ.get("DOCUMENTS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DOCUMENTS_S3_REGION", "us-east-1"),
            "access_key": os.environ.get("DOCUMENTS_S3_ACCESS_KEY_ID"),
            "secret_key": os.environ.get("DOCUMENTS_S3_SECRET_ACCESS_KEY"),
            # Private objects, never a presigned or public URL: downloads go through the view.
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "location": "documents",
            "addressing_style": os.environ.get("DOCUMENTS_S3_ADDRESSING_STYLE", "path"),
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No location: MEDIA_ROOT, read when used (tests move it); names start with documents/.
        "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }
DOCUMENTS_MAX_BYTES = int(os.environ.get("DOCUMENTS_MAX_MB", "20")) * 1024 * 1024
# The key-encryption keys: "id:base64-of-32-bytes" separated by commas, the first one current;
# the others are kept only until `manage.py rotate_document_keys` has re-wrapped every file.
DOCUMENTS_KEYS = os.environ.get("DOCUMENTS_KEYS", "")
if not DOCUMENTS_KEYS:
    if PRODUCTION:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("Set DOCUMENTS_KEYS in production (docs/documents.md).")
    # The demo's key, public in this file: only for the demo and the tests.
    DOCUMENTS_KEYS = "demo:ZGVtby1rZXktbm90LWZvci1wcm9kdWN0aW9uLTAwMDA="
# Removed and replaced files: their encrypted bytes are destroyed this many days after removal.
DOCUMENTS_REMOVED_RETENTION_DAYS = int(os.environ.get("DOCUMENTS_REMOVED_RETENTION_DAYS", "30"))

# --- E-mail -----------------------------------------------------------------------------------
_email_backend = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS: dict[str, dict[str, Any]] = {"default": {"BACKEND": _email_backend}}
if _email_backend.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "587")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", True),
    }
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "nrm@localhost")
# Links in e-mails point here; e-mails never carry personal data, only a link.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- django-guardian --------------------------------------------------------------------------
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
GUARDIAN_RENDER_403 = False

# --- django-simple-history --------------------------------------------------------------------
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- REST framework ---------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens only for service accounts, hashed, expiring, scoped, logged (accounts/authentication.py).
        # First, so that a refused token answers 401 with its WWW-Authenticate header.
        "accounts.authentication.ServiceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # A service's ValidationError is a 400 with its messages (docs/architecture.md, "The API").
    "EXCEPTION_HANDLER": "cases.drf.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "National Referral Mechanism case management API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# --- Celery -----------------------------------------------------------------------------------
# Embedded mode (no Redis): kombu's filesystem transport under var/broker, a real broker that
# needs no server. Production and the tests use Redis through CELERY_BROKER_URL.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://localhost//")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A dead Redis must not hang a page: connecting gives up after 2 s (operations/queueing.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
    # Every key under a prefix: deployments (and the parallel test workers) sharing one Redis db.
    if os.environ.get("CELERY_BROKER_KEYPREFIX"):
        CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = os.environ["CELERY_BROKER_KEYPREFIX"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "clear-expired-sessions": {
        "task": "cases.tasks.clear_expired_sessions",
        "schedule": timedelta(hours=1),
    },
    # The limits of stage 2, once a day just after midnight in Europe/Riga (CELERY_TIMEZONE): it
    # reasons in local dates, and a missed day is caught up by the next run.
    "enforce-limits": {
        "task": "rehabilitation.tasks.enforce_limits",
        "schedule": crontab(hour=0, minute=15),
    },
    # Overdue risk reviews and high-risk cases without a safety plan, once a day.
    "raise-safety-alerts": {
        "task": "safety.tasks.raise_safety_alerts",
        "schedule": crontab(hour=0, minute=25),
    },
    # The bulk PDF exports of the coordinators expire after a day; their files are deleted hourly.
    "purge-expired-summary-exports": {
        "task": "monitoring.tasks.purge_expired_summary_exports",
        "schedule": timedelta(hours=1),
    },
    # Uploaded caseload files left unconfirmed (or a job that stopped) for a day are deleted.
    "purge-stale-imports": {
        "task": "caseload.tasks.purge_stale_imports",
        "schedule": timedelta(hours=1),
    },
    # The retention schedule (PRIVACY_RETENTION), once a day: anonymise what is past its period.
    "apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": crontab(hour=1, minute=30),
    },
    # The dashboards' and monitoring's figures, precomputed (cases/snapshots.py, docs/performance.md).
    "refresh-snapshots": {"task": "cases.tasks.refresh_snapshots", "schedule": timedelta(minutes=15)},
    # The outbox: what is due is sent (also what waited while Redis or the mail server was away).
    "deliver-outbox": {"task": "operations.tasks.deliver_outbox", "schedule": timedelta(minutes=1)},
    # Beat and a worker alive; a periodic job silent for a day is told to the national coordinator.
    "heartbeat": {"task": "operations.tasks.heartbeat", "schedule": timedelta(minutes=1)},
    "check-stale-jobs": {"task": "operations.tasks.check_stale_jobs", "schedule": timedelta(hours=1)},
}

# --- Privacy: how long each kind of record is kept identifiable (README, "Privacy") -----------
PRIVACY_RETENTION = {
    # An anonymous notification carries no identity, but its free text may: a year, then cleared.
    "anonymous_notification_days": int(os.environ.get("PRIVACY_ANONYMOUS_NOTIFICATION_DAYS", "365")),
    "declined_referral_days": int(os.environ.get("PRIVACY_DECLINED_REFERRAL_DAYS", "365")),
    "closed_case_years": int(os.environ.get("PRIVACY_CLOSED_CASE_YEARS", "5")),
    "security_log_days": int(os.environ.get("PRIVACY_SECURITY_LOG_DAYS", "730")),
}
# k-anonymity of the de-identified research export (the CTDC publishes with k = 11).
PRIVACY_EXPORT_K = int(os.environ.get("PRIVACY_EXPORT_K", "11"))

# --- Logging: no personal data, ever; only ids and references. --------------------------------
# JSON lines in production (LOG_FORMAT=json|text overrides), each with the request's id (the
# X-Request-ID header of the proxy, or a new one) or the Celery task's id; e-mail addresses are
# masked if one ever slips into a message (operations/logs.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "json" if PRODUCTION else "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "operations.logs.RequestIdFilter"},
        "no_personal_data": {"()": "operations.logs.RedactFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
            "filters": ["request_id", "no_personal_data"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every rendering step at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
# The worker keeps this configuration (JSON lines too) instead of installing its own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# How long a coordinator's emergency access to a high-risk case lasts.
SAFETY_EMERGENCY_ACCESS_HOURS = int(os.environ.get("SAFETY_EMERGENCY_ACCESS_HOURS", "4"))

# --- The demo ---------------------------------------------------------------------------------
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "")
