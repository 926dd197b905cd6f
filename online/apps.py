from django.apps import AppConfig


class OnlineConfig(AppConfig):
    name = "online"
    verbose_name = "インターネット上の投稿"

    def ready(self):
        from notifications.hooks import deadlines_due

        from . import deadlines, panels

        deadlines_due.connect(deadlines.post_deadlines)
        panels.register()
