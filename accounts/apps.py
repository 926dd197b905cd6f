from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "利用者・所属"

    def ready(self):
        # signin stream: every sign-in starts the session's clock for the second sign-in.
        from django.contrib.auth.signals import user_logged_in

        from .twofactor import on_user_logged_in, unregister_device_admin

        user_logged_in.connect(on_user_logged_in, dispatch_uid="accounts.twofactor.signed_in")
        unregister_device_admin()
