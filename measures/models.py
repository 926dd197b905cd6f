from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from .choices import WEEKDAY_NAMES, AppealOutcome, ApprovalDecision, MeasureEventKind, MeasureStatus


class Measure(models.Model):
    """A measure (措置) taken towards a resident: one rung of the pack's ladder
    (注意, 警告, 対応制限, …), drafted by the specialist section with its reasons
    linked to recorded contacts, approved (決裁) step by step by the roles the
    pack names, then issued. It can be withdrawn or appealed; both are kept.

    A response restriction (``restricts`` in the pack) carries conditions that
    are applied when a contact with the resident starts."""

    resident = models.ForeignKey(
        "people.Resident", on_delete=models.PROTECT, related_name="measures", verbose_name=_("住民等")
    )
    kind = models.CharField(_("措置の種類（コード）"), max_length=40)
    title = models.CharField(_("措置"), max_length=100)
    status = models.CharField(
        _("状態"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.DRAFT, db_index=True
    )
    reasons = models.TextField(_("理由"))
    # What the letter says, as the drafter wrote and the approvers read it (one item a line).
    letter_facts = models.TextField(_("事実（通知文書に記載）"), blank=True)
    letter_requests = models.TextField(_("今後守っていただく事項"), blank=True)
    contacts = models.ManyToManyField("records.Contact", related_name="measures", verbose_name=_("理由となる対応記録"))
    lead_department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("主管課")
    )

    # Conditions of a response restriction (対応制限).
    written_only = models.BooleanField(_("書面でのやり取りに限る"), default=False)
    written_channels = models.JSONField(_("書面として認める対応方法"), default=list, blank=True)
    designated_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="designated_measures", verbose_name=_("指定職員")
    )
    max_minutes = models.PositiveIntegerField(_("1回の対応時間の上限（分）"), null=True, blank=True)
    allowed_weekdays = models.JSONField(_("対応する曜日"), default=list, blank=True)  # 0 = Monday
    allowed_from = models.TimeField(_("対応時間帯（から）"), null=True, blank=True)
    allowed_until = models.TimeField(_("対応時間帯（まで）"), null=True, blank=True)
    counter_department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("対応する窓口"),
    )

    starts_on = models.DateField(_("開始日"))
    ends_on = models.DateField(_("終了日"), null=True, blank=True)
    review_on = models.DateField(_("見直し日"), null=True, blank=True)
    reminder_days_before_review = models.PositiveIntegerField(_("見直しの通知（何日前）"), default=14)
    reminded_at = models.DateTimeField(_("見直しを通知した日時"), null=True, blank=True)

    # Each submission for approval is a round; a send-back ends it.
    round = models.PositiveIntegerField(_("回付の回数"), default=0)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("起案者")
    )
    drafted_at = models.DateTimeField(_("起案日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    issued_at = models.DateTimeField(_("発出日時"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("発出者"),
    )
    letter = models.ForeignKey(
        "letters.IssuedLetter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("通知文書"),
    )
    withdrawn_at = models.DateTimeField(_("撤回日時"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("撤回者"),
    )
    withdrawal_reason = models.TextField(_("撤回の理由"), blank=True)

    class Meta:
        verbose_name = _("措置")
        verbose_name_plural = _("措置")
        ordering = ["-drafted_at", "-id"]
        indexes = [models.Index(fields=["resident", "status"], name="measure_resident_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=models.F("starts_on")),
                name="measure_end_after_start",
            )
        ]

    def __str__(self):
        return f"{self.title}（{self.resident}）"

    @property
    def is_editable(self) -> bool:
        return self.status in (MeasureStatus.DRAFT, MeasureStatus.SENT_BACK)

    def conditions_text(self) -> list[str]:
        """The restriction's conditions as short Japanese sentences, for the
        intake banner, the clock and the letter."""
        from mamoru.policy.loader import current as current_policy

        lines = []
        if self.written_only:
            names = [current_policy().channel_name(code) for code in self.written_channels]
            lines.append(
                _g("書面でのやり取りに限る（{channels}）").format(channels="・".join(names))
                if names
                else _g("書面でのやり取りに限る")
            )
        staff = [user.display_name for user in self.designated_staff.all()]
        if staff:
            lines.append(_g("対応は指定職員（{names}）に限る").format(names="、".join(staff)))
        if self.max_minutes:
            lines.append(_g("1回の対応は{minutes}分以内").format(minutes=self.max_minutes))
        hours = self.hours_text()
        if hours:
            lines.append(_g("{hours} に限る").format(hours=hours))
        if self.counter_department_id:
            lines.append(_g("{department}の窓口に限る").format(department=self.counter_department.name))
        return lines

    def hours_text(self) -> str:
        """平日 9:00〜12:00, 月・水曜日, 9:00〜12:00 …; empty when not limited."""
        days = sorted(self.allowed_weekdays or [])
        if days == [0, 1, 2, 3, 4]:
            day_text = _g("平日")
        elif days:
            day_text = _g("{days}曜日").format(days="・".join(WEEKDAY_NAMES[d] for d in days))
        else:
            day_text = ""
        time_text = ""
        if self.allowed_from and self.allowed_until:
            start, end = self.allowed_from, self.allowed_until
            time_text = f"{start.hour}:{start.minute:02d}〜{end.hour}:{end.minute:02d}"
        return " ".join(part for part in (day_text, time_text) if part)


class MeasureApproval(models.Model):
    """One approver's decision (決裁) on one step of a measure: approved, or
    sent back with a comment. Rows are never changed; each round of
    submission has its own rows."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="approvals", verbose_name=_("措置"))
    round = models.PositiveIntegerField(_("回付の回数"))
    step = models.PositiveIntegerField(_("段階"))  # 0-based index into the pack's approvers
    role = models.CharField(_("決裁する役割"), max_length=20)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("決裁者")
    )
    decision = models.CharField(_("判断"), max_length=20, choices=ApprovalDecision.choices)
    comment = models.TextField(_("コメント"), blank=True)
    decided_at = models.DateTimeField(_("決裁日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("措置の決裁")
        verbose_name_plural = _("措置の決裁")
        ordering = ["measure", "round", "step", "id"]

    def __str__(self):
        return f"{self.measure} {self.step + 1} {self.get_decision_display()}"


class MeasureAppeal(models.Model):
    """An objection (不服の申出) a resident raised against a measure, and the
    decision on it once reviewed."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="appeals", verbose_name=_("措置"))
    received_on = models.DateField(_("受付日"))
    content = models.TextField(_("申出の内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("受付者")
    )
    outcome = models.CharField(_("結果"), max_length=20, choices=AppealOutcome.choices, blank=True, default="")
    decision_reason = models.TextField(_("判断の理由"), blank=True)
    decided_on = models.DateField(_("判断日"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("判断者"),
    )

    class Meta:
        verbose_name = _("不服の申出")
        verbose_name_plural = _("不服の申出")
        ordering = ["measure", "received_on", "id"]

    def __str__(self):
        return f"{self.measure} 不服の申出 {self.received_on}"


class MeasureEvent(models.Model):
    """One line of a measure's timeline (起案, 決裁, 発出, 撤回, 不服の申出 …),
    written by the services; the resident's page lists them in date order."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="events", verbose_name=_("措置"))
    kind = models.CharField(_("内容"), max_length=30, choices=MeasureEventKind.choices)
    at = models.DateTimeField(_("日時"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("職員")
    )
    note = models.TextField(_("備考"), blank=True)

    class Meta:
        verbose_name = _("措置の経過")
        verbose_name_plural = _("措置の経過")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.measure} {self.get_kind_display()}"
