from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "事案・職員のケア"

    def ready(self):
        from records.hooks import contact_saved

        from . import panels, receivers

        contact_saved.connect(receivers.on_contact_saved)
        panels.register()
