from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "証拠（録音・写真・画面の記録）"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        """What evidence adds to the apps it builds on (none of them imports it): panels on the
        contact, case and evidence pages, the uploads it takes, its answers to their hooks."""
        from django.conf import settings

        from assessment.hooks import suggestion_signals
        from mamoru.lib.panels import register_panel
        from mamoru.lib.uploads import register_upload
        from people.hooks import resident_data_held
        from records.hooks import contact_search_extra

        from . import analysis_panels, export_panels, panels, timestamp_panels, transcript_panels
        from .held import resident_data_held as evidence_held
        from .panels_retention import retention_panel
        from .suggestion_signals import recording_signals
        from .transcript_search import contact_search_transcripts
        from .views import upload_handlers

        # The evidence list and the add form on contact and case pages; the evidence page's panels.
        panels.register()
        analysis_panels.register()  # the loudness plot and raised-voice segments of a recording
        transcript_panels.register()  # the 反訳書
        timestamp_panels.register()  # the SHA-256 and RFC 3161 tokens
        export_panels.register()  # the export, 証拠一覧 and hand-over to the police on the case page
        register_panel(
            page="evidence.evidence_detail",
            slot="side",
            name="evidence.retention",
            template="evidence/panels/retention.html",
            context=retention_panel,
            order=50,
        )  # retention and legal hold beside the file's facts

        # Recordings are far larger than the usual upload limit (MAMORU_UPLOAD_MAX_BYTES): the
        # evidence pages and the API take up to MAMORU_EVIDENCE_MAX_BYTES, hashed as they arrive.
        def limit():
            return settings.MAMORU_EVIDENCE_MAX_BYTES

        register_upload("evidence:contact_upload", max_bytes=limit, handlers=upload_handlers)
        register_upload("evidence:case_upload", max_bytes=limit, handlers=upload_handlers)
        register_upload("evidence:post_upload", max_bytes=limit, handlers=upload_handlers)
        register_upload("evidence:subject_upload", max_bytes=limit, handlers=upload_handlers)
        register_upload("api:contacts_evidence_add", max_bytes=limit)

        suggestion_signals.connect(recording_signals)  # suggestions from recordings, never labels
        contact_search_extra.connect(contact_search_transcripts)  # the contacts' search reads transcripts
        resident_data_held.connect(evidence_held)  # a 開示請求 collects the files and transcripts
        _jobs_off_the_admin_site()


def _jobs_off_the_admin_site() -> None:
    """procrastinate's Django app puts its job tables on the admin site; the administrator's
    site keeps users and departments only (issue 13, least privilege)."""
    from django.apps import apps
    from django.contrib import admin

    if not apps.is_installed("procrastinate.contrib.django"):
        return
    for model in [model for model in admin.site._registry if model._meta.app_label == "procrastinate"]:
        admin.site.unregister(model)
