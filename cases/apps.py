from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "事案・職員のケア"

    def ready(self):
        from realtime import registry

        from .permissions import may_receive_event

        registry.register_event("case.", may_receive=may_receive_event)
