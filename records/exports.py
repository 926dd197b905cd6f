"""The contact list as CSV (UTF-8 with BOM, which Excel opens in Japanese) or Excel."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from mamoru.lib.dates import safe_localtime
from mamoru.lib.spreadsheet import xlsx_value
from mamoru.policy.loader import current as current_policy

from .choices import HarassmentJudgement
from .models import Contact
from .selectors import contact_table_rows

ROW_LIMIT = 100_000


def _local(value):
    return safe_localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


CHUNK = 2000


def _table_rows(contacts):
    """ContactRows for up to ROW_LIMIT contacts of ``contact_table_list``, read in chunks."""
    pks = list(contacts.values_list("pk", flat=True)[:ROW_LIMIT])
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        rows = {row.pk: row for row in contact_table_rows(Contact.objects.filter(pk__in=chunk))}
        yield from (rows[pk] for pk in chunk)


def contact_rows(contacts):
    """The header and one row per contact, in the order of the list."""
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
    for contact in _table_rows(contacts):
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


def contacts_csv(contacts) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerows(contact_rows(contacts))
    return response


def contacts_xlsx(contacts) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("対応記録"))
    for row in contact_rows(contacts):
        sheet.append([xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
