from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "対応記録"

    def ready(self):
        from . import panels

        panels.register()
