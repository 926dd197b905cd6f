from django.apps import AppConfig


class BackupCallsConfig(AppConfig):
    name = "backup_calls"
    verbose_name = "応援要請"

    def ready(self):
        from mamoru.lib.figures import register_figures
        from realtime import registry

        from . import figures, panels
        from .permissions import may_receive_event
        from .selectors import backup_call_connect_events

        panels.register()
        register_figures(key="backup_calls", title="応援要請", order=20, compute=figures.backup_call_figures)
        registry.register_event("backup_call.", may_receive=may_receive_event)
        registry.register_on_connect(backup_call_connect_events)
