from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import permissions
from .choices import DateStyle, ExportEncoding, Role


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
    # The CSV encoding a list export uses when its link names none (the last choice of the session comes first).
    export_encoding = models.CharField(
        _("CSV の文字コード"), max_length=10, choices=ExportEncoding.choices, default=ExportEncoding.UTF8
    )
    is_service_account = models.BooleanField(
        _("連携用アカウント"),
        default=False,
        help_text=_("通話録音システム・事案管理システムなどが API で使うアカウント。画面にはログインできません。"),
    )
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
    """A bearer token for the JSON API. Only a hash of the key is stored.

    A token is issued to its own holder, or (requested by one administrator and
    approved by another) to a service account (連携用アカウント); it expires, carries
    a scope (read or read and write, and which parts of the API) and optionally a
    list of addresses it may be used from."""

    class Scope(models.TextChoices):
        READ = "read", _("参照のみ")
        WRITE = "write", _("参照・登録・更新")

    class Area(models.TextChoices):
        CONTACTS = "contacts", _("対応記録")
        RESIDENTS = "residents", _("住民等")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("利用者"))
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(_("先頭文字"), max_length=16, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("発行日時"), auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("発行者"))
    expires_at = models.DateTimeField(_("有効期限"), null=True, blank=True)
    scope = models.CharField(_("権限"), max_length=10, choices=Scope.choices, default=Scope.READ)
    areas = models.JSONField(_("対象"), default=list, blank=True)
    allowed_addresses = models.TextField(
        _("利用を許可するアドレス"),
        blank=True,
        help_text=_("1行に1つ（IP アドレスまたは 192.0.2.0/24 の形式）。空欄は制限なし。"),
    )
    approved_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("承認者")
    )
    approved_at = models.DateTimeField(_("承認日時"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最終利用"), null=True, blank=True)
    last_used_address = models.GenericIPAddressField(_("最終利用アドレス"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("失効日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("APIトークン")
        verbose_name_plural = _("APIトークン")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.name}（{self.prefix}…）"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.is_approved and not self.is_expired

    def area_labels(self) -> list[str]:
        labels = dict(self.Area.choices)
        return [str(labels.get(area, area)) for area in self.areas] or [str(_("すべて"))]


class ApiIdempotencyRecord(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key`` header, so a
    retry after a dropped connection gets the same answer instead of a duplicate."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="accounts_idempotency_user_key")]

    def __str__(self):
        return self.key


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
