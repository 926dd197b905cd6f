from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import action_label


class AuditEntry(models.Model):
    """One thing that happened: who did what to which object, from where.

    Append-only: the app never updates or deletes entries, and each is chained by
    hash to the one before it (``audit.chain``), so a change or deletion made
    in the database directly is found by ``python -m mamoru audit-verify``."""

    # Set by ``audit.services.audit_record`` before the hash is computed (not auto_now_add).
    created_at = models.DateTimeField(_("日時"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("利用者"),
    )
    actor_name = models.CharField(_("利用者名"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("接続元"), null=True, blank=True)
    request_id = models.CharField(_("リクエストID"), max_length=36, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("対象の種類"), max_length=60, blank=True)
    object_id = models.CharField(_("対象ID"), max_length=40, blank=True)
    object_repr = models.CharField(_("対象"), max_length=200, blank=True)
    before = models.JSONField(_("変更前"), null=True, blank=True)
    after = models.JSONField(_("変更後"), null=True, blank=True)
    # Empty only for the moment between a commit and the chaining (see audit.services).
    sequence = models.PositiveBigIntegerField(_("通し番号"), unique=True, null=True, blank=True)
    previous_hash = models.CharField(_("前の記録のハッシュ"), max_length=64, blank=True)
    entry_hash = models.CharField(_("ハッシュ"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("監査ログ")
        verbose_name_plural = _("監査ログ")
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action_label}"

    @property
    def action_label(self) -> str:
        return action_label(self.action)


class AuditChainHead(models.Model):
    """The end of the audit chain: the last entry's number and hash. One row (pk 1).
    Every writer locks it inside its transaction, so entries are chained one after
    another even with many writers; it also shows when the last entries were deleted."""

    sequence = models.PositiveBigIntegerField(_("最後の通し番号"), default=0)
    entry_hash = models.CharField(_("最後のハッシュ"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("監査ログのチェーンの末尾")
        verbose_name_plural = _("監査ログのチェーンの末尾")

    def __str__(self):
        return f"#{self.sequence} {self.entry_hash[:12]}"
