from django.db import models
from django.utils.translation import gettext_lazy as _


class Exposure(models.TextChoices):
    """What of the staff member the post shows."""

    NAME = "name", _("氏名")
    FACE = "face", _("顔写真")
    VIDEO = "video", _("動画")
    VOICE = "voice", _("音声")
    ADDRESS = "address", _("住所")
    FAMILY = "family", _("家族")
    WORKPLACE = "workplace", _("勤務先・所属")
    PRIVATE_LIFE = "private_life", _("私生活")
    OTHER = "other", _("その他")


class StepKind(models.TextChoices):
    """The steps from finding a post to closing it, in their order."""

    FOUND = "found", _("発見")
    PRESERVED = "preserved", _("証拠保全")
    REMOVAL_REQUESTED = "removal_requested", _("削除申出・送信防止措置依頼")
    ANSWERED = "answered", _("回答")
    REMOVAL_CONFIRMED = "removal_confirmed", _("削除の確認")
    DISCLOSURE_ORDER = "disclosure_order", _("発信者情報開示命令")
    LEGAL_ACTION = "legal_action", _("法的措置")
    CLOSED = "closed", _("終結")


STEP_ORDER = [kind.value for kind in StepKind]


class RequestRoute(models.TextChoices):
    """How the deletion was asked for."""

    PLATFORM_FORM = "platform_form", _("事業者の申出フォーム")
    LETTER = "letter", _("送信防止措置依頼書")
    LEGAL_AFFAIRS_BUREAU = "legal_affairs_bureau", _("法務局（人権相談）")
    LAWYER = "lawyer", _("弁護士")


class Answer(models.TextChoices):
    REMOVED = "removed", _("削除された")
    REFUSED = "refused", _("拒否")
    NO_ANSWER = "no_answer", _("無回答")


class LegalAction(models.TextChoices):
    COMPLAINT = "complaint", _("告訴")
    DAMAGES = "damages", _("損害賠償請求")
    SETTLEMENT = "settlement", _("和解")


class DisclosureDecision(models.TextChoices):
    PENDING = "pending", _("審理中")
    GRANTED = "granted", _("開示命令（認容）")
    DISMISSED = "dismissed", _("却下")
    WITHDRAWN = "withdrawn", _("取下げ")


class PostState(models.TextChoices):
    OPEN = "open", _("対応中")
    CLOSED = "closed", _("終結")


class LetterKind(models.TextChoices):
    TAKEDOWN = "takedown", _("侵害情報の通知書 兼 送信防止措置依頼書")
    DELETION = "deletion", _("削除依頼書")


class OnBehalf(models.TextChoices):
    """In whose name the letter asks: the right belongs to the staff member."""

    STAFF = "staff", _("職員本人の名義（市が支援）")
    CITY = "city", _("市の名義（組織を対象とする投稿）")


class Right(models.TextChoices):
    HONOUR = "honour", _("名誉権")
    PRIVACY = "privacy", _("プライバシー")
    PORTRAIT = "portrait", _("肖像権")


# How a step's details read on the timeline (PostStep.detail_rows).
DETAIL_LABELS = {
    "found_by": _("発見した職員"),
    "archive_url": _("アーカイブの URL"),
    "route": _("申出の方法"),
    "to_whom": _("申出先"),
    "answer_due": _("回答期限"),
    "letter_id": _("依頼書"),
    "answer": _("回答"),
    "reason": _("理由"),
    "removed": _("削除を確認"),
    "court": _("裁判所"),
    "provision_order": _("提供命令"),
    "erasure_ban_order": _("消去禁止命令"),
    "decision": _("決定"),
    "decided_on": _("決定日"),
    "identified_poster": _("特定された発信者"),
    "identified_on": _("発信者を知った日"),
    "action": _("法的措置"),
    "against": _("相手方"),
    "filed_with": _("提出先"),
}
DETAIL_CHOICES = {
    "route": RequestRoute.choices,
    "answer": Answer.choices,
    "decision": DisclosureDecision.choices,
    "action": LegalAction.choices,
}
