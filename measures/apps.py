from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "measures"
    verbose_name = "措置"

    def ready(self):
        from mamoru.lib.panels import register_panel
        from people.hooks import resident_badges

        from .panels import measure_resident_badges, resident_measures_panel

        resident_badges.connect(measure_resident_badges)
        register_panel(
            page="people.resident_detail",
            slot="top",
            name="measures.resident_measures",
            template="measures/_resident_measures.html",
            context=resident_measures_panel,
            order=10,
        )
