"""One env-driven settings file. SQLite under var/ by default; PostgreSQL via DATABASE_URL.

Every knob a deployment may turn is read from the environment through the typed helpers
below, so the demo runs with no configuration at all and production sets a handful of
variables (see docs/OPERATIONS.md).
"""

import json
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGZHI_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return default if raw is None else int(raw)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    return default if raw is None else [item.strip() for item in raw.split(",") if item.strip()]


def _secret_key() -> str:
    """A fixed key from the environment, else one generated once and kept under var/."""
    if key := os.environ.get("GONGZHI_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("GONGZHI_DEBUG", False)
ALLOWED_HOSTS = env_list("GONGZHI_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("GONGZHI_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "gongzhi.core",
    "gongzhi.registry",
    "gongzhi.problems",
    "gongzhi.finance",
    "gongzhi.fees",
    "gongzhi.disclosure",
    "gongzhi.voting",
    "gongzhi.evaluation",
    "gongzhi.branchwork",
    "gongzhi.elections",
    "gongzhi.training",
    "gongzhi.jobs",
    "gongzhi.home",
    "gongzhi.portal",
    "gongzhi.wall",
    "gongzhi.demo",
    "gongzhi.api",
]

MIDDLEWARE = [
    # first: the request id reaches every log line of the request, and the timing covers the whole answer
    "gongzhi.core.requestlog.request_context",
    "django.middleware.security.SecurityMiddleware",
    "gongzhi.core.dbrouter.ReplicaPinMiddleware",
    "gongzhi.core.middleware.security_headers",
    "gongzhi.core.middleware.refuse_nul",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gongzhi.core.locale.language_middleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # district roles read only: any change by them answers 403 (core/middleware.py)
    "gongzhi.core.middleware.DistrictReadOnly",
]

ROOT_URLCONF = "gongzhi.urls"
WSGI_APPLICATION = "gongzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gongzhi" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gongzhi.core.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("GONGZHI_CONN_MAX_AGE", 60))
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "gongzhi.sqlite3",
            # WAL lets the demo server read while an import writes; IMMEDIATE avoids
            # "database is locked" upgrades inside write transactions.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }

# A PostgreSQL streaming replica for read-heavy pages and reports (docs/SCALING.md): reads go there only
# inside core/dbrouter.reads_from_replica(); writes, transactions and migrations stay on the primary, and a
# browser that has just written reads from the primary for GONGZHI_REPLICA_PIN_SECONDS.
if replica_url := os.environ.get("GONGZHI_REPLICA_DATABASE_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url, conn_max_age=env_int("GONGZHI_CONN_MAX_AGE", 60)
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the test database through it
DATABASE_ROUTERS = ["gongzhi.core.dbrouter.ReplicaRouter"]
GONGZHI_REPLICA_PIN_SECONDS = env_int("GONGZHI_REPLICA_PIN_SECONDS", 10)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTHENTICATION_BACKENDS = [
    # axes first: it refuses a locked-out username/IP before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # then the address across usernames (core/loginguard.py): password spraying from one address.
    "gongzhi.core.loginguard.AddressThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): 5 failures per username+IP lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env_int("GONGZHI_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# … and any address with this many failures over all usernames in the same window (core/loginguard.py).
GONGZHI_LOGIN_IP_FAILURE_LIMIT = env_int("GONGZHI_LOGIN_IP_FAILURE_LIMIT", 20)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
GONGZHI_PROXY_COUNT = env_int("GONGZHI_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "gongzhi.core.clientip.client_ip"  # honours GONGZHI_PROXY_COUNT

# Cookies and headers. Secure cookies and HSTS need HTTPS, which the demo on
# http://127.0.0.1 does not have; a deployment behind TLS sets GONGZHI_HTTPS=1.
HTTPS = env_bool("GONGZHI_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 8
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = HTTPS and env_bool("GONGZHI_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

LANGUAGE_CODE = "zh-hans"
# Chinese numbers grouped by three with commas (gongzhi/core/formats/zh_Hans: 35,978 条), like the money filter.
FORMAT_MODULE_PATH = ["gongzhi.core.formats"]
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "gongzhi" / "locale"]
TIME_ZONE = env_str("GONGZHI_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns about a missing root
# Uploaded and generated files go through Django's storage API (default_storage, FileField): the local
# disk under MEDIA_ROOT by default; several app servers share one backend by naming it here, e.g.
# GONGZHI_STORAGE_BACKEND=storages.backends.s3.S3Storage with its options as JSON in
# GONGZHI_STORAGE_OPTIONS (django-storages installed beside gongzhi; docs/SCALING.md).
STORAGES = {
    "default": {
        "BACKEND": env_str("GONGZHI_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(env_str("GONGZHI_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the app folders: no collectstatic step before the demo runs.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# Uploads: Excel imports are bounded here and again by content in core/excel.py.
IMPORT_MAX_BYTES = env_int("GONGZHI_IMPORT_MAX_BYTES", 10 * 1024 * 1024)
# The largest request body the reverse proxy lets through (client_max_body_size of deploy/nginx/): a
# problem report may carry 6 photos of up to 10 MB (core/images.py), evidence documents 20 MB, imports
# IMPORT_MAX_BYTES — each refused by the application with its own message, never by the proxy.
GONGZHI_UPLOAD_MAX_REQUEST_MB = env_int("GONGZHI_UPLOAD_MAX_REQUEST_MB", 64)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Public PDFs (the disclosure book): rendered copies kept on disk by content, and at most this many
# renders at once on this host whatever the workers and threads (core/pdf.py). Half the cores leaves
# the other half to every other request.
GONGZHI_PDF_CACHE_DIR = VAR_DIR / "cache" / "pdf"
GONGZHI_PDF_RENDER_SLOTS = env_int("GONGZHI_PDF_RENDER_SLOTS", max(1, (os.cpu_count() or 2) // 2))
GONGZHI_PDF_RENDER_PROCESS = True  # render in a process of its own, not in a thread of the web worker

# Cache and sessions: per process by default; in Redis when GONGZHI_REDIS_URL (or REDIS_URL) is set, so
# every app server shares the public-page cache, the login throttle's counts and the sessions. Sessions
# are read from Redis and kept in the database too (cached_db): a restarted Redis logs nobody out.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if redis_url := os.environ.get("GONGZHI_REDIS_URL") or os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": env_str("GONGZHI_CACHE_PREFIX", "gongzhi"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Public pages (core/publicpages.py): kept in the cache above under their data's change mark for at most
# this long, and a browser or proxy may serve a copy this many seconds old.
GONGZHI_PUBLIC_CACHE_SECONDS = env_int("GONGZHI_PUBLIC_CACHE_SECONDS", 600)
GONGZHI_PUBLIC_MAX_AGE = env_int("GONGZHI_PUBLIC_MAX_AGE", 60)

# Logs (docs/OPERATIONS.md "Logs"): the console format for ./run demo; GONGZHI_LOG_FORMAT=json writes one
# JSON object per line with the request's id (core/requestlog.py) and an access line per request.
GONGZHI_LOG_FORMAT = env_str("GONGZHI_LOG_FORMAT", "console")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "gongzhi.core.requestlog.RequestContextFilter"}},
    "formatters": {"json": {"()": "gongzhi.core.requestlog.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_context"],
            **({"formatter": "json"} if GONGZHI_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("GONGZHI_LOG_LEVEL", "WARNING")},
    "loggers": {
        # the access line: on in JSON mode (gunicorn's own access log is then off, `gongzhi serve`)
        "gongzhi.request": {"level": "INFO" if GONGZHI_LOG_FORMAT == "json" else "WARNING"},
    },
}

NINJA_PAGINATION_PER_PAGE = 50
CSRF_FAILURE_VIEW = "gongzhi.core.views.csrf_failure"
# Notifications (docs/OPERATIONS.md "Notification channels"): the outbox's channels beside the inbox,
# their limits and their gateways. A channel without its settings fails its messages with a plain error.
GONGZHI_NOTIFY_CHANNELS = env_list("GONGZHI_NOTIFY_CHANNELS", ["email", "sms", "wechat"])
GONGZHI_NOTIFY_RATE_PER_HOUR = {
    "email": env_int("GONGZHI_NOTIFY_EMAIL_PER_HOUR", 20),
    "sms": env_int("GONGZHI_NOTIFY_SMS_PER_HOUR", 5),
    "wechat": env_int("GONGZHI_NOTIFY_WECHAT_PER_HOUR", 10),
}
GONGZHI_NOTIFY_MAX_ATTEMPTS = env_int("GONGZHI_NOTIFY_MAX_ATTEMPTS", 6)
GONGZHI_NOTIFY_BACKOFF_SECONDS = env_int("GONGZHI_NOTIFY_BACKOFF_SECONDS", 60)
GONGZHI_NOTIFY_TIMEOUT_SECONDS = env_int("GONGZHI_NOTIFY_TIMEOUT_SECONDS", 10)
# Absolute links (QR codes on stairwell notices, links in e-mail, SMS and WeChat messages).
GONGZHI_PUBLIC_BASE_URL = env_str("GONGZHI_PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# E-mail through Django's SMTP backend (the test runner's locmem backend is not used by the channel).
GONGZHI_EMAIL_BACKEND = env_str("GONGZHI_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("GONGZHI_EMAIL_HOST", "")
EMAIL_PORT = env_int("GONGZHI_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("GONGZHI_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("GONGZHI_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("GONGZHI_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("GONGZHI_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("GONGZHI_NOTIFY_TIMEOUT_SECONDS", 10)
DEFAULT_FROM_EMAIL = env_str("GONGZHI_EMAIL_FROM", "gongzhi@localhost")
# SMS: Alibaba Cloud SMS (dysmsapi SendSms, RPC signature). Templates: "event:SMS_code,…"; "default" for the rest.
GONGZHI_SMS_BASE_URL = env_str("GONGZHI_SMS_BASE_URL", "https://dysmsapi.aliyuncs.com/")
GONGZHI_SMS_ACCESS_KEY_ID = env_str("GONGZHI_SMS_ACCESS_KEY_ID", "")
GONGZHI_SMS_ACCESS_KEY_SECRET = env_str("GONGZHI_SMS_ACCESS_KEY_SECRET", "")
GONGZHI_SMS_SIGN_NAME = env_str("GONGZHI_SMS_SIGN_NAME", "")
GONGZHI_SMS_REGION = env_str("GONGZHI_SMS_REGION", "cn-hangzhou")
GONGZHI_SMS_TEMPLATES = env_str("GONGZHI_SMS_TEMPLATES", "")
# WeChat Official Account template messages. Templates: "event:template_id,…"; "default" for the rest.
GONGZHI_WECHAT_API_BASE = env_str("GONGZHI_WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/")
GONGZHI_WECHAT_APPID = env_str("GONGZHI_WECHAT_APPID", "")
GONGZHI_WECHAT_SECRET = env_str("GONGZHI_WECHAT_SECRET", "")
GONGZHI_WECHAT_TEMPLATES = env_str("GONGZHI_WECHAT_TEMPLATES", "")
# Survey answers enter the scored tables k (≥ 5, enforced) at a time per estate (docs/EVALUATION.md §5).
GONGZHI_SURVEY_RELEASE_K = env_int("GONGZHI_SURVEY_RELEASE_K", 5)

# Operations (docs/OPERATIONS.md "Backups", "Doctor"): where `gongzhi backup` writes its archives, the
# age past which `gongzhi doctor` calls the last backup too old, the font families the PDFs need, and
# the worker probe (a dotted path to a function returning (alive, queue depth, detail); none → 未配置).
GONGZHI_BACKUP_DIR = Path(os.environ.get("GONGZHI_BACKUP_DIR", VAR_DIR / "backups"))
GONGZHI_BACKUP_MAX_AGE_HOURS = env_int("GONGZHI_BACKUP_MAX_AGE_HOURS", 26)
GONGZHI_PDF_FONTS = env_list("GONGZHI_PDF_FONTS", ["Noto Sans CJK SC", "Noto Serif CJK SC"])
# The background worker (gongzhi/jobs, docs/OPERATIONS.md): its liveness for `gongzhi doctor`, and the
# folder for job progress and result files (web and worker must share it).
GONGZHI_WORKER_PROBE = env_str("GONGZHI_WORKER_PROBE", "gongzhi.jobs.worker.probe")
GONGZHI_JOBS_DIR = Path(os.environ.get("GONGZHI_JOBS_DIR", VAR_DIR / "jobs"))

# Metrics (/metrics, core/metrics.py): who may read them, and where each gunicorn process leaves its
# request counts for the others to add up (`gongzhi serve` sets it to var/metrics; unset: per process).
GONGZHI_METRICS_ALLOWED_IPS = env_list("GONGZHI_METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
GONGZHI_METRICS_TOKEN = env_str("GONGZHI_METRICS_TOKEN", "")
GONGZHI_METRICS_DIR = os.environ.get("GONGZHI_METRICS_DIR") or None
