from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("職員")
    SUPERVISOR = "supervisor", _("上司")
    MANAGER = "manager", _("管理職")
    SPECIALIST = "specialist", _("専門部署")
    ADMINISTRATOR = "administrator", _("システム管理者")


class DateStyle(models.TextChoices):
    WAREKI = "wareki", _("和暦（令和7年12月19日）")
    SEIREKI = "seireki", _("西暦（2025年12月19日）")


class ExportEncoding(models.TextChoices):
    """The character encoding of a list's CSV file (issue 16, exports)."""

    UTF8 = "utf-8", _("UTF-8（BOM付き。今の Excel でそのまま開けます）")
    CP932 = "cp932", _("Shift_JIS（古い Excel・他のシステム向け。表せない文字は〓になります）")
