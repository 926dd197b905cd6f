"""Exporting a list page as CSV or Excel: one way for every list.

A list view asks ``requested_format(request)``; when it says ``"csv"`` or ``"xlsx"``
the view hands its rows to ``export_list``, which

1. asks for the second sign-in first when the list holds personal data
   (``accounts.signin_middleware.step_up_response``),
2. records the export in the audit log with its filters and row count
   (``audit.services.audit_read``),
3. writes the file (``mamoru.lib.export_files``) with the line that says who
   exported what and when, in the encoding the user chose
   (``?format=csv&encoding=cp932``; without one, the user's last choice, else
   UTF-8 with a BOM), and remembers that choice in the session,
4. tells the user, in a message on the next page, how many characters
   Shift_JIS could not hold (they are 〓 in the file, and counted in its first line).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.signin_middleware import step_up_response
from audit.services import audit_read
from mamoru.forms import filters_text
from mamoru.lib.dates import safe_localtime
from mamoru.lib.export_files import CP932, UTF8, csv_bytes, encoding_label, export_encoding, xlsx_bytes
from mamoru.lib.spreadsheet import PROVENANCE_MARK

FORMATS = ("csv", "xlsx")
ROW_LIMIT = 100_000
SESSION_KEY = "mamoru_export_encoding"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def requested_format(request) -> str | None:
    """``"csv"`` or ``"xlsx"`` when the list is asked for as a file, else ``None``."""
    value = request.GET.get("format", "")
    return value if value in FORMATS else None


def limited(items) -> list:
    """At most ``ROW_LIMIT`` rows of a list (a queryset is read once, sliced in the database)."""
    return list(items[:ROW_LIMIT])


def chosen_encoding(request) -> str:
    """The encoding in the link, else the user's last choice (this session), else UTF-8."""
    asked = export_encoding(request.GET.get("encoding"))
    if asked:
        return asked
    remembered = export_encoding(request.session.get(SESSION_KEY)) if hasattr(request, "session") else None
    return remembered or UTF8


def provenance_line(*, title: str, user, exported_at, count: int, conditions: str) -> str:
    """Who exported, when, how many rows and with which conditions: the first line of an export."""
    at = safe_localtime(exported_at).strftime("%Y-%m-%d %H:%M") if exported_at else ""
    return _("{mark} {title} 出力者: {name}（{username}） 出力日時: {at} 件数: {count}件 条件: {conditions}").format(
        mark=PROVENANCE_MARK,
        title=title,
        name=user.display_name,
        username=user.username,
        at=at,
        count=count,
        conditions=conditions or _("なし"),
    )


@dataclass(frozen=True)
class ListFile:
    """What a list hands over to be written: its name (the sheet, the first line), the
    file name's start (``contacts`` → contacts-20251201.csv), the header and the rows
    (values as they are: numbers, text, local naive datetimes, dates)."""

    title: str
    stem: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    count: int
    widths: Sequence[int] = ()
    seconds: bool = False  # times to the second (the audit log)


def _attachment(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # personal data: never kept by a browser or a proxy
    return response


def list_file_response(request, *, fmt: str, listed: ListFile, conditions: str = "") -> HttpResponse:
    """The file itself (no sign-in check, no audit: ``export_list`` does both)."""
    user = request.user
    exported_at = timezone.now()
    line = provenance_line(
        title=listed.title, user=user, exported_at=exported_at, count=listed.count, conditions=conditions
    )
    filename = f"{listed.stem}-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        content = xlsx_bytes(
            title=listed.title,
            first_line=line,
            header=listed.header,
            rows=listed.rows,
            creator=f"{user.display_name}（{user.username}）",
            created=exported_at,
            widths=listed.widths,
            seconds=listed.seconds,
        )
        return _attachment(content, content_type=XLSX_TYPE, filename=f"{filename}.xlsx")
    encoding = chosen_encoding(request)
    asked = request.GET.get("encoding", "")
    if asked and export_encoding(asked) is None:
        messages.warning(
            request,
            _(
                "文字コード「{asked}」はわからないため、{used} で書き出しました（UTF-8 か Shift_JIS を選べます）。"
            ).format(asked=asked[:40], used=encoding_label(encoding)),
        )
    content, replaced = csv_bytes(
        first_line=line, header=listed.header, rows=listed.rows, encoding=encoding, seconds=listed.seconds
    )
    if hasattr(request, "session"):
        request.session[SESSION_KEY] = encoding
    if replaced:
        messages.warning(
            request,
            _(
                "書き出した CSV（Shift_JIS）で、Shift_JIS で表せない文字 {count}字を「〓」に置き換えました。"
                "元の文字のまま必要なときは CSV（UTF-8）か Excel で書き出してください。"
            ).format(count=replaced),
        )
    charset = "shift_jis" if encoding == CP932 else "utf-8"
    return _attachment(content, content_type=f"text/csv; charset={charset}", filename=f"{filename}.csv")


def export_list(
    request,
    *,
    fmt: str,
    listed: ListFile | Callable[[], ListFile],
    audit_action: str,
    filters: dict[str, str] | None = None,
    personal: bool = True,
) -> HttpResponse:
    """A list page's export: the second sign-in when the list holds personal data, the
    audit entry (filters and count), then the file. ``listed`` may be a function that
    reads the rows: then nothing is read before the second sign-in."""
    if personal:
        response = step_up_response(request)
        if response is not None:
            return response
    if callable(listed):
        listed = listed()
    audit_read(actor=request.user, action=audit_action, filters=filters or {}, count=listed.count)
    return list_file_response(request, fmt=fmt, listed=listed, conditions=filters_text(filters or {}))
