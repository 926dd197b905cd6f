"""A slow password hasher for the burst tests' server processes: the tests'
MD5 hasher taking as long as a real Argon2 check, so that simultaneous
sign-ins really overlap while their passwords are checked."""

import os
import time

from django.contrib.auth.hashers import MD5PasswordHasher

DELAY_SECONDS = float(os.environ.get("MAMORU_TEST_HASH_SECONDS", "0.3"))


class SlowMD5PasswordHasher(MD5PasswordHasher):
    def verify(self, password, encoded):
        time.sleep(DELAY_SECONDS)
        return super().verify(password, encoded)
