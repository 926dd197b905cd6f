"""Uploads to a real server process (gunicorn as in production, and daphne; tests/upload_site.py) keeping evidence
on local files and on a real S3 server (SeaweedFS): a whole upload is stored; an
upload whose client drops the connection mid-body leaves nothing — no row, no
object, no temporary file — and the server goes on taking uploads."""

import hashlib
import os
import sqlite3
import time
import uuid

import pytest

from . import servers
from .test_evidence_core import wav_bytes
from .upload_client import post_file, post_file_cut_off, start_gunicorn


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return tmp_path_factory.mktemp("upload-db") / "template.sqlite3"


@pytest.fixture(params=["gunicorn-local", "gunicorn-s3", "daphne-local", "daphne-s3"])
def site(request, tmp_path, template):
    server, kind = request.param.split("-")
    env = {"DJANGO_SETTINGS_MODULE": "tests.upload_site", "TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    if kind == "local":
        root = tmp_path / "evidence-files"
        env["MAMORU_EVIDENCE_ROOT"] = str(root)

        def names():
            return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())

    else:
        store = request.getfixturevalue("object_store")
        prefix = f"upload-{uuid.uuid4().hex}"
        env.update(store.environment(), MAMORU_EVIDENCE_S3_PREFIX=prefix)

        def names():
            return [key[len(prefix) + 1 :] for key in store.keys(prefix + "/")]

    cluster = servers.Cluster(tmp_path, extra_env=env)
    cluster.migrate(template=template)
    data = cluster.setup(contacts=1)
    port = cluster.start("web") if server == "daphne" else start_gunicorn(cluster)
    try:
        yield cluster, port, data, names, tmp_path / "tmp"
    finally:
        cluster.stop()


def rows(cluster, table):
    with sqlite3.connect(cluster.database) as connection:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names


def test_an_upload_is_stored_and_one_cut_off_mid_body_leaves_nothing(site, tmp_path):
    cluster, port, data, names, server_tmp = site
    contact = data["contacts"][0]
    url = f"/upload-site/evidence/{contact}/"
    recording = tmp_path / "通話録音.wav"
    recording.write_bytes(wav_bytes(seconds=1) + os.urandom(6 * 1024 * 1024))

    post_file_cut_off(port, url, cluster.cookie("staff1"), recording, send_bytes=3 * 1024 * 1024)
    time.sleep(1.5)
    assert rows(cluster, "evidence_evidence") == 0 and rows(cluster, "evidence_storedfile") == 0
    assert names() == []
    assert [p.name for p in server_tmp.rglob("*") if p.is_file()] == []  # no half-received file left

    status, answer = post_file(port, url, cluster.cookie("staff1"), recording)
    assert status == 200, answer
    assert answer["sha256"] == hashlib.sha256(recording.read_bytes()).hexdigest()
    assert answer["size"] == recording.stat().st_size
    assert names() == [f"sha256/{answer['sha256'][:2]}/{answer['sha256'][2:4]}/{answer['sha256']}"]
    assert rows(cluster, "evidence_evidence") == 1
    assert [p.name for p in server_tmp.rglob("*") if p.is_file()] == []  # temporary copies removed
