"""The filtered list's index (0003) declared on the model.

0003 created it with plain SQL, so Django's migration state did not know it,
and on SQLite the table rebuild of 0004 (new columns) dropped it: the list
count at 1,000,000 contacts went from about 25 ms to 90 ms. Declared on the
model, later rebuilds keep it. This migration only records it in the state
and creates it where it is missing (SQLite databases migrated through 0004);
on PostgreSQL it is already there."""

from django.db import migrations, models

CREATE = (
    "CREATE INDEX IF NOT EXISTS contact_dept_judgement_started "
    "ON records_contact (department_id, harassment, started_at) WHERE deleted_at IS NULL"
)


class Migration(migrations.Migration):
    dependencies = [("records", "0004_restriction_reason_and_import_key")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(CREATE, migrations.RunSQL.noop)],
            state_operations=[
                migrations.AddIndex(
                    model_name="contact",
                    index=models.Index(
                        condition=models.Q(("deleted_at__isnull", True)),
                        fields=["department", "harassment", "started_at"],
                        name="contact_dept_judgement_started",
                    ),
                )
            ],
        )
    ]
