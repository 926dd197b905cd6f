from django.apps import AppConfig


class RepetitionConfig(AppConfig):
    name = "repetition"
    verbose_name = "繰り返しの確認"

    def ready(self):
        from mamoru.lib.figures import register_figures
        from people.hooks import resident_badges, resident_data_held, resident_merged, resident_merging
        from records.hooks import contact_saved

        from . import figures, held, panels, receivers

        contact_saved.connect(receivers.on_contact_saved)
        resident_merging.connect(receivers.on_resident_merging)
        resident_merged.connect(receivers.on_resident_merged)
        resident_badges.connect(panels.resident_flag_badges)
        panels.register()
        register_figures(key="repetition", title="繰り返し", order=40, compute=figures.repetition_figures)
        resident_data_held.connect(held.resident_data_held)
