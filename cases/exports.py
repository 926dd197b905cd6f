"""The case list as CSV or Excel (through ``mamoru.exports``)."""

from django.utils.translation import gettext as _

from mamoru.exports import ListFile, limited


def case_list_file(cases) -> ListFile:
    """``cases``: a queryset of ``selectors.case_list_for_display`` (already narrowed to the user)."""
    cases = limited(cases)
    return ListFile(
        title=_("事案"),
        stem="cases",
        header=[
            _("事案番号"),
            _("状態"),
            _("担当課"),
            _("住民等"),
            _("担当者"),
            _("概要"),
            _("報告者"),
            _("報告日時"),
            _("最終更新"),
            _("終結日時"),
        ],
        rows=(
            [
                case.number,
                case.state_name,
                case.department.name,
                case.resident.name if case.resident else "",
                case.handler.display_name if case.handler else _("未定"),
                case.summary,
                case.reported_by.display_name,
                case.opened_at,
                case.last_activity_at,
                case.closed_at,
            ]
            for case in cases
        ),
        count=len(cases),
        widths=(10, 14, 14, 16, 14, 30, 14, 17, 17, 17),
    )
