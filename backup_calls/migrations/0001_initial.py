"""Backup calls (応援要請). The app was called ``backup`` until the rename to ``backup_calls``
(city IT reads "backup" as database backups). A database made before the rename already has the
table ``backup_backupcall`` and a migration row for ``backup``: this migration then renames the table
and moves the migration row and content type to the new label, keeping every call. A new database
gets the table created as usual."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


LEGACY_TABLE = "backup_backupcall"


def adopt_or_create(apps, schema_editor):
    model = apps.get_model("backup_calls", "BackupCall")
    connection = schema_editor.connection
    if LEGACY_TABLE in connection.introspection.table_names():
        schema_editor.alter_db_table(model, LEGACY_TABLE, model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_migrations WHERE app = %s", ["backup"])
            if "django_content_type" in connection.introspection.table_names():
                cursor.execute(
                    "UPDATE django_content_type SET app_label = %s WHERE app_label = %s", ["backup_calls", "backup"]
                )
    else:
        schema_editor.create_model(model)


def drop_table(apps, schema_editor):
    schema_editor.delete_model(apps.get_model("backup_calls", "BackupCall"))


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('records', '0003_contact_list_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.CreateModel(
            name='BackupCall',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('workplace', models.CharField(blank=True, max_length=50, verbose_name='窓口番号・内線')),
                ('reason', models.CharField(blank=True, max_length=100, verbose_name='理由')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='要請日時')),
                ('level', models.CharField(choices=[('supervisor', '上司'), ('manager', '管理職'), ('specialist', '専門部署')], default='supervisor', max_length=20, verbose_name='通知先')),
                ('manager_alerted_at', models.DateTimeField(blank=True, null=True, verbose_name='管理職へ引き上げた日時')),
                ('specialist_alerted_at', models.DateTimeField(blank=True, null=True, verbose_name='専門部署へ引き上げた日時')),
                ('taken_at', models.DateTimeField(blank=True, null=True, verbose_name='対応者が決まった日時')),
                ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='終了日時')),
                ('caller', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='backup_calls', to=settings.AUTH_USER_MODEL, verbose_name='要請者')),
                ('contact', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='backup_calls', to='records.contact', verbose_name='対応記録')),
                ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.department', verbose_name='担当課')),
                ('resolved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='終了した職員')),
                ('taken_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='対応者')),
            ],
            options={
                'verbose_name': '応援要請',
                'verbose_name_plural': '応援要請',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['resolved_at', 'taken_at', 'level'], name='backup_call_open')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('resolved_at__isnull', True)), fields=('contact',), name='backup_call_one_open_per_contact')],
            },
        )]),
        migrations.RunPython(adopt_or_create, drop_table),
    ]
