"""Bringing a city's existing 記録 spreadsheet in (``python -m mamoru import-contacts``).

The file (.xlsx, or .csv in UTF-8 or Shift_JIS) is read row by row; each
column is mapped to a field (``records.import_mapping``); each row's values
are parsed (dates such as 2025/4/1, R7.4.1 and 令和7年4月1日, times such as
9:05 and 9時5分, Excel date and time cells, a duration in minutes instead of
an end time) and resolved against the database and the policy pack (担当課,
対応者, 対応方法 and 類型 by name). A row that cannot be read is reported with
its row number as in the spreadsheet and skipped; the others are imported.

Each row is written in its own transaction through the same services as the
UI: ``people.services.resident_create`` (after asking ``people.matching`` for
a resident who is the same person) and ``records.services.contact_create``.
The contact keeps an ``import_key``, a hash of the values that identify the
record (not of the file), so running the import again imports nothing twice.
A dry run does all of it inside one transaction that is rolled back.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Department, User
from accounts.selectors import department_visible_ids
from audit.services import audit_record
from mamoru.lib.japanese import normalize, normalize_compact, phone_digits
from mamoru.lib.variants import fold_variants
from mamoru.lib.wareki import ERAS
from mamoru.policy.loader import current as current_policy

from .choices import HarassmentJudgement
from .import_mapping import FIELDS, REQUIRED_FIELDS, header_key
from .models import Contact
from .services import ContactData, contact_create

TEXT_FIELDS = (
    "place",
    "name",
    "kana",
    "phone",
    "address",
    "resident_description",
    "summary",
    "request_content",
    "words_and_behaviour",
    "staff_response",
    "outcome",
)
# Free-text fields filled from several columns keep them all, one per line;
# other fields take the first non-empty column.
JOINED_FIELDS = ("request_content", "words_and_behaviour", "staff_response", "outcome")
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
KEY_VERSION = "v1"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported (not found, unreadable, no
    header, a required column missing); the message is Japanese."""


class RowError(ValueError):
    """One value of one row cannot be read; the message is Japanese."""


# ---------------------------------------------------------------- reading


def _decode(raw: bytes, encoding: str | None) -> str:
    if encoding:
        name = encoding.strip().lower().replace("_", "-")
        if name in {"shift-jis", "sjis", "shiftjis", "cp932", "ms932", "windows-31j", "s-jis"}:
            name = "cp932"
        elif name in {"utf-8", "utf8", "utf-8-sig"}:
            name = "utf-8-sig"
        try:
            codecs.lookup(name)
        except LookupError as error:
            raise ImportFileError(_("文字コード「{encoding}」はわかりません。").format(encoding=encoding)) from error
        try:
            return raw.decode(name)
        except UnicodeDecodeError as error:
            raise ImportFileError(
                _("ファイルを文字コード「{encoding}」として読めません（{position}バイト目）。").format(
                    encoding=encoding, position=error.start + 1
                )
            ) from error
    for name in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(name)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("ファイルの文字コードがわかりません（UTF-8 でも Shift_JIS でもありません）。--encoding で指定してください。")
    )


def _read_csv(path: Path, encoding: str | None) -> list[tuple[int, list]]:
    text = _decode(path.read_bytes(), encoding)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return [(number, row) for number, row in enumerate(reader, start=1)]


def _read_xlsx(path: Path, sheet: str | None) -> list[tuple[int, list]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        raise ImportFileError(
            _("Excelファイル「{name}」を開けません: {error}").format(name=path.name, error=error)
        ) from error
    try:
        if sheet:
            if sheet not in workbook.sheetnames:
                raise ImportFileError(
                    _("シート「{sheet}」がありません。あるシート: {names}").format(
                        sheet=sheet, names="、".join(workbook.sheetnames)
                    )
                )
            worksheet = workbook[sheet]
        else:
            worksheet = workbook.worksheets[0]
        return [
            (number, list(row)) for number, row in enumerate(worksheet.iter_rows(min_row=1, values_only=True), start=1)
        ]
    finally:
        workbook.close()


def read_rows(path: str | Path, *, encoding: str | None = None, sheet: str | None = None) -> list[tuple[int, list]]:
    """(row number as in the spreadsheet, cell values) for every row of the file."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(_("ファイル「{path}」が見つかりません。").format(path=path))
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, encoding)
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet)
    if suffix == ".xls":
        raise ImportFileError(_("古い形式（.xls）は読めません。Excelで .xlsx 形式として保存し直してください。"))
    raise ImportFileError(_("読める形式は .xlsx と .csv です（「{name}」）。").format(name=path.name))


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def locate_header(rows: list[tuple[int, list]], header_row: int | None) -> int:
    """The index in ``rows`` of the header: row ``header_row`` (1-based) or the first non-empty one."""
    for index, (number, cells) in enumerate(rows):
        if header_row is not None:
            if number == header_row:
                if all(_blank(cell) for cell in cells):
                    raise ImportFileError(_("{row}行目は空で、見出しの行として使えません。").format(row=header_row))
                return index
        elif not all(_blank(cell) for cell in cells):
            return index
    if header_row is not None:
        raise ImportFileError(_("{row}行目がありません。").format(row=header_row))
    raise ImportFileError(_("ファイルが空です。"))


def map_columns(headers: list, mapping: dict[str, str]) -> dict[str, list[int]]:
    """Field → the column indexes that fill it; every required field must have one."""
    columns: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        name = mapping.get(header_key(header))
        if name:
            columns.setdefault(name, []).append(index)
    missing = [str(FIELDS[name]) for name in REQUIRED_FIELDS if name not in columns]
    if missing:
        raise ImportFileError(
            _("必要な列が見つかりません: {missing}（見出し: {headers}）。--map 列名=項目 で指定できます。").format(
                missing="、".join(missing), headers="、".join(str(h) for h in headers if not _blank(h))
            )
        )
    return columns


# ---------------------------------------------------------------- values

_WEEKDAY = re.compile(r"[(（][月火水木金土日][)）]|[(（](?:mon|tue|wed|thu|fri|sat|sun)[)）]", re.IGNORECASE)
_ERA_BY_NAME = {name: start.year for start, name in ERAS}
_ERA_BY_LETTER = {"R": "令和", "H": "平成", "S": "昭和", "T": "大正", "M": "明治"}
_SEP = r"\s*[年./-]\s*"
_WESTERN_DATE = re.compile(rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*[月./-]\s*(\d{{1,2}})\s*日?(.*)$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ERA_DATE = re.compile(
    rf"^(令和|平成|昭和|大正|明治|[RHSTM])\s*(元|\d{{1,2}}){_SEP}(\d{{1,2}})\s*[月./-]\s*(\d{{1,2}})\s*日?(.*)$",
    re.IGNORECASE,
)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$")
_KANJI_CLOCK = re.compile(r"^(\d{1,2})時(?:(\d{1,2})分)?(?:(\d{1,2})秒)?$")
_MERIDIEM = re.compile(r"^(午前|午後|am|pm)?(.*?)(am|pm)?$", re.IGNORECASE)
_HOURS_MINUTES = re.compile(r"^(?:(\d+(?:\.\d+)?)時間)?(?:(\d+(?:\.\d+)?)分)?$")


def _raw(value) -> str:
    """A cell as written (trimmed); numbers without a trailing .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _text(value) -> str:
    """A cell as compared and parsed: NFKC (full-width digits and signs folded)."""
    return unicodedata.normalize("NFKC", _raw(value)).strip()


def _excel_serial(value: float) -> dt.datetime:
    from openpyxl.utils.datetime import from_excel

    return from_excel(value)


def parse_date(value) -> tuple[dt.date, dt.time | None]:
    """A date cell or text → (date, time of day if the cell carried one)."""
    if isinstance(value, dt.datetime):
        return value.date(), (value.time() if value.time() != dt.time(0) else None)
    if isinstance(value, dt.date):
        return value, None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 1 <= value < 2958466:
            raise RowError(_("日付「{value}」を読めません").format(value=value))
        moment = _excel_serial(value)
        return moment.date(), (moment.time() if moment.time() != dt.time(0) else None)
    text = _WEEKDAY.sub("", _text(value)).strip()
    if not text:
        raise RowError(_("日付が空です"))
    try:
        if match := _ERA_DATE.match(text):
            era, year, month, day, rest = match.groups()
            era = _ERA_BY_LETTER.get(era.upper(), era)
            year = 1 if year == "元" else int(year)
            moment = dt.date(_ERA_BY_NAME[era] + year - 1, int(month), int(day))
        elif match := _WESTERN_DATE.match(text):
            year, month, day, rest = match.groups()
            moment = dt.date(int(year), int(month), int(day))
        elif match := _COMPACT_DATE.match(text):
            moment, rest = dt.date(*(int(part) for part in match.groups())), ""
        else:
            raise ValueError(text)
        time = parse_time(rest) if rest.strip() else None
    except (ValueError, RowError) as error:
        raise RowError(_("日付「{value}」を読めません").format(value=_raw(value))) from error
    return moment, time


def parse_time(value) -> dt.time:
    """A time cell or text (9:05, 9時5分, 午後1時) → a time of day."""
    if isinstance(value, dt.datetime):
        return value.time().replace(microsecond=0)
    if isinstance(value, dt.time):
        return value.replace(microsecond=0)
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value < 1:
        seconds = round(value * 86400)
        return dt.time(seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
    text = _text(value).replace(" ", "")
    try:
        meridiem_before, rest, meridiem_after = _MERIDIEM.match(text).groups()
        meridiem = (meridiem_before or meridiem_after or "").lower()
        match = _CLOCK.match(rest) or _KANJI_CLOCK.match(rest)
        if not match:
            raise ValueError(text)
        hour, minute, second = (int(part or 0) for part in match.groups())
        if meridiem in ("午後", "pm") and hour < 12:
            hour += 12
        elif meridiem in ("午前", "am") and hour == 12:
            hour = 0
        return dt.time(hour, minute, second)
    except ValueError as error:
        raise RowError(_("時刻「{value}」を読めません").format(value=_raw(value))) from error


def parse_minutes(value) -> float:
    """A duration in minutes: 30, 30分, 1時間30分, 1:30 (h:mm), or an Excel time cell."""
    if isinstance(value, dt.timedelta):
        minutes = value.total_seconds() / 60
    elif isinstance(value, dt.time):
        minutes = value.hour * 60 + value.minute + value.second / 60
    elif isinstance(value, int | float) and not isinstance(value, bool):
        minutes = float(value)
    else:
        text = _text(value).replace(" ", "")
        try:
            if re.fullmatch(r"\d+(?:\.\d+)?", text):
                minutes = float(text)
            elif match := _CLOCK.match(text):
                hours, mins, secs = (int(part or 0) for part in match.groups())
                minutes = hours * 60 + mins + secs / 60
            elif (match := _HOURS_MINUTES.match(text)) and any(match.groups()):
                minutes = float(match.group(1) or 0) * 60 + float(match.group(2) or 0)
            else:
                raise ValueError(text)
        except ValueError as error:
            raise RowError(_("対応時間「{value}」を分として読めません").format(value=_raw(value))) from error
    if minutes < 0 or minutes > 24 * 60:
        raise RowError(_("対応時間「{value}」分は範囲外です").format(value=_raw(value)))
    return minutes


_JUDGEMENT_WORDS = {
    HarassmentJudgement.YES: (
        "該当",
        "該当する",
        "該当あり",
        "カスハラ",
        "はい",
        "yes",
        "y",
        "○",
        "〇",
        "◯",
        "有",
        "あり",
        "true",
        "1",
    ),
    HarassmentJudgement.NO: (
        "",
        "非該当",
        "該当しない",
        "いいえ",
        "no",
        "n",
        "×",
        "✕",
        "無",
        "なし",
        "false",
        "0",
        "-",
    ),
    HarassmentJudgement.UNSURE: (
        "検討中",
        "判断に迷う",
        "迷う",
        "保留",
        "判断保留",
        "不明",
        "相談中",
        "要検討",
        "確認中",
        "△",
        "?",
    ),
}


def parse_judgement(value) -> str:
    """該当/非該当/検討中 and their usual variants → a ``HarassmentJudgement`` value."""
    text = normalize_compact(_text(value))
    words = {normalize_compact(word): choice for choice, options in _JUDGEMENT_WORDS.items() for word in options}
    for choice in HarassmentJudgement:
        words[normalize_compact(str(choice.label))] = choice.value
        words[choice.value] = choice.value
    if text in words:
        return str(words[text])
    raise RowError(
        _("カスハラ該当「{value}」を読めません（該当・非該当・検討中 のいずれか）").format(value=_raw(value))
    )


# ---------------------------------------------------------------- resolving names


def _person_key(name: str) -> str:
    """A staff name as compared: NFKC, no spaces, variant kanji folded (髙橋 = 高橋)."""
    return fold_variants(normalize_compact(name))


class Resolver:
    """Turns names in the sheet into departments, staff, channel and category
    codes, reading each table once per import."""

    def __init__(self, *, actor):
        self.actor = actor
        self.visible = set(department_visible_ids(user=actor))
        self.departments: dict[str, Department] = {}
        for department in Department.objects.filter(is_active=True):
            self.departments[normalize_compact(department.name)] = department
            self.departments.setdefault(normalize_compact(department.code), department)
        self.users_by_username: dict[str, User] = {}
        self.users_by_name: dict[str, list[User]] = {}
        for user in User.objects.exclude(role=Role.ADMINISTRATOR).select_related("department"):
            self.users_by_username[normalize_compact(user.username)] = user
            if user.full_name:
                self.users_by_name.setdefault(_person_key(user.full_name), []).append(user)
        pack = current_policy()
        self.channels = {}
        for code, name in pack.channel_choices():
            self.channels[normalize_compact(name)] = code
            self.channels.setdefault(normalize_compact(code), code)
        self.categories = {}
        for code, name in pack.category_choices():
            self.categories[normalize_compact(name)] = code
            self.categories.setdefault(normalize_compact(code), code)

    def department(self, value) -> Department:
        text = _raw(value)
        department = self.departments.get(normalize_compact(text))
        if department is None:
            raise RowError(_("担当課「{value}」が見つかりません").format(value=text))
        if department.pk not in self.visible:
            raise RowError(_("担当課「{value}」の記録は、このユーザーでは取り込めません").format(value=text))
        return department

    def staff(self, value, department: Department | None) -> User:
        text = _raw(value)
        if not text:
            raise RowError(_("対応者が空です"))
        found = self.users_by_name.get(_person_key(text), [])
        if len(found) > 1:
            found = [user for user in found if user.is_active] or found
        if len(found) > 1 and department is not None:
            found = [user for user in found if user.department_id == department.pk] or found
        if len(found) > 1:
            raise RowError(
                _("対応者「{value}」に当たる職員が複数います。ユーザー名で書いてください").format(value=text)
            )
        user = found[0] if found else self.users_by_username.get(normalize_compact(text))
        if user is None:
            raise RowError(_("対応者「{value}」が職員の中に見つかりません").format(value=text))
        if not user.is_active:
            raise RowError(
                _("対応者「{value}」は無効になっている利用者のため、記録に指定できません").format(value=text)
            )
        return user

    def channel(self, value) -> str:
        text = _raw(value)
        if not text:
            raise RowError(_("対応方法が空です"))
        code = self.channels.get(normalize_compact(text))
        if code is None:
            names = "・".join(name for name in self.channels if name not in self.channels.values())
            raise RowError(_("対応方法「{value}」はわかりません（{names}）").format(value=text, names=names))
        return code

    def categories_of(self, value) -> list[str]:
        """Category names separated by 、 , / or ・; a name that itself holds ・
        (セクシュアル・ハラスメント) is recognised whole first."""
        codes: list[str] = []
        unknown: list[str] = []
        for part in re.split(r"[、,，;；/／\n]+", _text(value)):
            part = part.strip()
            if not part:
                continue
            code = self.categories.get(normalize_compact(part))
            if code is not None:
                codes.append(code)
                continue
            for piece in re.split(r"[・･]+", part):
                piece = piece.strip()
                if not piece:
                    continue
                code = self.categories.get(normalize_compact(piece))
                if code is None:
                    unknown.append(piece)
                else:
                    codes.append(code)
        if unknown:
            raise RowError(_("類型「{value}」はポリシーパックにありません").format(value="、".join(unknown)))
        return list(dict.fromkeys(codes))


# ---------------------------------------------------------------- rows


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


@dataclass
class RowOutcome:
    """What happened to one row: imported, already imported, or failed."""

    number: int
    status: str  # "imported", "already", "failed"
    errors: list[str] = field(default_factory=list)
    contact: Contact | None = None
    resident: object = None
    resident_created: bool = False
    reasons: tuple[str, ...] = ()

    def describe(self) -> str:
        """A Japanese line for the report."""
        if self.status == "failed":
            return _("{row}行目: {errors}").format(row=self.number, errors="。".join(self.errors))
        if self.status == "already":
            return _("{row}行目: 既に取り込み済みです").format(row=self.number)
        text = _("{row}行目: 取り込みました（対応記録 No.{number}）").format(
            row=self.number, number=self.contact.number if self.contact else "-"
        )
        if self.resident is not None and self.resident_created:
            text += _("、住民等「{name}」を新しく登録").format(name=self.resident)
        elif self.resident is not None:
            text += _("、既存の住民等「{name}」と統合（{reasons}）").format(
                name=self.resident, reasons="、".join(self.reasons)
            )
        return text


@dataclass
class ImportResult:
    """The outcome of one import run, row by row."""

    rows: list[RowOutcome] = field(default_factory=list)
    unused_headers: list[str] = field(default_factory=list)
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def imported(self) -> int:
        return self.count("imported")

    @property
    def already(self) -> int:
        return self.count("already")

    @property
    def failed(self) -> int:
        return self.count("failed")

    @property
    def residents_created(self) -> int:
        return sum(1 for row in self.rows if row.status == "imported" and row.resident_created)

    @property
    def residents_reused(self) -> int:
        return sum(
            1 for row in self.rows if row.status == "imported" and row.resident is not None and not row.resident_created
        )

    def summary(self) -> str:
        text = _(
            "取り込み: {imported}件、既に取り込み済み: {already}件、読めなかった行: {failed}件、"
            "新しく登録した住民等: {created}人、既存の住民等と統合: {reused}件"
        ).format(
            imported=self.imported,
            already=self.already,
            failed=self.failed,
            created=self.residents_created,
            reused=self.residents_reused,
        )
        if self.dry_run:
            text = _("（確認のみ。何も書き込んでいません）") + text
        return text


def _value(cells: list, indexes: list[int] | None, *, join: bool = False):
    """The cell of a field: the first non-empty of its columns, or all of them joined (text)."""
    values = [cells[i] for i in indexes or () if i < len(cells) and not _blank(cells[i])]
    if join:
        return "\n".join(_raw(value) for value in values)
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


def parse_row(number: int, cells: list, columns: dict[str, list[int]], resolver: Resolver) -> ParsedRow:
    """Read one row. Raises ``RowError`` carrying every problem found (joined by 。)."""
    errors: list[str] = []
    texts = {name: _value(cells, columns.get(name), join=name in JOINED_FIELDS) for name in TEXT_FIELDS}
    texts = {name: "" if value is None else _raw(value) for name, value in texts.items()}
    phone_cell = _value(cells, columns.get("phone"))
    if isinstance(phone_cell, int | float) and not isinstance(phone_cell, bool):
        # A number cell lost the leading 0 of a Japanese phone number.
        texts["phone"] = "0" + _raw(phone_cell)

    department = staff = None
    day = start = None
    try:
        day, start = parse_date(_value(cells, columns.get("date")))
    except RowError as error:
        errors.append(str(error))
    start_cell = _value(cells, columns.get("start_time"))
    if start_cell is not None:
        try:
            start = parse_time(start_cell)
        except RowError as error:
            errors.append(str(error))
    elif day is not None and start is None:
        errors.append(_("開始時刻がありません"))
    if department_cell := _value(cells, columns.get("department")):
        try:
            department = resolver.department(department_cell)
        except RowError as error:
            errors.append(str(error))
    try:
        staff = resolver.staff(_value(cells, columns.get("staff")), department)
    except RowError as error:
        errors.append(str(error))
    if department is None and department_cell is None and staff is not None:
        department = staff.department
        if department is None or department.pk not in resolver.visible:
            errors.append(_("担当課が空で、対応者の所属も使えません"))
    channel = ""
    try:
        channel = resolver.channel(_value(cells, columns.get("channel")))
    except RowError as error:
        errors.append(str(error))
    harassment = HarassmentJudgement.NO
    try:
        harassment = parse_judgement(_value(cells, columns.get("harassment")))
    except RowError as error:
        errors.append(str(error))
    categories: list[str] = []
    try:
        categories = resolver.categories_of(_value(cells, columns.get("categories"), join=True))
    except RowError as error:
        errors.append(str(error))

    started_at = ended_at = None
    if day is not None and start is not None:
        started_at = timezone.make_aware(dt.datetime.combine(day, start))
        end_cell = _value(cells, columns.get("end_time"))
        minutes_cell = _value(cells, columns.get("duration_minutes"))
        try:
            if end_cell is not None:
                ended_at = timezone.make_aware(dt.datetime.combine(day, parse_time(end_cell)))
                if ended_at < started_at:
                    raise RowError(
                        _("終了時刻「{end}」が開始時刻「{start}」より前です").format(
                            end=_raw(end_cell), start=start.strftime("%H:%M")
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

    name = texts["name"] or texts["kana"]
    data = ContactData(
        department=department,
        channel=channel,
        staff=staff,
        started_at=started_at,
        ended_at=ended_at,
        place=texts["place"],
        resident_description=texts["resident_description"],
        summary=texts["summary"],
        request_content=texts["request_content"],
        words_and_behaviour=texts["words_and_behaviour"],
        staff_response=texts["staff_response"],
        outcome=texts["outcome"],
        harassment=harassment,
        categories=categories,
    )
    parsed = ParsedRow(
        number=number, data=data, name=name, kana=texts["kana"], phone=texts["phone"], address=texts["address"]
    )
    parsed.import_key = import_key_of(data, name=name, phone=texts["phone"])
    return parsed


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        labels = {
            "department": _("担当課"),
            "channel": _("対応方法"),
            "staff": _("対応者"),
            "started_at": _("開始日時"),
            "ended_at": _("終了日時"),
            "categories": _("類型"),
            "harassment": _("カスハラ該当"),
            "phones": _("電話番号"),
            "name": _("氏名"),
        }
        return [
            f"{labels.get(name, FIELDS.get(name, name))}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


_PHONE_SEPARATORS = re.compile(r"[/／,，、;；\n]|または|又は")


def _resident_for(*, actor, parsed: ParsedRow):
    """The resident a row refers to: the best candidate the matcher judges the
    same person, else a new one. Returns (resident, created, reasons)."""
    if not parsed.name:
        return None, False, ()
    from people.matching import PersonFields, resident_candidates
    from people.services import resident_create

    phones = [number.strip() for number in _PHONE_SEPARATORS.split(parsed.phone) if number.strip()]
    fields = PersonFields(name=parsed.name, kana=parsed.kana, phone=phones[0] if phones else "", address=parsed.address)
    for candidate in resident_candidates(fields, limit=5, include_possible=False):
        if candidate.decision.same:
            return candidate.resident, False, tuple(candidate.decision.reasons)
    resident = resident_create(
        actor=actor,
        name=parsed.name,
        name_kana=parsed.kana,
        address=parsed.address,
        phones=phones,
    )
    return resident, True, ()


def _write_row(*, actor, parsed: ParsedRow, source: str) -> RowOutcome:
    outcome = RowOutcome(number=parsed.number, status="imported")
    with transaction.atomic():
        resident, created, reasons = _resident_for(actor=actor, parsed=parsed)
        parsed.data.resident = resident
        contact = contact_create(actor=actor, data=parsed.data)
        Contact.objects.filter(pk=contact.pk).update(import_key=parsed.import_key)
        contact.import_key = parsed.import_key
        audit_record(
            actor=actor,
            action="records.contact.imported",
            obj=contact,
            after={
                "file": source,
                "row": parsed.number,
                "import_key": parsed.import_key,
                "resident": str(resident) if resident else "",
                "resident_created": created,
                "match_reasons": list(reasons),
            },
        )
    outcome.contact, outcome.resident, outcome.resident_created, outcome.reasons = contact, resident, created, reasons
    return outcome


def _import_row(*, actor, number: int, cells: list, columns, resolver: Resolver, source: str) -> RowOutcome:
    try:
        parsed = parse_row(number, cells, columns, resolver)
    except RowError as error:
        return RowOutcome(number=number, status="failed", errors=[str(error)])
    if Contact.objects.filter(import_key=parsed.import_key).exists():
        return RowOutcome(number=number, status="already")
    try:
        return _write_row(actor=actor, parsed=parsed, source=source)
    except ValidationError as error:
        return RowOutcome(number=number, status="failed", errors=_messages(error))
    except PermissionDenied as error:
        return RowOutcome(number=number, status="failed", errors=[str(error)])
    except IntegrityError:
        if Contact.objects.filter(import_key=parsed.import_key).exists():
            return RowOutcome(number=number, status="already")
        raise


def _check_actor(actor) -> None:
    if actor is None or not actor.is_active or not actor.handles_records:
        raise PermissionDenied(_("このユーザーは対応記録を扱えないため、取り込みできません。"))


def contacts_import(
    *,
    actor,
    path: str | Path,
    mapping: dict[str, str],
    encoding: str | None = None,
    sheet: str | None = None,
    header_row: int | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a city's 記録 sheet as contacts, one transaction per row.

    Raises ``ImportFileError`` when the file as a whole cannot be read and
    ``PermissionDenied`` when the actor cannot record contacts; a bad row only
    fails that row. ``dry_run`` runs everything and rolls it all back."""
    _check_actor(actor)
    path = Path(path)
    rows = read_rows(path, encoding=encoding, sheet=sheet)
    header_index = locate_header(rows, header_row)
    headers = rows[header_index][1]
    columns = map_columns(headers, mapping)
    result = ImportResult(dry_run=dry_run)
    result.unused_headers = [
        _text(header) for header in headers if not _blank(header) and header_key(header) not in mapping
    ]
    resolver = Resolver(actor=actor)

    def run() -> None:
        for number, cells in rows[header_index + 1 :]:
            if all(_blank(cell) for cell in cells):
                continue
            result.rows.append(
                _import_row(
                    actor=actor, number=number, cells=cells, columns=columns, resolver=resolver, source=path.name
                )
            )
        audit_record(
            actor=actor,
            action="records.contact.import_ran",
            after={
                "file": path.name,
                "imported": result.imported,
                "already": result.already,
                "failed": result.failed,
                "residents_created": result.residents_created,
                "residents_reused": result.residents_reused,
            },
        )

    if dry_run:
        with transaction.atomic():
            run()
            transaction.set_rollback(True)
    else:
        run()
    return result
