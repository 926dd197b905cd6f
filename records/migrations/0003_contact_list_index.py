"""An index for the filtered contact list: department + judgement + date.

The list page counts its matches for the paginator. With 1,000,000 contacts,
counting 市民課's 「該当する」 contacts of the last three months combined two
large indexes and read ~7,000 table pages (28 ms on PostgreSQL); this index
answers it alone (~1 ms). Partial (live records only), like every list query.
Plain SQL that both SQLite and PostgreSQL accept, as in 0002."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS contact_dept_judgement_started "
    "ON records_contact (department_id, harassment, started_at) WHERE deleted_at IS NULL"
)
DROP = "DROP INDEX IF EXISTS contact_dept_judgement_started"


class Migration(migrations.Migration):
    dependencies = [("records", "0002_search_indexes")]

    operations = [migrations.RunSQL(CREATE, DROP)]
