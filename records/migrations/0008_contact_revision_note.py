"""A revision says why it was saved when the saver had to: a supervisor's decision on 判断に迷う."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0007_harassment_starts_undecided"),
    ]

    operations = [
        migrations.AddField(
            model_name="contactrevision",
            name="note",
            field=models.TextField(blank=True, verbose_name="変更の理由"),
        ),
    ]
