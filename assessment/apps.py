from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "判断の支援"

    def ready(self):
        from records.hooks import contact_form_saved

        from . import panels

        contact_form_saved.connect(panels.on_contact_form_saved)
        panels.register()
