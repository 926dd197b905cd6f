"""Settings for the benchmark: the app's own, with debugging off (no query
log) and the benchmark's URLs, which add a bare view to compare against."""

from mamoru.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
# The benchmark's clients sign in with force_login and have no phone: no second factor.
MAMORU_OTP_REQUIRED_ROLES = []
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
