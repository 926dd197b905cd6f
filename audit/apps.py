from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "監査ログ"

    def ready(self):
        from . import checks  # noqa: F401 - registers the system checks
