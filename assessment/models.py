from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SuggestionDecision(models.TextChoices):
    ACCEPTED = "accepted", _("採用")
    REJECTED = "rejected", _("不採用")


class Suggestion(models.Model):
    """A category the assistant suggested for a contact, and what staff decided.

    Nothing is labelled by the suggestion itself: accepting it ticks the
    category on the form, which staff still save. The decisions are the
    city's own labels for retraining (``export_labels``)."""

    contact = models.ForeignKey("records.Contact", on_delete=models.CASCADE, related_name="suggestions")
    code = models.CharField(_("類型コード"), max_length=40)
    score = models.FloatField(_("確からしさ"))
    source = models.CharField(_("根拠の種類"), max_length=10)  # "text" or "data"
    evidence = models.JSONField(_("根拠"), default=list, blank=True)
    text = models.TextField(_("判定した文章"), blank=True)
    decision = models.CharField(_("判断"), max_length=10, choices=SuggestionDecision.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("判断した職員")
    )
    decided_at = models.DateTimeField(_("判断日時"), auto_now=True)

    class Meta:
        verbose_name = _("類型の提案")
        verbose_name_plural = _("類型の提案")
        constraints = [models.UniqueConstraint(fields=["contact", "code"], name="suggestion_once_per_code")]

    def __str__(self):
        return f"{self.contact} {self.code} {self.decision}"
