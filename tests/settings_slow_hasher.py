"""Settings for the burst tests' server processes (tests/test_login_burst.py):
mamoru's own, with password checks as slow as Argon2's (tests.hashers)."""

from mamoru.settings import *  # noqa: F403
from mamoru.settings import PASSWORD_HASHERS

# In place of the fast MD5 hasher (one hasher per algorithm: the last one listed wins).
PASSWORD_HASHERS = [
    "tests.hashers.SlowMD5PasswordHasher",
    *(hasher for hasher in PASSWORD_HASHERS if not hasher.endswith("MD5PasswordHasher")),
]
