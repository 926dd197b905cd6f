from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DefinitionAnswer, HarassmentJudgement


def contact_number(pk: int | None) -> str:
    """The contact's number as staff read and quote it: 0001234."""
    return f"{pk:07d}" if pk else ""


class Contact(models.Model):
    """A contact record (対応記録票): one counter visit, phone call, home visit,
    mail or letter, from its start to its end, with what was said and done.

    The channel and category codes come from the policy pack. The duration is
    computed from the start and end times, never typed."""

    # The foreign keys' own indexes would repeat the leading column of the indexes in Meta.
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("担当課"),
        db_index=False,
    )
    channel = models.CharField(_("対応方法"), max_length=40)
    place = models.CharField(_("場所"), max_length=100, blank=True)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="contacts",
        verbose_name=_("対応職員"),
        db_index=False,
    )
    other_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="assisted_contacts", verbose_name=_("同席職員")
    )
    resident = models.ForeignKey(
        "people.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("住民等"),
        db_index=False,
    )
    resident_description = models.CharField(_("住民等の特徴（氏名不明の場合）"), max_length=200, blank=True)
    started_at = models.DateTimeField(_("開始日時"), db_index=True)
    ended_at = models.DateTimeField(_("終了日時"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("対応時間（秒）"), null=True, blank=True)

    summary = models.CharField(_("件名"), max_length=200, blank=True)
    request_content = models.TextField(_("意見等の内容"), blank=True)
    words_and_behaviour = models.TextField(_("住民等の言動（発言はそのまま）"), blank=True)
    staff_response = models.TextField(_("職員の対応"), blank=True)
    outcome = models.TextField(_("結果"), blank=True)

    harassment = models.CharField(
        _("カスタマーハラスメントの判断"),
        max_length=10,
        choices=HarassmentJudgement.choices,
        default=HarassmentJudgement.UNDECIDED,
    )
    content_unreasonable = models.CharField(
        _("内容が著しく妥当性を欠くか"), max_length=10, choices=DefinitionAnswer.choices, blank=True
    )
    content_reason = models.TextField(_("内容についての理由"), blank=True)
    manner_inappropriate = models.CharField(
        _("手段・態様が社会通念上不相当か"), max_length=10, choices=DefinitionAnswer.choices, blank=True
    )
    manner_reason = models.TextField(_("手段・態様についての理由"), blank=True)
    harms = models.JSONField(_("生じた被害"), default=list, blank=True)
    harm_reason = models.TextField(_("被害についての理由"), blank=True)
    # Why a contact went outside an active response restriction (対応制限) of the resident.
    restriction_exception_reason = models.TextField(_("対応制限の条件外で対応した理由"), blank=True)
    # Set for a contact brought in from a city's spreadsheet, so that a second run imports nothing twice.
    import_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    # NFKC-normalised, lower-cased text of every free-text field, for search.
    search_text = models.TextField(default="", editable=False)
    version = models.PositiveIntegerField(_("版"), default=1)
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("作成者")
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)
    deleted_at = models.DateTimeField(_("削除日時"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("削除者"),
        db_index=False,
    )
    deletion_reason = models.CharField(_("削除理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("対応記録")
        verbose_name_plural = _("対応記録")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["department", "-started_at"], name="contact_dept_started"),
            models.Index(fields=["resident", "-started_at"], name="contact_resident_started"),
            models.Index(fields=["staff", "ended_at"], name="contact_staff_live"),
            # The filtered list's count (migrations 0003 and 0005).
            models.Index(
                fields=["department", "harassment", "started_at"],
                condition=models.Q(deleted_at__isnull=True),
                name="contact_dept_judgement_started",
            ),
            models.Index(
                fields=["deleted_by"], condition=models.Q(deleted_by__isnull=False), name="contact_deleted_by"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("started_at")),
                name="contact_end_after_start",
            ),
            # A constraint rather than unique=True: PostgreSQL then adds no LIKE index beside it.
            models.UniqueConstraint(fields=["import_key"], name="contact_import_key_once"),
        ]

    def __str__(self):
        return f"対応記録 No.{self.pk}"

    @property
    def is_live(self) -> bool:
        return self.ended_at is None

    @property
    def number(self) -> str:
        return contact_number(self.pk)

    @property
    def needs_judgement(self) -> bool:
        """Ended and still 未判断: saved, but somebody has to judge it."""
        return self.ended_at is not None and self.harassment == HarassmentJudgement.UNDECIDED

    def judgement_decision(self):
        """The latest revision saved with a reason (a supervisor's decision on 判断に迷う), or None."""
        return self.revisions.exclude(note="").select_related("changed_by").order_by("-version").first()


class ContactCategory(models.Model):
    """A policy category (by its pack code) staff assigned to a contact."""

    # Indexed by the unique constraint (contact first) and the code index: no index of their own.
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="categories", db_index=False)
    code = models.CharField(_("類型コード"), max_length=40)

    class Meta:
        verbose_name = _("該当類型")
        verbose_name_plural = _("該当類型")
        constraints = [models.UniqueConstraint(fields=["contact", "code"], name="contact_category_once")]
        indexes = [models.Index(fields=["code"], name="contact_category_code")]

    def __str__(self):
        return self.code


class ContactRevision(models.Model):
    """A version of a contact record as saved: who saved it, when, what changed."""

    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )  # indexed by the unique constraint, contact first
    version = models.PositiveIntegerField(_("版"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("変更者")
    )
    changed_at = models.DateTimeField(_("変更日時"), auto_now_add=True)
    changed_fields = models.JSONField(_("変更した項目"), default=list)
    snapshot = models.JSONField(_("内容"))
    # Why this version was saved, where the saver had to say (e.g. a supervisor's decision on 判断に迷う).
    note = models.TextField(_("変更の理由"), blank=True)

    class Meta:
        verbose_name = _("対応記録の版")
        verbose_name_plural = _("対応記録の版")
        ordering = ["contact", "-version"]
        constraints = [models.UniqueConstraint(fields=["contact", "version"], name="contact_revision_once")]

    def __str__(self):
        return f"{self.contact} 第{self.version}版"


class ContactTally(models.Model):
    """Live contacts counted per day and hour they started (in the city's time zone),
    department and channel: what the statistics read instead of a million contacts
    (issue 16). Derived data, never edited: ``records.tally`` counts a day again when
    a contact of that day is saved (``ContactTallyRequest``) and ``contact-tally
    --rebuild`` counts everything again. Over-limit counts are those of the pack's
    limit in ``limit_seconds``; the figures count directly when the pack's limit differs."""

    day = models.DateField(_("日"))
    hour = models.PositiveSmallIntegerField(_("時"))
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("担当課")
    )
    channel = models.CharField(_("対応方法"), max_length=40)
    contacts = models.PositiveIntegerField(_("対応件数"), default=0)
    harassment = models.PositiveIntegerField(_("うちカスハラ"), default=0)
    unsure = models.PositiveIntegerField(_("判断に迷う"), default=0)
    undecided_ended = models.PositiveIntegerField(_("終了して未判断"), default=0)
    ended = models.PositiveIntegerField(_("終了した対応"), default=0)
    harassment_ended = models.PositiveIntegerField(_("終了したカスハラ"), default=0)
    seconds = models.BigIntegerField(_("対応時間（秒）"), default=0)
    harassment_seconds = models.BigIntegerField(_("カスハラの対応時間（秒）"), default=0)
    over_limit = models.PositiveIntegerField(_("上限を超えた対応"), default=0)
    harassment_over_limit = models.PositiveIntegerField(_("上限を超えたカスハラ"), default=0)
    limit_seconds = models.PositiveIntegerField(_("上限（秒）"))

    class Meta:
        verbose_name = _("対応件数の集計")
        verbose_name_plural = _("対応件数の集計")
        constraints = [
            models.UniqueConstraint(fields=["day", "department", "channel", "hour"], name="contact_tally_once")
        ]
        # One department's figures (a manager's) read a tenth of the year's rows.
        indexes = [models.Index(fields=["department", "day"], name="contact_tally_department_day")]

    def __str__(self):
        return f"{self.day} {self.hour}時 {self.channel}"


class ContactCategoryTally(models.Model):
    """Live contacts per day started, department and category (該当類型); see ``ContactTally``."""

    day = models.DateField(_("日"))
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+", db_index=False, verbose_name=_("担当課")
    )
    code = models.CharField(_("類型コード"), max_length=40)
    contacts = models.PositiveIntegerField(_("対応件数"), default=0)
    harassment = models.PositiveIntegerField(_("うちカスハラ"), default=0)

    class Meta:
        verbose_name = _("類型別件数の集計")
        verbose_name_plural = _("類型別件数の集計")
        constraints = [
            models.UniqueConstraint(fields=["day", "department", "code"], name="contact_category_tally_once")
        ]

    def __str__(self):
        return f"{self.day} {self.code}"


class ContactTallyRequest(models.Model):
    """A day (in the city's time zone) whose contacts changed and are to be counted
    again (集計待ち). Written in the saving service's transaction (one upsert), taken
    by the background loop, ``contact-tally`` and the figures before they read.
    ``token`` changes with every request, so a count that ran while another contact
    of the day was saved leaves the newer request."""

    day = models.DateField(_("日"), unique=True)
    token = models.UUIDField(_("依頼の識別子"))

    class Meta:
        verbose_name = _("集計待ち")
        verbose_name_plural = _("集計待ち")

    def __str__(self):
        return str(self.day)
