"""Django settings, read from the environment so one file serves a laptop and a shared server.

The database is SQLite in ``JEUGDSTELSEL_HOME`` unless ``DATABASE_URL`` is set (PostgreSQL for a
shared server). ``DJANGO_SECURE=1`` switches on the HTTPS-only settings that
``manage.py check --deploy`` asks for; leave it off for ``jeugdstelsel serve`` on localhost.
Without ``DJANGO_SECRET_KEY`` a random key is generated once and kept in the home folder, so
sessions survive a restart and no shared default key ever reaches a server.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from jeugdstelsel.paths import home

BASE_DIR = home()
PACKAGE_DIR = Path(__file__).resolve().parent


def _private_file(path: Path) -> None:
    """Create ``path`` empty and readable by this user only (0600), or make it so if it exists.

    Why: the SQLite file holds every account and workspace and the key file signs sessions; the
    umask of a shared server (often 022) would leave them world-readable. SQLite gives its
    ``-wal`` and ``-shm`` files the permissions of the database file.
    """
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def _secret_key() -> str:
    """Why: a fixed development key in the source would let anyone forge sessions on a server."""
    if key := os.environ.get("DJANGO_SECRET_KEY"):
        return key
    path = BASE_DIR / "secret_key"
    _private_file(path)
    if not path.read_text(encoding="utf-8").strip():
        path.write_text(secrets.token_urlsafe(50), encoding="utf-8")
    return path.read_text(encoding="utf-8").strip()


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "ja", "yes"}


SECRET_KEY = _secret_key()
DEBUG = _flag("DJANGO_DEBUG")
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "csp",
    "axes",
    "jeugdstelsel.store",
    "jeugdstelsel.web.core",
    "jeugdstelsel.web.kompas",
    "jeugdstelsel.web.dashboard",
    "jeugdstelsel.web.lab",
    "jeugdstelsel.web.api",
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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "jeugdstelsel.web.api.middleware.ApiVersionMiddleware",
    "jeugdstelsel.web.core.errors.ErrorBoundaryMiddleware",
    # last, as django-axes asks: it answers a locked-out sign-in attempt
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jeugdstelsel.web.urls"
WSGI_APPLICATION = "jeugdstelsel.web.wsgi.application"

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
                "jeugdstelsel.web.core.context.site",
            ]
        },
    }
]

_SQLITE = BASE_DIR / "jeugdstelsel.sqlite3"
if "DATABASE_URL" not in os.environ:
    _private_file(_SQLITE)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_SQLITE}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A server killed mid-save must not lose a confirmed change: WAL + full sync (DESIGN section 4).
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # first, as django-axes asks: refuses sign-in while an account/address is locked out
    "jeugdstelsel.web.core.auth.ThrottledBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling: after 5 wrong passwords for one user name from one address, sign-in is
# refused for 15 minutes (429, Dutch page), also with the right password.
AXES_FAILURE_LIMIT = int(os.environ.get("JEUGDSTELSEL_INLOG_POGINGEN", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("JEUGDSTELSEL_INLOG_WACHTTIJD_MIN", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

#: A session ends after this many hours (also when the browser stays open); default 8.
SESSION_COOKIE_AGE = int(float(os.environ.get("JEUGDSTELSEL_SESSIE_UREN", "8")) * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
#: An API token expires this many days after it was made (``jeugdstelsel token`` renews it).
API_TOKEN_DAYS = int(os.environ.get("JEUGDSTELSEL_TOKEN_DAGEN", "90"))

# Sign-in through OpenID Connect (web/core/oidc.py), on when a client and endpoints are set.
OIDC_RP_CLIENT_ID = os.environ.get("JEUGDSTELSEL_OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("JEUGDSTELSEL_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("JEUGDSTELSEL_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("JEUGDSTELSEL_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("JEUGDSTELSEL_OIDC_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("JEUGDSTELSEL_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("JEUGDSTELSEL_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = "openid email profile"
OIDC_CREATE_USER = _flag("JEUGDSTELSEL_OIDC_NIEUWE_GEBRUIKERS")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT)
LOGIN_REDIRECT_URL_FAILURE = "/inloggen/organisatie/mislukt"
AUTHENTICATION_BACKENDS.append("jeugdstelsel.web.core.oidc.MunicipalOIDCBackend")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "kompas:index"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise warns at start-up when it is missing
# Plain storage by default so tests and a fresh checkout need no collectstatic (whitenoise then
# serves from the apps). ``jeugdstelsel serve`` collects first and sets JEUGDSTELSEL_STATIC_MANIFEST
# so the server sends hashed, compressed, long-cached files.
_MANIFEST = _flag("JEUGDSTELSEL_STATIC_MANIFEST")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if _MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not _MANIFEST

# Look: NL Design System component CSS (core/static/web/nlds) with design tokens from the
# app's theme (web/thema-jeugdstelsel.css). JEUGDSTELSEL_THEMA: a municipality's own CSS file
# of tokens (a path on the server), loaded after it, served as the static file
# ``thema/<name>``; only that file, not its folder (core.theme.ThemeFinder).
THEME_FILE = None
THEME_CSS = None
if _thema := os.environ.get("JEUGDSTELSEL_THEMA", "").strip():
    THEME_FILE = Path(_thema).expanduser().resolve()
    if not THEME_FILE.is_file() or THEME_FILE.suffix != ".css":
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"JEUGDSTELSEL_THEMA wijst niet naar een CSS-bestand: {_thema}")
    THEME_CSS = f"thema/{THEME_FILE.name}"
    STATICFILES_FINDERS = [
        "django.contrib.staticfiles.finders.FileSystemFinder",
        "django.contrib.staticfiles.finders.AppDirectoriesFinder",
        "jeugdstelsel.web.core.theme.ThemeFinder",
    ]


def _date(name: str, default: str = ""):
    """An ISO date (2026-12-03) from the environment; a wrong one stops the start, in Dutch."""
    from datetime import date

    raw = os.environ.get(name, default).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{name} is geen datum als 2026-12-03: {raw}") from None


# Toegankelijkheidsverklaring (/toegankelijkheid, web/core/accessibility.py): the organisation
# that runs this installation states its own. The defaults are the open-source project's; the
# status letter is derived from the study (report and date) or the planned study.
_TOEGANKELIJK = "JEUGDSTELSEL_TOEGANKELIJKHEID_"
ACCESSIBILITY_STATEMENT = {
    "organisation": os.environ.get(f"{_TOEGANKELIJK}ORGANISATIE", "").strip()
    or "Het open-sourceproject Jeugdstelsel",
    "organisation_is_default": not os.environ.get(f"{_TOEGANKELIJK}ORGANISATIE", "").strip(),
    "contact": os.environ.get(f"{_TOEGANKELIJK}CONTACT", "").strip(),  # e-mail or a page
    "url": os.environ.get(f"{_TOEGANKELIJK}URL", "").strip(),  # empty: the address visited
    "overview_url": os.environ.get(f"{_TOEGANKELIJK}OVERZICHT", "").strip(),
    "register_url": os.environ.get(f"{_TOEGANKELIJK}REGISTER", "").strip(),
    "drawn_up": _date(f"{_TOEGANKELIJK}OPGESTELD", "2026-12-03"),
    "reviewed": _date(f"{_TOEGANKELIJK}HERZIEN", "2026-12-03"),
    "signed_by": os.environ.get(f"{_TOEGANKELIJK}AKKOORD_FUNCTIE", "").strip(),
    "signed_on": _date(f"{_TOEGANKELIJK}AKKOORD_DATUM"),
    "study_url": os.environ.get(f"{_TOEGANKELIJK}ONDERZOEK_RAPPORT", "").strip(),
    "study_date": _date(f"{_TOEGANKELIJK}ONDERZOEK_DATUM"),
    "study_planned": _date(f"{_TOEGANKELIJK}ONDERZOEK_GEPLAND", "2027-06-01"),
    "status": os.environ.get(f"{_TOEGANKELIJK}STATUS", "").strip().upper(),  # A or B, with a report
    "ombudsman_name": os.environ.get(f"{_TOEGANKELIJK}OMBUDSMAN", "").strip(),
    "ombudsman_url": os.environ.get(f"{_TOEGANKELIJK}OMBUDSMAN_URL", "").strip(),
}

# Security headers that cost nothing on plain HTTP.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "jeugdstelsel.web.core.views.csrf_failure"
# Content-Security-Policy (django-csp): only this site's own files, no inline script or style,
# no plug-ins, no framing, forms post only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
if _flag("DJANGO_SECURE"):
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "jeugdstelsel.web.api.auth.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Request bodies are JSON only (Dutch API Design Rules); anything else is a 415 problem.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "jeugdstelsel.web.api.pagination.PagePagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "jeugdstelsel.web.api.problems.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
API_VERSION = "1.0.0"
SPECTACULAR_SETTINGS = {
    "TITLE": "Jeugdstelsel API",
    "DESCRIPTION": (
        "Landelijke cijfers, gemeenten en het Kwaliteitskompas (vraagstukken, doelen, "
        "activiteiten, interventies, metingen en verbeteracties). Volgt de API-strategie "
        "voor de Nederlandse overheid (API Design Rules)."
    ),
    "VERSION": API_VERSION,
    # Dutch API Design Rules (tests/web/test_web_api_design_rules.py): the description lists
    # its own /openapi.json, the server URL carries the major version (paths are relative to
    # it), and the contact has an e-mail address where the installation sets one.
    "SERVE_INCLUDE_SCHEMA": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": True,
    "CONTACT": {
        "name": "jeugdstelsel",
        "url": "https://github.com/jeugdstelsel",
        **({"email": e} if (e := os.environ.get("JEUGDSTELSEL_API_CONTACT_EMAIL")) else {}),
    },
    "LICENSE": {"name": "EUPL-1.2"},
    "SERVERS": [{"url": "/api/v1", "description": "Deze server, versie 1 van de API"}],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "jeugdstelsel.web.api.schema.add_api_version_header",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JEUGDSTELSEL_LOGLEVEL", "WARNING")},
}
