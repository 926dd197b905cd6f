"""Writing the rows: each in its own transaction, through the same services
as the pages (``people.services.resident_create`` after ``people.matching``,
``records.services.contact_create`` with every rule of the record), with an
import key so that a second run imports nothing twice; and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.lib.spreadsheet import cell_text, is_blank

from ..fields import CONTACT_FIELDS
from ..models import Contact
from ..services import contact_create
from .mapping import FIELDS, header_key
from .reading import locate_header, map_columns, read_rows
from .resolving import Resolver, resident_for
from .rows import ParsedRow, parse_row
from .values import RowError


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


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        # The contact's fields by the import's word for them; the resident's by the sheet's.
        labels = {spec.name: spec.import_label or spec.label for spec in CONTACT_FIELDS}
        labels.update(phones=_("電話番号"), name=_("氏名"))
        return [
            f"{labels.get(name, FIELDS.get(name, name))}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


def _write_row(*, actor, parsed: ParsedRow, source: str) -> RowOutcome:
    outcome = RowOutcome(number=parsed.number, status="imported")
    with transaction.atomic():
        resident, created, reasons = resident_for(actor=actor, parsed=parsed)
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
        cell_text(header) for header in headers if not is_blank(header) and header_key(header) not in mapping
    ]
    resolver = Resolver(actor=actor)

    def run() -> None:
        for number, cells in rows[header_index + 1 :]:
            if all(is_blank(cell) for cell in cells):
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
