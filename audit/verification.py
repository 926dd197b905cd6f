"""Checking the audit log's hash chain (``python -m mamoru audit-verify``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from . import chain
from .models import AuditChainHead, AuditEntry

# An entry written while another transaction held the end of the chain is chained right after
# its commit; one still unchained after this long did not come from the app.
UNCHAINED_GRACE_SECONDS = 60


@dataclass(frozen=True)
class ChainProblem:
    """The first place where the chain does not hold: the entry's number (and its
    database id when there is one) and what is wrong, in Japanese."""

    sequence: int | None
    entry_id: int | None
    message: str


@dataclass(frozen=True)
class ChainReport:
    checked: int
    last_sequence: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def audit_chain_verify(*, chunk_size: int = 2000) -> ChainReport:
    """Walk the chain from entry 1: every number present once and in order, every
    entry's hash recomputed from what it records, every link to the hash before it,
    and the chain as long as its head says. Stops at the first problem."""
    fields = ("id", *chain.HASHED_FIELDS, "entry_hash")
    expected, previous, checked = 1, chain.GENESIS, 0
    entries = AuditEntry.objects.filter(sequence__isnull=False).order_by("sequence").values(*fields)
    for values in entries.iterator(chunk_size=chunk_size):
        sequence = values["sequence"]
        if sequence != expected:
            missing = (
                _("通し番号 {number} の記録がありません（削除されています）。").format(number=expected)
                if sequence - expected == 1
                else _("通し番号 {first}〜{last} の記録がありません（削除されています）。").format(
                    first=expected, last=sequence - 1
                )
            )
            return ChainReport(checked, expected - 1, ChainProblem(expected, None, missing))
        if chain.entry_hash(values) != values["entry_hash"]:
            return ChainReport(
                checked,
                sequence,
                ChainProblem(
                    sequence,
                    values["id"],
                    _("通し番号 {number}（ID {id}）の記録が書き換えられています（ハッシュが一致しません）。").format(
                        number=sequence, id=values["id"]
                    ),
                ),
            )
        if values["previous_hash"] != previous:
            return ChainReport(
                checked,
                sequence,
                ChainProblem(
                    sequence - 1 if sequence > 1 else sequence,
                    None,
                    _(
                        "通し番号 {number} の記録の前の記録とのつながりが切れています（通し番号 {before} が書き換えられたか、差し替えられています）。"
                    ).format(number=sequence, before=sequence - 1),
                ),
            )
        previous, expected, checked = values["entry_hash"], expected + 1, checked + 1
    last = expected - 1
    stale = timezone.now() - dt.timedelta(seconds=UNCHAINED_GRACE_SECONDS)
    unchained = AuditEntry.objects.filter(sequence__isnull=True, created_at__lt=stale).order_by("id").first()
    if unchained is not None:
        return ChainReport(
            checked,
            last,
            ChainProblem(
                None,
                unchained.pk,
                _(
                    "ID {id} の記録がチェーンにつながっていません（通し番号もハッシュもなく、データベースに直接追加された可能性があります）。"
                ).format(id=unchained.pk),
            ),
        )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.sequence > last:
        first_missing = last + 1
        message = (
            _("通し番号 {number} の記録がありません（最後の記録が削除されています）。").format(number=first_missing)
            if head.sequence == first_missing
            else _("通し番号 {first}〜{last} の記録がありません（最後の記録が削除されています）。").format(
                first=first_missing, last=head.sequence
            )
        )
        return ChainReport(checked, last, ChainProblem(first_missing, None, message))
    if head is not None and head.sequence == last and head.entry_hash != previous:
        return ChainReport(
            checked,
            last,
            ChainProblem(
                last,
                None,
                _("通し番号 {number}（最後の記録）が差し替えられています（チェーンの末尾と一致しません）。").format(
                    number=last
                ),
            ),
        )
    return ChainReport(checked, last, None)
