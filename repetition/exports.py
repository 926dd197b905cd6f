"""The repetition flags (繰り返しの確認) as CSV or Excel (through ``mamoru.exports``)."""

from django.utils.translation import gettext as _

from mamoru.exports import ListFile, limited


def flag_list_file(flags) -> ListFile:
    """``flags``: ``selectors.flag_list_for_display`` (the specialist section's)."""
    flags = limited(flags)
    return ListFile(
        title=_("繰り返しの確認"),
        stem="repetition-flags",
        header=[
            _("状態"),
            _("住民等"),
            _("基準"),
            _("基準の名称"),
            _("対応の回数"),
            _("部署の数"),
            _("対応時間の合計（分）"),
            _("部署"),
            _("集計期間の開始"),
            _("集計期間の終了"),
            _("最新の対応"),
            _("検出日時"),
            _("判断した職員"),
            _("判断日時"),
            _("判断の理由"),
        ],
        rows=(
            [
                flag.get_status_display(),
                flag.resident.name,
                flag.rule_description,
                flag.rule_name,
                flag.contact_count,
                flag.department_count,
                flag.minutes,
                "、".join(sorted({contact.department.name for contact in flag.live_contacts})),
                flag.window_start,
                flag.window_end,
                flag.newest_contact_at,
                flag.detected_at,
                flag.decided_by.display_name if flag.decided_by else "",
                flag.decided_at,
                flag.decision_reason,
            ]
            for flag in flags
        ),
        count=len(flags),
        widths=(10, 16, 30, 20, 8, 8, 10, 24, 17, 17, 17, 17, 14, 17, 30),
    )
