from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "お知らせ"

    def ready(self):
        from accounts.hooks import user_security_notice
        from records.hooks import contact_saved

        from .receivers import on_contact_saved, on_user_security_notice

        contact_saved.connect(on_contact_saved)
        user_security_notice.connect(on_user_security_notice)
