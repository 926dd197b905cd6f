"""Settings for the benchmark: the app's own, with debugging off (no query
log) and the benchmark's URLs, which add a bare view to compare against."""

from mamoru.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "benchmarks.urls"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
