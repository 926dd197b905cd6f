from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import BackupLevel


class BackupCall(models.Model):
    """A backup call (応援要請) from a member of staff during a live contact.

    Every step is timed: the call, each escalation (to the managers, to the
    specialist section), who took it and when, and when it was closed. One
    contact has at most one open call (``resolved_at`` empty): pressing the
    button again returns the open call."""

    contact = models.ForeignKey(
        "records.Contact", on_delete=models.PROTECT, related_name="backup_calls", verbose_name=_("対応記録")
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("担当課")
    )
    caller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="backup_calls", verbose_name=_("要請者")
    )
    workplace = models.CharField(_("窓口番号・内線"), max_length=50, blank=True)
    reason = models.CharField(_("理由"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("要請日時"), default=timezone.now, db_index=True)
    level = models.CharField(_("通知先"), max_length=20, choices=BackupLevel.choices, default=BackupLevel.SUPERVISOR)
    manager_alerted_at = models.DateTimeField(_("管理職へ引き上げた日時"), null=True, blank=True)
    specialist_alerted_at = models.DateTimeField(_("専門部署へ引き上げた日時"), null=True, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("対応者"),
    )
    taken_at = models.DateTimeField(_("対応者が決まった日時"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("終了した職員"),
    )
    resolved_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("応援要請")
        verbose_name_plural = _("応援要請")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(resolved_at__isnull=True),
                name="backup_call_one_open_per_contact",
            )
        ]
        indexes = [models.Index(fields=["resolved_at", "taken_at", "level"], name="backup_call_open")]

    def __str__(self):
        return f"応援要請 No.{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def steps(self) -> list[tuple[str, object, object]]:
        """(what, when, who) for each step that happened, in order."""
        steps = [(_("応援要請"), self.created_at, self.caller)]
        if self.manager_alerted_at:
            steps.append((_("応答がなく管理職へ引き上げ"), self.manager_alerted_at, None))
        if self.specialist_alerted_at:
            steps.append((_("応答がなく専門部署へ引き上げ"), self.specialist_alerted_at, None))
        if self.taken_at:
            steps.append((_("向かいます"), self.taken_at, self.taken_by))
        if self.resolved_at:
            steps.append((_("終了"), self.resolved_at, self.resolved_by))
        return steps
