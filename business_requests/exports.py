"""The list of requests from other businesses (他事業者からの申入れ) as CSV or Excel
(through ``mamoru.exports``): the columns the list page shows and the dates of each step;
the request's contents and the staff named stay on its own page (``may_see_all``)."""

from django.utils.translation import gettext as _

from mamoru.exports import ROW_LIMIT, ListFile


def request_list_file(rows: list) -> ListFile:
    """``rows``: the list page's requests, in its order, each with ``next_due`` set."""
    rows = rows[:ROW_LIMIT]
    return ListFile(
        title=_("他事業者からの申入れ"),
        stem="business-requests",
        header=[
            _("受付番号"),
            _("受付日"),
            _("事業者名"),
            _("受付方法"),
            _("発生日"),
            _("状態"),
            _("調査結果"),
            _("担当者"),
            _("次の期限"),
            _("判断日"),
            _("回答日"),
            _("終結日"),
        ],
        rows=(
            [
                item.pk,
                item.received_on,
                item.business_name,
                item.get_channel_display(),
                item.incident_on,
                item.state_name,
                item.outcome_name,
                item.handler.display_name if item.handler else _("未定"),
                item.next_due,
                item.outcome_on,
                item.reply_sent_on,
                item.closed_on,
            ]
            for item in rows
        ),
        count=len(rows),
        widths=(8, 11, 24, 10, 11, 14, 14, 14, 11, 11, 11, 11),
    )
