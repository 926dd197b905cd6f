from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseReason(models.TextChoices):
    """Why a contact was brought into a case."""

    HARASSMENT = "harassment", _("カスタマーハラスメントに該当すると判断")
    BACKUP_CALL = "backup_call", _("応援要請")
    REPORT = "report", _("事案として報告")


class EventKind(models.TextChoices):
    """Timeline entries that are not pack steps. Pack step codes never contain
    a dot, so these cannot collide with a city's steps."""

    OPENED = "case.opened", _("事案を報告")
    CONTACT_ADDED = "case.contact_added", _("対応記録を追加")
    STATE_CHANGED = "case.state_changed", _("状態を変更")
    HANDLER_ASSIGNED = "case.handler_assigned", _("担当者を指定")
