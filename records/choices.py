from django.db import models
from django.utils.translation import gettext_lazy as _


class HarassmentJudgement(models.TextChoices):
    """Whether the staff judge the contact harassment under the policy. A contact
    starts 未判断 (nobody has judged it yet): never counted as either answer."""

    UNDECIDED = "undecided", _("未判断")
    NO = "no", _("該当しない")
    UNSURE = "unsure", _("判断に迷う（上司に相談）")
    YES = "yes", _("該当する")


class DefinitionAnswer(models.TextChoices):
    YES = "yes", _("はい")
    NO = "no", _("いいえ")
    UNKNOWN = "unknown", _("わからない")
