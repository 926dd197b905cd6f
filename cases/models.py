from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Case(models.Model):
    """An incident case (事案): the organisation's response to harassment by
    one resident, from the first report to its closing.

    A contact judged harassment, a backup call or a staff report opens a case,
    or joins the open case of the same resident in the same department. The
    state is a code from the policy pack's ``case_states``, moved one step at a
    time by ``cases.services.case_change_state``."""

    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="cases", verbose_name=_("担当課")
    )
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("住民等"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("担当者"),
    )
    state = models.CharField(_("状態"), max_length=40, db_index=True)
    summary = models.CharField(_("概要"), max_length=200, blank=True)
    contacts = models.ManyToManyField("records.Contact", related_name="cases", verbose_name=_("対応記録"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("報告者")
    )
    opened_at = models.DateTimeField(_("報告日時"), db_index=True)
    closed_at = models.DateTimeField(_("終結日時"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("最終更新"))

    class Meta:
        verbose_name = _("事案")
        verbose_name_plural = _("事案")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["department", "closed_at"], name="case_dept_open"),
            models.Index(fields=["resident", "department", "closed_at"], name="case_resident_open"),
        ]

    def __str__(self):
        return f"事案 No.{self.pk}"

    @property
    def number(self) -> str:
        return f"{self.pk:06d}" if self.pk else ""

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None

    @property
    def state_name(self) -> str:
        from mamoru.policy.loader import current

        return current().case_state_name(self.state)


class CaseEvent(models.Model):
    """One entry of a case's timeline: what was done (a pack step such as
    退去命令, or a state change), by whom, when. Counted steps carry their
    repetition number (``count``); the police step carries station, officer and
    reference number in ``details``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events", verbose_name=_("事案"))
    kind = models.CharField(_("種類"), max_length=60)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録者")
    )
    occurred_at = models.DateTimeField(_("日時"))
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)
    note = models.TextField(_("メモ"), blank=True)
    count = models.PositiveIntegerField(_("回数"), null=True, blank=True)
    details = models.JSONField(_("詳細"), default=dict, blank=True)

    class Meta:
        verbose_name = _("事案の経過")
        verbose_name_plural = _("事案の経過")
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["case", "kind"], name="case_event_kind")]

    def __str__(self):
        return f"{self.case} {self.kind}"

    @property
    def label(self) -> str:
        from .selectors import event_label

        return event_label(self.kind)


class StaffFollowUp(models.Model):
    """Care for one member of staff affected by a case (面談, 産業医・相談窓口への
    紹介, 休養, 担当替え: the pack's ``follow_up_kinds``), due by a date. Recorded by
    a supervisor; overdue while ``done_at`` is empty after ``due_date``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups", verbose_name=_("事案"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="care_follow_ups", verbose_name=_("職員")
    )
    kind = models.CharField(_("内容"), max_length=40)
    due_date = models.DateField(_("期限"))
    done_at = models.DateTimeField(_("実施日時"), null=True, blank=True)
    note = models.TextField(_("メモ"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録者")
    )
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("職員のケア")
        verbose_name_plural = _("職員のケア")
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["staff", "done_at", "due_date"], name="follow_up_staff_due")]

    def __str__(self):
        return f"{self.staff} {self.kind}"
