from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "事案・職員のケア"

    def ready(self):
        from realtime import registry
        from records.hooks import contact_saved

        from . import panels, receivers
        from .permissions import may_receive_event

        contact_saved.connect(receivers.on_contact_saved)
        panels.register()
        registry.register_event("case.", may_receive=may_receive_event)
