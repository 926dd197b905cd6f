from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = "個人情報の開示請求・訂正請求"

    def ready(self):
        from . import panels

        panels.register()
