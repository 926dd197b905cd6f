"""A real OpenLDAP server (Debian's ``slapd``, installed by ``make ldap``) for the directory
sign-in tests: started on loopback in a temporary folder with an mdb database, loaded with
``ldapadd`` (ldap-utils), stopped at the end.

Without slapd the tests that use it FAIL with a message saying how to install it; set
``MAMORU_SKIP_LDAP_TESTS=1`` to skip them on purpose."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SKIP_VARIABLE = "MAMORU_SKIP_LDAP_TESTS"
SLAPD_CANDIDATES = ("/usr/sbin/slapd", "/usr/local/libexec/slapd")
SCHEMA_DIR = Path("/etc/ldap/schema")
MODULE_DIR = Path("/usr/lib/ldap")
SUFFIX = "dc=city,dc=example"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "slapd-root-secret"
HOW_TO_INSTALL = (
    "The directory sign-in tests need Debian's OpenLDAP server and tools: run `make ldap` "
    "(apt-get install slapd ldap-utils libldap2-dev libsasl2-dev), or set "
    f"{SKIP_VARIABLE}=1 to skip them explicitly."
)


def skip_requested() -> bool:
    return os.environ.get(SKIP_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on")


def require_slapd() -> tuple[str, str]:
    """Paths of slapd and ldapadd, or skip (on request) / fail (saying how to install)."""
    slapd = next((path for path in SLAPD_CANDIDATES if os.access(path, os.X_OK)), None) or shutil.which("slapd")
    ldapadd = shutil.which("ldapadd")
    missing = [name for name, path in (("slapd", slapd), ("ldapadd", ldapadd)) if not path]
    try:
        import django_auth_ldap  # noqa: F401
        import ldap  # noqa: F401
    except ImportError:
        missing.append("python-ldap/django-auth-ldap")
    if missing:
        if skip_requested():
            pytest.skip(f"{SKIP_VARIABLE}=1: directory sign-in tests skipped on request")
        pytest.fail(f"{', '.join(missing)} not found. {HOW_TO_INSTALL}", pytrace=False)
    return slapd, ldapadd


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Directory:
    url: str
    suffix: str = SUFFIX
    root_dn: str = ROOT_DN
    root_password: str = ROOT_PASSWORD


def _config(folder: Path) -> str:
    schemas = "\n".join(f"include {SCHEMA_DIR / name}.schema" for name in ("core", "cosine", "inetorgperson", "nis"))
    return f"""{schemas}
pidfile {folder / "slapd.pid"}
argsfile {folder / "slapd.args"}
modulepath {MODULE_DIR}
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{SUFFIX}"
rootdn "{ROOT_DN}"
rootpw {ROOT_PASSWORD}
directory {folder / "data"}
index objectClass eq
index uid eq
index member eq
"""


def start(folder: Path, ldif: str) -> tuple[Directory, subprocess.Popen]:
    """Start slapd in ``folder`` on a free loopback port and load ``ldif``."""
    slapd, ldapadd = require_slapd()
    (folder / "data").mkdir(parents=True)
    config = folder / "slapd.conf"
    config.write_text(_config(folder))
    port = _free_port()
    url = f"ldap://127.0.0.1:{port}"
    # -d 0: stay in the foreground (no fork), so the test owns the process.
    process = subprocess.Popen(
        [slapd, "-f", str(config), "-h", f"{url}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"slapd exited: {process.stderr.read().decode(errors='replace')[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if time.monotonic() > deadline:
                stop(process)
                raise RuntimeError("slapd did not start listening within 20 s") from None
            time.sleep(0.1)
    data = folder / "data.ldif"
    data.write_text(ldif)
    subprocess.run(
        [ldapadd, "-x", "-H", url, "-D", ROOT_DN, "-w", ROOT_PASSWORD, "-f", str(data)],
        check=True,
        capture_output=True,
        timeout=30,
    )
    return Directory(url=url), process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if process.stderr:
        process.stderr.close()
