"""The staff exposure table as CSV or Excel, through the one list export
(``mamoru.exports``: second sign-in, audit entry, encoding the user chose)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from mamoru.exports import ListFile

from .exposure import COLUMNS, ExposureRow


def exposure_list_file(rows: list[ExposureRow]) -> ListFile:
    return ListFile(
        title=_("職員ごとの対応状況"),
        stem="staff-exposure",
        header=[_("職員"), _("所属"), *(label for _key, label, _kind in COLUMNS)],
        rows=([row.name, row.department, *("" if v is None else v for v in row.values())] for row in rows),
        count=len(rows),
    )
