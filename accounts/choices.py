from django.db import models


class Role(models.TextChoices):
    STAFF = "staff", "職員"
    SUPERVISOR = "supervisor", "上司"
    MANAGER = "manager", "管理職"
    SPECIALIST = "specialist", "専門部署"
    ADMINISTRATOR = "administrator", "システム管理者"


class DateStyle(models.TextChoices):
    WAREKI = "wareki", "和暦（令和7年12月19日）"
    SEIREKI = "seireki", "西暦（2025年12月19日）"
