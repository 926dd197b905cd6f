"""Online posts about staff (インターネット上の投稿, policy rule (6)): a post that shows a staff
member's name, face, voice or private life without consent, tracked from finding it to
closing it (docs/online.md).

``OnlinePost`` is the post with what it exposes and whom it harms; ``PostUrl`` its addresses,
normalised so that a second report of the same post joins the first; ``PostStep`` the
timeline (発見 → 証拠保全 → 削除申出 → 回答 → 削除の確認 → 発信者情報開示命令 → 法的措置 →
終結), each with its date, kept for the statistics."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Exposure, PostState, StepKind


class OnlinePost(models.Model):
    """A post about one or more staff members on a website or a social network."""

    platform = models.CharField(_("サイト・サービス"), max_length=40)  # a pack platform code or "other"
    platform_name = models.CharField(_("サイト名（その他）"), max_length=100, blank=True)
    content = models.TextField(_("投稿の内容（原文どおり）"), blank=True)
    posted_at = models.DateTimeField(_("投稿日時"), null=True, blank=True)
    found_at = models.DateTimeField(_("発見日時"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("発見した職員")
    )
    exposures = models.JSONField(_("公開されているもの"), default=list, blank=True)
    exposure_note = models.CharField(_("公開されているもの（その他）"), max_length=200, blank=True)
    affected_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="online_posts_about", verbose_name=_("対象の職員")
    )
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("関係する住民等"),
    )
    contacts = models.ManyToManyField(
        "records.Contact", blank=True, related_name="+", verbose_name=_("関係する対応記録")
    )
    state = models.CharField(_("状態"), max_length=10, choices=PostState.choices, default=PostState.OPEN)
    last_step = models.CharField(_("最新の段階"), max_length=20, choices=StepKind.choices, default=StepKind.FOUND)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登録した職員")
    )
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("インターネット上の投稿")
        verbose_name_plural = _("インターネット上の投稿")
        ordering = ["-found_at", "-id"]

    def __str__(self):
        return f"投稿 No.{self.pk:05d}" if self.pk else "投稿"

    @property
    def number(self) -> str:
        return f"No.{self.pk:05d}"

    def exposure_labels(self) -> list[str]:
        labels = dict(Exposure.choices)
        return [str(labels.get(code, code)) for code in self.exposures or []]


class PostUrl(models.Model):
    """One address of a post, as entered and normalised (unique: the same post is one record)."""

    post = models.ForeignKey(OnlinePost, on_delete=models.CASCADE, related_name="urls", verbose_name=_("投稿"))
    url = models.CharField(_("URL"), max_length=2000)
    normalised = models.CharField(_("URL（正規化）"), max_length=2000, unique=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登録した職員")
    )
    added_at = models.DateTimeField(_("登録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("投稿の URL")
        verbose_name_plural = _("投稿の URL")
        ordering = ["id"]

    def __str__(self):
        return self.url


class PostStep(models.Model):
    """One step of a post's timeline: what was done, on which day, by whom, with its details
    (``details``: the route and addressee of a request, the answer, the court and decision of
    a disclosure order, the kind of legal action…)."""

    post = models.ForeignKey(OnlinePost, on_delete=models.CASCADE, related_name="steps", verbose_name=_("投稿"))
    kind = models.CharField(_("段階"), max_length=20, choices=StepKind.choices)
    happened_on = models.DateField(_("日付"))
    details = models.JSONField(_("詳細"), default=dict, blank=True)
    note = models.TextField(_("メモ"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録した職員")
    )
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("投稿への対応の段階")
        verbose_name_plural = _("投稿への対応の段階")
        ordering = ["happened_on", "recorded_at", "id"]
        indexes = [models.Index(fields=["kind", "happened_on"], name="online_step_kind_day")]

    def __str__(self):
        return f"{self.post_id} {self.kind} {self.happened_on}"

    def detail_rows(self) -> list[tuple[str, str]]:
        """The details as staff read them: Japanese labels, choices by their names; a stored
        value the choices no longer know is shown as it is."""
        from .choices import DETAIL_CHOICES, DETAIL_LABELS

        rows = []
        for key, value in (self.details or {}).items():
            if value in ("", None, False):
                continue
            if value is True:
                shown = "あり"
            elif isinstance(value, str):
                shown = str(dict(DETAIL_CHOICES.get(key, ())).get(value, value))
            else:
                shown = str(value)
            rows.append((str(DETAIL_LABELS.get(key, key)), shown))
        return rows


class PostLetter(models.Model):
    """A letter asking a provider to remove the post (送信防止措置依頼書, 削除依頼), issued
    through the letters app; which name it is in is kept with it."""

    post = models.ForeignKey(OnlinePost, on_delete=models.PROTECT, related_name="letters", verbose_name=_("投稿"))
    letter = models.OneToOneField(
        "letters.IssuedLetter", on_delete=models.PROTECT, related_name="+", verbose_name=_("文書")
    )
    kind = models.CharField(_("文書の種類"), max_length=20)
    on_behalf = models.CharField(_("名義"), max_length=10)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("依頼者（職員）"),
    )
    provider = models.CharField(_("宛先（事業者・サイト管理者）"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("作成した職員")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("投稿の削除を求める文書")
        verbose_name_plural = _("投稿の削除を求める文書")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.post} {self.kind}"
