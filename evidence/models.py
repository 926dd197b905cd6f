"""Evidence (証拠): files that show what happened in a contact or a case, kept
so that they hold up with the police and in court.

The bytes are stored once, content-addressed by their SHA-256 (``StoredFile``);
each time staff attach them to a contact or a case is an ``Evidence`` with what
it is, who captured it, when and where. Everything that happens to a piece of
evidence — upload, view, play, download, export, hand-over, deletion — is a
``CustodyEvent`` (証拠の保管記録): who, when, from where and why. Custody events
and the audit log outlive the bytes: when retention deletes a file, its record
stays."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import CustodyKind, EvidenceKind, HoldGround


class StoredFile(models.Model):
    """The bytes of one file, stored once however often it is uploaded."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.BigIntegerField(_("サイズ（バイト）"))
    content_type = models.CharField(_("ファイルの種類（内容から判定）"), max_length=100)
    extension = models.CharField(_("拡張子（内容から判定）"), max_length=10, blank=True)
    storage_name = models.CharField(_("保存先の名前"), max_length=200)
    stored_at = models.DateTimeField(_("保存日時"), auto_now_add=True)
    # Retention (evidence-retention): the bytes are gone from storage; this row and the custody records stay.
    purged_at = models.DateTimeField(_("ファイルを消去した日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("保存ファイル")
        verbose_name_plural = _("保存ファイル")

    def __str__(self):
        return self.sha256

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


class Evidence(models.Model):
    """A file attached to a contact or a case as evidence."""

    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="evidence")
    contact = models.ForeignKey(
        "records.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("対応記録"),
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("事案")
    )
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("担当課")
    )
    kind = models.CharField(_("証拠の種類"), max_length=20, choices=EvidenceKind.choices)
    original_name = models.CharField(_("元のファイル名"), max_length=255)
    description = models.TextField(_("内容の説明"), blank=True)
    captured_by_name = models.CharField(_("記録した人"), max_length=100, blank=True)
    captured_at = models.DateTimeField(_("記録日時"), null=True, blank=True)
    captured_place = models.CharField(_("記録した場所"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登録した職員")
    )
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    legal_hold = models.BooleanField(_("保存（削除停止）"), default=False)
    legal_hold_reason = models.CharField(_("保存の理由"), max_length=200, blank=True)
    legal_hold_ground = models.CharField(_("保存の根拠"), max_length=30, choices=HoldGround.choices, blank=True)
    legal_hold_at = models.DateTimeField(_("保存を設定した日時"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("削除日時"), null=True, blank=True)
    deletion_reason = models.CharField(_("削除の理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("証拠")
        verbose_name_plural = _("証拠")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(case__isnull=False), name="evidence_attached_somewhere"
            )
        ]

    def __str__(self):
        return f"証拠 No.{self.pk:06d} {self.original_name}" if self.pk else self.original_name


class CustodyEvent(models.Model):
    """One line of a piece of evidence's chain of custody (証拠の保管記録)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="custody")
    kind = models.CharField(_("出来事"), max_length=20, choices=CustodyKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("職員"),
    )
    actor_name = models.CharField(_("職員名"), max_length=150, blank=True)
    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    address = models.GenericIPAddressField(_("接続元"), null=True, blank=True)
    purpose = models.CharField(_("目的"), max_length=200, blank=True)
    detail = models.JSONField(_("詳細"), default=dict, blank=True)

    class Meta:
        verbose_name = _("証拠の保管記録")
        verbose_name_plural = _("証拠の保管記録")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.evidence_id} {self.kind} {self.actor_name}"
