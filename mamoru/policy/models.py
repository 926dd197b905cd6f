from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyPackRevision(models.Model):
    """A policy pack uploaded by an administrator. At most one is active;
    with none active, the pack file from the settings is in force."""

    code = models.CharField(_("パックコード"), max_length=40)
    title = models.CharField(_("名称"), max_length=200)
    source = models.TextField(_("内容（TOML）"))
    is_active = models.BooleanField(_("有効"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("登録者"))
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("ポリシーパック版")
        verbose_name_plural = _("ポリシーパック版")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_policy_pack"
            )
        ]

    def __str__(self):
        return f"{self.title}（{self.code}）"
