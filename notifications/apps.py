from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "お知らせ"

    def ready(self):
        from accounts.hooks import login_throttled
        from records.hooks import contact_saved

        from .receivers import on_contact_saved, on_login_throttled

        contact_saved.connect(on_contact_saved)
        login_throttled.connect(on_login_throttled)
