"""A contact starts 未判断 (undecided) instead of 該当しない.

Stored rows are left as they are: a migration cannot tell a 該当しない somebody
chose from one that was the old default and never judged (see the README)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0006_fewer_write_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="contact",
            name="harassment",
            field=models.CharField(
                choices=[
                    ("undecided", "未判断"),
                    ("no", "該当しない"),
                    ("unsure", "判断に迷う（上司に相談）"),
                    ("yes", "該当する"),
                ],
                default="undecided",
                max_length=10,
                verbose_name="カスタマーハラスメントの判断",
            ),
        ),
    ]
