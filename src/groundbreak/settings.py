"""Settings for Groundbreak, driven by the environment.

SQLite under the data folder is the embedded default; `DATABASE_URL` moves to PostgreSQL.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from groundbreak.core.env import env_bool, env_int, env_list

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("GROUNDBREAK_DATA_DIR", Path.cwd() / "data")).resolve()

DEMO = env_bool("GROUNDBREAK_DEMO", False)
DEBUG = env_bool("DEBUG", False)
# A fixed key is only acceptable for the local demo and the tests; `groundbreak serve` refuses it.
INSECURE_DEFAULT_SECRET = "groundbreak-insecure-local-only-key-change-me"
SECRET_KEY = os.environ.get("SECRET_KEY", INSECURE_DEFAULT_SECRET)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "groundbreak.core",
    "groundbreak.audit",
    "groundbreak.org",
    "groundbreak.org.security",
    "groundbreak.portfolio",
    "groundbreak.schedule",
    "groundbreak.coordination",
    "groundbreak.reporting",
    "groundbreak.exchange",
    "groundbreak.api",
    "groundbreak.insight",
    "groundbreak.notify",
    "groundbreak.fieldwork",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "groundbreak.core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "groundbreak.org.security.sessions.SessionExpiryMiddleware",
    "groundbreak.org.security.totp.TwoFactorMiddleware",
    "groundbreak.audit.middleware.AuditActorMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "groundbreak.urls"
WSGI_APPLICATION = "groundbreak.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "groundbreak.navigation.navigation",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'groundbreak.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL and IMMEDIATE transactions let the web process and the worker write side by side
    # without "database is locked" errors.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The PostgreSQL test database is named by pytest-django; SQLite tests run in memory.
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
elif DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # JIT off on every connection (psycopg 3 passes this to the server): the workload is OLTP, and
    # JIT compiling the warning-light expression costs seconds on every execution of a query that
    # carries it (docs/performance.md, "Why the targets are missed": JIT).
    DATABASES["default"]["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), "options": "-c jit=off"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out account or address is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "my-work"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = os.environ.get("GROUNDBREAK_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
if DEBUG or DEMO:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# The demo and the tests serve static files straight from the apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG or DEMO
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
EVIDENCE_MAX_BYTES = env_int("GROUNDBREAK_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The dashboard's kept figures (insight.kept_figures): files, so every web process and the
    # worker share them on one server; point it at Redis for several servers.
    "figures": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("GROUNDBREAK_FIGURES_CACHE", str(DATA_DIR / "cache" / "figures")),
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
# Seconds the dashboard's figures are shown again while others write (insight.kept_figures).
GROUNDBREAK_DASHBOARD_MAX_AGE = env_int("GROUNDBREAK_DASHBOARD_MAX_AGE", 300)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not (DEBUG or DEMO))
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not (DEBUG or DEMO))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
X_FRAME_OPTIONS = "DENY"

# Security ------------------------------------------------------------------------------------
# Headers, login throttling, second factor and session lifetime (OWASP ASVS level 2).
# docs/production.md explains each variable.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# Only once every subdomain serves HTTPS: browsers' preload lists are slow to leave.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
# The battle map's tiles come from the server GROUNDBREAK_MAP_TILES names, if any ({s} is
# Leaflet's subdomain placeholder).
_map_tiles = os.environ.get("GROUNDBREAK_MAP_TILES", "").replace("{s}", "*")
if _map_tiles.startswith(("https://", "http://")):
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append("/".join(_map_tiles.split("/")[:3]))

# How many reverse proxies append to X-Forwarded-For: the client's address is the one the
# outermost of ours saw, anything to its left is whatever the client chose to send.
GROUNDBREAK_PROXY_COUNT = env_int("GROUNDBREAK_PROXY_COUNT", 1 if SECURE_PROXY_SSL_HEADER else 0)
AXES_CLIENT_IP_CALLABLE = "groundbreak.org.security.throttling.client_ip"
AXES_HANDLER = "groundbreak.org.security.throttling.AccountAndAddressHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("GROUNDBREAK_LOGIN_FAILURE_LIMIT", 5)
# Offices reach us through one NAT address, so an address may fail more often than one account.
GROUNDBREAK_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("GROUNDBREAK_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
# In hours, as axes reads a float.
AXES_COOLOFF_TIME = env_int("GROUNDBREAK_LOGIN_COOLOFF_MINUTES", 30) / 60
# Attempts during a lock-out do not extend it: the account's owner gets back in after the
# cool-off unless someone fails the whole limit again.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "groundbreak.org.security.views.locked_out"
# Logins and logouts are recorded as AuthEvent rows; axes keeps only the failure counters.
AXES_DISABLE_ACCESS_LOG = True

OTP_TOTP_ISSUER = "Groundbreak"
# Administrators may remove a user's authenticator (a lost phone) but never read its key.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Roles that must use a second factor whatever the administrators set in the admin.
GROUNDBREAK_TOTP_REQUIRED_ROLES = env_list("GROUNDBREAK_TOTP_REQUIRED_ROLES", [])

GROUNDBREAK_SESSION_IDLE_MINUTES = env_int("GROUNDBREAK_SESSION_IDLE_MINUTES", 30)
GROUNDBREAK_SESSION_MAX_HOURS = env_int("GROUNDBREAK_SESSION_MAX_HOURS", 12)
SESSION_COOKIE_AGE = GROUNDBREAK_SESSION_MAX_HOURS * 3600
# Security (end) ------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

PAGE_SIZE = env_int("GROUNDBREAK_PAGE_SIZE", 50)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {"django_tasks_db": {"level": "WARNING"}},
}

SITE_NAME = _("Groundbreak")

# The battle map's tile server (a URL template such as https://tiles.example/{z}/{x}/{y}.png).
# Empty: points on a plain background, so the map works with no internet at all.
GROUNDBREAK_MAP_TILES = os.environ.get("GROUNDBREAK_MAP_TILES", "")
GROUNDBREAK_MAP_ATTRIBUTION = os.environ.get("GROUNDBREAK_MAP_ATTRIBUTION", "")

# REST API (groundbreak.api). "ninja" serves the API docs' Swagger UI from its bundled static files.
INSTALLED_APPS += ["ninja"]
GROUNDBREAK_API_RATE = os.environ.get("GROUNDBREAK_API_RATE", "600/min")
# Bodies above this are refused with 413 (uploaded files are limited by EVIDENCE_MAX_BYTES instead).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("GROUNDBREAK_MAX_BODY_BYTES", 2_621_440)

# Notifications (groundbreak.notify) and links in e-mails and chat messages.
SITE_URL = os.environ.get("GROUNDBREAK_SITE_URL", "")
NOTIFY_MILESTONE_DUE_DAYS = env_int("GROUNDBREAK_NOTIFY_DUE_DAYS", 7)
NOTIFY_DAILY_AT = os.environ.get("GROUNDBREAK_NOTIFY_DAILY_AT", "07:05")
NOTIFY_WEBHOOK_TIMEOUT = env_int("GROUNDBREAK_WEBHOOK_TIMEOUT", 5)
NOTIFY_WEBHOOK_ALLOW_PRIVATE = env_bool("GROUNDBREAK_WEBHOOK_ALLOW_PRIVATE", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "webmaster@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)

# Data exchange: imports larger than this run in the background; hard limits on any import.
IMPORT_SYNC_MAX_ROWS = env_int("GROUNDBREAK_IMPORT_SYNC_MAX_ROWS", 500)
IMPORT_MAX_ROWS = env_int("GROUNDBREAK_IMPORT_MAX_ROWS", 50_000)
IMPORT_MAX_BYTES = env_int("GROUNDBREAK_IMPORT_MAX_BYTES", 20 * 1024 * 1024)

# Open data (OC4IDS): the public address and the registered OC4IDS prefix of this publisher.
GROUNDBREAK_PUBLIC_URL = os.environ.get("GROUNDBREAK_PUBLIC_URL", "http://localhost:8000")
OC4IDS_PROJECT_ID_PREFIX = os.environ.get("OC4IDS_PROJECT_ID_PREFIX", "groundbreak")
