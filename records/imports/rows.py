"""One row of a city's sheet → the values of a contact (``ContactData``) and
of its resident, parsed and resolved, or every problem of the row at once."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from mamoru.lib.japanese import normalize, normalize_compact, phone_digits
from mamoru.lib.spreadsheet import cell_raw, is_blank

from ..fields import CHOICE, CODES, REASON, TEXT, TEXT_KINDS
from ..services import ContactData
from .mapping import CONTACT_COLUMNS
from .resolving import Resolver
from .values import RowError, check_day, parse_choice, parse_date, parse_minutes, parse_time

# The resident's values a row gives (not fields of the contact).
PERSON_FIELDS = ("name", "kana", "phone", "address")
KEY_VERSION = "v1"


@dataclass
class ParsedRow:
    """One row's values, parsed and resolved, ready to become a contact."""

    number: int
    data: ContactData
    name: str = ""
    kana: str = ""
    phone: str = ""
    address: str = ""
    import_key: str = ""


def cell_of(cells: list, indexes: list[int] | None, *, join: bool = False):
    """The cell of a field: the first non-empty of its columns, or all of them joined (text)."""
    values = [cells[i] for i in indexes or () if i < len(cells) and not is_blank(cells[i])]
    if join:
        return "\n".join(cell_raw(value) for value in values)
    return values[0] if values else None


def import_key_of(data: ContactData, *, name: str, phone: str) -> str:
    """sha256 of the values that identify a record, as resolved (not as written):
    the same record in a re-exported or reformatted file has the same key."""
    local = timezone.localtime
    parts = [
        KEY_VERSION,
        local(data.started_at).strftime("%Y-%m-%dT%H:%M"),
        local(data.ended_at).strftime("%Y-%m-%dT%H:%M") if data.ended_at else "",
        data.department.code,
        data.staff.username,
        data.channel,
        normalize_compact(name),
        phone_digits(phone),
        normalize(data.request_content),
        normalize(data.words_and_behaviour),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def _person_texts(cells: list, columns: dict[str, list[int]]) -> dict[str, str]:
    texts = {name: cell_raw(cell_of(cells, columns.get(name))) for name in PERSON_FIELDS}
    phone_cell = cell_of(cells, columns.get("phone"))
    if isinstance(phone_cell, int | float) and not isinstance(phone_cell, bool):
        # A number cell lost the leading 0 of a Japanese phone number.
        texts["phone"] = "0" + cell_raw(phone_cell)
    return texts


def _recorded_values(cells: list, columns: dict[str, list[int]], resolver: Resolver, errors: list[str]) -> dict:
    """The contact's fields that a column fills, other than its department, staff and channel:
    free texts (several columns of a free text are kept, one per line), fixed choices and codes."""
    values = {}
    for name, spec in CONTACT_COLUMNS.items():
        if name in ("department", "staff", "channel"):
            continue
        try:
            if spec.kind in TEXT_KINDS:
                values[name] = cell_raw(cell_of(cells, columns.get(name), join=spec.kind in (TEXT, REASON)))
            elif spec.kind == CHOICE:
                values[name] = parse_choice(spec, cell_of(cells, columns.get(name)))
            elif spec.kind == CODES:
                values[name] = resolver.codes_of(spec, cell_of(cells, columns.get(name), join=True))
        except RowError as error:
            errors.append(str(error))
    return values


def parse_row(number: int, cells: list, columns: dict[str, list[int]], resolver: Resolver) -> ParsedRow:
    """Read one row. Raises ``RowError`` carrying every problem found (joined by 。)."""
    errors: list[str] = []
    person = _person_texts(cells, columns)

    department = staff = None
    day = start = None
    try:
        day, start = parse_date(cell_of(cells, columns.get("date")))
        check_day(day, cell_of(cells, columns.get("date")))
    except RowError as error:
        errors.append(str(error))
        day = None
    start_cell = cell_of(cells, columns.get("start_time"))
    if start_cell is not None:
        try:
            start = parse_time(start_cell)
        except RowError as error:
            errors.append(str(error))
    elif day is not None and start is None:
        errors.append(_("開始時刻がありません"))
    if department_cell := cell_of(cells, columns.get("department")):
        try:
            department = resolver.department(department_cell)
        except RowError as error:
            errors.append(str(error))
    try:
        staff = resolver.staff(cell_of(cells, columns.get("staff")), department)
    except RowError as error:
        errors.append(str(error))
    if department is None and department_cell is None and staff is not None:
        department = staff.department
        if department is None or department.pk not in resolver.visible:
            errors.append(_("担当課が空で、対応者の所属も使えません"))
    channel = ""
    try:
        channel = resolver.channel(cell_of(cells, columns.get("channel")))
    except RowError as error:
        errors.append(str(error))
    values = _recorded_values(cells, columns, resolver, errors)

    started_at = ended_at = None
    if day is not None and start is not None:
        started_at = timezone.make_aware(dt.datetime.combine(day, start))
        end_cell = cell_of(cells, columns.get("end_time"))
        minutes_cell = cell_of(cells, columns.get("duration_minutes"))
        try:
            if end_cell is not None:
                ended_at = timezone.make_aware(dt.datetime.combine(day, parse_time(end_cell)))
                if ended_at < started_at:
                    raise RowError(
                        _("終了時刻「{end}」が開始時刻「{start}」より前です").format(
                            end=cell_raw(end_cell), start=start.strftime("%H:%M")
                        )
                    )
            elif minutes_cell is not None:
                ended_at = started_at + dt.timedelta(minutes=parse_minutes(minutes_cell))
            else:
                errors.append(_("終了時刻も対応時間（分）もありません"))
        except RowError as error:
            errors.append(str(error))
    if errors:
        raise RowError("。".join(errors))

    name = person["name"] or person["kana"]
    data = ContactData(
        department=department, channel=channel, staff=staff, started_at=started_at, ended_at=ended_at, **values
    )
    parsed = ParsedRow(
        number=number, data=data, name=name, kana=person["kana"], phone=person["phone"], address=person["address"]
    )
    parsed.import_key = import_key_of(data, name=name, phone=person["phone"])
    return parsed
