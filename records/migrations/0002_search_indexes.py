"""Trigram indexes for Japanese substring search on PostgreSQL.

pg_trgm indexes LIKE '%…%' on any language when the database's character
classification knows CJK letters (an UTF-8 locale, e.g. C.UTF-8). SQLite
has no such index and scans; the queries are the same on both."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS contact_search_trgm ON records_contact USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS resident_search_trgm ON people_resident USING gin (search_key gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS contact_search_trgm",
    "DROP INDEX IF EXISTS resident_search_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial"), ("people", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
