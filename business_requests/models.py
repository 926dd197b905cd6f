"""Requests from other businesses about our staff (他事業者からの申入れ, policy rule (7)).

Every step keeps its own date (received, assigned, outcome, measures, reply, closed) so the
statistics can count requests by outcome and by time taken."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Channel, Outcome, RequestState


class BusinessRequest(models.Model):
    """One request from another business (its workers say a member of our staff harassed
    them). Entered and handled by the specialist section; changed only through
    ``business_requests.services``. Evidence the business sent is described in
    ``evidence_description`` for now (files go to the evidence locker later)."""

    business_name = models.CharField(_("事業者名"), max_length=200)
    contact_person = models.CharField(_("担当者"), max_length=100)
    contact_details = models.CharField(_("連絡先"), max_length=300)
    channel = models.CharField(_("受付方法"), max_length=20, choices=Channel.choices, default=Channel.PHONE)
    incident_on = models.DateField(_("発生日"), null=True, blank=True)
    incident_place = models.CharField(_("発生場所"), max_length=200, blank=True)
    description = models.TextField(_("申入れの内容（何があったか）"))
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="business_requests_about", verbose_name=_("対象職員")
    )
    staff_description = models.TextField(_("対象職員の特徴（氏名が分からない場合）"), blank=True)
    evidence_description = models.TextField(_("受け取った証拠"), blank=True)
    asked_for = models.TextField(_("事業者の要望"))
    received_on = models.DateField(_("受付日"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("受付者")
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("担当者（専門部署）"),
    )
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="business_requests_managed", verbose_name=_("関係する管理職")
    )
    assigned_on = models.DateField(_("担当決定日"), null=True, blank=True)
    state = models.CharField(_("状態"), max_length=20, choices=RequestState.choices, default=RequestState.RECEIVED)
    outcome = models.CharField(_("調査結果"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_reasons = models.TextField(_("判断の理由"), blank=True)
    outcome_on = models.DateField(_("判断日"), null=True, blank=True)
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("判断者"),
    )
    measure_guidance = models.BooleanField(_("指導"), default=False)
    measure_training = models.BooleanField(_("研修"), default=False)
    measures_note = models.TextField(_("措置の内容"), blank=True)
    measures_on = models.DateField(_("措置決定日"), null=True, blank=True)
    measures_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("措置を決定した管理職"),
    )
    reply_sent_on = models.DateField(_("回答日"), null=True, blank=True)
    reply_summary = models.TextField(_("回答の内容"), blank=True)
    reply_letter = models.ForeignKey(
        "letters.IssuedLetter",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回答書"),
    )
    closed_on = models.DateField(_("終結日"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("終結者"),
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("他事業者からの申入れ")
        verbose_name_plural = _("他事業者からの申入れ")
        ordering = ["-received_on", "-id"]

    def __str__(self):
        return f"{self.business_name}（{self.received_on}）"

    @property
    def state_name(self) -> str:
        try:
            return RequestState(self.state).label
        except ValueError:
            return str(self.state)

    @property
    def outcome_name(self) -> str:
        try:
            return Outcome(self.outcome).label if self.outcome else ""
        except ValueError:
            return str(self.outcome)

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class RequestNote(models.Model):
    """An investigation note (調査記録) on a request."""

    request = models.ForeignKey(BusinessRequest, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(_("内容"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録者")
    )
    written_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("調査記録")
        verbose_name_plural = _("調査記録")
        ordering = ["written_at", "id"]

    def __str__(self):
        return f"調査記録 {self.pk}"


class Hearing(models.Model):
    """A hearing (聴取) with the member of staff concerned: their own account is recorded
    (the right to respond). ``confirmed_at`` is set when the staff member confirms it
    (本人確認) from their own page."""

    request = models.ForeignKey(BusinessRequest, on_delete=models.CASCADE, related_name="hearings")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="business_request_hearings",
        verbose_name=_("対象職員"),
    )
    held_on = models.DateField(_("聴取日"))
    heard_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("聴取者")
    )
    account = models.TextField(_("本人の説明"))
    confirmed_at = models.DateTimeField(_("本人確認日時"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("聴取")
        verbose_name_plural = _("聴取")
        ordering = ["held_on", "id"]

    def __str__(self):
        return f"聴取 {self.held_on}"
