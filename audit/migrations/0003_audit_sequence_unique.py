"""The audit chain's numbers are unique (a migration of its own: on PostgreSQL the
constraint is added after the transaction that numbered the existing entries)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_hash_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="sequence",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True, verbose_name="通し番号"),
        ),
    ]
