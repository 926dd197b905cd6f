from django.db import models
from django.utils.translation import gettext_lazy as _


class EvidenceKind(models.TextChoices):
    """What a file is, as staff name it (the content type is detected separately)."""

    RECORDING = "recording", _("録音")
    VIDEO = "video", _("動画")
    PHOTO = "photo", _("写真")
    SCREENSHOT = "screenshot", _("画面の記録（スクリーンショット）")
    DOCUMENT = "document", _("文書・書面")
    OTHER = "other", _("その他")


class CustodyKind(models.TextChoices):
    """What happened to a piece of evidence: each is a line of its chain of custody."""

    UPLOADED = "uploaded", _("登録")
    DUPLICATE_UPLOADED = "duplicate_uploaded", _("同一ファイルの再登録")
    VIEWED = "viewed", _("閲覧")
    PLAYED = "played", _("再生")
    DOWNLOADED = "downloaded", _("ダウンロード")
    EXPORTED = "exported", _("書き出し（提出用）")
    HANDED_OVER = "handed_over", _("引渡し（警察・弁護士等）")
    ANALYSED = "analysed", _("解析")
    TIMESTAMPED = "timestamped", _("タイムスタンプ付与")
    HOLD_SET = "hold_set", _("保存（削除停止）を設定")
    HOLD_RELEASED = "hold_released", _("保存（削除停止）を解除")
    DELETED = "deleted", _("削除")
    # transcripts (issue 14)
    TRANSCRIBED = "transcribed", _("音声認識（反訳の下書き）")
    # timestamps stream
    TOKEN_DOWNLOADED = "token_downloaded", _("タイムスタンプトークンのダウンロード")
    INTEGRITY_FAILED = "integrity_failed", _("完全性の不一致を検出")


# -- worker stream: recording analysis -------------------------------------------
class AnalysisStatus(models.TextChoices):
    """Where the analysis of a recording stands."""

    PENDING = "pending", _("解析待ち")
    RUNNING = "running", _("解析中")
    DONE = "done", _("解析済み")
    FAILED = "failed", _("解析できませんでした")


# transcripts (issue 14): how a transcript's revision was made
class TranscriptSource(models.TextChoices):
    """How a revision of a transcript (反訳書) was made."""

    TYPED = "typed", _("職員が入力")
    IMPORTED = "imported", _("ファイルから取り込み")
    SPEECH_TO_TEXT = "speech_to_text", _("音声認識の下書き")


class TokenStatus(models.TextChoices):
    """Whether the time-stamping authority (TSA) gave a token (timestamps stream)."""

    GRANTED = "granted", _("取得済み")
    FAILED = "failed", _("未取得")


# storage stream (issue 14): why evidence is held from deletion (保存・削除停止).
class HoldGround(models.TextChoices):
    LITIGATION = "litigation", _("訴訟（提起・予定）")
    CRIMINAL_COMPLAINT = "criminal_complaint", _("告訴・告発・被害届")
    DISCLOSURE_REQUEST = "disclosure_request", _("開示請求・審査請求")
    OTHER = "other", _("その他")
