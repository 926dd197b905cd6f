from django.apps import AppConfig


class BackupCallsConfig(AppConfig):
    name = "backup_calls"
    verbose_name = "応援要請"

    def ready(self):
        from . import panels

        panels.register()
