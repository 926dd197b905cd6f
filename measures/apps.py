from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "措置"

    def ready(self):
        from mamoru.lib.figures import register_figures
        from people.hooks import resident_badges, resident_data_held
        from records.hooks import contact_clock_limits, contact_resident_annotations, contact_validating

        from . import figures, held, panels, receivers

        contact_validating.connect(receivers.on_contact_validating)
        contact_clock_limits.connect(receivers.contact_clock_limits)
        contact_resident_annotations.connect(receivers.contact_resident_annotations)
        resident_badges.connect(panels.measure_resident_badges)
        panels.register()
        register_figures(key="measures", title="措置", order=50, compute=figures.measure_figures)
        resident_data_held.connect(held.resident_data_held)
