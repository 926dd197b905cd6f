from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestState(models.TextChoices):
    """Where a disclosure request (開示請求) stands. Each step is a service in ``disclosure.services``."""

    RECEIVED = "received", _("受付")
    COLLECTED = "collected", _("収集済み")
    IN_REVIEW = "in_review", _("審査中")
    DECIDED = "decided", _("決定")
    DELIVERED = "delivered", _("交付済み")


class RequesterKind(models.TextChoices):
    SELF = "self", _("本人")
    LEGAL_REPRESENTATIVE = "legal", _("法定代理人")
    DELEGATE = "delegate", _("任意代理人")


class IdentityDocument(models.TextChoices):
    """How the requester's identity was confirmed (本人確認書類). The document's own number is never recorded."""

    MY_NUMBER_CARD = "my_number_card", _("マイナンバーカード（個人番号カード）")
    DRIVING_LICENCE = "driving_licence", _("運転免許証")
    PASSPORT = "passport", _("旅券（パスポート）")
    RESIDENCE_CARD = "residence_card", _("在留カード・特別永住者証明書")
    INSURANCE_CARD = "insurance_card", _("健康保険の資格確認書等（補助書類と併せて）")
    BY_POST = "by_post", _("郵送：本人確認書類の写しと住民票の写し")
    OTHER = "other", _("その他（備考に記載）")


class RequestChannel(models.TextChoices):
    COUNTER = "counter", _("窓口")
    POST = "post", _("郵送")


class DeliveryMethod(models.TextChoices):
    COUNTER = "counter", _("窓口で交付")
    POST = "post", _("郵送で交付")


class Decision(models.TextChoices):
    """開示決定等: the decision on a disclosure request."""

    FULL = "full", _("全部開示")
    PARTIAL = "partial", _("部分開示")
    NONE = "none", _("不開示")


class WithholdingGround(models.TextChoices):
    """Why part of what is held is not disclosed (不開示情報, 個人情報保護法第78条第1項)."""

    REQUESTER_HARM = "requester_harm", _("開示請求者の生命、健康、生活又は財産を害するおそれがある情報")
    THIRD_PARTY = "third_party", _("開示請求者以外の個人に関する情報")
    STAFF_NAME = "staff_name", _("職員の氏名（市が不開示と定めたもの）")
    WORK_HINDRANCE = "work_hindrance", _("事務又は事業の適正な遂行に支障を及ぼすおそれがある情報")
    OTHER = "other", _("その他")


class CorrectionState(models.TextChoices):
    RECEIVED = "received", _("受付")
    DECIDED = "decided", _("決定")


class CorrectionDecision(models.TextChoices):
    CORRECT = "correct", _("訂正する")
    NOT_CORRECT = "not_correct", _("訂正しない")
