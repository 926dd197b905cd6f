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
