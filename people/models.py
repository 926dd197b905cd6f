from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Resident(models.Model):
    """A resident or other service user (住民等) who contacted the city.

    Residents are shared across the city so that intake in any department can
    find them; their contacts stay visible only within the user's scope."""

    name = models.CharField(_("氏名"), max_length=100)
    name_kana = models.CharField(_("氏名（かな）"), max_length=100, blank=True)
    address = models.CharField(_("住所"), max_length=300, blank=True)
    notes = models.TextField(_("備考"), blank=True)
    # Normalised name and kana (NFKC, no spaces, hiragana) for search; set by services.
    search_key = models.CharField(max_length=220, db_index=True, editable=False, default="")
    # Keys for finding the same person (名寄せ); set by people.matching through services.
    name_key = models.CharField(max_length=100, db_index=True, editable=False, default="")
    reading_key = models.CharField(max_length=200, db_index=True, editable=False, default="")
    address_key = models.CharField(max_length=300, editable=False, default="")
    # A resident merged into another stays, hidden, so that the merge can be undone.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_residents",
        editable=False,
        verbose_name=_("統合先"),
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("登録者")
    )

    class Meta:
        verbose_name = _("住民等")
        verbose_name_plural = _("住民等")
        ordering = ["name_kana", "id"]

    def __str__(self):
        return self.name


class ResidentPhone(models.Model):
    """A phone number of a resident, as written and as bare digits for lookup."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="phones", verbose_name=_("住民等"))
    number = models.CharField(_("電話番号"), max_length=40)
    digits = models.CharField(max_length=20, db_index=True, editable=False)

    class Meta:
        verbose_name = _("電話番号")
        verbose_name_plural = _("電話番号")
        ordering = ["id"]

    def __str__(self):
        return self.number


class ResidentMerge(models.Model):
    """Two records found to be the same person, merged by the specialist section
    (名寄せ). What moved is kept so that the merge can be undone."""

    source = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="merges_out", verbose_name=_("統合元"))
    target = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="merges_in", verbose_name=_("統合先"))
    reason = models.TextField(_("統合の理由"))
    # Primary keys of what moved from source to target, by model label ("records.contact": [1, 2]).
    moved = models.JSONField(_("移した記録"), default=dict, editable=False)
    merged_at = models.DateTimeField(_("統合日時"), auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("統合した職員")
    )
    undone_at = models.DateTimeField(_("取消日時"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("取り消した職員"),
    )
    undo_reason = models.TextField(_("取消の理由"), blank=True)

    class Meta:
        verbose_name = _("住民等の統合")
        verbose_name_plural = _("住民等の統合")
        ordering = ["-merged_at", "-id"]

    def __str__(self):
        return f"{self.source} → {self.target}"
