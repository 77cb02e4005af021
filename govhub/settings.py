"""One settings module; everything an operator configures comes from GOVHUB_* environment variables.

See the README's configuration table. GOVHUB_MODE is ``demo`` (default for a checkout),
``test`` or ``production``; production refuses to start without a secret key and PII keys.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from govhub.config import (
    ConfigError,
    env,
    env_bool,
    env_list,
    fail,
    parse_database_url,
)
from govhub.core.tiles import tile_sources

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("GOVHUB_VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

MODE = env("GOVHUB_MODE", "demo")
if MODE not in {"demo", "test", "production"}:
    fail(f"GOVHUB_MODE 只能是 demo / test / production, got {MODE!r}")
DEBUG = env_bool("GOVHUB_DEBUG", False)
PRODUCTION = MODE == "production"

# Fixed, public keys for demo and tests only: production must set its own.
_DEMO_SECRET = "demo-only-not-secret-0b7f5c1e9a2d4c6b8e1f3a5c7e9b2d4f"
_DEMO_PII_KEYS = "demo1:ZGVtby1vbmx5LWtleS1ub3Qtc2VjcmV0LTAxMjM0NTY="
_DEMO_PII_INDEX_KEY = "demo-only-index-key-not-secret"
_DEMO_AUDIT_KEYS = "demo1:ZGVtby1vbmx5LWF1ZGl0LWtleS1ub3Qtc2VjcmV0LTAx"

SECRET_KEY = env("GOVHUB_SECRET_KEY")
PII_KEYS = env("GOVHUB_PII_KEYS")
PII_INDEX_KEY = env("GOVHUB_PII_INDEX_KEY")
AUDIT_KEYS = env("GOVHUB_AUDIT_KEYS")
if PRODUCTION:
    # production refuses what would make its keys guessable or its errors public: DEBUG, a
    # missing, short or published key (the demo keys are in this file, hence public)
    if DEBUG:
        fail("生产模式不能打开调试页面 / GOVHUB_DEBUG must be off in production mode")
    if not SECRET_KEY:
        fail("GOVHUB_SECRET_KEY 未设置 / secret key missing: required in production mode")
    if SECRET_KEY == _DEMO_SECRET or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 10:
        fail(
            "GOVHUB_SECRET_KEY 太短或是演示密钥 / secret key too short or public (≥ 50 random characters)"
        )
    if not (PII_KEYS and PII_INDEX_KEY):
        fail(
            "GOVHUB_PII_KEYS / GOVHUB_PII_INDEX_KEY 未设置 / personal-data keys missing in production"
        )
    if _DEMO_PII_KEYS.split(":", 1)[1] in PII_KEYS or PII_INDEX_KEY == _DEMO_PII_INDEX_KEY:
        fail("个人信息密钥是演示密钥 / the personal-data keys are the public demo keys")
    if len(PII_INDEX_KEY) < 32:
        fail("GOVHUB_PII_INDEX_KEY 太短 / personal-data index key too short (≥ 32 characters)")
    if not AUDIT_KEYS or _DEMO_AUDIT_KEYS.split(":", 1)[1] in AUDIT_KEYS:
        fail("GOVHUB_AUDIT_KEYS 未设置或是演示密钥 / audit keys missing or the public demo keys")
AUDIT_KEYS = AUDIT_KEYS or _DEMO_AUDIT_KEYS
# the audit chain's head is anchored here daily (an append-only file; in production on another
# host or a write-once mount, out of reach of the database's administrators)
AUDIT_ANCHOR_FILE = env("GOVHUB_AUDIT_ANCHOR_FILE", str(VAR_DIR / "audit-anchors.jsonl"))
SECRET_KEY = SECRET_KEY or _DEMO_SECRET
PII_KEYS = PII_KEYS or _DEMO_PII_KEYS
PII_INDEX_KEY = PII_INDEX_KEY or _DEMO_PII_INDEX_KEY

ALLOWED_HOSTS = env_list("GOVHUB_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("GOVHUB_CSRF_TRUSTED_ORIGINS", "")
# a form whose token ran out: a Chinese page keeping what was typed (not Django's English one)
CSRF_FAILURE_VIEW = "govhub.core.views.csrf_failure"
# the site's own address: every absolute link (feeds, sitemap, canonical, robots, published
# files, WeChat and mail links) names it; `make demo` derives it from HOST and PORT
SITE_URL = (env("GOVHUB_SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
_site_host = urlsplit(SITE_URL).hostname
if _site_host and _site_host not in ALLOWED_HOSTS and "*" not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append(_site_host)
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = env("GOVHUB_SITE_NAME", "示范县人民政府")
# the back office's name (login page, sidebar, browser tab): the county's, not Wagtail's
PLATFORM_NAME = env("GOVHUB_PLATFORM_NAME", "示范县政务平台")

try:
    _db = parse_database_url(env("GOVHUB_DATABASE_URL", f"sqlite:///{VAR_DIR / 'govhub.sqlite3'}"))
except ConfigError as exc:
    fail(str(exc))
if env("GOVHUB_TEST_DB_NAME"):
    _db["TEST"] = {"NAME": env("GOVHUB_TEST_DB_NAME")}
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs); the client address
# is the rightmost hop not in this list (govhub.core.middleware.client_ip).
TRUSTED_PROXIES = env_list("GOVHUB_TRUSTED_PROXIES", "127.0.0.1,::1")
for _net in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_net, strict=False)
    except ValueError:
        fail(f"GOVHUB_TRUSTED_PROXIES 中的地址格式错误 / not an address or CIDR: {_net!r}")

REDIS_URL = env("GOVHUB_REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("GOVHUB_CACHE_PREFIX", "govhub"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Jobs: one API (Django's Tasks, through the django-tasks backport Wagtail uses).
# Embedded: a database queue served by `govhub worker`; with Redis: RQ workers.
JOBS_BACKEND = env("GOVHUB_JOBS_BACKEND", "rq" if REDIS_URL else "database")
# `govhub worker` lowers its own priority by this much (0 keeps it): on the cores the web
# workers use, a burst of requests comes first and the jobs (routing, deliveries, reports —
# all of which may wait a minute) catch up after it (docs/load.md: the routing lag is measured).
WORKER_NICE = int(env("GOVHUB_WORKER_NICE", "19") or 0)
if JOBS_BACKEND == "rq":
    TASKS = {
        "default": {
            "BACKEND": "django_tasks_rq.RQBackend",
            "QUEUES": ["default"],
        }
    }
    RQ_QUEUES = {
        "default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 600}
    }
    # RQ's default worker forks a process per job, which then opens its own database connection:
    # more than the job itself costs for ours (routing a letter takes ~16 ms, the fork and
    # connection ~0.1–1 s under load). The simple worker runs jobs in its own process, reusing
    # the connection and the router loaded once; run several workers for parallelism.
    # GOVHUB_RQ_WORKER=fork keeps RQ's forking worker (a job that crashes the interpreter then
    # takes only its own process down).
    RQ = {
        "WORKER_CLASS": "rq.worker.Worker"
        if env("GOVHUB_RQ_WORKER", "simple") == "fork"
        else "rq.worker.SimpleWorker"
    }
elif JOBS_BACKEND == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {}

INSTALLED_APPS = [
    "govhub.core",
    "govhub.safety",
    "govhub.portal",
    "govhub.publishing",
    "govhub.channels",
    "govhub.ratings",
    "govhub.wechat",
    "govhub.qa",
    "govhub.letters",
    "govhub.matrix",
    "govhub.analytics",
    "govhub.inbox",
    "govhub.services",
    "govhub.participation",
    "govhub.api",
    "govhub.backoffice",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "csp",
]
if JOBS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")

MIDDLEWARE = [
    # WeChat's pushes skip what follows except security, host and frame checks (measured: 1.6 →
    # 1.2 ms of CPU per push); every other path goes through the whole list
    "govhub.wechat.views.CallbackMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every answer (govhub/core/csp.py): no inline scripts or styles
    "govhub.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # two-factor login for the roles that publish, sign, dispatch, see personal data, administer
    "django_otp.middleware.OTPMiddleware",
    "govhub.core.twofactor.RequireSecondFactorMiddleware",
    # a back-office form sent after the login ran out: a Chinese page holding what was typed
    "govhub.backoffice.middleware.ExpiredSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govhub.core.middleware.RequestContextMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # last, as django-axes asks: turns a locked-out login into its Chinese page
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "govhub.urls"
WSGI_APPLICATION = "govhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "govhub" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ]
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "govhub.core.logins.NotPhoneOrUsernameValidator"},
]
LOGIN_URL = "/admin/login/"

# Staff logins: an address with many failures is refused first (per address, shared cache), then
# django-axes locks one account after 5 wrong passwords for 30 minutes, then the password is
# checked; every login, failure and lockout lands in the audit chain (govhub/core/logins.py).
AUTHENTICATION_BACKENDS = ["govhub.core.logins.GuardedBackend"]
AXES_ENABLED = env_bool("GOVHUB_LOGIN_LOCKOUT", MODE != "test")  # tests switch it on themselves
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "govhub.core.logins.axes_client_ip"
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_VERBOSE = False
# axes.W006 asks for the address among axes' lockout parameters; it has its own, higher limit
# in AddressThrottleBackend instead (a county office shares one NAT address)
# W005/W021: HSTS for subdomains and the preload list are the domain owner's choice (a county's
# site often sits under a shared gov.cn domain whose other hosts it does not run);
# W019: SAMEORIGIN, not DENY, because Wagtail's previews are framed by the back office itself
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W005", "security.W019", "security.W021"]
# a staff session ends after 30 idle minutes (等保: session timeout); each request renews it
SESSION_COOKIE_AGE = int(env("GOVHUB_SESSION_IDLE_MINUTES", "30") or 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
# two-factor login (govhub/core/twofactor.py): on in production; the demo's printed logins work
# without it (its enrolment page is open to try); tests switch it on themselves
REQUIRE_2FA = env_bool("GOVHUB_REQUIRE_2FA", PRODUCTION)
OTP_TOTP_ISSUER = PLATFORM_NAME
# an authenticator's secret is shown once, at enrolment, to its owner only: Django's admin
# never shows it (nor its QR code) to an administrator, who resets a lost phone instead
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# security keys and passkeys (WebAuthn) as the second factor, beside or instead of TOTP
# (govhub/core/webauthn.py): never instead of the password; the relying party is the host of
# GOVHUB_SITE_URL, so a key registered there works nowhere else
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
OTP_WEBAUTHN_HELPER_CLASS = "govhub.core.webauthn.Helper"
OTP_WEBAUTHN_RP_NAME = PLATFORM_NAME
OTP_WEBAUTHN_RP_ID_CALLABLE = "govhub.core.webauthn.relying_party_id"
# the helper reads the origin from SITE_URL at each ceremony; this is for the library's start-up
# check, which wants HTTPS (or localhost): an address without it offers no keys at all
_site = urlsplit(SITE_URL)
if _site.scheme == "https" or _site.hostname == "localhost":
    OTP_WEBAUTHN_ALLOWED_ORIGINS = [f"{_site.scheme}://{_site.netloc}"]
else:
    OTP_WEBAUTHN_ALLOWED_ORIGINS = []
    SILENCED_SYSTEM_CHECKS.append("otp_webauthn.E030")
OTP_WEBAUTHN_TIMEOUT_SECONDS = 120
# a wrong key is an audit record (webauthn_failed), not a traceback in the log
OTP_WEBAUTHN_EXCEPTION_LOGGER_NAME = ""

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
WAGTAILADMIN_PERMITTED_LANGUAGES = [("zh-hans", "简体中文")]
# no Gravatar: staff pages must not call a foreign host (unreachable from government networks,
# and it would leak staff e-mail hashes); Wagtail then draws its own default avatar
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]
# Wagtail's own news: the upgrade banner asks releases.wagtail.io from the browser and the
# what's-new banner links to guide.wagtail.org (abroad, English, unreachable from an intranet)
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAIL_ENABLE_WHATS_NEW_BANNER = False
# portal pages go live through 内容发布's review steps and checks, not Wagtail's own workflow
WAGTAIL_WORKFLOW_ENABLED = False
WAGTAILADMIN_USER_LOGIN_FORM = "govhub.backoffice.forms.LoginForm"
TIME_ZONE = env("GOVHUB_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "govhub" / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("GOVHUB_STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# + /static/echarts/, /static/leaflet/, /static/swagger-ui/ from node_modules (`npm ci`, package.json)
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "govhub.analytics.staticfinders.NodeModulesFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("GOVHUB_MEDIA_ROOT", str(VAR_DIR / "media")))
# production without nginx in front (not advised): let Django answer /media/ itself
SERVE_MEDIA = env_bool("GOVHUB_SERVE_MEDIA", False)
# Pages rendered at publish time, served by nginx (or by the app when nginx is absent).
PUBLISHED_ROOT = Path(env("GOVHUB_PUBLISHED_ROOT", str(VAR_DIR / "published")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = MODE != "production"
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = [
    "pdf",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "ppt",
    "pptx",
    "odt",
    "ods",
    "wps",
    "ofd",
    "txt",
    "zip",
]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
# documents too: a bigger file gets Wagtail's Chinese message (nginx stops bodies at 12 MB)
WAGTAILDOCS_MAX_UPLOAD_SIZE = 10 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION and env_bool("GOVHUB_HTTPS", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if SESSION_COOKIE_SECURE:
    # behind TLS (nginx terminates it and sets, never appends, X-Forwarded-Proto): browsers keep
    # to https for a year, plain http is redirected
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_SSL_REDIRECT = env_bool("GOVHUB_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"

# Content-Security-Policy (django-csp; govhub/core/csp.py): scripts only from the site's own static
# files (ECharts, Leaflet, Swagger UI, the chat widget are all there), never inline; styles likewise
# only from static files (no style attributes nor <style> blocks: injected markup cannot restyle a
# page into a fake form; tests/core/test_security_headers.py keeps our templates free of them).
# Wagtail's editors get inline scripts and styles on top (govhub.core.csp.WAGTAIL_ADMIN).
# deploy/nginx.conf sends the same policy with the published pages.
MAP_TILE_URL = env("GOVHUB_MAP_TILE_URL")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *tile_sources(MAP_TILE_URL)],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "media-src": ["'self'", "blob:"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

EMAIL_BACKEND = env(
    "GOVHUB_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.locmem.EmailBackend",
)
EMAIL_HOST = env("GOVHUB_SMTP_HOST", "127.0.0.1")
EMAIL_PORT = int(env("GOVHUB_SMTP_PORT", "25") or 25)
DEFAULT_FROM_EMAIL = env("GOVHUB_FROM_EMAIL", "noreply@shifanxian.gov.cn")

WECHAT_API_BASE = env("GOVHUB_WECHAT_API_BASE", "https://api.weixin.qq.com")
WEIBO_API_BASE = env("GOVHUB_WEIBO_API_BASE", "https://api.weibo.com")
# seconds an answered WeChat question's dedup row may wait to be written in a batch (docs/wechat.md)
WECHAT_DELIVERY_DELAY = float(env("GOVHUB_WECHAT_DELIVERY_DELAY", "0" if MODE == "test" else "0.5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"pii": {"()": "govhub.core.pii.RedactingFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["pii"], "formatter": "plain"}
    },
    "root": {"handlers": ["console"], "level": env("GOVHUB_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "jieba": {"level": "WARNING"},
    },
}

if MODE == "test":
    # Hashing strength is not under test; keep the suite fast.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
