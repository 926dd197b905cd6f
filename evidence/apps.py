from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "evidence"
    verbose_name = "証拠（録音・写真・画面の記録）"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
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
