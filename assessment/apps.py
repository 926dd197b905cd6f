from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = "判断の支援"

    def ready(self):
        from people.hooks import resident_data_held
        from records.hooks import contact_form_saved

        from . import held, panels

        contact_form_saved.connect(panels.on_contact_form_saved)
        panels.register()
        resident_data_held.connect(held.resident_data_held)
