from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stats"
    verbose_name = "統計・報告"
