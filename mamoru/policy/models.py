from django.conf import settings
from django.db import models


class PolicyPackRevision(models.Model):
    """A policy pack uploaded by an administrator. At most one is active;
    with none active, the pack file from the settings is in force."""

    code = models.CharField("パックコード", max_length=40)
    title = models.CharField("名称", max_length=200)
    source = models.TextField("内容（TOML）")
    is_active = models.BooleanField("有効", default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="登録者")
    uploaded_at = models.DateTimeField("登録日時", auto_now_add=True)

    class Meta:
        verbose_name = "ポリシーパック版"
        verbose_name_plural = "ポリシーパック版"
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True), name="one_active_policy_pack")
        ]

    def __str__(self):
        return f"{self.title}（{self.code}）"
