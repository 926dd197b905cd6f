from django.apps import AppConfig


class RepetitionConfig(AppConfig):
    name = "repetition"
    verbose_name = "繰り返しの確認"
