"""The app ``backup`` became ``backup_calls`` (city IT reads "backup" as database backups).
A database made before the rename keeps its backup calls: ``migrate`` renames the table and
moves the migration row and content type to the new label."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

MAKE_CALL = """
import django; django.setup()
from django.utils import timezone
from accounts.models import Department
from accounts.services import user_create
from backup_calls.services import backup_call_create
from records.services import contact_start
shimin = Department.objects.create(code="shimin", name="市民課", sort_order=1)
staff = user_create(actor=None, username="staff1", password="x-long-password-1", role="staff",
                    department=shimin, full_name="市民 一郎")
contact = contact_start(actor=staff, channel="counter")
backup_call_create(actor=staff, contact=contact, reason="威嚇")
"""

READ_CALLS = """
import django; django.setup()
from backup_calls.models import BackupCall
print(list(BackupCall.objects.values_list("reason", flat=True)))
"""


def _run(args, database):
    env = {**os.environ, "MAMORU_SQLITE_PATH": str(database), "DJANGO_SETTINGS_MODULE": "mamoru.settings"}
    env.pop("DATABASE_URL", None)
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=300).stdout


def test_migrate_adopts_the_table_of_the_old_backup_app(tmp_path):
    database = tmp_path / "old.sqlite3"
    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], database)
    _run([sys.executable, "-c", MAKE_CALL], database)
    # Put the database back as the app named ``backup`` left it.
    with sqlite3.connect(database) as db:
        db.execute("ALTER TABLE backup_calls_backupcall RENAME TO backup_backupcall")
        db.execute("UPDATE django_migrations SET app = 'backup' WHERE app = 'backup_calls'")
        db.execute("UPDATE django_content_type SET app_label = 'backup' WHERE app_label = 'backup_calls'")

    _run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], database)

    assert _run([sys.executable, "-c", READ_CALLS], database).strip() == "['威嚇']"
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        apps = {row[0] for row in db.execute("SELECT app FROM django_migrations")}
        labels = {row[0] for row in db.execute("SELECT app_label FROM django_content_type")}
    assert "backup_calls_backupcall" in tables and "backup_backupcall" not in tables
    assert "backup" not in apps and "backup_calls" in apps
    assert "backup" not in labels
