from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """An in-app message to one user (e.g. 「事案が報告されました」), with a link to
    what it is about. Stored first, so a user who was offline reads it later;
    a live push (``realtime``) only announces it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("宛先")
    )
    kind = models.CharField(_("種類"), max_length=60, blank=True)
    text = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("リンク先"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)
    read_at = models.DateTimeField(_("既読日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("お知らせ")
        verbose_name_plural = _("お知らせ")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]

    def __str__(self):
        return self.text


class DeadlineReminder(models.Model):
    """A reminder ``python -m mamoru deadlines`` sent for one due date
    (``mamoru.lib.deadlines.Deadline.key``) on one day: sent once per key and day,
    however often the command runs."""

    key = models.CharField(_("期限のキー"), max_length=200)
    sent_on = models.DateField(_("送信日"))
    due_on = models.DateField(_("期限"))
    text = models.CharField(_("内容"), max_length=300)
    recipients = models.PositiveIntegerField(_("宛先の人数"), default=0)
    sent_at = models.DateTimeField(_("送信日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("期限の通知")
        verbose_name_plural = _("期限の通知")
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["key", "sent_on"], name="deadline_reminder_once_a_day")]

    def __str__(self):
        return f"{self.key} {self.sent_on}"
