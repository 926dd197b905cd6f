from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "お知らせ"

    def ready(self):
        from records.hooks import contact_saved

        from .receivers import on_contact_saved

        contact_saved.connect(on_contact_saved)
