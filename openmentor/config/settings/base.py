"""Settings for every environment, computed from environment variables only.

The operator-facing list of variables is docs/configuration.md.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import dj_database_url

from openmentor.config.env import (
    BASE_DIR,
    VAR_DIR,
    ConfigurationError,
    env_bool,
    env_int,
    env_list,
    env_str,
    local_secret_key,
)

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ConfigurationError(
            "SECRET_KEY is required when DEBUG is off (set DEBUG=1 for local use)"
        )
    SECRET_KEY = local_secret_key()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "openmentor.core",
    "openmentor.accounts",
    "openmentor.organisations",
    "openmentor.programmes",
    "openmentor.people",
    "openmentor.mentorships",
    "openmentor.meetings",
    "openmentor.messaging",
    "openmentor.notifications",
    "openmentor.matching",
    "openmentor.feedback",
    "openmentor.video",
    "openmentor.tracking",
    "openmentor.events",
    "openmentor.community",
    "openmentor.webhooks",
    "openmentor.scim",
    "openmentor.sso",
    "openmentor.chat",
    "openmentor.api",
    "openmentor.dashboard",
    "openmentor.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "openmentor.core.middleware.RequestLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "openmentor.people.middleware.PersonTimezoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After CSPMiddleware, so that its answer is marked before the policy is written.
    "openmentor.sso.middleware.SignOnFormActionMiddleware",
    "openmentor.video.middleware.PermissionsPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

# Threads that run pages in each web process (openmentor/core/asgi_handler.py).
WEB_REQUEST_THREADS = env_int("WEB_REQUEST_THREADS", 4)

ROOT_URLCONF = "openmentor.config.urls"
ASGI_APPLICATION = "openmentor.config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "openmentor" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "openmentor.organisations.context_processors.organisation_navigation",
                "openmentor.notifications.context_processors.notification_count",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'openmentor.sqlite3'}")
DATABASES: dict[str, Any] = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # Django's SQLite backend, keeping closed connections for the next request.
    DATABASES["default"]["ENGINE"] = "openmentor.core.sqlite_pool"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, channel layer, task queue ------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "openmentor",
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "openmentor.core.channel_layer.CancellableRedisChannelLayer",
            "CONFIG": {
                # Every socket's group_add/group_send borrows a connection for a moment:
                # redis-py's default pool runs out at a few hundred live calls.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env_int("CHANNEL_LAYER_MAX_CONNECTIONS", 2000),
                        # redis-py 8 reads with a 5 s timeout by default, the same 5 s that
                        # channels_redis blocks in BZPOPMIN waiting for a message: on a
                        # busy machine the read timed out first and the consumer died,
                        # dropping the call's signalling socket. Reads wait longer.
                        "socket_timeout": 15,
                    }
                ],
                "prefix": "openmentor",
                # Every socket of one process shares that process's inbox in Redis, and
                # channels_redis drops what arrives over its capacity (100 by default):
                # with a thousand sockets a burst of joins overflowed it and frames were
                # lost. The capacity is per process, not per socket.
                "capacity": env_int("CHANNEL_LAYER_CAPACITY", 10_000),
            },
        }
    }
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 1800}}
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# --- Accounts (django-allauth) --------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "openmentor.organisations.adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "openmentor.accounts.forms.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[OpenMentor] "
BEHIND_PROXY = env_bool("BEHIND_PROXY", False)
# The client address for rate limits: the last X-Forwarded-For entry (the one our proxy
# added) only behind a proxy; otherwise the header is the client's to forge.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if BEHIND_PROXY else 0
ACCOUNT_RATE_LIMITS = {
    # Failed logins: per address, and per account and address together (the adapter's
    # key), so a guesser elsewhere cannot lock the owner out.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
}
ACCOUNT_FORMS = {"login": "openmentor.sso.forms.LoginForm"}
# Single sign-on (docs/integrations.md): each organisation's OIDC or SAML app is a
# SocialApp its owner configures; the adapter signs in only its claimed domains.
SOCIALACCOUNT_ADAPTER = "openmentor.sso.adapter.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_REQUIRED = True
SOCIALACCOUNT_STORE_TOKENS = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "OpenMentor"
# Accept the codes of the neighbouring 30-second windows too, for phones whose clocks drift.
MFA_TOTP_TOLERANCE = 1

# --- Sessions and security ------------------------------------------------
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# Read through the cache (the process's memory embedded, Redis at scale), written through
# to the database: one query less on every page, and nothing lost when the cache is.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Load balancers probe over plain HTTP; the health check answers there too.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content security policy: everything from our own origin, no inline scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'", "ws:", "wss:"] if DEBUG else ["'self'", "wss:"],
        "media-src": ["'self'", "blob:"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- E-mail -----------------------------------------------------------------
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "OpenMentor <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Request size ------------------------------------------------------------
# Whole request bodies (openmentor.core.bodylimit, in front of Django): the largest
# upload (a 10 MB import or attachment) plus room for the form around it.
MAX_REQUEST_BYTES = env_int("MAX_REQUEST_BYTES", 12 * 1024 * 1024)
# A body without files (form fields, JSON) is refused over this, before it is parsed.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024)
# Uploads over this go to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Static files -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
# Group calls use Janus's browser client and the adapter it needs, served from Debian's
# libjs-janus-gateway and libjs-webrtc-adapter (no CDN); scripts/ensure-janus.sh installs them.
STATICFILES_DIRS = [
    (prefix, folder)
    for prefix, folder in (
        ("video/vendor/janus", "/usr/share/javascript/janus-gateway"),
        ("video/vendor/adapter", "/usr/share/javascript/webrtc-adapter"),
    )
    if os.path.isdir(folder)
]
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Logging: one JSON object per line unless LOG_FORMAT=text ---------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- OpenMentor -------------------------------------------------------------
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14)
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env_int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 180)
# Task leases (openmentor.core.leases): each worker beats this often, and work whose
# worker has not beaten for TASK_LEASE_SECONDS is handed back (sooner on the same host,
# where a vanished pid is proof enough).
WORKER_BEAT_SECONDS = env_int("WORKER_BEAT_SECONDS", 5)
TASK_LEASE_SECONDS = env_int("TASK_LEASE_SECONDS", 30)
# The matching engine's resources, handed to it by the matching app (the engine itself
# reads no environment): scoring threads (0: the usable cores, at most 4) and the model
# for the meaning of goals and bios ("wordllama", or "minilm" with the optional extra).
OPENMENTOR_MATCHING_THREADS = env_int("OPENMENTOR_MATCHING_THREADS", 0)
OPENMENTOR_EMBEDDING_BACKEND = env_str("OPENMENTOR_EMBEDDING_BACKEND", "wordllama")

# --- Integrations (docs/integrations.md) -------------------------------------
# Requests one API token may send a minute (429 with Retry-After past it).
API_RATE_LIMIT_PER_MINUTE = env_int("API_RATE_LIMIT_PER_MINUTE", 600)
# Webhook and chat targets: off (production), only https to public addresses, checked
# on the resolved address (openmentor.core.outbound); on, http and local addresses too,
# for development and the tests' local receivers.
OUTBOUND_ALLOW_PRIVATE_TARGETS = env_bool("OUTBOUND_ALLOW_PRIVATE_TARGETS", DEBUG)
# Paths whose 404 and 500 answers are the API's JSON error body, not a page.
JSON_ERROR_PATH_PREFIXES = ("/api/", "/scim/")

# --- Video calls (docs/video.md) ---------------------------------------------
# STUN/TURN URLs handed to browsers, e.g. "stun:turn.example.org:3478,turns:turn.example.org:5349".
VIDEO_ICE_URLS = env_list("VIDEO_ICE_URLS", [])
# coturn's `static-auth-secret` (use-auth-secret): TURN passwords are derived from it per person.
VIDEO_TURN_SECRET = env_str("VIDEO_TURN_SECRET")
VIDEO_TURN_TTL_SECONDS = env_int("VIDEO_TURN_TTL_SECONDS", 6 * 60 * 60)
# Janus gateways for group rooms (their HTTP API, e.g. "https://janus1.example.org/janus");
# a room always goes to the same one. Without any, groups fall back to a mesh of at most 4.
VIDEO_JANUS_URLS = env_list("VIDEO_JANUS_URLS", [])
VIDEO_MESH_MAX = 4

# WhiteNoise serves static files with a synchronous iterator; under ASGI Django warns
# about it on every file. Harmless here, and static files sit behind a CDN/proxy in
# larger deployments.
warnings.filterwarnings(
    "ignore", message="StreamingHttpResponse must consume synchronous iterators"
)
