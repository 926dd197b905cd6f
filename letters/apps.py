from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = "文書（警告書・通知書）"
