"""Audit action codes, namespaced by app, with the Japanese sentence each reads as."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "records.contact.started": _("対応記録を開始"),
    "records.contact.ended": _("対応を終了"),
    "records.contact.created": _("対応記録を作成"),
    "records.contact.updated": _("対応記録を更新"),
    "records.contact.deleted": _("対応記録を削除"),
    "records.contact.viewed": _("対応記録を閲覧"),
    "records.contact.printed": _("対応記録票を印刷表示"),
    "people.resident.created": _("住民等を登録"),
    "people.resident.updated": _("住民等を更新"),
    "people.resident.deleted": _("住民等を削除"),
    "people.resident.viewed": _("住民等の情報を閲覧"),
    "accounts.user.created": _("利用者を作成"),
    "accounts.user.updated": _("利用者を更新"),
    "accounts.login.succeeded": _("ログイン"),
    "accounts.login.failed": _("ログイン失敗"),
    "accounts.login.blocked": _("ログイン試行を制限"),
    "accounts.logout": _("ログアウト"),
    "accounts.token.issued": _("APIトークンを発行"),
    "accounts.token.revoked": _("APIトークンを失効"),
    "accounts.department.created": _("所属を作成"),
    "accounts.department.updated": _("所属を更新"),
    "assessment.suggestion.accepted": _("類型の提案を採用"),
    "assessment.suggestion.rejected": _("類型の提案を不採用"),
    "backup.call.created": _("応援要請"),
    "backup.call.taken": _("応援要請に対応（向かいます）"),
    "backup.call.escalated": _("応答のない応援要請を次の段階へ引き上げ"),
    "backup.call.resolved": _("応援要請を終了"),
    "cases.case.opened": _("事案を報告（新規）"),
    "cases.case.joined": _("対応記録を事案に追加"),
    "cases.case.state_changed": _("事案の状態を変更"),
    "cases.case.handler_assigned": _("事案の担当者を指定"),
    "cases.case.viewed": _("事案を閲覧"),
    "cases.case.printed": _("事案の経過を印刷表示"),
    "cases.event.recorded": _("事案の経過を記録"),
    "cases.follow_up.recorded": _("職員のケアを記録"),
    "cases.follow_up.completed": _("職員のケアを実施済みに"),
    "notifications.notification.read": _("お知らせを既読に"),
    "policy.pack.activated": _("ポリシーパックを適用"),
    "policy.pack.deactivated": _("ポリシーパックの適用を解除"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
