"""Evidence (証拠): files that show what happened in a contact or a case, kept
so that they hold up with the police and in court.

The bytes are stored once, content-addressed by their SHA-256 (``StoredFile``);
each time staff attach them to a contact or a case is an ``Evidence`` with what
it is, who captured it, when and where. Everything that happens to a piece of
evidence — upload, view, play, download, export, hand-over, deletion — is a
``CustodyEvent`` (証拠の保管記録): who, when, from where and why. Custody events
and the audit log outlive the bytes: when retention deletes a file, its record
stays."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AnalysisStatus, CustodyKind, EvidenceKind, HoldGround, TokenStatus, TranscriptSource


class StoredFile(models.Model):
    """The bytes of one file, stored once however often it is uploaded."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.BigIntegerField(_("サイズ（バイト）"))
    content_type = models.CharField(_("ファイルの種類（内容から判定）"), max_length=100)
    extension = models.CharField(_("拡張子（内容から判定）"), max_length=10, blank=True)
    storage_name = models.CharField(_("保存先の名前"), max_length=200)
    stored_at = models.DateTimeField(_("保存日時"), auto_now_add=True)
    # Retention (evidence-retention): the bytes are gone from storage; this row and the custody records stay.
    purged_at = models.DateTimeField(_("ファイルを消去した日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("保存ファイル")
        verbose_name_plural = _("保存ファイル")

    def __str__(self):
        return self.sha256

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


class Evidence(models.Model):
    """A file attached to a contact or a case as evidence."""

    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="evidence")
    contact = models.ForeignKey(
        "records.Contact",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("対応記録"),
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("事案")
    )
    # online stream (issue 15 A): a screenshot or saved page of an online post about staff
    post = models.ForeignKey(
        "online.OnlinePost",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("インターネット上の投稿"),
    )
    # Anything else an app registers as a subject (evidence.subjects): e.g. a request from another business.
    subject_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("担当課")
    )
    kind = models.CharField(_("証拠の種類"), max_length=20, choices=EvidenceKind.choices)
    original_name = models.CharField(_("元のファイル名"), max_length=255)
    description = models.TextField(_("内容の説明"), blank=True)
    captured_by_name = models.CharField(_("記録した人"), max_length=100, blank=True)
    captured_at = models.DateTimeField(_("記録日時"), null=True, blank=True)
    captured_place = models.CharField(_("記録した場所"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("登録した職員")
    )
    uploaded_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    legal_hold = models.BooleanField(_("保存（削除停止）"), default=False)
    legal_hold_reason = models.CharField(_("保存の理由"), max_length=200, blank=True)
    legal_hold_ground = models.CharField(_("保存の根拠"), max_length=30, choices=HoldGround.choices, blank=True)
    legal_hold_at = models.DateTimeField(_("保存を設定した日時"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("削除日時"), null=True, blank=True)
    deletion_reason = models.CharField(_("削除の理由"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("証拠")
        verbose_name_plural = _("証拠")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(contact__isnull=False)
                | Q(case__isnull=False)
                | Q(post__isnull=False)
                | Q(subject_type__isnull=False, subject_id__isnull=False),
                name="evidence_attached_somewhere",
            )
        ]

    def __str__(self):
        return f"証拠 No.{self.pk:06d} {self.original_name}" if self.pk else self.original_name


class CustodyEvent(models.Model):
    """One line of a piece of evidence's chain of custody (証拠の保管記録)."""

    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="custody")
    kind = models.CharField(_("出来事"), max_length=20, choices=CustodyKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("職員"),
    )
    actor_name = models.CharField(_("職員名"), max_length=150, blank=True)
    at = models.DateTimeField(_("日時"), auto_now_add=True, db_index=True)
    address = models.GenericIPAddressField(_("接続元"), null=True, blank=True)
    purpose = models.CharField(_("目的"), max_length=200, blank=True)
    detail = models.JSONField(_("詳細"), default=dict, blank=True)

    class Meta:
        verbose_name = _("証拠の保管記録")
        verbose_name_plural = _("証拠の保管記録")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.evidence_id} {self.kind} {self.actor_name}"


class RecordingAnalysis(models.Model):
    """What the worker measured in a recording (one per stored file: the same bytes are
    analysed once): its duration, its loudness second by second, its own median level
    and the segments where the voice is raised well above it. A file ffmpeg cannot read
    gets ``failed`` with a message for staff; the file itself is kept."""

    stored_file = models.OneToOneField(StoredFile, on_delete=models.PROTECT, related_name="analysis")
    status = models.CharField(
        _("解析の状態"), max_length=10, choices=AnalysisStatus.choices, default=AnalysisStatus.PENDING
    )
    message = models.CharField(_("解析できなかった理由"), max_length=300, blank=True)
    error_detail = models.TextField(_("ffmpeg の出力"), blank=True)
    attempts = models.PositiveIntegerField(_("解析の試行回数"), default=0)
    progress_seconds = models.PositiveIntegerField(_("解析済みの秒数"), default=0)
    duration_seconds = models.FloatField(_("録音の長さ（秒）"), null=True, blank=True)
    # One byte per second: half decibels below full scale (evidence.audio.pack_levels).
    levels = models.BinaryField(_("1秒ごとの音量"), blank=True, default=b"")
    median_dbfs = models.FloatField(_("音量の中央値（dBFS）"), null=True, blank=True)
    segments = models.JSONField(_("声が大きくなった区間"), default=list, blank=True)
    thresholds = models.JSONField(_("判定の基準"), default=dict, blank=True)
    requested_at = models.DateTimeField(_("依頼日時"), auto_now_add=True)
    started_at = models.DateTimeField(_("開始日時"), null=True, blank=True)
    finished_at = models.DateTimeField(_("終了日時"), null=True, blank=True)

    class Meta:
        verbose_name = _("録音の解析")
        verbose_name_plural = _("録音の解析")

    def __str__(self):
        return f"{self.stored_file_id} {self.status}"


class Transcript(models.Model):
    """The transcript (反訳書) of one recording: what was said, when and by whom, verbatim.

    Its text lives in revisions (``TranscriptRevision``): a correction adds a revision and
    never overwrites the one before. ``search_text`` holds the current revision's words,
    normalised, for the contacts' search (``records.hooks.contact_search_extra``)."""

    evidence = models.OneToOneField(Evidence, on_delete=models.PROTECT, related_name="transcript")
    version = models.PositiveIntegerField(_("版"), default=0)
    transcribed_by_name = models.CharField(_("反訳者"), max_length=100, blank=True)
    # The recording's length as the 反訳書 states it (staff read it off the player; the analysis may fill it).
    recording_seconds = models.FloatField(_("録音の長さ（秒）"), null=True, blank=True)
    search_text = models.TextField(default="", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("作成した職員")
    )
    created_at = models.DateTimeField(_("作成日時"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    class Meta:
        verbose_name = _("反訳書")
        verbose_name_plural = _("反訳書")

    def __str__(self):
        return f"反訳書（証拠 No.{self.evidence_id:06d}）"


class TranscriptRevision(models.Model):
    """One version of a transcript, as it was saved: never changed afterwards.

    ``segments`` is a list of ``{"start": seconds, "end": seconds or None, "speaker": str,
    "text": str}`` in time order."""

    transcript = models.ForeignKey(Transcript, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField(_("版"))
    source = models.CharField(_("作成方法"), max_length=20, choices=TranscriptSource.choices)
    source_name = models.CharField(_("取り込んだファイル・音声認識エンジン"), max_length=255, blank=True)
    segments = models.JSONField(_("発言"), default=list)
    note = models.CharField(_("修正の理由・メモ"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("保存した職員")
    )
    created_at = models.DateTimeField(_("保存日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("反訳書の版")
        verbose_name_plural = _("反訳書の版")
        ordering = ["transcript", "-number"]
        constraints = [models.UniqueConstraint(fields=["transcript", "number"], name="transcript_revision_once")]

    def __str__(self):
        return f"{self.transcript} 第{self.number}版"


class TimeStampToken(models.Model):
    """An RFC 3161 time-stamp token over a stored file's SHA-256 from the time-stamping
    authority (TSA) the city configured (timestamps stream). ``response`` is the TSA's
    whole reply (TimeStampResp, DER) as a ``.tsr`` file: ``openssl ts -verify`` reads it
    as it is, and the export includes it. A failed request is a row too (status
    ``failed``, shown as 「未取得」), retried by ``python -m mamoru evidence-timestamp --missing``."""

    stored_file = models.ForeignKey(StoredFile, on_delete=models.PROTECT, related_name="timestamps")
    status = models.CharField(_("状態"), max_length=10, choices=TokenStatus.choices)
    tsa_url = models.CharField(_("時刻認証局（TSA）"), max_length=500)
    requested_at = models.DateTimeField(_("要求日時"))
    attempts = models.PositiveIntegerField(_("要求回数"), default=1)
    error = models.CharField(_("取得できなかった理由"), max_length=500, blank=True)
    gen_time = models.DateTimeField(_("タイムスタンプの時刻"), null=True, blank=True)
    serial = models.CharField(_("シリアル番号"), max_length=100, blank=True)
    policy_oid = models.CharField(_("ポリシー"), max_length=100, blank=True)
    tsa_name = models.CharField(_("TSA 証明書の名前"), max_length=500, blank=True)
    response = models.BinaryField(_("応答（.tsr）"), blank=True, default=b"")

    class Meta:
        verbose_name = _("タイムスタンプトークン")
        verbose_name_plural = _("タイムスタンプトークン")
        ordering = ["stored_file", "-gen_time", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["stored_file"], condition=Q(status="failed"), name="one_pending_timestamp_per_file"
            )
        ]

    def __str__(self):
        return f"{self.stored_file_id} {self.status} {self.serial}"

    @property
    def file_name(self) -> str:
        return f"{self.stored_file.sha256}.tsr"

    @property
    def serial_hex(self) -> str:
        """The serial number as ``openssl ts -reply -text`` prints it (0x0101)."""
        if not self.serial.isdigit():
            return ""
        digits = f"{int(self.serial):X}"
        return "0x" + digits.zfill(len(digits) + len(digits) % 2)


# --- export stream (issue 14): hand-over to the police ---------------------------------


class Handover(models.Model):
    """Evidence handed to the police (証拠の警察への提出): the receiving officer, their
    station and reference number (受理番号), the date and which files went. Each file
    handed over also gets a ``handed_over`` custody event."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("事案"))
    officer_name = models.CharField(_("受け取った警察官"), max_length=100)
    officer_rank = models.CharField(_("階級・役職"), max_length=50, blank=True)
    station = models.CharField(_("警察署"), max_length=200)
    reference = models.CharField(_("受理番号"), max_length=100, blank=True)
    handed_on = models.DateField(_("提出日"))
    note = models.TextField(_("メモ"), blank=True)
    evidence = models.ManyToManyField(Evidence, related_name="handovers", verbose_name=_("提出した証拠"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("記録した職員")
    )
    recorded_at = models.DateTimeField(_("記録日時"), auto_now_add=True)

    class Meta:
        verbose_name = _("証拠の警察への提出")
        verbose_name_plural = _("証拠の警察への提出")
        ordering = ["-handed_on", "-id"]

    def __str__(self):
        return f"{self.station} {self.officer_name} {self.handed_on:%Y-%m-%d}"

    @property
    def officer_label(self) -> str:
        return f"{self.officer_rank} {self.officer_name}".strip()
