from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import Decision, FlagStatus


class RepetitionFlag(models.Model):
    """A proposal (要確認) that a resident's contacts meet one of the policy
    pack's repetition rules, with the contacts that made the rule fire.

    A rule never decides alone: the flag stands only when the specialist
    section decides 繰り返しに該当 (with a reason, reversible). There is at most
    one open flag per resident and rule; re-evaluation updates it in place."""

    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="repetition_flags", verbose_name=_("住民等")
    )
    rule_code = models.CharField(_("基準コード"), max_length=40)
    rule_name = models.CharField(_("基準の名称"), max_length=200)
    # The rule's sentence when it fired (the pack may change later).
    rule_description = models.CharField(_("基準"), max_length=200)
    window_start = models.DateTimeField(_("集計期間の開始"))
    window_end = models.DateTimeField(_("集計期間の終了"))
    contact_count = models.PositiveIntegerField(_("対応の回数"), default=0)
    department_count = models.PositiveIntegerField(_("部署の数"), default=0)
    minutes = models.PositiveIntegerField(_("対応時間の合計（分）"), default=0)
    contacts = models.ManyToManyField(
        "records.Contact", related_name="repetition_flags", blank=True, verbose_name=_("根拠の対応記録")
    )
    status = models.CharField(
        _("状態"), max_length=12, choices=FlagStatus.choices, default=FlagStatus.OPEN, db_index=True
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("判断した職員"),
    )
    decided_at = models.DateTimeField(_("判断日時"), null=True, blank=True)
    decision_reason = models.TextField(_("判断の理由"), blank=True)
    detected_at = models.DateTimeField(_("検出日時"), default=timezone.now)
    last_evaluated_at = models.DateTimeField(_("最終確認日時"), default=timezone.now)

    class Meta:
        verbose_name = _("繰り返しの確認")
        verbose_name_plural = _("繰り返しの確認")
        ordering = ["-detected_at", "-id"]
        indexes = [models.Index(fields=["resident", "status"], name="repetition_flag_resident")]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "rule_code"],
                condition=models.Q(status=FlagStatus.OPEN),
                name="repetition_flag_one_open",
            )
        ]

    def __str__(self):
        return f"繰り返しの確認 No.{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == FlagStatus.OPEN


class RepetitionDecision(models.Model):
    """One decision on a flag (該当 / 該当しない) with its reason. Every decision
    is kept, so that a changed decision shows what it was before."""

    flag = models.ForeignKey(RepetitionFlag, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("判断"), max_length=12, choices=Decision.choices)
    reason = models.TextField(_("判断の理由"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("判断した職員")
    )
    decided_at = models.DateTimeField(_("判断日時"), default=timezone.now)

    class Meta:
        verbose_name = _("繰り返しの判断")
        verbose_name_plural = _("繰り返しの判断")
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"{self.flag} {self.get_decision_display()}"


class RecountRequest(models.Model):
    """A resident whose contacts changed and whose rules are to be counted
    again (再集計待ち). Saving a contact writes one row in its own transaction;
    the background recount of each server process, the intake banner and the
    nightly run take the rows and count.

    ``resident_id`` is a plain number, not a foreign key: the row is a note for
    the recount, not part of the resident's record, so a merge leaves it where
    it is (counting a merged-away resident finds nothing to count). ``token``
    changes with every new request, so a recount that ran while another
    contact was saved does not remove the newer request."""

    resident_id = models.BigIntegerField(_("住民等のID"), unique=True)
    token = models.UUIDField(_("依頼の識別子"))
    requested_at = models.DateTimeField(_("依頼日時"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("再集計待ち")
        verbose_name_plural = _("再集計待ち")

    def __str__(self):
        return f"再集計待ち 住民等ID {self.resident_id}"
