from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "対応記録"

    def ready(self):
        from people.hooks import resident_data_held

        from . import held, panels

        panels.register()
        resident_data_held.connect(held.resident_data_held)
