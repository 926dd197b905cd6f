from django.db import models
from django.utils.translation import gettext_lazy as _


class BackupLevel(models.TextChoices):
    """Who an unanswered backup call is alerting now (see docs/architecture.md).

    A new call alerts the department's supervisors and managers and the
    specialist section; the level says whose turn it is, and each escalation
    re-alerts (sound and banner again) the new level's group only: the
    department's managers at 管理職, the specialist section at 専門部署
    (``backup_calls.permissions.is_alerted_at``)."""

    SUPERVISOR = "supervisor", _("上司")
    MANAGER = "manager", _("管理職")
    SPECIALIST = "specialist", _("専門部署")


NEXT_LEVEL = {BackupLevel.SUPERVISOR: BackupLevel.MANAGER, BackupLevel.MANAGER: BackupLevel.SPECIALIST}
