"""Bringing a city's existing 記録 spreadsheet in (``python -m mamoru import-contacts``).

The file (.xlsx, or .csv in UTF-8 or Shift_JIS) is read row by row
(``reading``); each column is mapped to a field (``mapping``, from
``records.fields``); each row's values are parsed (dates such as 2025/4/1,
R7.4.1 and 令和7年4月1日, times such as 9:05 and 9時5分, Excel date and time
cells, a duration in minutes instead of an end time: ``values`` and
``mamoru.lib.dates``) and resolved against the database and the policy pack
(担当課, 対応者, 対応方法, 類型 and 生じた被害 by name: ``resolving``) into a
contact's values (``rows``). A row that cannot be read is reported with its row
number as in the spreadsheet and skipped; the others are imported.

Each row is written in its own transaction (``writing``) through the same
services as the UI: ``people.services.resident_create`` (after asking
``people.matching`` for a resident who is the same person) and
``records.services.contact_create``, so every rule of the contact record holds.
Old sheets carry no answers to the definition check and import as before; a
sheet with those columns is held to the form's rules, and a row that breaks one
is reported with its field and the form's message. The contact keeps an
``import_key``, a hash of the values that identify the record (not of the
file), so running the import again imports nothing twice.
A dry run does all of it inside one transaction that is rolled back.
"""

from .mapping import FIELDS, REQUIRED_FIELDS, MappingError, build_mapping, header_key
from .reading import ImportFileError, locate_header, map_columns, read_rows
from .resolving import Resolver
from .rows import ParsedRow, import_key_of, parse_row
from .values import RowError, parse_choice, parse_date, parse_minutes, parse_time
from .writing import ImportResult, RowOutcome, contacts_import

__all__ = [
    "FIELDS",
    "REQUIRED_FIELDS",
    "ImportFileError",
    "ImportResult",
    "MappingError",
    "ParsedRow",
    "Resolver",
    "RowError",
    "RowOutcome",
    "build_mapping",
    "contacts_import",
    "header_key",
    "import_key_of",
    "locate_header",
    "map_columns",
    "parse_choice",
    "parse_date",
    "parse_minutes",
    "parse_row",
    "parse_time",
    "read_rows",
]
