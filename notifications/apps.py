from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "お知らせ"

    def ready(self):
        from accounts.hooks import account_security_changed, login_throttled
        from records.hooks import contact_saved

        from .account_receivers import on_account_security_changed, on_login_throttled
        from .receivers import on_contact_saved

        contact_saved.connect(on_contact_saved)
        account_security_changed.connect(on_account_security_changed)
        login_throttled.connect(on_login_throttled)
