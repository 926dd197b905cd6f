from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LetterTemplate(models.Model):
    """The editable text of the letter issued with one measure (措置), e.g. the
    警告書 for ``warning``. The body holds placeholders such as {文書番号}; see
    ``letters.placeholders``. Created from ``letters/defaults/`` on first use and
    changed only through ``letter_template_update``, which bumps ``version``.
    Issued letters keep their own copy of the title and body they were made from."""

    measure_code = models.CharField(_("措置コード"), max_length=50, unique=True)
    title = models.CharField(_("表題"), max_length=100)
    body = models.TextField(_("本文"))
    version = models.PositiveIntegerField(_("版"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("更新者"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("文書テンプレート")
        verbose_name_plural = _("文書テンプレート")
        ordering = ["id"]

    def __str__(self):
        return f"{self.title}（{self.measure_code}）"


class DocumentNumberSequence(models.Model):
    """The last document number (文書番号) used for a prefix in a fiscal year
    (年度, April to March): 大総第12号 is serial 12 of prefix 大総. Incremented
    only by ``letters.services`` under ``select_for_update``."""

    prefix = models.CharField(_("記号"), max_length=20)
    fiscal_year = models.PositiveIntegerField(_("年度"))
    last_number = models.PositiveIntegerField(_("最後の番号"), default=0)

    class Meta:
        verbose_name = _("文書番号の採番")
        verbose_name_plural = _("文書番号の採番")
        constraints = [models.UniqueConstraint(fields=["prefix", "fiscal_year"], name="letters_sequence_unique")]

    def __str__(self):
        return f"{self.prefix} {self.fiscal_year}年度 {self.last_number}"


class IssuedLetter(models.Model):
    """A letter as issued: the PDF bytes exactly as handed to the resident, with
    what went into them (the context, the template title and body, the number).
    Rows are written once by ``letter_issue`` and never updated, so a later
    template edit never changes an issued letter; ``sha256`` proves the bytes."""

    measure_code = models.CharField(_("措置コード"), max_length=50)
    title = models.CharField(_("表題"), max_length=100)
    number_prefix = models.CharField(_("記号"), max_length=20)
    fiscal_year = models.PositiveIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("番号"))
    document_number = models.CharField(_("文書番号"), max_length=50)
    issued_on = models.DateField(_("発出日"))
    addressee = models.CharField(_("宛先"), max_length=200)
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    context = models.JSONField(_("差し込み内容"), default=dict)
    template_body = models.TextField(_("使用したテンプレート本文"))
    template_version = models.PositiveIntegerField(_("使用したテンプレートの版"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("発出者")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("発出文書")
        verbose_name_plural = _("発出文書")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["number_prefix", "fiscal_year", "serial"], name="letters_issued_number_unique"
            )
        ]

    def __str__(self):
        return f"{self.document_number} {self.title}"

    @property
    def filename(self) -> str:
        return f"{self.document_number}_{self.title}.pdf"
