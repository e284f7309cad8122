"""Haven settings: one file, driven by environment variables (see .env.example).

HAVEN_ENV=production switches on the strict defaults (secret key and hosts required, secure
cookies, HSTS); everything else is development, which is what `make demo` and `make test` use.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from clinic.env import env_bool, env_choice, env_int, env_list, env_str, local_secret_key

BASE_DIR = Path(__file__).resolve().parent.parent

HAVEN_ENV = env_choice("HAVEN_ENV", "development", ("development", "production"))
PRODUCTION = HAVEN_ENV == "production"
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be false when HAVEN_ENV=production.")

if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
else:
    SECRET_KEY = env_str("SECRET_KEY", "") or local_secret_key(BASE_DIR / ".secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required when HAVEN_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

CLINIC_NAME = env_str("CLINIC_NAME", "Riverside Pain Clinic")
CLINIC_PHONE = env_str("CLINIC_PHONE", "555-0100")
# The name messages to patients come from. Neutral on purpose: a lock screen showing
# "... Pain Clinic" would itself reveal something about the patient's health.
MESSAGE_SENDER = env_str("MESSAGE_SENDER", "Riverside Care Team")
# Absolute address used in links that leave the app (patient messages).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "clinic.apps.HavenAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    # Two-step sign-in for staff (clinic/two_factor.py); before "clinic", whose admin hides their device admins.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "clinic",
    "audit",
    "patients",
    "careplans",
    "medications",
    "measures",
    "portal",
    "interop",  # FHIR R4 out and in, the outcomes dashboard, the research export
    "demo",  # seed_demo and demo_welcome (demo/)
]

MIDDLEWARE = [
    "clinic.outage.OutageMiddleware",  # first: a request that failed on the database gets a calm 503
    "clinic.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "clinic.middleware.PrivacyHeadersMiddleware",  # outside WhiteNoise: static files get Permissions-Policy
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "clinic.compression.CompressionMiddleware",  # after WhiteNoise (static files come compressed); see the module
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.PortalLanguageMiddleware",  # portal pages only: the patient's language (portal/language.py)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "audit.middleware.AuditContextMiddleware",  # request.audit: the page and address services' events record
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the session passed the second step
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "clinic.middleware.StaffSessionLimitsMiddleware",  # after messages and htmx: it uses both
    "clinic.two_factor.TwoStepMiddleware",  # until the second step, only the two-step pages and sign-out
    "clinic.middleware.KioskLockMiddleware",
    "audit.refusals.RefusedAccessMiddleware",  # every 404/403 a view raises for a signed-in person is audited
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Benchmarks only: a Server-Timing header with SQL query count and time per request.
if env_bool("SERVER_TIMING", default=False):
    MIDDLEWARE.insert(0, "clinic.server_timing.ServerTimingMiddleware")

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.haven",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Postgres is the system of record. A sqlite:// URL is the embedded demo fallback only
# (`make demo` on a laptop with no Postgres): every page then says "demo mode".
DATABASE_URL = env_str("DATABASE_URL", "postgres:///haven")
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL cannot be read: {error}") from None
EMBEDDED_DEMO = DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
# The least-privilege role the running app connects as (`manage.py grant_app_role` grants it; migrations run
# as the owner). `make demo` runs the web app and workers as this role.
APP_DATABASE_ROLE = env_str("APP_DATABASE_ROLE", "haven_app")
if EMBEDDED_DEMO and PRODUCTION:
    raise ImproperlyConfigured("The SQLite demo database cannot be used when HAVEN_ENV=production.")
if EMBEDDED_DEMO:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # Pages run many small indexed queries. Postgres's JIT compiles a query whose *estimated* cost is high
    # (an EXISTS over every patient, say) and spent ~180 ms compiling a query that ran in 0.5 ms (measured
    # on the 50,000-patient bench); for this kind of workload JIT only adds latency.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# A read replica for the whole-clinic reports (interop/replica.py); the primary serves everything else.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = {
        **dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60, conn_health_checks=True),
        "OPTIONS": {"options": "-c jit=off"},
        "TEST": {"MIRROR": "default"},  # tests read the replica alias from the test database itself
    }
DATABASE_ROUTERS = ["interop.replica.ReplicaRouter"]
# The research export's key (interop/research.py): study ids and date shifts are derived from it, stable across
# runs and not reversible without it. Empty: derived from SECRET_KEY (then rotating SECRET_KEY changes them all).
RESEARCH_EXPORT_KEY = env_str("RESEARCH_EXPORT_KEY", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Staff accounts and sign-in ---------------------------------------------------------------
AUTH_USER_MODEL = "clinic.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # must come first: it refuses locked-out sign-ins
    "clinic.auth_backends.RoleBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Lockout (django-axes): 5 failures for one account from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "clinic.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_VERBOSE = False  # axes would otherwise log the attempted username
# Per-account cap (clinic/sign_in.py), whatever the address: once an account has had this many failures
# in the last hour, sign-ins to it are refused (the usual "wrong username or password" answer, password
# not checked) from every address it has not signed in from in the last SIGN_IN_KNOWN_ADDRESS_DAYS days,
# until the oldest failures are an hour old. Its usual addresses keep working, each still under axes,
# so a stranger guessing from many addresses cannot lock the owner out.
SIGN_IN_ACCOUNT_FAILURE_LIMIT = env_int("LOGIN_ACCOUNT_FAILURE_LIMIT", 100, minimum=1)
SIGN_IN_KNOWN_ADDRESS_DAYS = 30

# Two-step sign-in (TOTP, django-otp; clinic/two_factor.py). The app's choice: clinic admins always use it
# (they manage accounts and the admin site); each clinic chooses for the other roles with TOTP_REQUIRED_FOR,
# a comma-separated list of roles ("admin", "coordinator", "clinician"). Anyone may set it up for themselves.
TOTP_REQUIRED_FOR = sorted({"admin", *(role.lower() for role in env_list("TOTP_REQUIRED_FOR", ["admin"]))})
if unknown_roles := set(TOTP_REQUIRED_FOR) - {"admin", "coordinator", "clinician"}:
    raise ImproperlyConfigured(f"TOTP_REQUIRED_FOR names unknown roles: {', '.join(sorted(unknown_roles))}.")
OTP_TOTP_ISSUER = CLINIC_NAME  # the name authenticator apps show next to the code
# Wrong codes pause the next try for 1, 2, 4, 8 ... seconds (django-otp's throttling, per device).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Sessions: end after SESSION_IDLE_MINUTES without a request and after 12 hours at most.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 15, minimum=1)
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12, minimum=1)
# Staff pages warn this many seconds before the session ends, with "Stay signed in" (the app's own choice).
SESSION_WARNING_SECONDS = 120
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env_bool("SECURE_COOKIES", default=PRODUCTION)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", default=PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=PRODUCTION)
# How many proxies of ours stand in front of gunicorn (0: clients connect directly).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", PRODUCTION) else None
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# Staff pages are English; the patient portal is translated (portal/language.py picks the language per
# request, from the patient's choice or their preferred language on file). Catalogues live in locale/.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("CLINIC_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

# --- The safety net (clinic/duty.py, clinic/safety_net.py) ------------------------------------
# Clinic hours, in the clinic's time zone, on the days the clinic is open (Monday=0). The rota's
# "clinic hours" slot covers them; its "after hours" slot covers the rest, up to the next opening.
CLINIC_OPENS_AT = env_str("CLINIC_OPENS_AT", "08:00")
CLINIC_CLOSES_AT = env_str("CLINIC_CLOSES_AT", "18:00")
CLINIC_OPEN_DAYS = [int(day) for day in env_list("CLINIC_OPEN_DAYS", ["0", "1", "2", "3", "4"])]
# An urgent task nobody has acknowledged escalates after this many minutes (the app's defaults; the
# clinic may set its own).
ESCALATE_AFTER_MINUTES_CLINIC_HOURS = env_int("ESCALATE_AFTER_MINUTES_CLINIC_HOURS", 30, minimum=1)
ESCALATE_AFTER_MINUTES_AFTER_HOURS = env_int("ESCALATE_AFTER_MINUTES_AFTER_HOURS", 60, minimum=1)

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
WHITENOISE_USE_FINDERS = not PRODUCTION  # development serves from static/ without collectstatic
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email and SMS --------------------------------------------------------------------------
# Django 6.1 mailers. The env var names stay the familiar EMAIL_* ones.
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", default=False),
    "timeout": 20,
}
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": SMTP_OPTIONS if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{CLINIC_NAME} <care@localhost>")
SMS_BACKEND = env_str("SMS_BACKEND", "clinic.sms.ConsoleSmsBackend")

# --- Celery (Redis is only the broker; Postgres holds every piece of work) --------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
# The embedded demo (and a demo without Redis) runs tasks in-process instead of on a worker.
TASKS_IN_PROCESS = env_bool("TASKS_IN_PROCESS", default=EMBEDDED_DEMO)
if TASKS_IN_PROCESS and PRODUCTION:
    raise ImproperlyConfigured("TASKS_IN_PROCESS is for the demo only; production runs Celery workers.")
CELERY_TASK_ALWAYS_EAGER = TASKS_IN_PROCESS
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 120
CELERY_TASK_SOFT_TIME_LIMIT = 90
# Nothing is ever scheduled further ahead than a few minutes (later work is a row found by a
# sweep), so a one-hour visibility timeout is far above any countdown we use.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = TIME_ZONE
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 30, minimum=1)
# Message hours, clinic time (the app's own rule): no message goes to a patient before MESSAGE_HOURS_START or from
# MESSAGE_HOURS_END on. The sweeps that text or email patients (questionnaire invitations and reminders, daily
# check-in reminders) run only in these hours: beat schedules them in these hours, and each task checks the hour
# itself as well (clinic.dates.within_message_hours), so a run queued late (after a broker outage) or by hand never
# sends at night. Any other message to a patient written at night (an intake link sent late) waits in the outbox
# until the hours open; messages to staff (urgent work) are never held.
MESSAGE_HOURS_START = env_int("MESSAGE_HOURS_START", 8, minimum=0)
MESSAGE_HOURS_END = env_int("MESSAGE_HOURS_END", 21, minimum=MESSAGE_HOURS_START + 1)
_MESSAGE_HOURS_CRON = f"{MESSAGE_HOURS_START}-{min(MESSAGE_HOURS_END, 24) - 1}"
CELERY_BEAT_SCHEDULE = {
    "deliver-outbox": {"task": "clinic.tasks.sweep_outbox", "schedule": float(OUTBOX_SWEEP_SECONDS)},
    # The daily sweeps (DAILY_SWEEPS below) run from this check, not from beat's own calendar.
    "daily-sweeps": {"task": "clinic.tasks.run_daily_sweeps", "schedule": 60.0},
    # Urgent tasks nobody acknowledged: the next person in the chain (clinic/safety_net.py); every minute.
    "urgent-task-escalation": {"task": "clinic.tasks.escalate_urgent_tasks", "schedule": 60.0},
    # Questionnaires: invitations for everything due today, then reminders and "not reached" tasks.
    # Message hours only (clinic time zone), so no text arrives at night.
    "measures-due-sweep": {
        "task": "measures.tasks.sweep_due_measures_task",
        "schedule": crontab(minute=5, hour=_MESSAGE_HOURS_CRON),
    },
    # Questionnaires timed to a visit (measures/visits.py), just before the interval sweep so one link carries both.
    "measures-visit-sweep": {
        "task": "measures.tasks.sweep_visit_measures_task",
        "schedule": crontab(minute=2, hour=_MESSAGE_HOURS_CRON),
    },
    "measures-reminder-sweep": {
        "task": "measures.tasks.sweep_reminders_task",
        "schedule": crontab(minute="*/15", hour=_MESSAGE_HOURS_CRON),
    },
    # Appointments: the patient's reminder the day before (clinic/appointment_reminders.py); message hours only.
    "appointment-reminder-sweep": {
        "task": "clinic.tasks.send_appointment_reminders",
        "schedule": crontab(minute="*/15", hour=_MESSAGE_HOURS_CRON),
    },
    # The outcomes dashboard's figures, worked out again every 5 minutes (interop/dashboard_snapshot.py).
    "dashboard-figures": {"task": "interop.tasks.refresh_dashboard_figures", "schedule": 300.0},
    # Sprint reviews: a task reaches the lead clinician 3 days before a sprint ends (careplans/tasks.py).
    "sprint-review-sweep": {"task": "careplans.tasks.sweep_sprint_reviews", "schedule": crontab(minute=20)},
    # Daily-log reminders the patients chose (careplans/tasks.py): at their chosen time, in message hours only.
    "log-reminder-sweep": {
        "task": "careplans.tasks.sweep_log_reminders_task",
        "schedule": crontab(minute="*/15", hour=_MESSAGE_HOURS_CRON),
    },
}
# Daily sweeps: beat skips a run it cannot queue (Redis down) and never makes it up, so these run from the
# "daily-sweeps" check every minute, which compares a last-run record in Postgres (SweepRun) with the
# clinic's local date: each runs once per local day, at or after its time, and a run missed while Redis,
# beat or the workers were down happens at the next check (clinic/sweeps.py). They create tasks, never
# messages, so a late run is harmless.
DAILY_SWEEPS = {
    # Early warning (clinic/escalation.py): treatment rising while function is not improving.
    "escalation-sweep": {"task": "clinic.tasks.sweep_escalations", "at": "06:40"},
    # Opioid monitoring (medications/tasks.py): screens, PDMP, agreements, trial reviews, taper follow-ups.
    "opioid-monitoring": {"task": "medications.tasks.sweep_opioid_monitoring_task", "at": "06:50"},
    # Referrals late on a step (not acknowledged, attendance or report missing): coordinator tasks.
    "referral-tracking": {"task": "clinic.tasks.track_referrals", "at": "07:30"},
}
if EMBEDDED_DEMO:
    # The questionnaire sweeps are set-based Postgres SQL; the embedded SQLite demo shows the
    # questionnaires through the demo patient's link instead. Its referral list shows which referrals are
    # late without the tracking sweep's tasks.
    for sweep in (
        "measures-due-sweep",
        "measures-visit-sweep",
        "measures-reminder-sweep",
        "sprint-review-sweep",
        "log-reminder-sweep",
        "dashboard-figures",
    ):
        del CELERY_BEAT_SCHEDULE[sweep]
    for sweep in ("referral-tracking", "opioid-monitoring"):
        del DAILY_SWEEPS[sweep]
# Each worker writes its heartbeat every HEARTBEAT_SECONDS while it is connected to the broker (a
# consumer bootstep in clinic/celery.py); /health/ calls the worker stale when the last one is older than
# HEARTBEAT_STALE_SECONDS: two missed heartbeats and a few seconds' grace for a slow write.
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 10, minimum=1)
HEARTBEAT_STALE_SECONDS = 2 * HEARTBEAT_SECONDS + 5
# The outbox (clinic/services.py): a sender's claim on a row lasts OUTBOX_CLAIM_LEASE_SECONDS and is renewed
# while it sends; a row queued but never delivered (the broker lost the task) is queued again after
# OUTBOX_REQUEUE_SECONDS.
OUTBOX_CLAIM_LEASE_SECONDS = env_int("OUTBOX_CLAIM_LEASE_SECONDS", 60, minimum=1)
OUTBOX_REQUEUE_SECONDS = env_int("OUTBOX_REQUEUE_SECONDS", 120, minimum=1)

# --- Logging: no patient data; request logs carry paths (public ids only) -------------------
# Patient-link tokens never reach a log: the filter redacts /p/<token> on every handler, and on the
# loggers that write request paths (so a record is clean wherever it propagates, test capture included).
_REDACT = ["redact_patient_links"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_patient_links": {"()": "clinic.log_filters.RedactPatientLinks"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # Django's own format for the development server's request lines.
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": _REDACT},
        "django.server": {"class": "logging.StreamHandler", "formatter": "django.server", "filters": _REDACT},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.request": {"filters": _REDACT},
        "django.security.csrf": {"filters": _REDACT},
        # Configuring a logger replaces its handlers, so Django's default handler is restated here.
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False, "filters": _REDACT},
    },
}

# --- Cache: rate-limit counters only (losing it loses no work) -------------------------------
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if EMBEDDED_DEMO
    else {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": "haven-cache",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}
