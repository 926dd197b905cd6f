from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "証拠（録音・写真・画面の記録）"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # worker stream: the analysis panel on the evidence page, and the recordings' suggestions
        from assessment.hooks import suggestion_signals

        from . import analysis_panels
        from . import suggestion_signals as recording_suggestions

        analysis_panels.register()
        suggestion_signals.connect(recording_suggestions.recording_signals)
