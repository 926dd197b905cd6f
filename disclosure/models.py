from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import (
    CorrectionDecision,
    CorrectionState,
    Decision,
    DeliveryMethod,
    IdentityDocument,
    RequestChannel,
    RequesterKind,
    RequestState,
    WithholdingGround,
)


class DisclosureRequest(models.Model):
    """A resident's request to see the personal data the city holds about them
    (保有個人情報の開示請求, 個人情報保護法第76条). Received by the specialist
    section, compiled (収集: ``snapshot`` keeps what every app answered, so what is
    reviewed is what is issued), reviewed and decided by a second person (全部開示,
    部分開示 with the withheld parts and their reasons, 不開示), then handed over.
    The export (PDF and JSON) is made once, at the decision, and stored."""

    fiscal_year = models.PositiveIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("受付番号"))
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.PROTECT,
        related_name="disclosure_requests",
        verbose_name=_("請求者（本人）"),
    )
    state = models.CharField(
        _("状態"), max_length=12, choices=RequestState.choices, default=RequestState.RECEIVED, db_index=True
    )
    received_on = models.DateField(_("受付日"))
    channel = models.CharField(_("請求の方法"), max_length=10, choices=RequestChannel.choices)
    requester_kind = models.CharField(_("請求者の区分"), max_length=10, choices=RequesterKind.choices)
    representative_name = models.CharField(_("代理人の氏名"), max_length=100, blank=True)
    identity_document = models.CharField(_("本人確認書類"), max_length=20, choices=IdentityDocument.choices)
    identity_note = models.CharField(_("本人確認の備考"), max_length=300, blank=True)
    content = models.TextField(_("請求する保有個人情報"))
    delivery_method = models.CharField(_("交付の方法"), max_length=10, choices=DeliveryMethod.choices)
    deadline = models.DateField(_("決定期限"))
    extended_deadline = models.DateField(_("延長後の決定期限"), null=True, blank=True)
    extension_reason = models.TextField(_("延長の理由"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("受付者")
    )
    registered_at = models.DateTimeField(_("受付登録日時"), auto_now_add=True)
    # 収集
    snapshot = models.JSONField(_("収集した保有個人情報"), default=list, blank=True)
    collected_at = models.DateTimeField(_("収集日時"), null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("収集した職員"),
    )
    # 審査
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("審査する職員"),
    )
    review_started_at = models.DateTimeField(_("審査開始日時"), null=True, blank=True)
    withhold_staff_names = models.BooleanField(_("職員の氏名を不開示とする"), default=False)
    staff_names_reason = models.TextField(_("職員の氏名を不開示とする理由"), blank=True)
    # 決定
    decision = models.CharField(_("決定"), max_length=10, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(_("決定の理由"), blank=True)
    decided_on = models.DateField(_("決定日"), null=True, blank=True)
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("決定した職員"),
    )
    notice_number = models.CharField(_("通知書の文書番号"), max_length=50, blank=True)
    export_pdf = models.BinaryField(_("開示文書（PDF）"), null=True, blank=True, editable=False)
    export_json = models.TextField(_("開示文書（JSON）"), blank=True, editable=False)
    export_sha256 = models.CharField(_("PDFのSHA-256"), max_length=64, blank=True)
    # 交付
    delivered_on = models.DateField(_("交付日"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("交付した職員"),
    )
    delivery_note = models.TextField(_("交付の備考"), blank=True)

    class Meta:
        verbose_name = _("開示請求")
        verbose_name_plural = _("開示請求")
        ordering = ["-received_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["fiscal_year", "serial"], name="disclosure_request_number_once")]

    def __str__(self):
        return f"開示請求 {self.number}"

    @property
    def number(self) -> str:
        """R8-0003: the fiscal year's 受付番号 (令和 year)."""
        return f"R{self.fiscal_year - 2018}-{self.serial:04d}"

    @property
    def due_on(self):
        """The deadline in force: the extended one once extended."""
        return self.extended_deadline or self.deadline

    @property
    def is_open(self) -> bool:
        """Not yet decided: the deadline still binds."""
        return self.state in (RequestState.RECEIVED, RequestState.COLLECTED, RequestState.IN_REVIEW)


class Withholding(models.Model):
    """A part of the collected data the reviewer decided not to disclose, with its
    ground and reason: a whole item (``field_label`` empty) or one labelled field of it."""

    request = models.ForeignKey(
        DisclosureRequest, on_delete=models.CASCADE, related_name="withholdings", verbose_name=_("開示請求")
    )
    item_key = models.CharField(_("項目"), max_length=100)
    field_label = models.CharField(_("欄"), max_length=100, blank=True)
    ground = models.CharField(_("不開示情報の区分"), max_length=20, choices=WithholdingGround.choices)
    reason = models.TextField(_("不開示の理由"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("審査した職員")
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("不開示とする部分")
        verbose_name_plural = _("不開示とする部分")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "item_key", "field_label"], name="disclosure_withholding_once")
        ]

    def __str__(self):
        return f"{self.request} {self.item_key} {self.field_label}"


class CorrectionRequest(models.Model):
    """A resident's request to correct what the city holds about them (訂正請求,
    個人情報保護法第90条), usually after a disclosure. Decided by a second person:
    訂正する (a resident's registered details are changed through people's
    services; anything else is kept as an annotation, 付記, shown with the record)
    or 訂正しない, with the reason either way."""

    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.PROTECT,
        related_name="correction_requests",
        verbose_name=_("請求者（本人）"),
    )
    disclosure_request = models.ForeignKey(
        DisclosureRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("もとの開示請求"),
    )
    state = models.CharField(
        _("状態"), max_length=10, choices=CorrectionState.choices, default=CorrectionState.RECEIVED, db_index=True
    )
    received_on = models.DateField(_("受付日"))
    identity_document = models.CharField(_("本人確認書類"), max_length=20, choices=IdentityDocument.choices)
    # What is to be corrected: an item key of the collected data ("records.contact:12",
    # "people.resident:3") and, for a resident's registered details, the field ("address").
    item_key = models.CharField(_("訂正を求める記録"), max_length=100, blank=True)
    item_title = models.CharField(_("訂正を求める記録（表示）"), max_length=200)
    field_name = models.CharField(_("訂正を求める項目"), max_length=100, blank=True)
    current_text = models.TextField(_("現在の記録"), blank=True)
    requested_text = models.TextField(_("訂正を求める内容"))
    grounds = models.TextField(_("訂正を求める理由"))
    deadline = models.DateField(_("決定期限"))
    extended_deadline = models.DateField(_("延長後の決定期限"), null=True, blank=True)
    extension_reason = models.TextField(_("延長の理由"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("受付者")
    )
    registered_at = models.DateTimeField(_("受付登録日時"), auto_now_add=True)
    decision = models.CharField(_("決定"), max_length=12, choices=CorrectionDecision.choices, blank=True)
    decision_reason = models.TextField(_("決定の理由"), blank=True)
    corrected_text = models.TextField(_("訂正後の内容・付記"), blank=True)
    applied = models.JSONField(_("訂正の実施"), default=dict, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("決定した職員"),
    )
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("訂正請求")
        verbose_name_plural = _("訂正請求")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["item_key"], name="correction_item_key")]

    def __str__(self):
        return f"訂正請求 No.{self.pk}"

    @property
    def due_on(self):
        return self.extended_deadline or self.deadline

    @property
    def is_annotation(self) -> bool:
        """Corrected by an annotation (付記) rather than by changing the record."""
        return self.decision == CorrectionDecision.CORRECT and self.applied.get("how") == "annotation"
