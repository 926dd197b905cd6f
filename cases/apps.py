from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "事案・職員のケア"

    def ready(self):
        from mamoru.lib.figures import register_figures
        from people.hooks import resident_data_held
        from realtime import registry
        from records.hooks import contact_saved

        from . import figures, held, panels, receivers
        from .permissions import may_receive_event

        contact_saved.connect(receivers.on_contact_saved)
        panels.register()
        register_figures(key="cases", title="事案", order=30, compute=figures.case_figures)
        resident_data_held.connect(held.resident_data_held)
        registry.register_event("case.", may_receive=may_receive_event)
