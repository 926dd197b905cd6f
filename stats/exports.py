"""The staff exposure table as CSV (UTF-8 with BOM, which Excel opens in Japanese),
its first line saying who exported it, when, and for which period and departments."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from mamoru.lib.spreadsheet import PROVENANCE_MARK, csv_cell

from .exposure import COLUMNS, ExposureRow


def exposure_csv(rows: list[ExposureRow], *, user, conditions: str) -> HttpResponse:
    exported_at = timezone.localtime()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="staff-exposure-{exported_at:%Y%m%d}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [
            _(
                "{mark} 職員ごとの対応状況 出力者: {name}（{username}） 出力日時: {at} 件数: {count}人 条件: {conditions}"
            ).format(
                mark=PROVENANCE_MARK,
                name=user.display_name,
                username=user.username,
                at=f"{exported_at:%Y-%m-%d %H:%M}",
                count=len(rows),
                conditions=conditions,
            )
        ]
    )
    writer.writerow([_("職員"), _("所属"), *(label for _key, label, _kind in COLUMNS)])
    for row in rows:
        values = ["" if value is None else value for value in row.values()]
        writer.writerow([csv_cell(row.name), csv_cell(row.department), *values])
    return response
