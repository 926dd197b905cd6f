from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestState(models.TextChoices):
    """The steps of a request, in order (``services.STEP_ORDER``)."""

    RECEIVED = "received", _("受付")
    ASSIGNED = "assigned", _("調査中")
    DECIDED = "decided", _("事実認定済み")
    MEASURES_DECIDED = "measures_decided", _("措置決定済み")
    REPLIED = "replied", _("回答済み")
    CLOSED = "closed", _("終結")


class Outcome(models.TextChoices):
    FACT_FOUND = "fact_found", _("事実あり")
    NO_FACT = "no_fact", _("事実なし")
    UNDETERMINED = "undetermined", _("判断できず")


class Channel(models.TextChoices):
    PHONE = "phone", _("電話")
    MAIL = "mail", _("電子メール")
    LETTER = "letter", _("文書・郵送")
    VISIT = "visit", _("来庁")
    OTHER = "other", _("その他")
