from django.apps import AppConfig


class BackupCallsConfig(AppConfig):
    name = "backup_calls"
    verbose_name = "応援要請"

    def ready(self):
        from realtime import registry

        from . import panels
        from .permissions import may_receive_event
        from .selectors import backup_call_connect_events

        panels.register()
        registry.register_event("backup_call.", may_receive=may_receive_event)
        registry.register_on_connect(backup_call_connect_events)
