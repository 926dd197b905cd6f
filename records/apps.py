from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "対応記録"

    def ready(self):
        from mamoru.lib.figures import register_figures
        from people.hooks import resident_data_held

        from . import figures, held, panels, tally
        from .hooks import contact_saved

        panels.register()
        register_figures(key="contacts", title="対応記録", order=10, compute=figures.contact_figures)
        resident_data_held.connect(held.resident_data_held)
        contact_saved.connect(tally.on_contact_saved)  # the statistics' tallies (issue 16)
