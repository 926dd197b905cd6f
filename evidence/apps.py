from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "証拠（録音・写真・画面の記録）"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from mamoru.lib.panels import register_panel

        from .panels_retention import retention_panel

        # storage stream (issue 14): retention and legal hold beside the file's facts.
        register_panel(
            page="evidence.evidence_detail",
            slot="side",
            name="evidence.retention",
            template="evidence/panels/retention.html",
            context=retention_panel,
            order=50,
        )
