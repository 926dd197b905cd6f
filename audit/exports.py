"""The audit log as CSV or Excel (through ``mamoru.exports``): for its readers, with the
same columns as the page; an administrator's file, like the page, names the kind and id
of each object, never its name or contents."""

import json

from django.utils.translation import gettext as _

from mamoru.exports import ListFile, limited


def _json(value) -> str:
    if value is None:
        return ""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def audit_list_file(entries, *, target, contents: bool) -> ListFile:
    """``entries``: ``selectors.audit_entry_list`` (the user's); ``target(entry, contents)``
    the object as the page shows it."""
    entries = limited(entries)
    header = [_("日時"), _("利用者"), _("操作"), _("対象"), _("接続元"), _("リクエストID")]
    if contents:
        header += [_("変更前"), _("変更後・条件と件数")]

    def row(entry):
        values = [
            entry.created_at,
            entry.actor_name,
            entry.action_label,
            target(entry, contents),
            entry.address or "",
            entry.request_id or "",
        ]
        if contents:
            values += [_json(entry.before), _json(entry.after)]
        return values

    return ListFile(
        title=_("監査ログ"),
        stem="audit-log",
        header=header,
        rows=(row(entry) for entry in entries),
        count=len(entries),
        widths=(19, 16, 30, 24, 16, 20, 40, 40),
        seconds=True,
    )
