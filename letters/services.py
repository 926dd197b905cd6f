"""Letters (警告書, 対応制限通知書): issuing numbered A4 PDFs and editing their templates.

``letter_issue`` is called by the measures app when a measure with a letter is
issued; it takes the next document number of the fiscal year, renders the PDF
and stores the bytes, so the letter is never regenerated differently.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from mamoru.lib import pdf
from mamoru.lib.wareki import fiscal_year, format_wareki
from mamoru.policy.loader import current
from mamoru.policy.schema import PolicyPack

from . import kinds, permissions, placeholders
from .models import DocumentNumberSequence, IssuedLetter, LetterTemplate

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"
SAMPLE_LABEL = "見本"


@dataclass
class LetterContext:
    """What one letter says about one resident and one measure."""

    addressee_name: str
    addressee_address: str = ""
    facts: list[tuple[dt.date, str]] = field(default_factory=list)
    # The facts as the drafter reviewed them, one a line (dates written in): used instead of ``facts``.
    fact_lines: list[str] = field(default_factory=list)
    # 今後守っていただく事項, one a line.
    requests: list[str] = field(default_factory=list)
    measure_name: str = ""  # empty: the measure's name in the policy pack
    reasons: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    review_on: dt.date | None = None
    conditions: list[str] = field(default_factory=list)
    issued_on: dt.date | None = None  # empty: today

    def as_json(self) -> dict:
        data = asdict(self)
        for key in ("starts_on", "ends_on", "review_on", "issued_on"):
            data[key] = data[key].isoformat() if data[key] else None
        data["facts"] = [[day.isoformat(), text] for day, text in self.facts]
        return data


def document_number(prefix: str, serial: int | None) -> str:
    """大総第12号 (half-width digits, as the 和暦 dates). No serial: 大総第　　号 (a draft)."""
    return f"{prefix}第{serial}号" if serial is not None else f"{prefix}第　　号"


def letter_measure(measure_code: str, pack: PolicyPack | None = None):
    """The pack's measure with that code, which must have a letter."""
    pack = pack or current()
    for measure in pack.measures:
        if measure.code == measure_code:
            if not measure.letter:
                raise ValidationError(
                    {"measure_code": _("措置「{name}」には発出する文書がありません。").format(name=measure.name)}
                )
            return measure
    kind = kinds.get_kind(measure_code)  # a letter with no measure, registered by a higher app
    if kind is not None:
        return kind
    raise ValidationError({"measure_code": _("措置「{code}」はポリシーパックにありません。").format(code=measure_code)})


def default_body(measure_code: str) -> str:
    kind = kinds.get_kind(measure_code)
    if kind is not None:
        return kind.body
    path = DEFAULTS_DIR / f"{measure_code}.txt"
    if not path.is_file():
        path = DEFAULTS_DIR / "generic.txt"
    return path.read_text(encoding="utf-8")


def letter_template_for(measure_code: str) -> LetterTemplate:
    """The template of a measure's letter, created from ``letters/defaults/`` on first use."""
    measure = letter_measure(measure_code)
    template = LetterTemplate.objects.filter(measure_code=measure_code).first()
    if template is not None:
        return template
    with transaction.atomic():
        template, created = LetterTemplate.objects.get_or_create(
            measure_code=measure_code, defaults={"title": measure.letter, "body": default_body(measure_code)}
        )
        if created:
            audit_record(
                actor=None,
                actor_name="system",
                action="letters.template.created",
                obj=template,
                after={"title": template.title, "body": template.body, "version": template.version},
            )
    return template


def letter_templates_ensure() -> list[LetterTemplate]:
    """The templates of every measure with a letter in the pack in force, in the pack's order,
    then those of the letter kinds registered by higher apps (``letters.kinds``)."""
    templates = [letter_template_for(measure.code) for measure in current().measures if measure.letter]
    return templates + [letter_template_for(kind.code) for kind in kinds.all_kinds()]


def _check_context(context: LetterContext) -> None:
    errors: dict[str, list[str]] = {}
    if not (context.addressee_name or "").strip():
        errors.setdefault("addressee_name", []).append(_("宛先の氏名を入力してください。"))
    for day, text in context.facts:
        if not isinstance(day, dt.date) or not str(text).strip():
            errors.setdefault("facts", []).append(_("事実には日付と内容の両方が必要です。"))
            break
    if context.starts_on and context.ends_on and context.ends_on < context.starts_on:
        errors.setdefault("ends_on", []).append(_("終了日は開始日と同じか後の日付にしてください。"))
    if context.starts_on and context.review_on and context.review_on < context.starts_on:
        errors.setdefault("review_on", []).append(_("見直し日は開始日と同じか後の日付にしてください。"))
    if (context.ends_on or context.review_on) and not context.starts_on:
        errors.setdefault("starts_on", []).append(_("期間の開始日を入力してください。"))
    if errors:
        raise ValidationError(errors)


def _numbered(items: list[str]) -> str:
    return "\n".join(f"（{index}）{item}" for index, item in enumerate(items, start=1))


def _one_line(text) -> str:
    return re.sub(r"\s*\n\s*", " ", str(text).strip())


def _lines(items) -> list[str]:
    """Conditions as a list of non-empty lines (a single text is split at line breaks)."""
    if isinstance(items, str):
        items = items.splitlines()
    return [str(item).strip() for item in items or [] if str(item).strip()]


def _period(context: LetterContext) -> str:
    if not context.starts_on:
        return _("定めなし")
    if context.ends_on:
        return _("{start}から{end}まで").format(
            start=format_wareki(context.starts_on), end=format_wareki(context.ends_on)
        )
    return _("{start}から当分の間").format(start=format_wareki(context.starts_on))


def _facts(context: LetterContext) -> str:
    lines = _lines(context.fact_lines)
    if lines:
        return _numbered([_one_line(line) for line in lines])
    return _numbered([f"{format_wareki(day)}　{_one_line(text)}" for day, text in context.facts])


def letter_values(*, pack: PolicyPack, measure, context: LetterContext, number: str, issued_on: dt.date) -> dict:
    """The text each placeholder is replaced with. A letter without conditions
    prints the requests under {条件} (a warning's template written before
    {要請事項} existed), and the other way round."""
    none = _("定めなし")
    conditions = _numbered(_lines(context.conditions))
    requests = _numbered(_lines(context.requests))
    return {
        "文書番号": number,
        "発出日": format_wareki(issued_on),
        "宛先氏名": (context.addressee_name or "").strip(),
        "宛先住所": (context.addressee_address or "").strip(),
        "市名": pack.city.name,
        "基本方針": pack.title,
        "発信者": pack.documents.issuer,
        "担当課": pack.city.specialist_section,
        "措置": context.measure_name or measure.name,
        "事実": _facts(context) or _("なし"),
        "理由": (context.reasons or "").strip() or _("なし"),
        "期間": _period(context),
        "開始日": format_wareki(context.starts_on) if context.starts_on else none,
        "終了日": format_wareki(context.ends_on) if context.ends_on else none,
        "見直し日": format_wareki(context.review_on) if context.review_on else none,
        "条件": conditions or requests or _("なし"),
        "要請事項": requests or conditions or _("なし"),
        "不服申出": pack.documents.objection or _("なし"),
        "連絡先": pack.city.contact,
    }


def _render(*, pack: PolicyPack, title: str, body: str, values: dict, sample: bool = False) -> bytes:
    letter = pdf.Letter(
        document_number=values["文書番号"],
        date=values["発出日"],
        addressee_name=values["宛先氏名"],
        addressee_address=values["宛先住所"],
        title=title,
        issuer=values["発信者"],
        seal_label=pack.documents.seal_label,
        body=placeholders.fill(body, values),
        sample_label=SAMPLE_LABEL if sample else "",
        author=pack.city.name,
    )
    return pdf.render_letter(letter, font_dirs=settings.MAMORU_LETTER_FONT_DIRS)


def _next_serial(prefix: str, year: int) -> int:
    """The next number of the year, under a row lock: two issues never share one."""
    DocumentNumberSequence.objects.get_or_create(prefix=prefix, fiscal_year=year)
    sequence = DocumentNumberSequence.objects.select_for_update().get(prefix=prefix, fiscal_year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


def letter_issue(*, actor, measure_code: str, context: LetterContext) -> IssuedLetter:
    """Number, render and store the letter of a measure, in one transaction."""
    permissions.require_issuer(actor)
    pack = current()
    measure = letter_measure(measure_code, pack)
    _check_context(context)
    issued_on = context.issued_on or timezone.localdate()
    context = LetterContext(**{**context.__dict__, "issued_on": issued_on})
    template = letter_template_for(measure_code)
    prefix = pack.documents.number_prefix
    year = fiscal_year(issued_on)
    with transaction.atomic():
        template = LetterTemplate.objects.get(pk=template.pk)
        serial = _next_serial(prefix, year)
        number = document_number(prefix, serial)
        values = letter_values(pack=pack, measure=measure, context=context, number=number, issued_on=issued_on)
        content = _render(pack=pack, title=template.title, body=template.body, values=values)
        letter = IssuedLetter.objects.create(
            measure_code=measure_code,
            title=template.title,
            number_prefix=prefix,
            fiscal_year=year,
            serial=serial,
            document_number=number,
            issued_on=issued_on,
            addressee=values["宛先氏名"],
            pdf=content,
            sha256=hashlib.sha256(content).hexdigest(),
            context={"input": context.as_json(), "values": values, "pack": pack.code},
            template_body=template.body,
            template_version=template.version,
            issued_by=actor,
        )
        audit_record(
            actor=actor,
            action="letters.letter.issued",
            obj=letter,
            after={
                "document_number": number,
                "title": letter.title,
                "measure_code": measure_code,
                "addressee": letter.addressee,
                "issued_on": issued_on.isoformat(),
                "sha256": letter.sha256,
                "template_version": template.version,
            },
        )
    return letter


def sample_context(measure_code: str, *, today: dt.date | None = None) -> LetterContext:
    """Made-up facts for the 見本 PDF of a template."""
    today = today or timezone.localdate()
    return LetterContext(
        addressee_name="見本 太郎",
        addressee_address="○○県○○市○○町1丁目2番3号",
        facts=[
            (today - dt.timedelta(days=20), "窓口において、約2時間にわたり大声で職員を罵倒した。"),
            (today - dt.timedelta(days=13), "電話で「上司を出せ」と繰り返し、1日に5回架電した。"),
        ],
        reasons="上記の言動は、職員の人格や尊厳を侵害し、業務に支障を生じさせるものです。",
        starts_on=today,
        ends_on=today + dt.timedelta(days=90),
        review_on=today + dt.timedelta(days=60),
        conditions=["御用件は書面（郵送）でお寄せください。", "窓口での対応は30分以内とし、職員2名で対応します。"],
        requests=["窓口や電話で大声を出したり、職員を罵倒したりしないこと。", "御用件は1回30分以内でお話しください。"],
        issued_on=today,
    )


def letter_preview(
    *, measure_code: str, context: LetterContext, title: str | None = None, body: str | None = None
) -> bytes:
    """A 見本 PDF of the letter: no number is taken and nothing is stored.
    ``title`` and ``body`` preview an edit before it is saved."""
    pack = current()
    measure = letter_measure(measure_code, pack)
    _check_context(context)
    if title is None or body is None:
        template = letter_template_for(measure_code)
        title = template.title if title is None else title
        body = template.body if body is None else body
    placeholders.validate(body)
    issued_on = context.issued_on or timezone.localdate()
    number = document_number(pack.documents.number_prefix, None)
    values = letter_values(pack=pack, measure=measure, context=context, number=number, issued_on=issued_on)
    return _render(pack=pack, title=title, body=body, values=values, sample=True)


def letter_template_update(*, actor, template: LetterTemplate, title: str, body: str) -> LetterTemplate:
    """Change a template (system administrator or the specialist section only).
    An unknown placeholder or a broken brace is refused and nothing is saved."""
    if not permissions.may_edit_templates(actor):
        raise PermissionDenied(_("文書テンプレートを変更できるのはシステム管理者と専門部署の職員のみです。"))
    title = title.strip()
    body = body.replace("\r\n", "\n").rstrip()
    if not title:
        raise ValidationError({"title": _("表題を入力してください。")})
    placeholders.validate(body)
    with transaction.atomic():
        template = LetterTemplate.objects.select_for_update().get(pk=template.pk)
        if template.title == title and template.body == body:
            return template
        before = {"title": template.title, "body": template.body, "version": template.version}
        template.title = title
        template.body = body
        template.version += 1
        template.updated_by = actor
        template.save(update_fields=["title", "body", "version", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action="letters.template.updated",
            obj=template,
            before=before,
            after={"title": title, "body": body, "version": template.version},
        )
    return template
