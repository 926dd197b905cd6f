"""Bringing in a folder of recordings exported from a phone recorder or an IC recorder
(``python -m mamoru evidence-import FOLDER``): each file is matched to its contact,
then kept as evidence of it.

A file matches a contact

- by its phone number: a number in the file's name (``0287231234_20261203_101530.wav``)
  that is a phone of the contact's resident, on a contact of the file's day; or
- by its time: the time in its name (``20261203_101530``, ``2026-12-03 10.15.30``) or,
  without one, the file's modification time, within the contact's start and end
  (± a tolerance, for clocks that differ by a few minutes).

Only files whose extension names a kind of evidence are looked at (recordings, videos,
photos, documents; not archives). A file that matches no contact, or more than one, is
reported and left alone: nothing is matched twice, and a file already kept as evidence
of its contact (the same SHA-256) is not added again."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.lib.japanese import phone_digits
from records.selectors import ContactFilter, contact_list

from .detection import ACCEPTED, SYNONYMS
from .incoming import incoming_from_path
from .models import Evidence
from .services import evidence_add

DEFAULT_TOLERANCE = dt.timedelta(minutes=10)
_MOMENT = re.compile(r"(?<!\d)(20\d{2})[-_.]?(\d{2})[-_.]?(\d{2})[-_. T]?(\d{2})[-_.:]?(\d{2})[-_.:]?(\d{2})(?!\d)")
_PHONE = re.compile(r"(?<![\d])(\+81[-\d]{9,13}|0\d{1,4}-?\d{1,4}-?\d{3,4})(?![\d])")

MATCHED, UNMATCHED, AMBIGUOUS, ALREADY, SKIPPED, ADDED, DUPLICATE, REFUSED = (
    "matched",
    "unmatched",
    "ambiguous",
    "already",
    "skipped",
    "added",
    "duplicate",
    "refused",
)
STATUS_LABELS = {
    MATCHED: "取り込み予定",
    UNMATCHED: "該当なし",
    AMBIGUOUS: "候補が複数",
    ALREADY: "取り込み済み",
    SKIPPED: "対象外",
    ADDED: "取り込み",
    DUPLICATE: "取り込み（同一ファイルあり）",
    REFUSED: "取り込めず",
}


@dataclass
class FileMatch:
    """One file of the folder: when and whose it seems to be, and what became of it."""

    path: Path
    moment: dt.datetime | None = None
    moment_source: str = ""  # "name" or "mtime"
    phone: str = ""
    contact: object | None = None
    candidates: list[int] = field(default_factory=list)
    status: str = UNMATCHED
    reason: str = ""
    evidence: Evidence | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def file_moment(path: Path) -> tuple[dt.datetime, str]:
    """When the file was recorded: the time in its name (the city's local time), else its mtime."""
    match = _MOMENT.search(path.stem)
    if match:
        try:
            moment = dt.datetime(*(int(part) for part in match.groups()))
            return timezone.make_aware(moment), "name"
        except ValueError:  # 20261340_…: not a time
            pass
    return dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC), "mtime"


def file_phone(path: Path) -> str:
    """The phone number in the file's name (its digits), or ``""``."""
    stem = _MOMENT.sub(" ", path.stem)
    for match in _PHONE.finditer(stem):
        digits = phone_digits(match.group(1))
        if 10 <= len(digits) <= 11:
            return digits
    return ""


def _evidence_extension(path: Path) -> bool:
    suffix = path.suffix.lower().lstrip(".")
    return SYNONYMS.get(suffix, suffix) in ACCEPTED


def folder_files(folder: Path) -> list[Path]:
    """The files of ``folder`` and its subfolders, hidden ones left out, in name order."""
    return sorted(
        path
        for path in folder.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    )


def _within(contacts, moment: dt.datetime, tolerance: dt.timedelta):
    return contacts.annotate(until=Coalesce("ended_at", "started_at")).filter(
        started_at__lte=moment + tolerance, until__gte=moment - tolerance
    )


def _pick(found: FileMatch, contacts, how: str) -> bool:
    """Decide when ``contacts`` says something: one → matched, several → ambiguous."""
    rows = list(contacts[:6])
    if not rows:
        return False
    found.candidates = [contact.pk for contact in rows]
    if len(rows) == 1:
        found.contact, found.status, found.reason = rows[0], MATCHED, how
    else:
        found.status = AMBIGUOUS
        found.reason = _("{how}で複数の対応記録に当てはまります（No. {numbers}）").format(
            how=how, numbers=", ".join(str(pk) for pk in found.candidates[:5])
        )
    return True


def match_file(*, user, path: Path, department_id: int | None = None, tolerance=DEFAULT_TOLERANCE) -> FileMatch:
    found = FileMatch(path=path)
    if not _evidence_extension(path):
        found.status, found.reason = (
            SKIPPED,
            _("証拠として扱う形式ではありません（拡張子 {suffix}）").format(suffix=path.suffix or _("なし")),
        )
        return found
    found.moment, found.moment_source = file_moment(path)
    found.phone = file_phone(path)
    contacts = contact_list(user=user, filters=ContactFilter(department_id=department_id))
    if found.phone:
        day = timezone.localtime(found.moment).date()
        same_day = (
            contact_list(user=user, filters=ContactFilter(department_id=department_id, date_from=day, date_to=day))
            .filter(resident__phones__digits=found.phone)
            .distinct()
        )
        if same_day.count() > 1 and found.moment_source == "name":
            same_day = _within(same_day, found.moment, tolerance)
        if _pick(found, same_day, _("電話番号")):
            return found
    if _pick(found, _within(contacts, found.moment, tolerance).distinct(), _("時刻")):
        return found
    found.reason = _("{source}の時刻 {moment} に当てはまる対応記録がありません").format(
        source=_("ファイル名") if found.moment_source == "name" else _("ファイルの更新日時"),
        moment=timezone.localtime(found.moment).strftime("%Y-%m-%d %H:%M:%S"),
    )
    return found


def match_folder(*, user, folder: Path, department_id: int | None = None, tolerance=DEFAULT_TOLERANCE):
    """What each file of ``folder`` would become (reads only)."""
    found = [
        match_file(user=user, path=path, department_id=department_id, tolerance=tolerance)
        for path in folder_files(folder)
    ]
    for item in found:
        if item.status == MATCHED:
            sha256 = incoming_from_path(item.path).sha256
            if Evidence.objects.filter(contact=item.contact, stored_file__sha256=sha256).exists():
                item.status, item.reason = ALREADY, _("この対応記録の証拠として登録済みです")
    return found


def evidence_import(*, actor, folder: Path, found: list[FileMatch], kind: str = "") -> list[FileMatch]:
    """Keep each matched file as evidence of its contact (one ``evidence_add`` per file:
    a refused file is reported and stops none of the others)."""
    for item in found:
        if item.status != MATCHED:
            continue
        try:
            added = evidence_add(
                actor=actor,
                incoming=incoming_from_path(item.path),
                contact=item.contact,
                kind=kind,
                captured_at=item.moment if item.moment_source == "name" else None,
                description=_("フォルダから取り込み（{how}で対応記録と照合）").format(how=item.reason),
            )
        except (ValidationError, PermissionDenied) as error:
            item.status = REFUSED
            item.reason = " ".join(getattr(error, "messages", [str(error)]))
            continue
        item.evidence = added.evidence
        item.status = DUPLICATE if added.duplicate_of is not None else ADDED
        if added.note:
            item.reason = f"{item.reason}。{added.note}"
    counts: dict[str, int] = {}
    for item in found:
        counts[item.status] = counts.get(item.status, 0) + 1
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="evidence.evidence.imported",
            obj=None,
            after={"folder": str(folder)[:200], "counts": counts},
        )
    return found
