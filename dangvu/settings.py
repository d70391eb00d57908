"""Django settings. Everything a deployment changes comes from the environment:

- ``DATABASE_URL``: ``sqlite:///path`` or ``postgres://user:pass@host/db``; default a SQLite
  file under ``DANGVU_HOME`` (default ``~/.local/share/dangvu``).
- ``DANGVU_SECRET_KEY`` (required unless ``DANGVU_DEBUG=1`` or under pytest), ``DANGVU_DEBUG``,
  ``DANGVU_ALLOWED_HOSTS``.
"""

from __future__ import annotations

import os
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
        },
    }
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        DANGVU_HOME.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DANGVU_HOME / 'dangvu.sqlite3'}"
    db = dj_database_url.parse(url, conn_max_age=0)
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
MEDIA_ROOT = DANGVU_HOME / "media"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

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
DANGVU_SCAN_MAX_PAGES = int(os.environ.get("DANGVU_SCAN_MAX_PAGES", "50"))
DANGVU_SCAN_MAX_PIXELS = int(os.environ.get("DANGVU_SCAN_MAX_PIXELS", "40000000"))
DANGVU_SCAN_WORKERS = int(os.environ.get("DANGVU_SCAN_WORKERS", "1"))
DANGVU_SCAN_JOBS_DIR = DANGVU_HOME / "scan_jobs"

# Login throttling (django-axes): 5 failures lock the username+IP pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("DANGVU_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

AUDITLOG_INCLUDE_ALL_MODELS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"axes": {"handlers": ["console"], "level": "WARNING", "propagate": False}},
}
