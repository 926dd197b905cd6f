from django.db import models
from django.utils.translation import gettext_lazy as _


class MeasureStatus(models.TextChoices):
    DRAFT = "draft", _("起案中")
    PENDING = "pending", _("決裁中")
    APPROVED = "approved", _("決裁済")
    ISSUED = "issued", _("発出済")
    SENT_BACK = "sent_back", _("差戻し")
    WITHDRAWN = "withdrawn", _("撤回")
    ENDED = "ended", _("期間満了")


class ApprovalDecision(models.TextChoices):
    APPROVED = "approved", _("承認")
    SENT_BACK = "sent_back", _("差戻し")


class AppealOutcome(models.TextChoices):
    PENDING = "", _("審査中")
    UPHELD = "upheld", _("措置を維持")
    AMENDED = "amended", _("措置を変更")
    REVOKED = "revoked", _("措置を取消し")


class MeasureEventKind(models.TextChoices):
    DRAFTED = "drafted", _("起案")
    UPDATED = "updated", _("起案内容を修正")
    SUBMITTED = "submitted", _("決裁に回付")
    APPROVED = "approved", _("決裁（承認）")
    SENT_BACK = "sent_back", _("差戻し")
    ISSUED = "issued", _("発出")
    WITHDRAWN = "withdrawn", _("撤回")
    APPEALED = "appealed", _("不服の申出を受付")
    APPEAL_DECIDED = "appeal_decided", _("不服の申出への判断")
    REVIEW_REMINDED = "review_reminded", _("見直し日の通知")


WEEKDAY_NAMES = ("月", "火", "水", "木", "金", "土", "日")
