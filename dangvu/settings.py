"""Django settings. Everything a deployment changes comes from the environment:

- ``DATABASE_URL``: ``sqlite:///path`` or ``postgres://user:pass@host/db``; default a SQLite
  file under ``DANGVU_HOME`` (default ``~/.local/share/dangvu``).
- ``DANGVU_SECRET_KEY`` (required unless ``DANGVU_DEBUG=1`` or under pytest), ``DANGVU_DEBUG``,
  ``DANGVU_ALLOWED_HOSTS``.
- Serving (issue 14): ``DANGVU_DB_CONN_MAX_AGE`` (persistent database connections),
  ``DANGVU_STATIC_MAX_AGE`` (browser caching of static files); workers and threads are
  ``dangvu serve`` options (``DANGVU_WORKERS``, ``DANGVU_THREADS``).
- Accounts (issue 12): ``DANGVU_LOGIN_FAILURES``, ``DANGVU_LOGIN_COOLOFF_MINUTES``, ``DANGVU_PROXY_COUNT``
  (login throttling, policy below), ``DANGVU_TOKEN_DAYS`` / ``DANGVU_TOKEN_MAX_DAYS`` (API token
  lifetime), ``DANGVU_DUPLICATE_CHECKS`` / ``DANGVU_DUPLICATE_CHECK_HOURS`` (duplicate-check budget).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
DANGVU_HOME = Path(os.environ.get("DANGVU_HOME", Path.home() / ".local" / "share" / "dangvu")).expanduser()

DEBUG = os.environ.get("DANGVU_DEBUG", "0") == "1"
SECRET_KEY = os.environ.get("DANGVU_SECRET_KEY", "")
if not SECRET_KEY:
    # A fixed key signs sessions anyone could forge: only a developer's DEBUG run or the test run
    # (pytest sets PYTEST_VERSION before it loads settings) may go without one. The ``dangvu``
    # command gives the embedded database a random key of its own (DANGVU_HOME/secret_key).
    if not (DEBUG or os.environ.get("PYTEST_VERSION")):
        raise ImproperlyConfigured(
            "DANGVU_SECRET_KEY chưa được đặt: hãy đặt một khóa bí mật ngẫu nhiên (ví dụ "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`) khi DANGVU_DEBUG tắt.")
    SECRET_KEY = "dangvu-dev-only-secret-change-me-in-production-0123456789"
ALLOWED_HOSTS = os.environ.get("DANGVU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "treebeard",
    "auditlog",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "dangvu.accounts",
    "dangvu.registry",
    "dangvu.congress",
    "dangvu.meetings",
    "dangvu.admission",
    "dangvu.evaluation",
    "dangvu.plans",
    "dangvu.alerts",
    "dangvu.fees",
    "dangvu.honours",
    "dangvu.classification",
    "dangvu.letters",
    "dangvu.discipline",
    "dangvu.inspection",
    "dangvu.channel",
    "dangvu.exchange",
    "dangvu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "dangvu.urls"
WSGI_APPLICATION = "dangvu.wsgi.application"

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
                "dangvu.web.context.navigation",
            ],
            # {% url %} with reversed URLs kept per process (same syntax and output as Django's).
            "builtins": ["dangvu.web.templatetags.cached_url"],
        },
    }
]


# Widgets are rendered with Django's Jinja2 templates for them: the same HTML as the default
# renderer's, a third less time on a form page (a fee book renders ~160 inputs).
FORM_RENDERER = "django.forms.renderers.Jinja2"


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        DANGVU_HOME.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DANGVU_HOME / 'dangvu.sqlite3'}"
    # A server database keeps each worker thread's connection for DANGVU_DB_CONN_MAX_AGE seconds
    # (default 60) instead of opening one per request, checked before reuse; SQLite opens a local
    # file, which costs little (default 0).
    default_age = "0" if url.startswith("sqlite") else "60"
    db = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DANGVU_DB_CONN_MAX_AGE", default_age)),
                               conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the web server read while an import writes; IMMEDIATE avoids
        # "database is locked" upgrades inside transactions; timeout is the busy wait.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        }
        db.setdefault("TEST", {})["NAME"] = os.environ.get("DANGVU_TEST_SQLITE") or None
    return db


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATIC_ROOT = DANGVU_HOME / "static"
# Filled only by an operator's collectstatic, but whitenoise lists it as each server process starts
# (and warns when it is missing); the app's own files are found where they are.
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DANGVU_HOME / "media"
WHITENOISE_USE_FINDERS = True
# Static files are read once when a worker starts and kept by browsers for DANGVU_STATIC_MAX_AGE
# seconds (default an hour: names carry no hash, so a new version's CSS reaches everyone within the
# hour); a developer's DEBUG run rereads them on every request and lets nothing keep them.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 0 if DEBUG else int(os.environ.get("DANGVU_STATIC_MAX_AGE", "3600"))

# One cache shared by every server process (the duplicate-check budget, anything else counted):
# files under DANGVU_HOME/cache. Tests keep theirs in memory, one per test process.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"} if os.environ.get("PYTEST_VERSION")
          else {"BACKEND": "dangvu.common.cache.SharedFileCache", "LOCATION": str(DANGVU_HOME / "cache"),
                "OPTIONS": {"MAX_ENTRIES": 10000}}}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"

# Uploads (issue 12): each kind has a limit, stated on its form and checked on ``UploadedFile.size``
# before anything reads the content. An Excel file of 20,000 members is ~2 MB, a scanned plan a few
# MB; evidence, drafts and minutes are documents kept as they are; a scoring framework, a ballots
# CSV or a congress plan in text/JSON are small data files.
_MB = 1024 * 1024
DANGVU_MAX_UPLOAD_BYTES = int(os.environ.get("DANGVU_MAX_UPLOAD_BYTES", str(20 * _MB)))  # Excel import, plans
DANGVU_MAX_ATTACHMENT_BYTES = int(os.environ.get("DANGVU_MAX_ATTACHMENT_BYTES", str(10 * _MB)))
DANGVU_MAX_DATA_FILE_BYTES = int(os.environ.get("DANGVU_MAX_DATA_FILE_BYTES", str(1 * _MB)))
# Form fields without files: 5 MB (a 200,000-character pasted plan is ≤ 800 KB). Files over 2.5 MB
# are spooled to a temporary file rather than held in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * _MB
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * _MB)
# A larger file goes to a temporary file holding at most the largest limit (+1 byte), however much is sent.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "dangvu.common.uploads.CappedTemporaryFileUploadHandler"]

# Scanned plans (PDF without text, photos) are read by Tesseract in a background thread: what one
# upload may cost (pages, pixels a page), how many are read at once, where job state is kept.
# Plausibility bounds of typed dates (issue 13; the earliest date, 1/1/1930, is the rule set's
# ``dates.earliest``): no date after 31/12 of the year DANGVU_DATE_YEARS_AHEAD after this one, no
# birth date more than DANGVU_BIRTH_MAX_AGE_YEARS ago.
DANGVU_DATE_YEARS_AHEAD = int(os.environ.get("DANGVU_DATE_YEARS_AHEAD", "1"))
DANGVU_BIRTH_MAX_AGE_YEARS = int(os.environ.get("DANGVU_BIRTH_MAX_AGE_YEARS", "120"))
DANGVU_SCAN_MAX_PAGES = int(os.environ.get("DANGVU_SCAN_MAX_PAGES", "50"))
DANGVU_SCAN_MAX_PIXELS = int(os.environ.get("DANGVU_SCAN_MAX_PIXELS", "40000000"))
DANGVU_SCAN_WORKERS = int(os.environ.get("DANGVU_SCAN_WORKERS", "1"))
DANGVU_SCAN_JOBS_DIR = DANGVU_HOME / "scan_jobs"
# Above this many members a subtree's alerts page shows the day's stored counts even after changes
# (with their time and «Tính lại»): counting a province's takes seconds (issue 14).
DANGVU_ALERTS_LIVE_MEMBERS = int(os.environ.get("DANGVU_ALERTS_LIVE_MEMBERS", "20000"))

# Login throttling (django-axes). Policy:
# - DANGVU_LOGIN_FAILURES (default 5) wrong passwords for one username FROM one address lock that
#   username+address pair (AXES_LOCKOUT_PARAMETERS) for DANGVU_LOGIN_COOLOFF_MINUTES (default 15).
#   The same user from another address, and other users from that address, are not affected, so an
#   attacker cannot lock someone out of their own machine.
# - Attempts during the lock do NOT restart it (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT off):
#   the lock ends 15 minutes after the failure that set it, whatever is tried meanwhile.
# - A successful login clears the pair's failures.
# - The address is REMOTE_ADDR; behind N reverse proxies set DANGVU_PROXY_COUNT=N and the client's
#   address is read from X-Forwarded-For (the N-th entry from the right, the one the outermost
#   trusted proxy saw), so clients behind a proxy do not share one lock.
AXES_FAILURE_LIMIT = int(os.environ.get("DANGVU_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("DANGVU_LOGIN_COOLOFF_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
DANGVU_PROXY_COUNT = int(os.environ.get("DANGVU_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "dangvu.accounts.throttle.client_ip"

# API tokens expire DANGVU_TOKEN_DAYS after issue (at most DANGVU_TOKEN_MAX_DAYS when chosen).
DANGVU_TOKEN_DAYS = int(os.environ.get("DANGVU_TOKEN_DAYS", "90"))
DANGVU_TOKEN_MAX_DAYS = int(os.environ.get("DANGVU_TOKEN_MAX_DAYS", "366"))

# Duplicate checks against the whole database (adding or importing members) tell whether a person
# exists somewhere: each user may check at most DANGVU_DUPLICATE_CHECKS people (CCCD numbers and
# name + birth date pairs not found in their own subtree) per DANGVU_DUPLICATE_CHECK_HOURS.
# System administrators are not limited. The count is kept in Django's cache.
DANGVU_DUPLICATE_CHECKS = int(os.environ.get("DANGVU_DUPLICATE_CHECKS", "20000"))
DANGVU_DUPLICATE_CHECK_HOURS = int(os.environ.get("DANGVU_DUPLICATE_CHECK_HOURS", "24"))

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"axes": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}


# ---- Secure defaults (issue 12, point 6) -------------------------------------------------------
# One block, read from the environment:
# - ``DANGVU_HTTPS=1`` when served over HTTPS (usually behind a reverse proxy that sets
#   ``X-Forwarded-Proto``): secure cookies, HSTS, the proxy SSL header, trusted CSRF origins
#   ``https://<each DANGVU_ALLOWED_HOSTS>`` (plus ``DANGVU_TRUSTED_ORIGINS``, comma-separated).
#   ``DANGVU_SSL_REDIRECT=0`` when the proxy itself redirects http→https; ``DANGVU_HSTS_SECONDS``
#   (default one year), ``DANGVU_HSTS_SUBDOMAINS=1`` and ``DANGVU_HSTS_PRELOAD=1`` opt in.
#   Without DANGVU_HTTPS (plain HTTP on a LAN) the HTTPS-only settings stay off, and
#   ``check --deploy`` names exactly those four (W004, W008, W012, W016).
# - ``DANGVU_IDLE_MINUTES`` (default 30): a session unused that long is ended;
#   ``DANGVU_SESSION_HOURS`` (default 12): no session lives longer, however active.
# - A Content-Security-Policy (django-csp) with scripts from this site only; 403/404 logged as one
#   line on ``dangvu.access``; ``Cache-Control: no-store`` on every response from a view.


def https_settings(env: Mapping[str, str]) -> dict:
    """The settings that depend on serving over HTTPS (a pure function, so the tests can apply it)."""
    https = env.get("DANGVU_HTTPS", "0") == "1"
    hosts = [h.strip() for h in env.get("DANGVU_ALLOWED_HOSTS", "").split(",") if h.strip() not in ("", "*")]
    origins = [f"https://*{h}" if h.startswith(".") else f"https://{h}" for h in hosts]
    origins += [o.strip() for o in env.get("DANGVU_TRUSTED_ORIGINS", "").split(",") if o.strip()]
    redirect = https and env.get("DANGVU_SSL_REDIRECT", "1") == "1"
    subdomains = https and env.get("DANGVU_HSTS_SUBDOMAINS", "0") == "1"
    preload = https and env.get("DANGVU_HSTS_PRELOAD", "0") == "1"
    silenced = []
    if https:
        # Silenced only by the operator's stated choice, so check --deploy is clean over HTTPS:
        # the proxy does the redirect (W008); HSTS for sibling hosts on the same parent domain,
        # which a party committee's server rarely owns (W005); the irreversible preload list (W021).
        silenced += [] if redirect else ["security.W008"]
        silenced += [] if subdomains else ["security.W005"]
        silenced += [] if preload else ["security.W021"]
    return {
        "SESSION_COOKIE_SECURE": https,
        "CSRF_COOKIE_SECURE": https,
        "SECURE_HSTS_SECONDS": int(env.get("DANGVU_HSTS_SECONDS", "31536000")) if https else 0,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": subdomains,
        "SECURE_HSTS_PRELOAD": preload,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if https else None,
        "SECURE_SSL_REDIRECT": redirect,
        "CSRF_TRUSTED_ORIGINS": origins if https else [],
        "SILENCED_SYSTEM_CHECKS": silenced,
    }


globals().update(https_settings(os.environ))

# Sessions: the cookie ends with the browser; on the server a session ends after DANGVU_IDLE_MINUTES
# without a request or DANGVU_SESSION_HOURS after sign-in (dangvu.web.middleware.IdleTimeoutMiddleware).
# E-mail reminders (notices, invitations): one URL, e.g. smtp://user:pass@mail.example.vn:587/?tls=True,
# parsed by dj-email-url into Django's EMAIL_* settings. Without it the notices are posted but no mail goes out.
DANGVU_EMAIL_URL = os.environ.get("DANGVU_EMAIL_URL", "")
DANGVU_EMAIL_ENABLED = bool(DANGVU_EMAIL_URL)
if DANGVU_EMAIL_URL:
    import dj_email_url

    globals().update(dj_email_url.parse(DANGVU_EMAIL_URL))
DEFAULT_FROM_EMAIL = os.environ.get("DANGVU_EMAIL_FROM", "dangvu@localhost")
DANGVU_MAIL_ATTEMPTS = int(os.environ.get("DANGVU_MAIL_ATTEMPTS", "5"))  # then the mail is marked failed
DANGVU_MAIL_RETRY_SECONDS = int(os.environ.get("DANGVU_MAIL_RETRY_SECONDS", "60"))  # doubled after each failure

DANGVU_IDLE_MINUTES = int(os.environ.get("DANGVU_IDLE_MINUTES", "30"))
DANGVU_SESSION_HOURS = int(os.environ.get("DANGVU_SESSION_HOURS", "12"))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = DANGVU_SESSION_HOURS * 3600
SESSION_COOKIE_SAMESITE = "Lax"

INSTALLED_APPS.append("csp")
_after = MIDDLEWARE.index
MIDDLEWARE.insert(_after("whitenoise.middleware.WhiteNoiseMiddleware") + 1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(_after("csp.middleware.CSPMiddleware") + 1, "dangvu.web.middleware.NoStoreMiddleware")
MIDDLEWARE.insert(_after("django.contrib.messages.middleware.MessageMiddleware") + 1,
                  "dangvu.web.middleware.IdleTimeoutMiddleware")
MIDDLEWARE.insert(_after("dangvu.web.middleware.IdleTimeoutMiddleware") + 1,
                  "dangvu.web.middleware.AccessLogMiddleware")
del _after

# Scripts only from this site (app.js; no inline script, no on* attribute, no javascript: URL).
# Styles allow 'unsafe-inline': the templates carry <style> blocks and computed bar widths
# (style="width: …%"); an injected style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# 4xx responses are one line on dangvu.access (method, path, user id, status), not Django's
# warning with a traceback; server errors (5xx) still go to the console with theirs.
LOGGING["formatters"] = {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}}
LOGGING["handlers"]["console"]["formatter"] = "line"
LOGGING["loggers"]["django.request"] = {"handlers": ["console"], "level": "ERROR", "propagate": False}
LOGGING["loggers"]["dangvu.access"] = {"handlers": ["console"], "level": "INFO"}
