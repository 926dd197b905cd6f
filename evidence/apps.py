from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "証拠（録音・写真・画面の記録）"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # transcripts (issue 14): the 反訳書 panel, and the contacts' search finding words in transcripts
        from records.hooks import contact_search_extra

        from . import transcript_panels
        from .transcript_search import contact_search_transcripts

        transcript_panels.register()
        contact_search_extra.connect(contact_search_transcripts)
