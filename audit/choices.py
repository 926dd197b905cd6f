"""Audit action codes, namespaced by app, with the Japanese sentence each reads as."""

ACTION_LABELS = {
    "records.contact.started": "対応記録を開始",
    "records.contact.ended": "対応を終了",
    "records.contact.created": "対応記録を作成",
    "records.contact.updated": "対応記録を更新",
    "records.contact.deleted": "対応記録を削除",
    "records.contact.viewed": "対応記録を閲覧",
    "records.contact.printed": "対応記録票を印刷表示",
    "people.resident.created": "住民等を登録",
    "people.resident.updated": "住民等を更新",
    "people.resident.deleted": "住民等を削除",
    "people.resident.viewed": "住民等の情報を閲覧",
    "accounts.user.created": "利用者を作成",
    "accounts.user.updated": "利用者を更新",
    "accounts.login.succeeded": "ログイン",
    "accounts.login.failed": "ログイン失敗",
    "accounts.login.blocked": "ログイン試行を制限",
    "accounts.logout": "ログアウト",
    "accounts.token.issued": "APIトークンを発行",
    "accounts.token.revoked": "APIトークンを失効",
    "accounts.department.created": "所属を作成",
    "accounts.department.updated": "所属を更新",
    "policy.pack.activated": "ポリシーパックを適用",
    "policy.pack.deactivated": "ポリシーパックの適用を解除",
}


def action_label(code: str) -> str:
    return ACTION_LABELS.get(code, code)
