"""Settings for mamoru, read from environment variables.

One module for every environment: the defaults are safe to run on a laptop
(debug off, loopback only), and production sets MAMORU_SECRET_KEY,
MAMORU_ALLOWED_HOSTS and DATABASE_URL (see .env.example and docs/security/input.md).
"""

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: str) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn DATABASE_URL (postgres://user:pass@host:port/name) into Django's dict."""
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("MAMORU_SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql"):
        raise ValueError(f"DATABASE_URL の形式が不正です（postgres:// で始めてください）: {parsed.scheme}")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")),
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": envint("MAMORU_DB_CONN_MAX_AGE", "60"),
        # A kept connection is checked before each request reuses it, so a restarted
        # server costs one reconnect, not an error page (docs/deploy.md "## Database down").
        "CONN_HEALTH_CHECKS": True,
        # Seconds to wait for the server to answer a connect: an unreachable database
        # gives the 503 page within this time instead of a hung request.
        "OPTIONS": {"connect_timeout": envint("MAMORU_DB_CONNECT_TIMEOUT", "5")},
    }


# Off unless asked for: Django's debug page shows the whole URL map and tracebacks.
DEBUG = envbool("MAMORU_DEBUG", "0")
ALLOWED_HOSTS = envlist("MAMORU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
# Served only on this machine (`make run`, the tests): plain HTTP and a key of the checkout's own are fine.
LOOPBACK_ONLY = set(ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]", "::1", "testserver"}


def local_secret_key(path: Path) -> str:
    """A random key kept in ``path`` (created once, readable by its owner only),
    for a server that answers on loopback only."""
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    except OSError:  # a read-only checkout: a key for this process only (sessions end at restart)
        return key
    with os.fdopen(fd, "w") as file:
        file.write(key)
    return key


SECRET_KEY = os.environ.get("MAMORU_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or LOOPBACK_ONLY):
        raise RuntimeError("MAMORU_SECRET_KEY を設定してください（本番環境では必須です）。")
    SECRET_KEY = local_secret_key(BASE_DIR / ".secret_key")
CSRF_TRUSTED_ORIGINS = envlist("MAMORU_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "daphne",  # runserver serves ASGI, so WebSockets work with `make run`
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "mamoru.policy",
    "accounts",
    "audit",
    "people",
    "records",
    "realtime",
    "backup_calls",
    "notifications",
    "cases",
    "assessment",
    "repetition",
    "letters",
    "measures",
    "disclosure",
    "evidence",
    # business stream (issue 15 B): requests from other businesses about our staff
    "business_requests",
    # online stream (issue 15 A): online posts about staff
    "online",
    # issue 16: figures for managers and the public (a top app: it reads the others' figures through mamoru.lib.figures)
    "stats",
    # issue 17: backup and restore (python -m mamoru backup / restore; a top app nobody imports)
    "operations",
    # signin stream: two-factor devices (django-otp)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files without DEBUG (`make run` included)
    "mamoru.middleware.SecurityHeadersMiddleware",
    "mamoru.middleware.RequestLimitsMiddleware",
    "audit.middleware.RequestIdMiddleware",
    "mamoru.middleware.RefuseNulMiddleware",  # api stream (issue 13, A10): NUL never reaches a view
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.LoginRequiredMiddleware",
    # signin stream: the second factor and the second sign-in (accounts.signin_middleware)
    "django_otp.middleware.OTPMiddleware",
    "accounts.signin_middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "mamoru.urls"
WSGI_APPLICATION = "mamoru.wsgi.application"
ASGI_APPLICATION = "mamoru.asgi.application"

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
                "mamoru.context_processors.mamoru",
            ],
            "builtins": ["mamoru.templatetags.mamoru_tags"],
            # {% panels "page" "slot" obj %} (mamoru.lib.panels); mamoru itself is not an installed app.
            "libraries": {"panels": "mamoru.templatetags.panels"},
        },
    }
]

DATABASES = {"default": database_from_url(os.environ.get("DATABASE_URL", ""))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = ["accounts.backends.UserBackend"]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if envbool("MAMORU_FAST_PASSWORD_HASHER", "0"):  # tests only: Argon2 is slow on purpose
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "records:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# A counter PC left logged in is a real risk: 30 minutes without activity ends the session.
SESSION_COOKIE_AGE = envint("MAMORU_SESSION_IDLE_SECONDS", "1800")
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Messages wait in the session, which is saved on every request anyway: no cookie
# of their own to sign and send, and their text stays on the server.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
CSRF_COOKIE_SAMESITE = "Lax"

# --- login stream (issue 13: A1, A6, A7, B8; docs/security/login.md) ---
# Failed logins within a window, counted per normalised account. Browsers the
# account never signed in from share one limit per account and one per source
# address; a browser holding the account's device cookie has a limit of its own.
LOGIN_FAILURE_LIMIT_ACCOUNT = envint("MAMORU_LOGIN_FAILURE_LIMIT_ACCOUNT", "5")
LOGIN_FAILURE_LIMIT_ADDRESS = envint("MAMORU_LOGIN_FAILURE_LIMIT_ADDRESS", "50")
LOGIN_FAILURE_LIMIT_DEVICE = envint("MAMORU_LOGIN_FAILURE_LIMIT_DEVICE", "10")
LOGIN_FAILURE_WINDOW_SECONDS = envint("MAMORU_LOGIN_FAILURE_WINDOW_SECONDS", "900")
MAMORU_LOGIN_DEVICE_COOKIE_NAME = "mamoru_device"
MAMORU_LOGIN_DEVICE_COOKIE_AGE = envint("MAMORU_LOGIN_DEVICE_COOKIE_DAYS", "180") * 86400
# Password hashes computed at once per server process (Argon2: ~100 MiB each), and how
# long an attempt waits for a free slot before it is answered 429 without hashing.
MAMORU_LOGIN_CONCURRENT_CHECKS = envint("MAMORU_LOGIN_CONCURRENT_CHECKS", "4")
MAMORU_LOGIN_CHECK_WAIT_SECONDS = float(os.environ.get("MAMORU_LOGIN_CHECK_WAIT_SECONDS", "3"))
# A session also ends this long after signing in, however active (0: no limit).
MAMORU_SESSION_ABSOLUTE_SECONDS = envint("MAMORU_SESSION_ABSOLUTE_SECONDS", "36000")
# How often an open WebSocket checks that its session is still valid (seconds).
MAMORU_REALTIME_SESSION_CHECK_SECONDS = float(os.environ.get("MAMORU_REALTIME_SESSION_CHECK_SECONDS", "30"))
# --- end login stream ---

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# HTTPS: on by default wherever the server answers to a real host name (not on loopback, where `make run` serves HTTP).
_HTTPS_DEFAULT = "0" if DEBUG or LOOPBACK_ONLY else "1"
SECURE_SSL_REDIRECT = envbool("MAMORU_SECURE_SSL_REDIRECT", _HTTPS_DEFAULT)
SESSION_COOKIE_SECURE = envbool("MAMORU_SECURE_COOKIES", _HTTPS_DEFAULT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = envint("MAMORU_HSTS_SECONDS", "31536000" if _HTTPS_DEFAULT == "1" else "0")
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = False
if envbool("MAMORU_BEHIND_PROXY", "0"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is a choice for the city's network team
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'"
)

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("MAMORU_TIME_ZONE", "Asia/Tokyo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("MAMORU_STATIC_ROOT", BASE_DIR / "staticfiles"))

# The policy pack: the city's rules as data (categories, time limits, measures).
MAMORU_POLICY_PACK = os.environ.get(
    "MAMORU_POLICY_PACK", str(BASE_DIR / "mamoru" / "policy" / "packs" / "otawara.toml")
)

# Text limits for free-text fields of a contact record (characters).
MAMORU_TEXT_LIMIT = envint("MAMORU_TEXT_LIMIT", "10000")
MAMORU_PAGE_SIZE = envint("MAMORU_PAGE_SIZE", "50")

EMAIL_BACKEND = os.environ.get("MAMORU_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# The address of the site, for links in e-mail (e.g. a case reported to the supervisors).
MAMORU_SITE_URL = os.environ.get("MAMORU_SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MAMORU_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Seconds in a timer "minute": 60 in real use; tests shorten it to watch the
# live clock pass the warning and the limit.
MAMORU_TIMER_SECONDS_PER_MINUTE = float(os.environ.get("MAMORU_TIMER_SECONDS_PER_MINUTE", "60"))

# Real-time push (Django Channels). One process: the in-memory layer, nothing
# else to start. Several server processes: MAMORU_REDIS_URL=redis://127.0.0.1:6379/0.
REDIS_URL = os.environ.get("MAMORU_REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # Each connecting page briefly needs a connection to join its groups: a
            # few hundred pages at once exceed redis-py's default pool of 100.
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, "max_connections": envint("MAMORU_REDIS_MAX_CONNECTIONS", "1000")}]
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "realtime.layers.InMemoryChannelLayer"}}

# Browsers connect to /ws/events/ for alerts (0 turns it off, e.g. under a WSGI-only server).
MAMORU_REALTIME = envbool("MAMORU_REALTIME", "1")
# How often each server process looks for backup calls to escalate (seconds; 0: never, e.g. in tests).
MAMORU_BACKUP_ESCALATION_INTERVAL = float(os.environ.get("MAMORU_BACKUP_ESCALATION_INTERVAL", "2"))
# How often each server process counts the repetition rules again for residents
# whose contacts changed (seconds; 0: never, then run `repetition-evaluate --pending` from cron).
MAMORU_REPETITION_RECOUNT_INTERVAL = float(os.environ.get("MAMORU_REPETITION_RECOUNT_INTERVAL", "2"))
# The jobs every server process runs in the background (mamoru.background): function, interval setting.
# Statistics (issue 16, bench): seconds between passes counting again the days whose contacts changed
# (records.tally; the figures also count them before they read).
MAMORU_CONTACT_TALLY_INTERVAL = float(os.environ.get("MAMORU_CONTACT_TALLY_INTERVAL", "5"))
MAMORU_BACKGROUND_JOBS = (
    ("backup_calls.services.backup_call_escalate_due", "MAMORU_BACKUP_ESCALATION_INTERVAL"),
    ("repetition.services.repetition_recount_step", "MAMORU_REPETITION_RECOUNT_INTERVAL"),
    ("records.tally.contact_tally_step", "MAMORU_CONTACT_TALLY_INTERVAL"),
)

# Letters (警告書, 対応制限通知書) are A4 PDFs set in Debian's IPAex fonts
# (fonts-ipaexfont-mincho, fonts-ipaexfont-gothic; `make fonts`). Folders searched in order.
MAMORU_LETTER_FONT_DIRS = envlist(
    "MAMORU_LETTER_FONT_DIRS",
    "/usr/share/fonts/opentype/ipaexfont-mincho,/usr/share/fonts/opentype/ipaexfont-gothic,"
    "/usr/share/fonts/truetype/ipaexfont-mincho,/usr/share/fonts/truetype/ipaexfont-gothic",
)

# --- disclosure stream (issue 13, B7): personal-data requests (開示請求・訂正請求) ---
# Days from receipt to the decision (個人情報保護法第83条: 30; a city's ordinance may set fewer),
# and the extension allowed with a reason (30).
MAMORU_DISCLOSURE_DECISION_DAYS = envint("MAMORU_DISCLOSURE_DECISION_DAYS", "30")
MAMORU_DISCLOSURE_EXTENSION_DAYS = envint("MAMORU_DISCLOSURE_EXTENSION_DAYS", "30")
# 1: a review starts with every staff member's name withheld (the reviewer may disclose them).
MAMORU_DISCLOSURE_WITHHOLD_STAFF_NAMES = envbool("MAMORU_DISCLOSURE_WITHHOLD_STAFF_NAMES", "0")
# --- signin stream (issue 13 B1, B2): two-factor sign-in, the second sign-in, directory sign-in ---
# Roles that must sign in with a second factor (TOTP app, or a recovery code). Anyone else may enrol.
MAMORU_OTP_REQUIRED_ROLES = envlist("MAMORU_OTP_REQUIRED_ROLES", "administrator,specialist")
# Exports and administration ask for the password (and the code, if enrolled) again when the
# last sign-in is older than this many minutes (0: never ask again).
MAMORU_STEP_UP_MINUTES = envint("MAMORU_STEP_UP_MINUTES", "15")
# Wrong passwords or codes on the second sign-in before the session is ended.
MAMORU_STEP_UP_FAILURE_LIMIT = envint("MAMORU_STEP_UP_FAILURE_LIMIT", "5")
# The name shown in the authenticator app next to the account.
OTP_TOTP_ISSUER = os.environ.get("MAMORU_OTP_ISSUER", "mamoru")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Directory sign-in (LDAP / Active Directory) through django-auth-ldap: off unless MAMORU_LDAP_URL is set.
MAMORU_LDAP_URL = os.environ.get("MAMORU_LDAP_URL", "")
if MAMORU_LDAP_URL:
    import json

    import ldap
    from django_auth_ldap.config import LDAPSearch, NestedActiveDirectoryGroupType, NestedGroupOfNamesType

    AUTH_LDAP_SERVER_URI = MAMORU_LDAP_URL
    AUTH_LDAP_START_TLS = envbool("MAMORU_LDAP_START_TLS", "0")
    AUTH_LDAP_BIND_DN = os.environ.get("MAMORU_LDAP_BIND_DN", "")
    AUTH_LDAP_BIND_PASSWORD = os.environ.get("MAMORU_LDAP_BIND_PASSWORD", "")
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        os.environ.get("MAMORU_LDAP_USER_BASE", ""),
        ldap.SCOPE_SUBTREE,
        os.environ.get("MAMORU_LDAP_USER_FILTER", "(uid=%(user)s)"),
    )
    # groupOfNames (OpenLDAP) or activedirectory (Active Directory's group, nested groups resolved).
    MAMORU_LDAP_GROUP_TYPE = os.environ.get("MAMORU_LDAP_GROUP_TYPE", "groupOfNames")
    _active_directory = MAMORU_LDAP_GROUP_TYPE == "activedirectory"
    AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        os.environ.get("MAMORU_LDAP_GROUP_BASE", ""),
        ldap.SCOPE_SUBTREE,
        os.environ.get(
            "MAMORU_LDAP_GROUP_FILTER", "(objectClass=group)" if _active_directory else "(objectClass=groupOfNames)"
        ),
    )
    AUTH_LDAP_GROUP_TYPE = NestedActiveDirectoryGroupType() if _active_directory else NestedGroupOfNamesType()
    # User field → directory attribute (full_name, full_name_kana, email, workplace), copied at each sign-in.
    MAMORU_LDAP_ATTRIBUTES = json.loads(
        os.environ.get("MAMORU_LDAP_ATTRIBUTES", '{"full_name": "displayName", "email": "mail"}')
    )
    AUTH_LDAP_ALWAYS_UPDATE_USER = False  # accounts.directory saves the user itself (audited)
    AUTH_LDAP_FIND_GROUP_PERMS = False
    AUTH_LDAP_CONNECTION_OPTIONS = {
        ldap.OPT_PROTOCOL_VERSION: 3,
        ldap.OPT_REFERRALS: 0,  # Active Directory's referrals lead outside the search
        ldap.OPT_NETWORK_TIMEOUT: envint("MAMORU_LDAP_TIMEOUT_SECONDS", "5"),
    }
    # Directory group DN → role, and group DN → department code (JSON objects). The first role group
    # in the order of MAMORU_LDAP_ROLE_GROUPS that the user belongs to wins.
    MAMORU_LDAP_ROLE_GROUPS = json.loads(os.environ.get("MAMORU_LDAP_ROLE_GROUPS", "{}"))
    MAMORU_LDAP_DEPARTMENT_GROUPS = json.loads(os.environ.get("MAMORU_LDAP_DEPARTMENT_GROUPS", "{}"))
    # With the directory on, a local password signs in only these roles (the break-glass administrator).
    MAMORU_LDAP_LOCAL_ROLES = envlist("MAMORU_LDAP_LOCAL_ROLES", "administrator")
    AUTHENTICATION_BACKENDS = ["accounts.directory.DirectoryBackend", "accounts.directory.LocalBackend"]
# --- input (issue 13): bad values, errors, limits ------------------------------------------
# The first day a contact may be dated: older dates are typing mistakes (0001/1/1, 1850).
MAMORU_EARLIEST_RECORD_DATE = os.environ.get("MAMORU_EARLIEST_RECORD_DATE", "1989-01-01")
# Static files from the app itself (whitenoise): from the source folders, so `make run` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Request bodies: forms and API calls up to DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB), a file upload
# (a policy pack) up to MAMORU_UPLOAD_MAX_BYTES; more is answered 413 before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MAMORU_REQUEST_MAX_BYTES", str(2_621_440))
MAMORU_UPLOAD_MAX_BYTES = envint("MAMORU_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))
# Words in one search (q=): more is refused with a message (SQLite's expression depth).
MAMORU_SEARCH_MAX_WORDS = envint("MAMORU_SEARCH_MAX_WORDS", "20")
# --- api stream (issue 13: A2, A10, A11, B4): tokens, API throttling, NUL at the edge ---
# A token expires this many days after it is issued at the latest (the form offers shorter).
MAMORU_API_TOKEN_MAX_DAYS = envint("MAMORU_API_TOKEN_MAX_DAYS", "90")
# Requests per token per minute before the API answers 429 (0: no limit).
MAMORU_API_RATE_PER_MINUTE = envint("MAMORU_API_RATE_PER_MINUTE", "120")
# Failed token attempts from one address within the window before it answers 429.
MAMORU_API_TOKEN_FAILURE_LIMIT = envint("MAMORU_API_TOKEN_FAILURE_LIMIT", "10")
MAMORU_API_TOKEN_FAILURE_WINDOW_SECONDS = envint("MAMORU_API_TOKEN_FAILURE_WINDOW_SECONDS", "600")
# How long the first answer to a POST with an Idempotency-Key is kept for retries (hours).
MAMORU_API_IDEMPOTENCY_HOURS = envint("MAMORU_API_IDEMPOTENCY_HOURS", "24")
# The counters above live in Django's cache: with several server processes they must share one,
# so the Redis used for real-time push (MAMORU_REDIS_URL) also holds the cache.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
# --- audit stream (issue 13: A4, A5, B3) ---------------------------------------------------
# Forward every audit entry, after its transaction commits, to the city's log server:
# udp://host:514 or tcp://host:601 (RFC 5424); add ?format=3164 for the old BSD format and
# ?facility=local4 for another facility (default local0). Empty: not forwarded.
MAMORU_AUDIT_SYSLOG = os.environ.get("MAMORU_AUDIT_SYSLOG", "").strip()
# Seconds to wait for a TCP log server before giving up on one entry (the entry itself stays).
MAMORU_AUDIT_SYSLOG_TIMEOUT = float(os.environ.get("MAMORU_AUDIT_SYSLOG_TIMEOUT", "2"))

# --- evidence (issue 14): files with their chain of custody -------------------------------
# Where the bytes are kept: local files under MAMORU_EVIDENCE_ROOT by default; S3-compatible
# object storage through django-storages when MAMORU_EVIDENCE_S3_BUCKET is set (docs/evidence.md).
MAMORU_EVIDENCE_ROOT = Path(os.environ.get("MAMORU_EVIDENCE_ROOT", BASE_DIR / "evidence-files"))
MAMORU_EVIDENCE_S3_BUCKET = os.environ.get("MAMORU_EVIDENCE_S3_BUCKET", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": str(MAMORU_EVIDENCE_ROOT),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}
if MAMORU_EVIDENCE_S3_BUCKET:
    from mamoru.lib.s3 import transfer_config as s3_transfer_config

    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MAMORU_EVIDENCE_S3_BUCKET,
            # SeaweedFS, MinIO, a city's own object store: its address (empty: AWS itself).
            "endpoint_url": os.environ.get("MAMORU_EVIDENCE_S3_ENDPOINT", "") or None,
            # Empty keys: boto3's own chain (AWS_* variables, an instance role), not an empty key.
            "access_key": os.environ.get("MAMORU_EVIDENCE_S3_ACCESS_KEY", "") or None,
            "secret_key": os.environ.get("MAMORU_EVIDENCE_S3_SECRET_KEY", "") or None,
            "region_name": os.environ.get("MAMORU_EVIDENCE_S3_REGION", "") or None,
            # Servers on the city's own network answer at http://host:port/bucket, not bucket.host.
            "addressing_style": os.environ.get("MAMORU_EVIDENCE_S3_ADDRESSING_STYLE", "path"),
            "location": os.environ.get("MAMORU_EVIDENCE_S3_PREFIX", "").strip("/"),
            "verify": os.environ.get("MAMORU_EVIDENCE_S3_CA_BUNDLE", "") or None,
            "file_overwrite": True,  # content-addressed: the same name always holds the same bytes
            "default_acl": None,
            "querystring_auth": True,
            # Uploads go in 8 MB parts, one at a time in the request thread (mamoru/lib/s3.py): a 2 GB
            # recording costs the server process a few parts of memory (benchmarks/evidence_upload.py).
            "transfer_config": s3_transfer_config(),
        },
    }
# The largest evidence file (bytes): a long IC recorder's recording or a phone video.
MAMORU_EVIDENCE_MAX_BYTES = envint("MAMORU_EVIDENCE_MAX_BYTES", str(2 * 1024 * 1024 * 1024))
# 1: archives (ZIP, 7z…) are stored as evidence too (never unpacked); 0: refused with a message.
MAMORU_EVIDENCE_ALLOW_ARCHIVES = envbool("MAMORU_EVIDENCE_ALLOW_ARCHIVES", "0")

# --- worker stream (issue 14): recordings analysed in the background --------------------
# "procrastinate": a real worker (`python -m mamoru evidence-worker`) takes the jobs from a
# queue kept in PostgreSQL, the database mamoru already runs (docs/evidence.md, ## worker).
# "eager": the analysis runs in the web process right after the upload's transaction
# commits — `make run` on SQLite, with nothing else to start. The default follows the database.
MAMORU_WORKER = os.environ.get("MAMORU_WORKER", "").strip() or (
    "procrastinate" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "eager"
)
if MAMORU_WORKER not in ("procrastinate", "eager"):
    raise ValueError(f"MAMORU_WORKER は procrastinate か eager にしてください: {MAMORU_WORKER}")
if MAMORU_WORKER == "procrastinate":
    if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
        raise ValueError("MAMORU_WORKER=procrastinate には PostgreSQL（DATABASE_URL）が必要です。")
    # Before "evidence": procrastinate's app must be ready when evidence's tasks are found.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("evidence"), "procrastinate.contrib.django")
    PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "tasks"
# A worker that sent no heartbeat for this many seconds is taken as dead (killed, machine
# lost); the jobs it was running go back to the queue. Heartbeats every fifth of it.
MAMORU_WORKER_STALLED_SECONDS = envint("MAMORU_WORKER_STALLED_SECONDS", "60")
# /healthz says "degraded" when the oldest job waiting for the worker has waited longer than this.
MAMORU_HEALTH_QUEUE_MAX_AGE = envint("MAMORU_HEALTH_QUEUE_MAX_AGE", "600")
# Raised voice: at least this many decibels above the recording's own median level, for at
# least this many seconds in a row (a pause of up to MAMORU_RECORDING_GAP_SECONDS bridged);
# seconds quieter than MAMORU_RECORDING_SILENCE_DBFS are silence, left out of the median.
MAMORU_RECORDING_RAISED_DB = float(os.environ.get("MAMORU_RECORDING_RAISED_DB", "10"))
MAMORU_RECORDING_RAISED_SECONDS = envint("MAMORU_RECORDING_RAISED_SECONDS", "3")
MAMORU_RECORDING_GAP_SECONDS = envint("MAMORU_RECORDING_GAP_SECONDS", "1")
MAMORU_RECORDING_SILENCE_DBFS = float(os.environ.get("MAMORU_RECORDING_SILENCE_DBFS", "-60"))
# transcripts (issue 14): an offline speech-to-text engine the city installs itself (docs/evidence.md
# "## transcripts"). The command line, run with the recording's path added at the end, prints WebVTT
# or JSON on stdout; empty: no engine, the button is not shown. No model is ever downloaded by mamoru.
MAMORU_STT_COMMAND = os.environ.get("MAMORU_STT_COMMAND", "")
MAMORU_STT_NAME = os.environ.get("MAMORU_STT_NAME", "")  # what the transcript says made the draft
MAMORU_STT_TIMEOUT = envint("MAMORU_STT_TIMEOUT", "600")  # seconds before the engine is stopped
# timestamps stream: RFC 3161 time-stamp tokens (e.g. a 認定タイムスタンプ service) over each file's
# SHA-256, asked for right after upload; empty URL: none are asked for (docs/evidence.md "## timestamps").
MAMORU_TSA_URL = os.environ.get("MAMORU_TSA_URL", "").strip()
MAMORU_TSA_USERNAME = os.environ.get("MAMORU_TSA_USERNAME", "")  # HTTP Basic, when the TSA asks for it
MAMORU_TSA_PASSWORD = os.environ.get("MAMORU_TSA_PASSWORD", "")
# The TSA's root (and intermediate) certificates, PEM: tokens are verified against them.
MAMORU_TSA_CA_FILE = os.environ.get("MAMORU_TSA_CA_FILE", "")
MAMORU_TSA_POLICY_OID = os.environ.get("MAMORU_TSA_POLICY_OID", "").strip()  # when the contract names a policy
MAMORU_TSA_TIMEOUT = envint("MAMORU_TSA_TIMEOUT", "10")  # seconds; an upload never waits longer for a token

# business stream (issue 15 B): requests from other businesses (他事業者からの申入れ). Days from
# the day a request is received to the hearing of the staff member concerned and to the answer
# to the business; reminders start MAMORU_BUSINESS_REQUEST_REMIND_DAYS before (docs/business_requests.md).
MAMORU_BUSINESS_REQUEST_HEARING_DAYS = envint("MAMORU_BUSINESS_REQUEST_HEARING_DAYS", "14")
MAMORU_BUSINESS_REQUEST_REPLY_DAYS = envint("MAMORU_BUSINESS_REQUEST_REPLY_DAYS", "30")
MAMORU_BUSINESS_REQUEST_REMIND_DAYS = envint("MAMORU_BUSINESS_REQUEST_REMIND_DAYS", "3")
