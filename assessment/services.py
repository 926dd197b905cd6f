"""Assessment support: suggestions for a contact, staff decisions on them,
batch classification, the export of staff-confirmed labels and retraining."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.policy.loader import current as current_policy

from .features import normalize, sentence_spans
from .hooks import suggestion_signals
from .model import MODEL_PATH, TextClassifier
from .models import Suggestion, SuggestionDecision

# Contacts by one resident within this window suggest "repetition".
REPETITION_DAYS = 30
REPETITION_MIN_CONTACTS = 3
# Phrases that name a sit-in or a refusal to leave, whatever the duration says.
DETENTION_WORDS = ("居座", "帰らない", "帰らず", "座り込", "不退去", "帰ろうとしない")


@functools.cache
def classifier() -> TextClassifier:
    """The shipped model, loaded once per process."""
    return TextClassifier.load(MODEL_PATH)


# -- suggestions ----------------------------------------------------------------
# Where a suggestion comes from: the words typed, the record's data, the analysis of a
# recording (offered by evidence through hooks.suggestion_signals).
SOURCES = ("text", "data", "recording")


@dataclass
class SuggestionView:
    code: str
    name: str
    score: float
    source: str  # one of SOURCES
    evidence: list[str]
    example: str
    segments: list[tuple[str, bool]] = field(default_factory=list)  # the text, with highlighted parts
    decision: str = ""


def _bigrams(text: str) -> set[str]:
    text = normalize(text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def matching_example(code: str, sentence: str) -> str:
    """The pack's example for ``code`` that shares most with ``sentence``."""
    category = current_policy().category(code)
    if category is None or not category.examples:
        return ""
    grams = _bigrams(sentence)
    return max(category.examples, key=lambda example: len(grams & _bigrams(example)) / (len(_bigrams(example)) or 1))


def _segments(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """The sentences holding the evidence, cut into plain and highlighted parts."""
    out: list[tuple[str, bool]] = []
    for start, end in sentence_spans(text):
        inside = [(a, b) for a, b in spans if a < end and b > start]
        if not inside:
            continue
        if out:
            out.append(("…", False))
        position = start
        for a, b in sorted(inside):
            a, b = max(a, start), min(b, end)
            if a > position:
                out.append((text[position:a], False))
            out.append((text[a:b], True))
            position = b
        if position < end:
            out.append((text[position:end], False))
    return out


def _context_sentence(text: str, spans: list[tuple[int, int]]) -> str:
    return "".join(part for part, _hl in _segments(text, spans)) or text


def suggestions_for_text(text: str) -> list[SuggestionView]:
    """Suggested categories for a text, strongest first (the model's own)."""
    if not text or not text.strip():
        return []
    prediction = classifier().predict(text)
    names = current_policy().category_names()
    views = []
    for code in prediction.categories:
        spans = prediction.spans.get(code, [])
        views.append(
            SuggestionView(
                code=code,
                name=names.get(code, code),
                score=prediction.scores[code],
                source="text",
                evidence=prediction.evidence.get(code, []),
                example=matching_example(code, _context_sentence(text, spans)),
                segments=_segments(text, spans),
            )
        )
    views.sort(key=lambda view: -view.score)
    return views


def _detention_from_data(*, text: str, duration_seconds: int | None) -> SuggestionView | None:
    pack = current_policy()
    limit = pack.response_time.limit_minutes
    name = pack.category_names().get("long_detention", "long_detention")
    example = pack.category("long_detention").examples[0] if pack.category("long_detention") else ""
    if duration_seconds and duration_seconds >= limit * 60:
        minutes = duration_seconds // 60
        return SuggestionView(
            code="long_detention",
            name=name,
            score=1.0,
            source="data",
            evidence=[_("対応時間 %(minutes)s分（基本方針の目安 %(limit)s分）") % {"minutes": minutes, "limit": limit}],
            example=example,
        )
    folded = normalize(text)
    for word in DETENTION_WORDS:
        position = folded.find(word)
        if position >= 0:
            spans = [(i, i + len(word)) for i in [text.find(word)] if i >= 0]
            return SuggestionView(
                code="long_detention",
                name=name,
                score=0.6,
                source="data",
                evidence=[text[spans[0][0] : spans[0][1]]] if spans else [word],
                example=matching_example("long_detention", word),
                segments=_segments(text, spans),
            )
    return None


def _repetition_from_history(*, user, resident, contact=None, now=None) -> SuggestionView | None:
    from records.selectors import contact_list

    if resident is None:
        return None
    now = now or timezone.now()
    recent = contact_list(user=user).filter(resident=resident, started_at__gte=now - dt.timedelta(days=REPETITION_DAYS))
    count = recent.count() + (0 if contact is not None and contact.pk else 1)
    if count < REPETITION_MIN_CONTACTS:
        return None
    per_department = Counter(recent.values_list("department__name", flat=True))
    detail = "、".join(f"{name} {n}件" for name, n in per_department.most_common())
    pack = current_policy()
    category = pack.category("repetition")
    many_departments = len(per_department) > 1
    example = ""
    if category and category.examples:
        example = category.examples[-1] if many_departments else category.examples[0]
    return SuggestionView(
        code="repetition",
        name=pack.category_names().get("repetition", "repetition"),
        score=min(1.0, 0.5 + 0.1 * count),
        source="data",
        evidence=[
            _("過去%(days)s日間に%(count)s件（%(detail)s）")
            % {"days": REPETITION_DAYS, "count": count, "detail": detail}
        ],
        example=example,
    )


def _signals_from_hook(*, user, contact) -> list[SuggestionView]:
    """Suggestions other apps offer through ``hooks.suggestion_signals`` (evidence: its
    recordings' analysis), one per category, for the pack's categories only."""
    pack = current_policy()
    codes, names = pack.category_codes(), pack.category_names()
    merged: dict[str, SuggestionView] = {}
    for signals in suggestion_signals.collect(user=user, contact=contact):
        for signal in signals:
            if signal.code not in codes:
                continue
            category = pack.category(signal.code)
            view = merged.setdefault(
                signal.code,
                SuggestionView(
                    code=signal.code,
                    name=names.get(signal.code, signal.code),
                    score=0.0,
                    source=signal.source,
                    evidence=[],
                    example=category.examples[0] if category and category.examples else "",
                ),
            )
            view.score = max(view.score, max(0.0, min(1.0, float(signal.score))))
            view.evidence.extend(e for e in signal.evidence if e not in view.evidence)
    return list(merged.values())


def suggestions_for_contact(
    *, user, text: str, duration_seconds: int | None = None, resident=None, contact=None
) -> list[SuggestionView]:
    """Text suggestions plus those from data (duration, the resident's history),
    each with the staff decision already recorded for the contact, if any."""
    views = suggestions_for_text(text)
    by_code = {view.code: view for view in views}
    for data_view in (
        _detention_from_data(text=text, duration_seconds=duration_seconds),
        _repetition_from_history(user=user, resident=resident, contact=contact),
    ):
        if data_view is None:
            continue
        if data_view.code in by_code:
            existing = by_code[data_view.code]
            existing.evidence = [*existing.evidence, *[e for e in data_view.evidence if e not in existing.evidence]]
            existing.score = max(existing.score, data_view.score)
        else:
            views.append(data_view)
            by_code[data_view.code] = data_view
    if contact is not None and contact.pk:
        for signal_view in _signals_from_hook(user=user, contact=contact):
            if signal_view.code in by_code:
                existing = by_code[signal_view.code]
                existing.evidence = [
                    *existing.evidence,
                    *[e for e in signal_view.evidence if e not in existing.evidence],
                ]
                existing.score = max(existing.score, signal_view.score)
            else:
                views.append(signal_view)
                by_code[signal_view.code] = signal_view
        for code, decision in Suggestion.objects.filter(contact=contact).values_list("code", "decision"):
            if code in by_code:
                by_code[code].decision = decision
    return views


@transaction.atomic
def suggestion_decide(
    *, actor, contact, code: str, decision: str, score: float, source: str, evidence: list[str], text: str
) -> Suggestion:
    """Record that staff accepted or rejected a suggested category."""
    if decision not in SuggestionDecision.values:
        raise ValueError(decision)
    if code not in current_policy().category_codes():
        raise ValueError(code)
    suggestion, _created = Suggestion.objects.update_or_create(
        contact=contact,
        code=code,
        defaults={
            "score": max(0.0, min(1.0, float(score))),
            "source": source if source in SOURCES else "text",
            "evidence": [str(e)[:500] for e in evidence][:5],
            "text": text,
            "decision": decision,
            "decided_by": actor,
        },
    )
    audit_record(
        actor=actor,
        action=f"assessment.suggestion.{decision}",
        obj=contact,
        after={"code": code, "score": suggestion.score},
    )
    return suggestion


def suggestion_decide_shown(
    *, actor, contact, code: str, decision: str, text: str, duration_seconds: int | None, resident
) -> Suggestion:
    """Record a decision on the suggestion as the assistant shows it now: the
    score and evidence are computed here, never taken from the browser."""
    shown = {
        view.code: view
        for view in suggestions_for_contact(
            user=actor, text=text, duration_seconds=duration_seconds, resident=resident, contact=contact
        )
    }.get(code)
    return suggestion_decide(
        actor=actor,
        contact=contact,
        code=code,
        decision=decision,
        score=shown.score if shown else 0.0,
        source=shown.source if shown else "text",
        evidence=shown.evidence if shown else [],
        text=text,
    )


def suggestion_decisions_record(*, actor, contact, decisions: list[str]) -> list[Suggestion]:
    """The decisions made on the form of a contact not yet saved (「code:accepted」
    or 「code:rejected」, the last one per code counts), stored once the contact
    is. Entries that are not a decision on one of the pack's categories are left out."""
    wanted: dict[str, str] = {}
    codes = current_policy().category_codes()
    for entry in decisions:
        code, _sep, decision = str(entry).partition(":")
        if code in codes and decision in SuggestionDecision.values:
            wanted[code] = decision
    return [
        suggestion_decide_shown(
            actor=actor,
            contact=contact,
            code=code,
            decision=decision,
            text=contact.words_and_behaviour,
            duration_seconds=contact.duration_seconds,
            resident=contact.resident,
        )
        for code, decision in wanted.items()
    ]


# -- batch classification -------------------------------------------------------
def classify_lines(lines, output, *, model=None) -> tuple[int, list[str]]:
    """Classify JSONL input lines ``{"id", "text"}`` and write one JSON line
    per good input line. Returns (lines written, problems by line number)."""
    model = model or classifier()
    written, problems = 0, []
    for number, line in enumerate(lines, start=1):
        if isinstance(line, bytes):
            line = line.decode("utf-8", "replace")
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as error:
            problems.append(_("%(line)s行目: JSONとして読めません（%(error)s）") % {"line": number, "error": error})
            continue
        if not isinstance(item, dict) or "text" not in item:
            problems.append(_('%(line)s行目: "text" のあるJSONオブジェクトが必要です') % {"line": number})
            continue
        item_id = item.get("id", str(number))
        prediction = model.predict(item["text"])
        for warning in prediction.warnings:
            problems.append(_("%(line)s行目: %(warning)s") % {"line": number, "warning": warning})
        output.write(json.dumps(prediction.as_json(item_id), ensure_ascii=False) + "\n")
        written += 1
    return written, problems


# -- staff-confirmed labels -----------------------------------------------------
def labels_export(*, output) -> int:
    """Write the city's own labels as corpus lines: contacts where staff
    decided on at least one text suggestion and judged the contact (yes or
    no; "unsure" is left out). The labels are the categories saved on the
    record, less those that only data (duration, history, a recording) supported."""
    from records.models import Contact

    contacts = (
        Contact.objects.filter(deleted_at__isnull=True, suggestions__isnull=False, harassment__in=["yes", "no"])
        .exclude(words_and_behaviour="")
        .distinct()
        .prefetch_related("categories", "suggestions")
        .order_by("pk")
    )
    codes = current_policy().category_codes()
    count = 0
    for contact in contacts:
        data_only = {s.code for s in contact.suggestions.all() if s.source != "text"}  # data, a recording
        if contact.harassment == "yes":
            categories = [c for c in codes if c in {cat.code for cat in contact.categories.all()} - data_only]
            if not categories:
                continue
        else:
            categories = []
        line = {
            "id": f"c{contact.pk}",
            "text": contact.words_and_behaviour,
            "is_harassment": bool(categories),
            "categories": categories,
            "form": "contact",
            "department": "",
            "split": "train",
        }
        output.write(json.dumps(line, ensure_ascii=False) + "\n")
        count += 1
    return count


def read_label_file(path: Path) -> tuple[list[dict], list[str]]:
    """Corpus-shaped lines from an export (or any labelled JSONL)."""
    codes = set(current_policy().category_codes())
    items, problems = [], []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                text, categories = item["text"], list(item.get("categories", []))
            except (ValueError, KeyError, TypeError):
                problems.append(_("%(line)s行目: 読めない行を飛ばしました") % {"line": number})
                continue
            unknown = [c for c in categories if c not in codes]
            if unknown or not isinstance(text, str) or not text.strip():
                problems.append(_("%(line)s行目: 不明な類型または空の文章のため飛ばしました") % {"line": number})
                continue
            items.append({"text": text, "categories": categories, "split": "train"})
    return items, problems
