"""Chain the audit log by hash (issue 13, B3): number the existing entries in the
order they were written, hash each over its content and the hash before it, and
record the end of the chain."""

import django.utils.timezone
from django.db import migrations, models

from audit.chain import GENESIS, HASHED_FIELDS, entry_hash, json_value


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    previous, sequence, batch = GENESIS, 0, []
    for entry in AuditEntry.objects.order_by("id").iterator(chunk_size=2000):
        sequence += 1
        entry.sequence = sequence
        entry.previous_hash = previous
        entry.before, entry.after = json_value(entry.before), json_value(entry.after)
        entry.entry_hash = previous = entry_hash({name: getattr(entry, name) for name in HASHED_FIELDS})
        batch.append(entry)
        if len(batch) >= 2000:
            AuditEntry.objects.bulk_update(batch, ["sequence", "previous_hash", "entry_hash"])
            batch = []
    if batch:
        AuditEntry.objects.bulk_update(batch, ["sequence", "previous_hash", "entry_hash"])
    AuditChainHead.objects.update_or_create(pk=1, defaults={"sequence": sequence, "entry_hash": previous})


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="created_at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="日時"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name="通し番号"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="previous_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="前の記録のハッシュ"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(blank=True, max_length=64, verbose_name="ハッシュ"),
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sequence", models.PositiveBigIntegerField(default=0, verbose_name="最後の通し番号")),
                ("entry_hash", models.CharField(blank=True, max_length=64, verbose_name="最後のハッシュ")),
            ],
            options={
                "verbose_name": "監査ログのチェーンの末尾",
                "verbose_name_plural": "監査ログのチェーンの末尾",
            },
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
