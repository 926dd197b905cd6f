"""The contact list as CSV (UTF-8 with BOM, which Excel opens in Japanese) or Excel.

Both begin with a line that says who exported what and when (``provenance_line``;
import-contacts skips it), and neither holds a live formula: text that starts like
one is written as text (OWASP's CSV-injection advice, ``mamoru.lib.spreadsheet``)."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from mamoru.lib.dates import safe_localtime
from mamoru.lib.spreadsheet import PROVENANCE_MARK, csv_cell, starts_like_formula, xlsx_text
from mamoru.policy.loader import current as current_policy

from .choices import HarassmentJudgement
from .models import Contact
from .selectors import contact_table_rows

ROW_LIMIT = 100_000


def _local(value):
    return safe_localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


CHUNK = 2000


def export_pks(contacts) -> list[int]:
    """The primary keys of up to ROW_LIMIT contacts of ``contact_table_list``, in order."""
    return list(contacts.values_list("pk", flat=True)[:ROW_LIMIT])


def _table_rows(pks):
    """ContactRows for these contacts, read in chunks."""
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        rows = {row.pk: row for row in contact_table_rows(Contact.objects.filter(pk__in=chunk))}
        yield from (rows[pk] for pk in chunk)


def provenance_line(*, user, exported_at, count: int, conditions: str) -> str:
    """Who exported, when, how many rows and with which conditions: the first line of an export."""
    return _("{mark} 対応記録 出力者: {name}（{username}） 出力日時: {at} 件数: {count}件 条件: {conditions}").format(
        mark=PROVENANCE_MARK,
        name=user.display_name,
        username=user.username,
        at=_local(exported_at),
        count=count,
        conditions=conditions or _("なし"),
    )


def contact_rows(pks):
    """The header and one row per contact, in the order of ``pks``."""
    pack = current_policy()
    names = pack.category_names()
    judgements = {value: str(label) for value, label in HarassmentJudgement.choices}
    yield [
        _("番号"),
        _("開始日時"),
        _("終了日時"),
        _("対応時間（分）"),
        _("担当課"),
        _("対応方法"),
        _("対応職員"),
        _("住民等"),
        _("件名"),
        _("判断"),
        _("類型"),
    ]
    for contact in _table_rows(pks):
        minutes = round(contact.duration_seconds / 60, 1) if contact.duration_seconds is not None else ""
        yield [
            contact.number,
            _local(contact.started_at),
            _local(contact.ended_at),
            minutes,
            contact.department_name,
            pack.channel_name(contact.channel),
            contact.staff_name,
            contact.resident_name or contact.resident_description,
            contact.summary,
            judgements.get(contact.harassment, contact.harassment),
            "、".join(names.get(code, code) for code in contact.categories),
        ]


def _filename(extension: str) -> str:
    return f"contacts-{timezone.localdate():%Y%m%d}.{extension}"


def contacts_csv(pks, *, user, conditions: str = "") -> HttpResponse:
    exported_at = timezone.now()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([provenance_line(user=user, exported_at=exported_at, count=len(pks), conditions=conditions)])
    writer.writerows([csv_cell(value) for value in row] for row in contact_rows(pks))
    return response


def _xlsx_row(sheet, row):
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in row:
        looks_like_formula = starts_like_formula(value)  # before cleaning: "\r=1+1" is one
        if isinstance(value, str):
            value = xlsx_text(value)
        if looks_like_formula:
            # Written as text, never as a formula; Excel keeps it text when the cell is edited.
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            value = cell
        cells.append(value)
    return cells


def contacts_xlsx(pks, *, user, conditions: str = "") -> HttpResponse:
    from openpyxl import Workbook

    exported_at = timezone.now()
    line = provenance_line(user=user, exported_at=exported_at, count=len(pks), conditions=conditions)
    workbook = Workbook(write_only=True)
    properties = workbook.properties
    properties.title = _("対応記録")
    properties.creator = properties.lastModifiedBy = f"{user.display_name}（{user.username}）"[:255]
    properties.created = properties.modified = exported_at.replace(tzinfo=None)  # openpyxl writes UTC
    properties.description = line[:1000]
    sheet = workbook.create_sheet(_("対応記録"))
    sheet.oddHeader.center.text = xlsx_text(line[:200]).replace("&", "&&")  # printed on every page
    sheet.append(_xlsx_row(sheet, [line]))
    for row in contact_rows(pks):
        sheet.append(_xlsx_row(sheet, row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
