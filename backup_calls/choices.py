from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupLevel(models.TextChoices):
    """Who an unanswered backup call is alerting now (see docs/architecture.md).

    Every level alerts the department's supervisors and managers and the
    specialist section; the level says whose turn it is, and each escalation
    re-alerts (sound and banner again) the users of the new level."""

    SUPERVISOR = "supervisor", _("上司")
    MANAGER = "manager", _("管理職")
    SPECIALIST = "specialist", _("専門部署")


NEXT_LEVEL = {BackupLevel.SUPERVISOR: BackupLevel.MANAGER, BackupLevel.MANAGER: BackupLevel.SPECIALIST}
