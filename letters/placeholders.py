"""Placeholders (差し込み項目) of letter templates: {文書番号}, {発出日}, …

A template is plain text; a placeholder is a Japanese name between half-width
braces. Checking refuses an unknown name or a brace without its partner, so a
template can never print "{foo}" on a letter. Filling in is a plain text
replacement (never ``str.format``): a value of several lines (the facts, the
conditions) keeps the indent of the line its placeholder stands on.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Name → what it is filled with, shown beside the template editor.
PLACEHOLDERS = {
    "文書番号": gettext_lazy("文書番号（例: 大総第12号。年度ごとの通し番号）"),
    "発出日": gettext_lazy("発出日（和暦、例: 令和8年1月15日）"),
    "宛先氏名": gettext_lazy("宛先の氏名"),
    "宛先住所": gettext_lazy("宛先の住所"),
    "市名": gettext_lazy("市の名称（ポリシーパックの city.name）"),
    "基本方針": gettext_lazy("基本方針の名称（ポリシーパックの pack.title）"),
    "発信者": gettext_lazy("発信者（ポリシーパックの documents.issuer、例: 大田原市長）"),
    "担当課": gettext_lazy("専門部署の名称（例: 総務課）"),
    "措置": gettext_lazy("措置の名称（例: 対応制限）"),
    "事実": gettext_lazy("事実（日付と内容、1件1行で（1）（2）…と番号付き）"),
    "理由": gettext_lazy("措置の理由"),
    "期間": gettext_lazy("期間（例: 令和8年1月15日から令和8年4月14日まで）"),
    "開始日": gettext_lazy("期間の開始日（和暦）"),
    "終了日": gettext_lazy("期間の終了日（和暦。定めがなければ「定めなし」）"),
    "見直し日": gettext_lazy("見直し日（和暦。定めがなければ「定めなし」）"),
    "条件": gettext_lazy("条件（1件1行で（1）（2）…と番号付き。なければ「なし」）"),
    "要請事項": gettext_lazy("今後守っていただく事項（起案者が記入。1件1行で（1）（2）…と番号付き）"),
    "不服申出": gettext_lazy("御意見・不服の申出の方法（ポリシーパックの documents.objection）"),
    "連絡先": gettext_lazy("問合せ先（ポリシーパックの city.contact）"),
}

TOKEN = re.compile(r"\{([^{}\n]*)\}")


def allowed_text() -> str:
    return "、".join(f"{{{name}}}" for name in PLACEHOLDERS)


def check(body: str) -> list[str]:
    """Japanese messages for every problem in ``body``; empty when it is usable."""
    errors: list[str] = []
    for number, line in enumerate(body.splitlines(), start=1):
        rest = TOKEN.sub("", line)
        if "{" in rest or "}" in rest:
            errors.append(
                _(
                    "{line}行目の波かっこ「{{」「}}」の対応が取れていません。"
                    "差し込み項目は {{文書番号}} のように半角の波かっこで囲んでください。"
                ).format(line=number)
            )
        for match in TOKEN.finditer(line):
            name = match.group(1)
            if name not in PLACEHOLDERS:
                message = _("テンプレートに不明な差し込み項目「{item}」があります（使える項目: {allowed}）").format(
                    item=match.group(0), allowed=allowed_text()
                )
                if message not in errors:
                    errors.append(message)
    return errors


def validate(body: str, *, field: str = "body") -> None:
    """Raise ``ValidationError`` keyed by ``field`` when ``body`` has a problem."""
    if not body.strip():
        raise ValidationError({field: _("本文を入力してください。")})
    errors = check(body)
    if errors:
        raise ValidationError({field: errors})


def fill(body: str, values: dict[str, str]) -> list[str]:
    """The body with every placeholder replaced, as a list of lines."""
    lines: list[str] = []
    for line in body.splitlines():
        lead = line[: len(line) - len(line.lstrip(" 　"))]

        def replace(match: re.Match, lead: str = lead) -> str:
            value = values[match.group(1)]
            return value.replace("\n", "\n" + lead)

        lines.extend(TOKEN.sub(replace, line).split("\n"))
    return lines
