from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "証拠（録音・写真・画面の記録）"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import export_panels

        export_panels.register()
