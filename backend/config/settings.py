"""Django settings, read from the environment (12-factor) with development defaults.

`ENVIRONMENT` is development, test or production. Outside production the secrets fall back
to fixed, publicly known values; in production a missing or short secret stops startup.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from vms_common.logging import configure_logging
from vms_common.secrets import SecretError, read_secret
from vms_common.settings import DEFAULT_DEFINITIONS

BASE_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = BASE_DIR.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    env.read_env(BASE_DIR / ".env")

ENVIRONMENT = env.str("ENVIRONMENT", default="development")
if ENVIRONMENT not in ("development", "test", "production"):
    raise ImproperlyConfigured(
        f"ENVIRONMENT must be development, test or production, not {ENVIRONMENT!r}"
    )
IS_PRODUCTION = ENVIRONMENT == "production"
MIN_SECRET_LENGTH = 32


def _secret(name: str, development_value: str) -> str:
    """A secret from AWS Secrets Manager when SECRETS_MANAGER_PREFIX is set, else from the
    environment (`vms_common.secrets`); production refuses a missing or short one."""
    try:
        value = read_secret(name)
    except SecretError as exc:
        raise ImproperlyConfigured(str(exc)) from exc
    if IS_PRODUCTION:
        if len(value) < MIN_SECRET_LENGTH:
            raise ImproperlyConfigured(
                f"{name} must be set to a random value of at least {MIN_SECRET_LENGTH} "
                "characters when ENVIRONMENT=production"
            )
        return value
    return value or development_value


def _path(name: str, default: Path) -> Path:
    return Path(env.str(name, default=str(default))).expanduser()


SECRET_KEY = _secret("DJANGO_SECRET_KEY", "insecure-development-secret-key-not-for-production")
JWT_SECRET = _secret("JWT_SECRET", "insecure-development-jwt-secret-not-for-production")

DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING_CONFIG = None
configure_logging("backend", LOG_LEVEL)

# --- the VMS itself -------------------------------------------------------------------------
RABBITMQ_URL = env.str("RABBITMQ_URL", default="amqp://guest:guest@127.0.0.1:5672/%2F")
RABBITMQ_DEFINITIONS = _path("RABBITMQ_DEFINITIONS", DEFAULT_DEFINITIONS)
RECORDINGS_ROOT = _path("RECORDINGS_ROOT", REPO_ROOT / ".var" / "recordings")
FRONTEND_DIST = _path("FRONTEND_DIST", REPO_ROOT / "frontend" / "dist")
PLAYBACK_MAX_RANGE_HOURS = env.int("PLAYBACK_MAX_RANGE_HOURS", default=24)
SEGMENT_URL_TTL_SECONDS = env.int("SEGMENT_URL_TTL_SECONDS", default=3600)
PLAYLIST_URL_TTL_SECONDS = env.int("PLAYLIST_URL_TTL_SECONDS", default=3600)
PLAYBACK_TIMELINE_MAX_DAYS = env.int("PLAYBACK_TIMELINE_MAX_DAYS", default=31)
PLAYBACK_TIMELINE_MAX_BUCKETS = env.int("PLAYBACK_TIMELINE_MAX_BUCKETS", default=2000)

# Tiered segments in S3 (an empty endpoint means AWS; credentials from the AWS_* variables).
S3_ENDPOINT_URL = env.str("S3_ENDPOINT_URL", default="")
S3_BUCKET = env.str("S3_BUCKET", default="vms-recordings")
AWS_REGION = env.str("AWS_REGION", default="us-east-1")
S3_CONNECT_TIMEOUT_S = env.float("S3_CONNECT_TIMEOUT_S", default=3.0)
S3_READ_TIMEOUT_S = env.float("S3_READ_TIMEOUT_S", default=20.0)

# Evidence export: clips and manifests under EXPORTS_ROOT/{tenant}/{export id}/.
EXPORTS_ROOT = _path("EXPORTS_ROOT", REPO_ROOT / ".var" / "exports")
EXPORT_MAX_RANGE_HOURS = env.int("EXPORT_MAX_RANGE_HOURS", default=24)
EXPORT_URL_TTL_SECONDS = env.int("EXPORT_URL_TTL_SECONDS", default=3600)

# The recorder's API, to which each camera's retention and evidence holds are pushed.
RECORDER_URL = env.str("RECORDER_URL", default="http://127.0.0.1:8003")
RECORDER_API_TOKEN = _secret(
    "RECORDER_API_TOKEN", "insecure-development-recorder-token-not-for-production"
)
RECORDER_TIMEOUT_S = env.float("RECORDER_TIMEOUT_S", default=5.0)

# The detection service and the relay's Control API, to which camera settings are pushed.
DETECTION_URL = env.str("DETECTION_URL", default="http://127.0.0.1:8002")
DETECTION_API_TOKEN = _secret(
    "DETECTION_API_TOKEN", "insecure-development-detection-token-not-for-production"
)
# MediaMTX's API (e.g. http://mediamtx:9997); empty: cameras are not configured on a relay.
MEDIAMTX_API_URL = env.str("MEDIAMTX_API_URL", default="")
SERVICE_TIMEOUT_S = env.float("SERVICE_TIMEOUT_S", default=5.0)

# The channel layer of the WebSocket push (Django Channels on Redis).
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
# The default cache, in which the API's rate limits are counted (infrastructure/throttling.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "vms",
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "capacity": 1000, "expiry": 30},
    }
}

# Live streams through MediaMTX: stream tokens, and its external HTTP auth (validate-stream).
STREAM_TOKEN_TTL_S = env.int("STREAM_TOKEN_TTL_S", default=3600)
STREAM_PUBLISHER_USER = env.str("STREAM_PUBLISHER_USER", default="vms-publisher")
STREAM_PUBLISHER_PASSWORD = _secret("STREAM_PUBLISHER_PASSWORD", "insecure-development-publisher-password-not-for-production")  # fmt: skip
# The internal reader (recorder, detection service) reads every camera path with these.
STREAM_READER_USER = env.str("STREAM_READER_USER", default="vms-reader")
STREAM_READER_PASSWORD = _secret("STREAM_READER_PASSWORD", "insecure-development-reader-password-not-for-production")  # fmt: skip
STREAM_AUTH_ALLOWED_NETWORKS = env.list("STREAM_AUTH_ALLOWED_NETWORKS", default=[])
STREAM_AUTH_SECRET = env.str("STREAM_AUTH_SECRET", default="")

# --- Django ---------------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "apps.core",
    "apps.usuarios",
    "apps.cameras",
    "apps.playback",
    "apps.audit",
    "apps.evidence",
    "apps.detections",
    "apps.alerts",
    "apps.dashboard",
    "apps.streams",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "apps.core.middleware.TraceIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "infrastructure.auth.audit_middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/vms"),
}
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
try:  # DATABASE_PASSWORD (Secrets Manager or the environment) replaces DATABASE_URL's password
    DATABASE_PASSWORD = read_secret("DATABASE_PASSWORD")
except SecretError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
if DATABASE_PASSWORD:
    DATABASES["default"]["PASSWORD"] = DATABASE_PASSWORD
if "postgresql" in DATABASES["default"]["ENGINE"]:
    # Bounded waits: health checks and the worker's retries must not hang on a dead host.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "usuarios.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- static files and the built frontend -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = _path("STATIC_ROOT", REPO_ROOT / ".var" / "static")
# The frontend's build output is served at the site root (/assets/..., /favicon.ico).
WHITENOISE_ROOT = str(FRONTEND_DIST) if FRONTEND_DIST.is_dir() else None
WHITENOISE_USE_FINDERS = not IS_PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["apps.usuarios.permissions.RolePermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["apps.core.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "apps.core.exception_handler.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "infrastructure.throttling.UserThrottle",
        "infrastructure.throttling.AnonThrottle",
        "infrastructure.throttling.LoginThrottle",
        "infrastructure.throttling.MediaThrottle",
    ],
    # X-Forwarded-For is believed this many proxies deep (Kong in front: 1); 0 ignores it.
    "NUM_PROXIES": env.int("API_TRUSTED_PROXY_HOPS", default=0),
    "DEFAULT_SCHEMA_CLASS": "apps.core.schema.ApiSchema",
}

# The OpenAPI schema, published to signed-in users at GET /api/schema (drf-spectacular).
SPECTACULAR_SETTINGS = {
    "TITLE": "VMS backend API",
    "DESCRIPTION": "Cameras, playback, evidence, detections, alerts and stream tokens. "
    'Errors are always {"message", "code", "extra"}.',
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["apps.usuarios.permissions.RolePermission"],
    "SCHEMA_PATH_PREFIX": r"/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
}


def _rate(name: str, default: str) -> str:
    value = env.str(name, default=default)
    if not re.fullmatch(r"[1-9][0-9]*/(s|sec|m|min|h|hour|d|day)", value):
        raise ImproperlyConfigured(f"{name} must look like 600/min (s, min, hour or day)")
    return value


# Rate limits of the API per user, per IP without a user, and of login per IP and
# username; a request over the limit gets 429 with Retry-After (infrastructure/throttling.py).
API_THROTTLE_USER = _rate("API_THROTTLE_USER", "600/min")
API_THROTTLE_ANON = _rate("API_THROTTLE_ANON", "60/min")
API_THROTTLE_LOGIN = _rate("API_THROTTLE_LOGIN", "10/min")
API_THROTTLE_MEDIA = _rate("API_THROTTLE_MEDIA", "3000/min")

SIMPLE_JWT = {
    "SIGNING_KEY": JWT_SECRET,
    "ALGORITHM": "HS256",
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=15),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=1),
    "ROTATE_REFRESH_TOKENS": False,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # Kong's jwt plugin finds the credential of a token by its "iss" (kong/kong.yml)
    "ISSUER": "vms-backend",
}

# --- Celery (the worker that persists RabbitMQ events) ----------------------------------------
CELERY_BROKER_URL = RABBITMQ_URL
# The worker's Prometheus metrics (0: not served)
WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", default=0)
WORKER_METRICS_ADDR = env.str("WORKER_METRICS_ADDR", default="127.0.0.1")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True

# --- alerts: webhook and e-mail delivery, and the outbox of unpublished alerts ---------------
ALERT_WEBHOOK_SECRET = env.str("ALERT_WEBHOOK_SECRET", default="") or ("" if IS_PRODUCTION else "insecure-development-webhook-secret-not-for-production")  # fmt: skip
ALERT_WEBHOOK_TIMEOUT_S = env.float("ALERT_WEBHOOK_TIMEOUT_S", default=5.0)
ALERT_WEBHOOK_ATTEMPTS = env.int("ALERT_WEBHOOK_ATTEMPTS", default=3)
ALERT_WEBHOOK_ALLOW_PRIVATE = env.bool("ALERT_WEBHOOK_ALLOW_PRIVATE", default=not IS_PRODUCTION)
ALERT_EMAIL_FROM = env.str("ALERT_EMAIL_FROM", default="vms-alerts@localhost")
ALERT_OUTBOX_AFTER_S = env.float("ALERT_OUTBOX_AFTER_S", default=30.0)
ALERT_OUTBOX_INTERVAL_S = env.float("ALERT_OUTBOX_INTERVAL_S", default=30.0)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)

# --- production hardening --------------------------------------------------------------------
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    X_FRAME_OPTIONS = "DENY"
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be false when ENVIRONMENT=production")
