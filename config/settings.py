"""Settings, all from environment variables (DESIGN §10).

The embedded default needs nothing but Python packages: a SQLite file in WAL mode under var/.
Point DATABASE_URL at PostgreSQL for production and for the concurrency tests.
"""

import hashlib
import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = env_bool("DEBUG", False)
# With DEBUG on, the product still shows its own 404 and 500 pages (config/errorpages.py) unless this is set
TECHNICAL_ERROR_PAGES = env_bool("TECHNICAL_ERROR_PAGES", False)


def secret_key() -> str:
    """SECRET_KEY from the environment; without it only DEBUG (a developer's machine) may serve, on a
    fixed key, and a test run or type check uses a throwaway one (DESIGN §11). A server or worker
    refuses to start without one (require_secret_key, called by config/asgi.py, wsgi.py, celery.py):
    one signing sessions, CSRF tokens and password-reset links with a key that is in this file would
    let anyone forge them. A command that signs nothing (migrate, makemigrations, load_org) still runs."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if env_bool("PRODUCTION", False):
        raise ImproperlyConfigured("SECRET_KEY must be set when PRODUCTION is set")
    if DEBUG:
        return "embedded-insecure-key-for-DEBUG-only-set-SECRET_KEY-in-production"
    if "pytest" in sys.modules or "mypy" in sys.modules:
        # handed on to the processes the tests start (servers, workers) so they share it
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(50)
        return os.environ["SECRET_KEY"]
    return ""


def require_secret_key() -> None:
    """Refuse to serve or work without SECRET_KEY (unless DEBUG gave the development key)."""
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set (50+ random characters), or DEBUG=1 on a development machine"
        )


SECRET_KEY = secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # API tokens, stored hashed, with an expiry (config/tokens.py)
    "axes",  # sign-in throttling (config/signin.py)
    "csp",
    "drf_spectacular",
    "channels",
    "guardian",
    "django_countries",  # its country names in zh-Hans (a lead's home country)
    "viewflow",
    "workflow",
    "cases",
    "cases.attachments",  # files on cases (DESIGN §6a)
    "cases.documents",  # the formal papers as PDF (DESIGN §6a)
    "cases.majorprojects",  # DESIGN §6b
    "cases.servicerequests",  # DESIGN §6b
    "cases.supportplans",  # DESIGN §6b
    "cases.admissions",  # DESIGN §6b
    "cases.financing",  # DESIGN §6b
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files from the app servers themselves
    "config.sessions.SessionMiddleware",  # Django's, renewing a session once per refresh window
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.requests.RefuseNulMiddleware",  # a NUL in a parameter is a 400, never a database error
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.errorpages.ProductErrorPagesMiddleware",  # the product's 404/500 pages even with DEBUG on
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    # last, as django-axes asks: turns a refused sign-in into the 429 page (config/signin.py)
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # first, so the product's pages win over viewflow's and the admin's of the same name
        # (registration/*, 400–500, viewflow/base*.html, which extend the ones they replace)
        "DIRS": [BASE_DIR / "cases" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.web.bell",
            ],
        },
    },
]

VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE makes every transaction take the
    # write lock at BEGIN, so two transitions on one lead serialise instead of failing with
    # "database is locked" when a read transaction tries to upgrade to a write.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    # One test database per checkout: named after the database and a hash of this VAR_DIR, so two
    # test runs against one server (two clones, or CI beside a developer) never create, use or drop
    # each other's. PostgreSQL names stop at 63 bytes.
    _checkout = hashlib.sha256(str(VAR_DIR.resolve()).encode()).hexdigest()[:8]
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME'][:40]}_{_checkout}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # first: refuses every password check (web login, admin, API token) while the username or
    # the address is locked out, before the password is even compared
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous callers see nothing

AUTH_PASSWORD_VALIDATORS = [  # every password form: change, reset, admin, createsuperuser
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in throttling (DESIGN §8 Additions, §11) with django-axes: failed sign-ins are counted per
# username and, separately, per address (REMOTE_ADDR: behind a proxy, let the ASGI server take the
# client's address from X-Forwarded-For, uvicorn --forwarded-allow-ips / daphne --proxy-headers).
# SIGNIN_FAILURE_LIMIT failures within SIGNIN_COOLOFF_MINUTES lock that username, or that address,
# out of the web login, the admin login and POST /api/auth/token/ until the cool-off has passed
# since the last counted failure: 429 with Retry-After. docs/security.md.
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGNIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "config.signin.SignInHandler"
AXES_LOCKOUT_CALLABLE = "config.signin.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts made while locked out are refused without being counted, so a lock ends exactly one
# cool-off after the failure that caused it (what Retry-After promises), however often it is retried.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_DISABLE_ACCESS_LOG = True  # successful sign-ins are in last_login; failures are what counts
AXES_VERBOSE = False  # no banner on every command's standard output (process_due prints JSON there)

# A browser session ends after SESSION_IDLE_HOURS without a request: a request renews it, writing
# the session only if it was last saved SESSION_REFRESH_SECONDS ago or more (config/sessions.py, its
# store and middleware), so the idle timeout is exact to those five minutes and a request within
# them writes nothing.
SESSION_ENGINE = "config.sessions"
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_HOURS", 8) * 3600
SESSION_REFRESH_SECONDS = 300

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))  # filled by collectstatic
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "config.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # JSON and form bodies are read at most DATA_UPLOAD_MAX_MEMORY_SIZE bytes deep (413 beyond)
    # and JSON at most MAX_JSON_DEPTH levels deep (400 beyond): config/parsers.py
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.JSONParser",
        "config.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "cases.api.schema.Schema",
    "EXCEPTION_HANDLER": "cases.api.errors.exception_handler",
    "PAGE_SIZE": 50,
    # `?format=` belongs to the API contract (kpis: json|csv|xlsx), not to DRF's renderer override
    "URL_FORMAT_OVERRIDE": None,
}
# API tokens (knox): stored as SHA-512 digests, sent as `Authorization: Token …`, valid for
# TOKEN_TTL_DAYS and only while the person is active and keeps the password they had when the token
# was issued (config/tokens.py).
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("TOKEN_TTL_DAYS", 30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, stated: the largest JSON or form body
MAX_JSON_DEPTH = 32

SPECTACULAR_SETTINGS = {
    "TITLE": "首谈制 case engine API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "LeadStateEnum": "cases.models.State",
        "CommitmentStateEnum": "cases.models.CommitmentState",
        "RewardStateEnum": "cases.models.RewardState",
        "ActivityKindEnum": "cases.models.Activity.Kind",
        "ServiceRequestKindEnum": "cases.servicerequests.models.ServiceRequest.Kind",
    },
}

# Channel layer and broker. Without REDIS_URL everything runs in one process (the embedded mode):
# the in-memory layer, and the due-work loop inside the ASGI server. With it: channels-redis, and
# Celery workers and beat on the same Redis.
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_channel_layer(url: str) -> dict:
    """channels-redis on `url`, without a client read timeout, as channels-redis expects.

    Its receive loop blocks in BZPOPMIN for up to 5 s. redis-py 8 cuts every read off after 5 s by
    default, which kills idle consumers (their sockets close and pushes to them are lost); any
    finite timeout also keeps a server's graceful shutdown waiting on its closed sockets' reads
    (measured: 5 s with a 5 s timeout, over a minute with 30 s, at once with none)."""
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [{"address": url, "socket_timeout": None, "socket_connect_timeout": 5}]},
    }


if REDIS_URL:
    CHANNEL_LAYERS = {"default": redis_channel_layer(REDIS_URL)}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Each commit that leaves e-mails or webhooks to send queues the Celery task `shoutan.deliveries` (on
# with REDIS_URL). Turn it off where no Celery worker consumes the queue (the `worker` command instead):
# the due-work runs then send them.
CELERY_DELIVERIES = env_bool("CELERY_DELIVERIES", bool(REDIS_URL))
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
DUE_WORK_INTERVAL = float(os.environ.get("DUE_WORK_INTERVAL", "15"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The embedded server runs the due-work loop itself (set by scripts/run.sh; off for production
# servers, where Celery beat or the worker command does it).
EMBEDDED_WORKER = env_bool("EMBEDDED_WORKER", False)

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "shoutan@localhost")
WEBHOOK_TIMEOUT = float(os.environ.get("WEBHOOK_TIMEOUT", "5"))

# The CJK TrueType font the formal papers (cases/documents, docs/documents.md) embed, so their Chinese
# prints and extracts correctly anywhere; a .ttc collection's first face is used. Debian/Ubuntu:
# `apt-get install fonts-wqy-microhei`. Missing file: the document endpoints answer 503 saying so.
PDF_FONT = os.environ.get("PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

# Model-level permissions each role of a city-level unit holds (DESIGN §2: "city roles hold the
# equivalent model-level permissions"). Object-level grants for districts and zones are made by
# the case services through django-guardian.
CITY_ROLE_PERMISSIONS = {
    "officer": [
        "cases.view_lead",
        "cases.dispatch_lead",
        "servicerequests.view_servicerequest",
        "supportplans.view_supportplan",
        "supportplans.work_supportplan",
        "cases.view_commitmentapplication",
        "cases.add_commitmentstandard",
        "majorprojects.view_majorproject",
        "admissions.view_admissionsupport",
        "financing.view_financingneed",
    ],
    "leader": [
        "cases.view_lead",
        "cases.view_commitmentapplication",
        "servicerequests.view_servicerequest",
        "cases.add_commitmentstandard",
        "supportplans.view_supportplan",
        "majorprojects.view_majorproject",
        "majorprojects.add_majorproject",
        "majorprojects.change_majorproject",
        "admissions.view_admissionsupport",
        "admissions.decide_admissionsupport",
        "financing.view_financingneed",
    ],
}

# Content-Security-Policy on every response (DESIGN §11), django-csp 4. Everything comes from this
# origin: scripts, styles, fonts, the websocket; nothing may frame the pages, plugins are off, forms
# post only here. Inline scripts stay allowed ('unsafe-inline'): the pages' templates carry inline
# scripts and an onchange handler, and viewflow's Turbo Drive swaps pages into the first page's
# document, so per-response nonces would block every page reached by navigation. Styles: viewflow's
# own templates use style attributes. docs/security.md says how to drop 'unsafe-inline' for scripts.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],  # fetch() and the /ws/notifications/ websocket (same host and port)
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

if env_bool("PRODUCTION", False):
    # run `manage.py collectstatic` at deploy: hashed, compressed files, cached forever by browsers
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "config.storage.StaticStorage"},
    }
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Attachments (DESIGN §6a, §11; docs/attachments.md) ----------------------------------------------
# Files on leads, milestones and commitment applications go through the `attachments` storage: a
# directory under VAR_DIR by default (ATTACHMENTS_DIR to move it); with ATTACHMENTS_S3_BUCKET set, an
# S3-compatible object store such as MinIO through django-storages (install `django-storages[s3]`;
# credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). "default" and "staticfiles" stay as
# chosen above (Django's own, or the production block's).
if os.environ.get("ATTACHMENTS_S3_BUCKET"):
    _attachments_storage: dict = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["ATTACHMENTS_S3_BUCKET"],
            "endpoint_url": os.environ.get("ATTACHMENTS_S3_ENDPOINT_URL") or None,  # MinIO: its URL
            "region_name": os.environ.get("ATTACHMENTS_S3_REGION") or None,
            "location": "attachments",
            "default_acl": "private",
            "file_overwrite": False,
            "querystring_auth": True,  # files are served through the API, never by a public URL
        },
    }
else:
    _attachments_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(Path(os.environ.get("ATTACHMENTS_DIR", VAR_DIR / "attachments"))),
            "file_permissions_mode": 0o640,
            "directory_permissions_mode": 0o750,
        },
    }
STORAGES = {
    **globals().get(
        "STORAGES",
        {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
    ),
    "attachments": _attachments_storage,
}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024  # per file, capped while the upload streams in (§11)
