from django.db import models
from django.utils.translation import gettext_lazy as _


class FlagStatus(models.TextChoices):
    """Where a 繰り返し proposal stands: a rule proposes (要確認), a person decides."""

    OPEN = "open", _("要確認")
    CONFIRMED = "confirmed", _("繰り返しに該当")
    DISMISSED = "dismissed", _("該当しない")


class Decision(models.TextChoices):
    """What the specialist section may decide about a flag."""

    CONFIRMED = "confirmed", _("繰り返しに該当")
    DISMISSED = "dismissed", _("該当しない")
