"""The register of personal-data requests (開示請求の受付簿) as CSV or Excel (through
``mamoru.exports``): one row per request with its dates and decision, never the data
collected for it."""

from django.utils import timezone
from django.utils.translation import gettext as _

from mamoru.exports import ListFile, limited


def request_list_file(requests) -> ListFile:
    """``requests``: ``selectors.disclosure_request_list`` (the user's)."""
    requests = limited(requests)
    today = timezone.localdate()
    return ListFile(
        title=_("開示請求の受付簿"),
        stem="disclosure-requests",
        header=[
            _("受付番号"),
            _("受付日"),
            _("請求者"),
            _("請求者の区分"),
            _("代理人の氏名"),
            _("請求の方法"),
            _("本人確認書類"),
            _("状態"),
            _("決定期限"),
            _("残り日数"),
            _("収集"),
            _("審査"),
            _("決定"),
            _("決定日"),
            _("交付日"),
        ],
        rows=(
            [
                item.number,
                item.received_on,
                item.resident.name,
                item.get_requester_kind_display(),
                item.representative_name,
                item.get_channel_display(),
                item.get_identity_document_display(),
                item.get_state_display(),
                item.due_on,
                (item.due_on - today).days if item.is_open else None,
                item.collected_by.display_name if item.collected_by else "",
                item.reviewer.display_name if item.reviewer else "",
                item.get_decision_display(),
                item.decided_on,
                item.delivered_on,
            ]
            for item in requests
        ),
        count=len(requests),
        widths=(10, 11, 16, 10, 14, 10, 14, 12, 11, 8, 14, 14, 12, 11, 11),
    )
