"""What the evidence commands share: the acting user, times and kinds given on the command line."""

import datetime as dt
import unicodedata

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import handles_contacts

from ...choices import EvidenceKind

KIND_HELP = "証拠の種類（" + ", ".join(EvidenceKind.values) + "。既定は内容から判定）"


def acting_user(username: str) -> User:
    actor = User.objects.filter(username=username, is_active=True).select_related("department").first()
    if actor is None:
        raise CommandError(_("ユーザー「{user}」が見つかりません。").format(user=username))
    if not handles_contacts(actor):
        raise CommandError(
            _("ユーザー「{user}」は証拠を登録できません（対応記録を扱う職員のみ）。").format(user=username)
        )
    return actor


def kind_option(value: str) -> str:
    if value and value not in EvidenceKind.values:
        raise CommandError(
            _("--kind は {kinds} のいずれかで指定してください。").format(kinds=", ".join(EvidenceKind.values))
        )
    return value


def moment_option(value: str | None) -> dt.datetime | None:
    """``2026-12-03 10:15``, ``2026-12-03T10:15:30`` or with an offset; without one, the city's time."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("/", "-"))
    except ValueError:
        raise CommandError(
            _("--captured-at「{value}」は日時として読めません（例: 2026-12-03 10:15）。").format(value=value)
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain text table that lines up on a terminal (Japanese characters count two)."""
    widths = [max(display_width(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        return "  ".join(
            str(cell) + " " * (widths[i] - display_width(str(cell))) for i, cell in enumerate(cells)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(row) for row in rows)])
