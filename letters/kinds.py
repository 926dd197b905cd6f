"""Letters that go with no measure of the policy pack (e.g. the answer to another business
about a request, issue 15 B): a higher app registers its kind from ``AppConfig.ready()`` and
then issues it through ``letter_issue(measure_code=<its code>)`` like a measure's letter —
same numbering, same A4 PDF, same editable template. Letters imports none of those apps."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LetterKind:
    code: str  # e.g. "business_request_reply"; must not be a measure code of the pack
    name: str  # what {措置} prints, e.g. 「他事業者からの申入れへの回答」
    letter: str  # the letter's title (表題), e.g. 「申入れに対する回答書」
    body: str  # the default template body (placeholders of ``letters.placeholders``)


_KINDS: dict[str, LetterKind] = {}


def register_kind(kind: LetterKind) -> None:
    _KINDS[kind.code] = kind


def get_kind(code: str) -> LetterKind | None:
    return _KINDS.get(code)


def all_kinds() -> list[LetterKind]:
    return list(_KINDS.values())
