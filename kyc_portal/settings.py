"""Settings for kyc-portal, all read from the environment.

The defaults give a working development site (SQLite, tasks run inline, emails on the console,
documents in a private local folder). Production sets DEBUG=false and must supply SECRET_KEY,
FIELD_ENCRYPTION_KEYS and PORTAL_URL; it then passes `manage.py check --deploy`. A malformed
value stops start-up with an error naming the variable (kyc_portal.environment).
"""

import secrets
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from kyc_portal import environment as read

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("KYC_VAR_DIR", default=str(BASE_DIR / "var")))

# django-environ reads the URLs and free text; numbers, switches and the like go through
# kyc_portal.environment, which refuses a malformed value (django-environ reads "ture" as false).
env = environ.Env()

DEBUG = read.boolean("DEBUG", True)


def _local_secret(name: str, make) -> str:
    """A development secret kept in an untracked file, so restarts keep sessions and data."""
    path = VAR_DIR / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make())
        path.chmod(0o600)
    return path.read_text().strip()


def _required_in_production(name: str, make) -> str:
    value = env.str(name, default="")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is off.")
    return _local_secret(name.lower(), make)


SECRET_KEY = _required_in_production("SECRET_KEY", lambda: secrets.token_urlsafe(50))


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


# Comma-separated Fernet keys: the first encrypts, all decrypt (rotation: prepend a new key).
FIELD_ENCRYPTION_KEYS = read.fernet_keys(
    "FIELD_ENCRYPTION_KEYS", _required_in_production("FIELD_ENCRYPTION_KEYS", _fernet_key)
)
# Keyed hash for looking up encrypted values (duplicate document numbers, search).
LOOKUP_HASH_KEY = env.str("LOOKUP_HASH_KEY", default="") or SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = read.origins("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "kyc_portal",
    "accounts",
    "audit",
    "sales",
    "verification",
    "review",
    "notifications",
    "privacy",
    "identity",
    "screening",
    # The shop's API and webhooks; after notifications, whose status handler sets valid_until.
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kyc_portal.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # API requests (an API key, no cookie) skip the rest: see its docstring.
    "api.middleware.ApiFastLaneMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RateLimitRiskMiddleware",
    "accounts.middleware.StaffTwoFactorMiddleware",
    "sales.middleware.InquiryReadOnlyMiddleware",
    "api.middleware.ReturnToShopMiddleware",
]

ROOT_URLCONF = "kyc_portal.urls"
WSGI_APPLICATION = "kyc_portal.wsgi.application"

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
                "kyc_portal.context_processors.portal",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Data stores -------------------------------------------------------------------------------

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
}
if "." not in DATABASES["default"]["ENGINE"]:  # django-environ passes an unknown scheme through
    raise ImproperlyConfigured(
        "DATABASE_URL must start with postgres://, sqlite:/// or another database scheme."
    )
DATABASES["default"]["CONN_MAX_AGE"] = read.integer("CONN_MAX_AGE", 60, minimum=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # SQLite has one writer at a time. A transaction that reads and then writes (every
    # select_for_update) fails at once with "database is locked" if another writer got in
    # between, so transactions take the write lock when they begin and wait their turn for up
    # to 20 s. WAL lets pages be read while a write is going on.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command=(
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

BROKER_URL = read.url("CELERY_BROKER_URL", "", schemes=("redis", "rediss", "amqp", "amqps"))
# Rate limits must hold across web processes, so they live in a shared cache when there is one.
try:
    CACHES = {"default": env.cache("CACHE_URL", default=BROKER_URL or "locmemcache://")}
except ImproperlyConfigured as error:
    raise ImproperlyConfigured(f"CACHE_URL: {error}") from None
CACHES["default"].setdefault("KEY_PREFIX", env.str("CACHE_KEY_PREFIX", default="kyc"))
# Rate-limit keys carry client addresses: the cache only ever sees keyed hashes of its keys.
CACHES["default"]["KEY_FUNCTION"] = "kyc_portal.cache.hashed_key"
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A Redis outage reads as a miss, so signing in works while Redis restarts (kyc_portal.cache);
    # short timeouts keep an unreachable host from holding requests up.
    CACHES["default"]["BACKEND"] = "kyc_portal.cache.FailOpenRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=1, socket_timeout=2)

# --- Celery ------------------------------------------------------------------------------------

CELERY_BROKER_URL = BROKER_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not BROKER_URL  # no broker: tasks run inline, in the web process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None  # tasks return nothing worth keeping (and nothing personal)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message to be redelivered
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
visibility_timeout = read.integer("CELERY_VISIBILITY_TIMEOUT", 600, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": visibility_timeout}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE: dict = {}
# Document readings never queued (broker down) or whose lease ran out (worker died) are
# re-queued: with KYC_OCR_LEASE_SECONDS this bounds how long a lost read waits.
CELERY_BEAT_SCHEDULE["sweep-unfinished-readings"] = {
    "task": "verification.tasks.sweep_unfinished_readings",
    "schedule": 30,
}
# Face matches likewise (identity/matching.py), with the same lease.
CELERY_BEAT_SCHEDULE["sweep-unfinished-face-matches"] = {
    "task": "identity.tasks.sweep_unfinished_face_matches",
    "schedule": 30,
}
# Emails whose queueing failed (broker down) are sent by this sweep; re-verification is daily.
CELERY_BEAT_SCHEDULE["send-unsent-emails"] = {
    "task": "notifications.tasks.send_unsent_emails",
    "schedule": 300,
}
CELERY_BEAT_SCHEDULE["mark-lapsed-verifications"] = {
    "task": "notifications.tasks.mark_lapsed_verifications",
    "schedule": 24 * 3600,
}
# A reviewer who opened a case and went away does not keep it from the others.
CELERY_BEAT_SCHEDULE["expire-idle-review-claims"] = {
    "task": "review.tasks.expire_idle_claims",
    "schedule": 300,
}
CELERY_BEAT_SCHEDULE["purge-expired-document-images"] = {
    "task": "privacy.tasks.purge_expired_document_images",
    "schedule": 6 * 3600,
}
CELERY_BEAT_SCHEDULE["purge-expired-kyc-records"] = {
    "task": "privacy.tasks.purge_expired_kyc_records",
    "schedule": 24 * 3600,
}

# Submissions whose screening never reached the broker or whose worker died are screened; a
# loaded list version re-screens every passed customer, a batch at a time (screening/).
CELERY_BEAT_SCHEDULE["sweep-unfinished-screenings"] = {
    "task": "screening.tasks.sweep_unfinished_screenings",
    "schedule": 60,
}
CELERY_BEAT_SCHEDULE["rescreen-passed-customers"] = {
    "task": "screening.tasks.rescreen_passed_customers",
    "schedule": 60,
}
# Webhook deliveries that are due (retries, and those the broker never got).
CELERY_BEAT_SCHEDULE["deliver-due-webhooks"] = {
    "task": "api.tasks.deliver_due_webhooks",
    "schedule": 30,
}

# --- Files ---------------------------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Identity documents are never under a public URL: no MEDIA_URL is served, and files are
# streamed only by permission-checked views.
PRIVATE_MEDIA_ROOT = Path(read.absolute_path("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private-media")))
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    DOCUMENT_STORAGE = {
        "BACKEND": "kyc_portal.storage.EncryptedS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": read.url("AWS_S3_ENDPOINT_URL", "") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # MinIO and most S3-compatible stores want bucket names in the path.
            "addressing_style": env.str("AWS_S3_ADDRESSING_STYLE", default="path"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 60,
            "file_overwrite": False,
        },
    }
else:
    DOCUMENT_STORAGE = {
        "BACKEND": "kyc_portal.storage.EncryptedFileSystemStorage",
        "OPTIONS": {
            "location": str(PRIVATE_MEDIA_ROOT),
            "base_url": None,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
STORAGES = {
    "default": DOCUMENT_STORAGE,
    "documents": DOCUMENT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Retention: document images are deleted this long after a final decision (privacy/retention.py).
DOCUMENT_RETENTION_DAYS = read.integer("DOCUMENT_RETENTION_DAYS", 180, minimum=1)
# What erasure keeps of a customer's applications (decisions, reasons, history, the keyed hash
# of the document number) is deleted this long after the account was erased. AML laws commonly
# require 5 years after the end of the business relationship.
KYC_RECORD_RETENTION_DAYS = read.integer("KYC_RECORD_RETENTION_DAYS", 5 * 365, minimum=1)
# Uploads larger than this are refused by the upload validators with a clear message.
MAX_UPLOAD_BYTES = read.integer("MAX_UPLOAD_BYTES", 10 * 1024 * 1024, minimum=1)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Accounts (django-allauth) -------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:user_center"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True  # sign-up, sign-in and reset answer alike for any email
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_EMAIL_SUBJECT_PREFIX = env.str("EMAIL_SUBJECT_PREFIX", default="[KYC Portal] ")
ACCOUNT_RATE_LIMITS = {
    "signup": read.rate_limit("RATE_LIMIT_SIGNUP", "10/h/ip"),
    "login": read.rate_limit("RATE_LIMIT_LOGIN", "30/m/ip"),
    "login_failed": read.rate_limit("RATE_LIMIT_LOGIN_FAILED", "20/10m/ip,5/5m/key"),
    "reset_password": read.rate_limit("RATE_LIMIT_RESET_PASSWORD", "20/m/ip,5/m/key"),
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    # Ours, not allauth's: sign-ups from one email domain in a window ("abnormal registration").
    "signup_domain": read.rate_limit("RATE_LIMIT_SIGNUP_DOMAIN", "50/h/key"),
    # Ours: document image uploads per customer (each one is decoded and checked).
    "document_upload": read.rate_limit("RATE_LIMIT_DOCUMENT_UPLOAD", "30/h/user"),
}
# Clients are told apart by REMOTE_ADDR. Behind N reverse proxies set ALLAUTH_TRUSTED_PROXY_COUNT,
# so that a forged X-Forwarded-For from the client cannot pick its own rate-limit bucket.
ALLAUTH_TRUSTED_PROXY_COUNT = read.integer("ALLAUTH_TRUSTED_PROXY_COUNT", 0, minimum=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="KYC Portal")
# Staff pages (review, sales inquiry, admin) need two-step verification on.
STAFF_MFA_REQUIRED = read.boolean("STAFF_MFA_REQUIRED", True)
# `make run` relaxes this for its demo accounts only, so a newcomer can look around at once.
DEMO_ACCOUNTS_SKIP_MFA = read.boolean("DEMO_ACCOUNTS_SKIP_MFA", False)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email",)},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Email ---------------------------------------------------------------------------------------

EMAIL_BACKEND = read.dotted_path("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
if env.str("EMAIL_FILE_PATH", default=""):
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = read.integer("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = read.boolean("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = read.email_address("DEFAULT_FROM_EMAIL", "KYC Portal <no-reply@localhost>")

# --- Languages and time --------------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# DATE_FORMAT and DATETIME_FORMAT per language, the time zone named (kyc_portal/formats/).
FORMAT_MODULE_PATH = ["kyc_portal.formats"]

# --- KYC rules -----------------------------------------------------------------------------------

KYC_MIN_AGE = read.integer("KYC_MIN_AGE", 18, minimum=1)
# Pass OCR-matched cases without a person. Off: every case is seen by a reviewer.
KYC_AUTO_APPROVE = read.boolean("KYC_AUTO_APPROVE", False)
# The manual review promise in working days (review/sla.py); peak periods add to it.
KYC_SLA_WORKING_DAYS = read.integer("KYC_SLA_WORKING_DAYS", 1, minimum=1)
# An opened case goes back to the queue after this long without the reviewer acting on it.
KYC_REVIEW_CLAIM_IDLE_MINUTES = read.integer("KYC_REVIEW_CLAIM_IDLE_MINUTES", 30, minimum=1)
# A final rejection needs a supervisor's confirmation.
KYC_REVIEW_FOUR_EYES = read.boolean("KYC_REVIEW_FOUR_EYES", True)
# After this many applications (the current one included) a rejection is final.
KYC_MAX_ATTEMPTS = read.integer("KYC_MAX_ATTEMPTS", 5, minimum=1)
# A pass lapses ("Re-verification required") this long after it was given, or when the
# verified document expires, whichever is first.
KYC_VALIDITY_MONTHS = read.integer("KYC_VALIDITY_MONTHS", 24, minimum=1)
# Seconds before an OCR read is abandoned and the case goes to a person; the hard limit is 30 s
# later. Set it for web and worker alike: the limits travel in the task message.
KYC_OCR_SOFT_TIME_LIMIT = read.integer("KYC_OCR_SOFT_TIME_LIMIT", 90, minimum=1)
if visibility_timeout <= KYC_OCR_SOFT_TIME_LIMIT + 30:
    # Redis would hand a read that is still running to a second worker.
    raise ImproperlyConfigured(
        "KYC_OCR_SOFT_TIME_LIMIT plus 30 s must be shorter than CELERY_VISIBILITY_TIMEOUT "
        f"({visibility_timeout} s)."
    )
# A running OCR read holds a lease of this many seconds, renewed every third of it while its
# process lives; a read whose worker died is taken over once the lease runs out.
KYC_OCR_LEASE_SECONDS = read.integer("KYC_OCR_LEASE_SECONDS", 60, minimum=1)
# Refuse a holding photo without a person's face right after upload (identity/upload_check.py).
KYC_FACE_UPLOAD_CHECK = read.boolean("KYC_FACE_UPLOAD_CHECK", True)

# Real MRZ development images (tests and benchmarks only; never copied into the repository).
# Tests that need them skip when the folder is absent.
MRZ_DEV_IMAGES_DIR = read.absolute_path(
    "MRZ_DEV_IMAGES_DIR", str(BASE_DIR.parent / "shared" / "ocr-dev")
)
# The portal's own address, for links in emails (which are sent outside any request). In
# production it must be the public https address (kyc_portal.checks).
PORTAL_URL = read.url("PORTAL_URL", "http://localhost:8000" if DEBUG else "")

# Sanctions and PEP screening: a list entry scoring this much (0 to 1) against an applicant
# is a hit that a reviewer must resolve (screening/, README "Sanctions and PEP screening").
KYC_SCREENING_THRESHOLD = read.fraction("KYC_SCREENING_THRESHOLD", 0.9)

# --- The shop's API and webhooks (api/) ---------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.authentication.HasClientKey"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerKeyThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.handle_exception",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "KYC Portal API",
    "DESCRIPTION": "Look up your customers' KYC status; receive signed webhooks (README).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # The docs page's scripts and styles come from the sidecar package, served as our static
    # files: no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "APPEND_COMPONENTS": {
        "securitySchemes": {"ApiKey": {"type": "apiKey", "in": "header", "name": "Authorization"}}
    },
    "SECURITY": [{"ApiKey": []}],
}
# Requests per API key, in the syntax of the other rate limits ("600/m/key").
API_RATE_LIMIT = read.rate_limit("API_RATE_LIMIT", "600/m/key")
if "," in API_RATE_LIMIT or not API_RATE_LIMIT.endswith(("/key", "s", "m", "h", "d")):
    raise ImproperlyConfigured("API_RATE_LIMIT must be one rate per key, such as 600/m/key.")
# Hand-off links stop working this long after they were made.
API_HANDOFF_LINK_HOURS = read.integer("API_HANDOFF_LINK_HOURS", 24, minimum=1, maximum=24 * 30)
WEBHOOK_TIMEOUT_SECONDS = read.integer("WEBHOOK_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)
# Seconds to wait after each failed attempt; when they are used up the delivery fails and the
# endpoint is marked failing. The default spans about 27 hours (the Standard Webhooks example).
WEBHOOK_RETRY_SCHEDULE = read.seconds_list(
    "WEBHOOK_RETRY_SCHEDULE", [5, 300, 1800, 7200, 18000, 36000, 36000]
)
# After a secret rotation the old secret also signs for this long.
WEBHOOK_SECRET_GRACE_HOURS = read.integer("WEBHOOK_SECRET_GRACE_HOURS", 24, minimum=0)
# Webhooks go only to https URLs on public addresses (no SSRF into our own network). Tests and
# development may allow http and loopback/private addresses; never with DEBUG off.
WEBHOOK_ALLOW_PRIVATE_TARGETS = read.boolean("WEBHOOK_ALLOW_PRIVATE_TARGETS", False)
if WEBHOOK_ALLOW_PRIVATE_TARGETS and not DEBUG:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_PRIVATE_TARGETS must not be on when DEBUG is off.")

# --- Security ------------------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# The language choice is read by the server only, so scripts need not see it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = read.boolean("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = read.integer("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# --- Logging: no personal data; request bodies and emails are never logged ----------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
