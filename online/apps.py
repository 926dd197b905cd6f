from django.apps import AppConfig


class OnlineConfig(AppConfig):
    name = "online"
    verbose_name = "インターネット上の投稿"

    def ready(self):
        from mamoru.lib.figures import register_figures
        from notifications.hooks import deadlines_due

        from . import deadlines, figures, panels

        deadlines_due.connect(deadlines.post_deadlines)
        panels.register()
        register_figures(key="online", title="インターネット上の投稿", order=60, compute=figures.online_figures)
