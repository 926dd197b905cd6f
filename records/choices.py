from django.db import models


class HarassmentJudgement(models.TextChoices):
    """Whether the staff judge the contact harassment under the policy."""

    NO = "no", "該当しない"
    UNSURE = "unsure", "判断に迷う（上司に相談）"
    YES = "yes", "該当する"


class DefinitionAnswer(models.TextChoices):
    YES = "yes", "はい"
    NO = "no", "いいえ"
    UNKNOWN = "unknown", "わからない"
