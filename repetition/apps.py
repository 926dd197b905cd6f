from django.apps import AppConfig


class RepetitionConfig(AppConfig):
    name = "repetition"
    verbose_name = "繰り返しの確認"

    def ready(self):
        from mamoru.lib.panels import register_panel
        from people.hooks import resident_badges

        from .panels import repetition_resident_badges, resident_flags_panel

        resident_badges.connect(repetition_resident_badges)
        register_panel(
            page="people.resident_detail",
            slot="top",
            name="repetition.resident_flags",
            template="repetition/_resident_flags.html",
            context=resident_flags_panel,
            order=20,
        )
