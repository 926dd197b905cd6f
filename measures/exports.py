"""The measure list (措置) as CSV or Excel (through ``mamoru.exports``)."""

from django.utils.translation import gettext as _

from mamoru.exports import ListFile, limited


def measure_list_file(measures) -> ListFile:
    """``measures``: ``selectors.measure_list`` (already narrowed to the user)."""
    measures = limited(measures.select_related("issued_by"))
    return ListFile(
        title=_("措置"),
        stem="measures",
        header=[
            _("措置番号"),
            _("住民等"),
            _("措置"),
            _("状態"),
            _("主管課"),
            _("開始日"),
            _("終了日"),
            _("見直し日"),
            _("起案者"),
            _("起案日時"),
            _("発出日時"),
            _("発出者"),
            _("撤回日時"),
            _("理由"),
        ],
        rows=(
            [
                measure.pk,
                measure.resident.name,
                measure.title,
                measure.get_status_display(),
                measure.lead_department.name,
                measure.starts_on,
                measure.ends_on,
                measure.review_on,
                measure.drafted_by.display_name,
                measure.drafted_at,
                measure.issued_at,
                measure.issued_by.display_name if measure.issued_by else "",
                measure.withdrawn_at,
                measure.reasons,
            ]
            for measure in measures
        ),
        count=len(measures),
        widths=(8, 16, 24, 12, 14, 11, 11, 11, 14, 17, 17, 14, 17, 40),
    )
