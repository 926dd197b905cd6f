from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from . import permissions
from .choices import DateStyle, Role


class Department(models.Model):
    """A section of the city hall (課). Contacts belong to one department."""

    code = models.SlugField(_("所属コード"), max_length=40, unique=True)
    name = models.CharField(_("所属名"), max_length=100, unique=True)
    sort_order = models.PositiveIntegerField(_("表示順"), default=100)
    is_active = models.BooleanField(_("有効"), default=True)

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        ordering = ["sort_order", "id"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A member of staff who signs in. The role and the department decide what
    the user may see: see ``accounts.selectors``."""

    full_name = models.CharField(_("氏名"), max_length=100, blank=True)
    full_name_kana = models.CharField(_("氏名（かな）"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("所属")
    )
    role = models.CharField(_("役割"), max_length=20, choices=Role.choices, default=Role.STAFF)
    workplace = models.CharField(_("窓口番号・内線"), max_length=50, blank=True)
    date_style = models.CharField(_("日付の表示"), max_length=10, choices=DateStyle.choices, default=DateStyle.WAREKI)
    sessions_valid_after = models.DateTimeField(
        _("これより前のログインを無効にする日時"),
        null=True,
        blank=True,
        help_text=_("「すべての端末からログアウト」で設定されます。"),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("利用者")
        verbose_name_plural = _("利用者")
        ordering = ["department__sort_order", "id"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.username

    # The questions templates ask (``user.handles_records``); the rules are in accounts.permissions.
    @property
    def is_administrator(self) -> bool:
        return permissions.is_administrator(self)

    @property
    def is_specialist(self) -> bool:
        return permissions.is_specialist(self)

    @property
    def handles_records(self) -> bool:
        """Staff, supervisors, managers and the specialist section work with
        contacts and residents; the system administrator does not."""
        return permissions.handles_contacts(self)

    @property
    def can_read_audit(self) -> bool:
        return permissions.may_read_audit(self)

    @property
    def is_supervisor_or_above(self) -> bool:
        return permissions.is_supervisor_or_above(self)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("利用者"))
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("先頭文字"), max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("発行日時"), auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("発行者"))
    last_used_at = models.DateTimeField(_("最終利用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"


class LoginAttempt(models.Model):
    """One sign-in attempt, kept to rate-limit failures per account and address.

    ``username`` is the normalised account (``accounts.throttle.account_key``),
    not the spelling typed. The row is written as a failure *before* the
    password is checked (a reservation) and marked succeeded afterwards if it
    was right. ``device`` is the id of the browser's device cookie for this
    account (empty: a browser this account never signed in from)."""

    username = models.CharField(max_length=150, db_index=True)
    address = models.GenericIPAddressField(null=True, db_index=True)
    device = models.CharField(max_length=32, blank=True, default="", db_index=True)
    succeeded = models.BooleanField(default=False)
    attempted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ログイン試行")
        verbose_name_plural = _("ログイン試行")

    def __str__(self):
        return f"{self.username} {self.attempted_at:%Y-%m-%d %H:%M}"


class LoginLock(models.Model):
    """One row per normalised account (``account:…``) or source address
    (``address:…``), locked while a sign-in attempt is counted and reserved, so
    simultaneous attempts are counted one after the other."""

    key = models.CharField(max_length=200, unique=True)

    class Meta:
        verbose_name = _("ログイン試行の排他")
        verbose_name_plural = _("ログイン試行の排他")

    def __str__(self):
        return self.key
