"""Fast, offline settings for the test suite.

DATABASE_URL and REDIS_URL still come from the environment so that CI can run the
same suite against PostgreSQL and Redis.
"""

import faulthandler
import os
import signal
from pathlib import Path

os.environ.setdefault("DEBUG", "1")
# A browser test's server that will not stop is sent SIGUSR1 (tests/e2e/server.py) and
# writes every thread's stack to its log, so the hang can be read rather than guessed.
faulthandler.register(signal.SIGUSR1, all_threads=True)

from openmentor.config.settings.base import *  # noqa: E402,F403
from openmentor.config.settings.base import TASKS  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run where they are enqueued, so a test sees their effect at once.
TASKS = {
    "default": {**TASKS["default"], "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
}
# The fault tests (tests/faults/) run real workers on a real queue: "db" or "rq".
if os.environ.get("OPENMENTOR_TEST_QUEUE") == "db":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif os.environ.get("OPENMENTOR_TEST_QUEUE") == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
FAULT_TEST_PAUSE_FILE = os.environ.get("OPENMENTOR_FAULT_PAUSE_FILE", "")
if os.environ.get("OPENMENTOR_MEDIA_ROOT"):
    MEDIA_ROOT = Path(os.environ["OPENMENTOR_MEDIA_ROOT"])
LOG_FORMAT = "text"
LOGGING = {"version": 1, "disable_existing_loggers": False}
WHITENOISE_AUTOREFRESH = True
ACCOUNT_RATE_LIMITS = {"login_failed": "5/5m/key"}

if DATABASES["default"]["ENGINE"] == "openmentor.core.sqlite_pool":  # noqa: F405
    # A file, not memory, so the uvicorn server of the browser tests can share it.
    # One file per test run (by process id), so parallel runs in one checkout do not
    # share it; pytest-django deletes it at the end of the run.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(VAR_DIR / f"test_openmentor_{os.getpid()}.sqlite3")  # noqa: F405
    }

# The browser tests' server process: point it at the test database and write its
# e-mails to files that the test reads.
if os.environ.get("OPENMENTOR_TEST_SERVER_DB"):
    DATABASES["default"]["NAME"] = os.environ["OPENMENTOR_TEST_SERVER_DB"]  # noqa: F405
if os.environ.get("OPENMENTOR_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["OPENMENTOR_EMAIL_DIR"]

# Redis keeps what an earlier run left (sign-in limits, cached access checks): each
# run gets its own key prefix, shared with the servers and workers it starts, which
# inherit the variable.
os.environ.setdefault("OPENMENTOR_TEST_RUN", str(os.getpid()))
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":  # noqa: F405
    CACHES["default"]["KEY_PREFIX"] = f"openmentor-test-{os.environ['OPENMENTOR_TEST_RUN']}"  # noqa: F405
