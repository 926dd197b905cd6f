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
        _jobs_off_the_admin_site()

        # transcripts (issue 14): the 反訳書 panel, and the contacts' search finding words in transcripts
        from records.hooks import contact_search_extra

        from . import transcript_panels
        from .transcript_search import contact_search_transcripts

        transcript_panels.register()
        contact_search_extra.connect(contact_search_transcripts)

        from . import timestamp_panels

        timestamp_panels.register()  # timestamps stream: the integrity panel on the evidence page

        from django.conf import settings

        from mamoru.lib.uploads import register_upload

        from . import panels
        from .views import upload_handlers

        panels.register()

        # Recordings are far larger than the usual upload limit (MAMORU_UPLOAD_MAX_BYTES): the
        # evidence pages and the API take up to MAMORU_EVIDENCE_MAX_BYTES, hashed as they arrive.
        def limit():
            return settings.MAMORU_EVIDENCE_MAX_BYTES

        register_upload("evidence:contact_upload", max_bytes=limit, handlers=upload_handlers)
        register_upload("evidence:case_upload", max_bytes=limit, handlers=upload_handlers)
        register_upload("api:contacts_evidence_add", max_bytes=limit)

        from . import export_panels

        export_panels.register()

        # disclosure (issue 13 B7): the files and transcripts about a resident, for a 開示請求
        from people.hooks import resident_data_held

        from .held import resident_data_held as evidence_held

        resident_data_held.connect(evidence_held)


def _jobs_off_the_admin_site() -> None:
    """procrastinate's Django app puts its job tables on the admin site; the administrator's
    site keeps users and departments only (issue 13, least privilege)."""
    from django.apps import apps
    from django.contrib import admin

    if not apps.is_installed("procrastinate.contrib.django"):
        return
    for model in [model for model in admin.site._registry if model._meta.app_label == "procrastinate"]:
        admin.site.unregister(model)
