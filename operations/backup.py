"""Backup and restore (issue 17): ``python -m mamoru backup --output DIR`` and
``python -m mamoru restore --input DIR``.

A backup is one folder::

    manifest.json                       when, mamoru's version, the applied migrations, the
                                        dump's SHA-256 and size, each object's key, size, SHA-256
    database.dump                       pg_dump --format=custom
    objects/sha256/ab/cd/<sha256>       each evidence file's bytes, read through the storage API

The database and the list of evidence files come from one snapshot: the list is read in
the transaction whose snapshot pg_dump is given (``--snapshot``), so the dump and the
objects describe the same moment while the city keeps working.

PostgreSQL only. SQLite runs the tests and a developer's checkout, never a city's
server (docs/deploy.md); a second engine would be a second restore path to test, and
the first time anyone would try it is the day it is needed."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from glob import glob
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from audit.services import audit_record
from evidence import storage as evidence_storage
from evidence.models import StoredFile

MANIFEST = "manifest.json"
DUMP = "database.dump"
OBJECTS = "objects"
FORMAT = 1
CHUNK_SIZE = 1024 * 1024
KEY = re.compile(r"^sha256/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})$")


class BackupError(Exception):
    """A refusal, with a Japanese message for the operator; nothing was changed."""


@dataclass
class ObjectCheck:
    key: str
    status: str  # "ok", "mismatch", "missing"
    message: str = ""


@dataclass
class Outcome:
    """What a backup or a restore did, for the summary and the exit status."""

    folder: Path
    database_size: int = 0
    objects_ok: int = 0
    objects_purged: int = 0
    problems: list[ObjectCheck] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.problems)


# --- shared helpers ---------------------------------------------------------------------------


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BackupError(
            "バックアップと復元は PostgreSQL のデータベースでだけ使えます（DATABASE_URL を設定してください）。"
            "SQLite は開発と試験用で、市の本番環境では使いません。"
        )


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: ``MAMORU_PG_BIN`` if set, else Debian's newest
    /usr/lib/postgresql/*/bin (as scripts/postgres.sh), else the PATH. A newer
    pg_dump reads an older server; an older one refuses a newer server."""
    candidates = []
    if os.environ.get("MAMORU_PG_BIN"):
        candidates.append(Path(os.environ["MAMORU_PG_BIN"]) / name)
    for folder in sorted(glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True):
        candidates.append(Path(folder) / name)
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(
        f"{name} が見つかりません。PostgreSQL のクライアント（Debian の postgresql-client）を入れるか、"
        "MAMORU_PG_BIN にその bin フォルダを指定してください。"
    )


def _version_key(folder: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", Path(folder).parent.name)) or (0,)


def _pg_env() -> dict[str, str]:
    """The connection of DATABASE_URL as libpq's variables (no password on a command line)."""
    database = settings.DATABASES["default"]
    env = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if database.get(key):
            env[variable] = str(database[key])
    env["PGDATABASE"] = database["NAME"]
    return env


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{what}に失敗しました（終了コード {result.returncode}）:\n{result.stderr.strip()}")


def file_digest(path: Path) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def mamoru_version() -> str:
    try:
        with open(Path(settings.BASE_DIR) / "pyproject.toml", "rb") as handle:
            return tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "不明"


def operator_name() -> str:
    """Who ran the command: the login on the server (the audit log's actor name)."""
    try:
        return f"{getpass.getuser()}（運用コマンド）"
    except (KeyError, OSError):
        return "運用コマンド"


def _stored_chunks(name: str):
    """The stored bytes, ``CHUNK_SIZE`` at a time. On S3 the body is streamed from the GET
    (django-storages' S3File would first hold the whole object in memory)."""
    store = evidence_storage.evidence_storage()
    bucket = getattr(store, "bucket", None)
    if bucket is not None:  # django-storages' S3Storage
        location = (getattr(store, "location", "") or "").strip("/")
        body = bucket.Object(f"{location}/{name}" if location else name).get()["Body"]
        try:
            yield from body.iter_chunks(CHUNK_SIZE)
        finally:
            body.close()
        return
    with store.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            yield chunk


# --- backup -----------------------------------------------------------------------------------


def backup_create(*, actor=None, output: Path) -> Outcome:
    """Write a backup into ``output`` (a new or empty folder). Evidence whose bytes do not
    hash to what the database stores, or that is gone from storage, is flagged in the
    manifest and in the outcome (the backup is still written, with what was found)."""
    require_postgresql()
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupError(
            f"出力先 {output} は空のフォルダではありません。前のバックアップを上書きしないよう、新しいフォルダを指定してください。"
        )
    if connection.in_atomic_block:
        raise BackupError("バックアップはトランザクションの外で実行してください。")
    pg_dump = pg_tool("pg_dump")
    output.mkdir(parents=True, exist_ok=True)
    output.chmod(0o700)  # personal data: the operators' eyes only
    outcome = Outcome(folder=output)
    dump_path = output / DUMP
    with transaction.atomic(), connection.cursor() as cursor:
        # The first statement of the transaction: everything below reads one snapshot, pg_dump's too.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version'), now()")
        snapshot, server_version, taken_at = cursor.fetchone()
        applied = MigrationRecorder.Migration.objects.order_by("app", "name").values_list("app", "name")
        migrations: dict[str, list[str]] = {}
        for app, name in applied:
            migrations.setdefault(app, []).append(name)
        files = list(StoredFile.objects.order_by("sha256").values("sha256", "size", "storage_name", "purged_at"))
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={dump_path}"],
            "データベースのダンプ（pg_dump）",
        )
    dump_sha256, dump_size = file_digest(dump_path)
    outcome.database_size = dump_size

    objects = []
    for row in files:
        if row["purged_at"] is not None:  # retention deleted the bytes; the row stays in the dump
            outcome.objects_purged += 1
            continue
        entry = _backup_object(row=row, folder=output / OBJECTS)
        objects.append(entry)
        if entry["status"] == "ok":
            outcome.objects_ok += 1
        else:
            outcome.problems.append(ObjectCheck(key=entry["key"], status=entry["status"], message=entry["message"]))

    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(tz=dt.UTC).isoformat(),
        "snapshot_at": taken_at.astimezone(dt.UTC).isoformat(),
        "mamoru_version": mamoru_version(),
        "migrations": migrations,
        "database": {
            "engine": "postgresql",
            "server_version": server_version,
            "name": settings.DATABASES["default"]["NAME"],
            "file": DUMP,
            "format": "pg_dump --format=custom",
            "size": dump_size,
            "sha256": dump_sha256,
        },
        "storage": type(evidence_storage.evidence_storage()).__module__
        + "."
        + type(evidence_storage.evidence_storage()).__name__,
        "purged_objects": outcome.objects_purged,
        "objects": objects,
    }
    partial = output / (MANIFEST + ".part")
    partial.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    partial.replace(output / MANIFEST)  # a folder without manifest.json is an unfinished backup
    with transaction.atomic():
        audit_record(
            actor=actor,
            actor_name=operator_name(),
            action="operations.backup.created",
            after={
                "folder": str(output.resolve()),
                "snapshot_at": manifest["snapshot_at"],
                "database_sha256": dump_sha256,
                "objects": outcome.objects_ok,
                "problems": len(outcome.problems),
            },
        )
    return outcome


def _backup_object(*, row: dict, folder: Path) -> dict:
    key = row["storage_name"]
    entry = {"key": key, "expected_sha256": row["sha256"], "expected_size": row["size"]}
    match = KEY.match(key)
    if not match or match.group(3) != row["sha256"]:
        return {**entry, "status": "mismatch", "message": "保存先の名前が SHA-256 と合いません。"}
    target = folder / key
    target.parent.mkdir(parents=True, exist_ok=True)
    if not evidence_storage.is_stored(key):
        return {**entry, "status": "missing", "message": "保存先にファイルがありません。"}
    digest, size = hashlib.sha256(), 0
    try:
        with open(target, "wb") as handle:
            for chunk in _stored_chunks(key):
                digest.update(chunk)
                size += len(chunk)
                handle.write(chunk)
    except OSError as error:
        raise BackupError(f"{key} をバックアップに書けませんでした: {error}") from error
    entry.update(size=size, sha256=digest.hexdigest())
    if entry["sha256"] != row["sha256"] or size != row["size"]:
        return {
            **entry,
            "status": "mismatch",
            "message": "保存されている内容が、データベースに記録された SHA-256・サイズと一致しません。",
        }
    return {**entry, "status": "ok", "message": ""}


# --- restore ----------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(
            f"{folder} に manifest.json がありません（バックアップのフォルダではないか、途中で止まったバックアップです）。"
        )
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"manifest.json を読めません: {error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("manifest.json の形式がこの版の mamoru と合いません。")
    database = manifest.get("database")
    if not isinstance(database, dict) or not isinstance(manifest.get("objects"), list):
        raise BackupError("manifest.json にデータベースまたはファイルの一覧がありません。")
    return manifest


def database_objects() -> int:
    """Tables, views and sequences in the database outside PostgreSQL's own schemas."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%%' "
            "AND n.nspname NOT LIKE 'pg\\_temp%%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        )
        return cursor.fetchone()[0]


def backup_restore(*, actor=None, source: Path) -> Outcome:
    """Restore the backup in ``source`` into the (empty) database of DATABASE_URL and the
    evidence storage. Refuses, changing nothing, when the dump does not match the manifest,
    the database is not empty, or the backup holds migrations this version does not know.
    An object that does not match the manifest is not written and is reported."""
    require_postgresql()
    manifest = read_manifest(source)
    database = manifest["database"]
    dump_path = source / DUMP
    if not dump_path.is_file():
        raise BackupError(f"{source} に {DUMP} がありません。")
    dump_sha256, dump_size = file_digest(dump_path)
    if dump_sha256 != database.get("sha256") or dump_size != database.get("size"):
        raise BackupError(
            f"{DUMP} が manifest.json と一致しません（SHA-256 またはサイズが違います）。"
            "バックアップが壊れているか書き換えられています。復元しません。"
        )
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)  # names a squashed migration stands for
    backed_up = {(app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names}
    unknown = sorted(f"{app}.{name}" for app, name in backed_up - known if app in loader.migrated_apps)
    if unknown:
        raise BackupError(
            "このバックアップには、この版の mamoru が知らないマイグレーションがあります（より新しい版のバックアップです）: "
            + "、".join(unknown[:5])
            + ("ほか" if len(unknown) > 5 else "")
            + "。同じ版以降の mamoru で復元してください。"
        )
    found = database_objects()
    if found:
        raise BackupError(
            f"復元先のデータベース「{settings.DATABASES['default']['NAME']}」は空ではありません（テーブルなどが {found} 個あります）。"
            "復元は空のデータベースにだけ行います。新しいデータベースを作り、DATABASE_URL でそれを指定してください。"
        )
    pg_restore = pg_tool("pg_restore")
    connection.close()
    _run(
        [
            pg_restore,
            "--no-password",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(dump_path),
        ],
        "データベースの復元（pg_restore）",
    )
    outcome = Outcome(folder=source, database_size=dump_size, objects_purged=int(manifest.get("purged_objects") or 0))
    listed = set()
    for entry in manifest["objects"]:
        check = _restore_object(entry=entry, folder=source / OBJECTS)
        listed.add(str(entry.get("key", "")))
        if check.status == "ok":
            outcome.objects_ok += 1
        else:
            outcome.problems.append(check)
    objects_root = source / OBJECTS
    if objects_root.is_dir():
        extra = [
            p for p in objects_root.rglob("*") if p.is_file() and p.relative_to(objects_root).as_posix() not in listed
        ]
        if extra:
            outcome.notes.append(f"manifest.json にないファイルが {len(extra)} 件あり、復元しませんでした。")
    pending = [
        key
        for key, migration in loader.disk_migrations.items()
        if key not in backed_up and not (migration.replaces and set(migration.replaces) <= backed_up)
    ]
    if pending:
        outcome.notes.append(
            f"この版にはバックアップ以後のマイグレーションが {len(pending)} 件あります。"
            "python -m mamoru migrate を実行してください。"
        )
    else:  # the audit log says the database was restored, and from when (entries after that are not in it)
        with transaction.atomic():
            audit_record(
                actor=actor,
                actor_name=operator_name(),
                action="operations.backup.restored",
                after={
                    "folder": str(source.resolve()),
                    "snapshot_at": str(manifest.get("snapshot_at", "")),
                    "database_sha256": dump_sha256,
                    "objects": outcome.objects_ok,
                    "problems": len(outcome.problems),
                },
            )
    absent = sorted({app for app, _name in backed_up} - set(loader.migrated_apps) - {app for app, _ in known})
    if absent:
        outcome.notes.append(
            "バックアップにはこの設定で使っていないアプリのテーブルも含まれています（"
            + "、".join(absent)
            + "。例: MAMORU_WORKER の違い）。"
        )
    return outcome


def _restore_object(*, entry: dict, folder: Path) -> ObjectCheck:
    key = str(entry.get("key", ""))
    match = KEY.match(key)
    if entry.get("status") != "ok":
        return ObjectCheck(
            key=key,
            status=str(entry.get("status") or "mismatch"),
            message="バックアップの時点で不一致と記録されています。",
        )
    if not match or entry.get("sha256") != match.group(3):
        return ObjectCheck(key=key, status="mismatch", message="manifest.json の名前と SHA-256 が合いません。")
    path = folder / key
    if not path.is_file():
        return ObjectCheck(key=key, status="missing", message="バックアップにファイルがありません。")
    sha256, size = file_digest(path)
    if sha256 != entry["sha256"] or size != entry.get("size"):
        return ObjectCheck(
            key=key,
            status="mismatch",
            message="ファイルが manifest.json の SHA-256・サイズと一致しません（破損または改ざん）。復元しませんでした。",
        )
    evidence_storage.write(incoming=SimpleNamespace(sha256=sha256, size=size, path=path))
    stored = evidence_storage.evidence_storage()
    if not stored.exists(key) or stored.size(key) != size:
        return ObjectCheck(key=key, status="mismatch", message="保存先に書いた内容のサイズが違います。")
    return ObjectCheck(key=key, status="ok")
