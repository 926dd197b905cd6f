"""Lay out a formal Japanese letter (警告書, 対応制限通知書) as A4 PDF bytes.

Pure layout with ReportLab: no models, no policy pack. The caller passes the
finished texts (document number, 和暦 date, addressee, title, body lines) and
gets bytes back. The page follows the usual shape of a city's 公文書:

- the document number and the date, right-aligned at the top;
- the addressee on the left (address, then the name with 様);
- the issuer on the right with a seal box (a square holding the seal label);
- the title, centred, in Gothic;
- the body in Mincho, wrapped by width (Japanese has no word spaces) with
  禁則処理: 、。」）and the like never begin a line, 「（ never end one, and a run
  of half-width letters or digits (a phone number) is not split;
- a line that is only 記 is centred, a line that is only 以上 is right-aligned,
  and list items such as （1） or ・ wrap under their own text;
- a line that is only a form feed (``"\f"``) starts a new page (an attachment, 別紙);
- page numbers (- 1 -) at the foot when the letter runs over one page.

Fonts come from Debian's fonts-ipaexfont-mincho and fonts-ipaexfont-gothic
(TrueType, embedded as subsets). ``invariant`` output: the same input always
gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

MINCHO = "IPAexMincho"
GOTHIC = "IPAexGothic"
FONT_FILES = {MINCHO: "ipaexm.ttf", GOTHIC: "ipaexg.ttf"}
FONT_PACKAGES = {MINCHO: "fonts-ipaexfont-mincho", GOTHIC: "fonts-ipaexfont-gothic"}

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 25 * mm
BODY_SIZE = 11
BODY_LEADING = 17.5
BLANK_LEADING = 9.0  # an empty line of the body: half a line
TITLE_SIZE = 16
SEAL_BOX = 16 * mm

# 行頭禁則: characters that must not begin a line.
NO_LINE_START = set(
    "、。，．,.・：；:;？！?!ー―…‥々ゝゞヽヾ」』）〕］｝〉》】〙〗’”)]}%％ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ"
)
# 行末禁則: characters that must not end a line.
NO_LINE_END = set("「『（〔［｛〈《【〘〖‘“([{")
# A list item wraps under its own text: （1） 1. ① ・ ○ ■ ※ 第1 after any leading spaces.
LIST_PREFIX = re.compile(r"^([ 　]*(?:（[0-9０-９]+）|\([0-9]+\)|[0-9０-９]+[.．]|[①-⑳]|[・○●■□※]))")
ASCII_WORD = re.compile(r"[0-9A-Za-z]")


class FontMissingError(RuntimeError):
    """No Japanese font file was found in the configured folders."""


@dataclass(frozen=True)
class Letter:
    """The finished texts of one letter, ready to lay out."""

    document_number: str
    date: str
    addressee_name: str
    title: str
    issuer: str
    body: Sequence[str]
    addressee_address: str = ""
    addressee_suffix: str = "様"
    seal_label: str = "印"
    sample_label: str = ""  # e.g. 見本: a preview, marked on every page
    author: str = ""
    keywords: Sequence[str] = field(default_factory=tuple)


@dataclass
class _Line:
    text: str
    font: str = MINCHO
    size: float = BODY_SIZE
    align: str = "left"  # left, right, centre
    indent: float = 0.0
    leading: float = BODY_LEADING
    seal: bool = False
    page_break: bool = False


def find_fonts(dirs: Iterable[str | Path]) -> dict[str, Path]:
    """The Mincho and Gothic font files, looked up in ``dirs`` in order."""
    dirs = [Path(d) for d in dirs]
    found: dict[str, Path] = {}
    for name, filename in FONT_FILES.items():
        for folder in dirs:
            candidate = folder / filename
            if candidate.is_file():
                found[name] = candidate
                break
        else:
            raise FontMissingError(
                f"文書（PDF）用の日本語フォント {filename} が見つかりません。"
                f"Debian のパッケージ {FONT_PACKAGES[name]} をインストールしてください（make fonts）。"
                f"探した場所: {'、'.join(str(d) for d in dirs) or '（なし）'}"
            )
    return found


def register_fonts(dirs: Iterable[str | Path]) -> None:
    """Register the IPAex fonts with ReportLab once per process."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    if MINCHO in registered and GOTHIC in registered:
        return
    for name, path in find_fonts(dirs).items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(path)))


def text_width(text: str, font: str = MINCHO, size: float = BODY_SIZE) -> float:
    return pdfmetrics.stringWidth(text, font, size)


def wrap(text: str, width: float, *, font: str = MINCHO, size: float = BODY_SIZE) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (one character of
    行頭禁則 punctuation may be pushed back to the line before)."""
    if text == "":
        return [""]
    lines: list[str] = []
    start = 0
    n = len(text)
    while start < n:
        used = 0.0
        end = start
        while end < n:
            w = text_width(text[end], font, size)
            if used + w > width and end > start:
                break
            used += w
            end += 1
        if end < n:
            end = _adjust_break(text, start, end)
        lines.append(text[start:end])
        start = end
    return lines


def _adjust_break(text: str, start: int, end: int) -> int:
    """Move a line break back for 禁則 and to keep a half-width word whole."""
    candidate = end
    # 追い出し: the next line may not begin with 、。」） and the like, nor may
    # this line end with 「（.
    while candidate - start > 1 and (text[candidate] in NO_LINE_START or text[candidate - 1] in NO_LINE_END):
        candidate -= 1
    # Keep a run of half-width letters and digits (0287-23-8702 is one run) together.
    if candidate < len(text) and _is_word(text[candidate]) and _is_word(text[candidate - 1]):
        back = candidate
        while back > start and _is_word(text[back - 1]):
            back -= 1
        if back > start and text[back] not in NO_LINE_START and text[back - 1] not in NO_LINE_END:
            candidate = back
    return candidate if candidate > start else end


def _is_word(char: str) -> bool:
    return bool(ASCII_WORD.match(char)) or char in "-–/"


def _body_lines(body: Sequence[str], width: float) -> list[_Line]:
    lines: list[_Line] = []
    for paragraph in body:
        if paragraph == "\f":
            lines.append(_Line("", leading=0, page_break=True))
            continue
        stripped = paragraph.strip(" 　")
        if not stripped:
            lines.append(_Line("", leading=BLANK_LEADING))
            continue
        if stripped in ("記", "以上"):
            lines.append(_Line(stripped, align="centre" if stripped == "記" else "right"))
            continue
        match = LIST_PREFIX.match(paragraph)
        hang = text_width(match.group(1)) if match else 0.0
        if not match:
            # A paragraph that starts with spaces wraps at the same indent (a block
            # such as the facts under its heading); a plain paragraph wraps at the margin.
            lead = len(paragraph) - len(paragraph.lstrip(" 　"))
            if lead > 1:
                hang = text_width(paragraph[:lead])
        first, *rest = wrap(paragraph, width) or [""]
        lines.append(_Line(first))
        if rest:
            for part in wrap(paragraph[len(first) :], width - hang):
                lines.append(_Line(part, indent=hang))
    return lines


def render_letter(letter: Letter, *, font_dirs: Iterable[str | Path]) -> bytes:
    """The letter as A4 PDF bytes."""
    register_fonts(font_dirs)
    width = PAGE_WIDTH - 2 * MARGIN
    gap = _Line("", leading=BLANK_LEADING)
    head: list[_Line] = [
        _Line(letter.document_number, align="right"),
        _Line(letter.date, align="right"),
        gap,
    ]
    for part in wrap(letter.addressee_address, width * 0.6):
        if part:
            head.append(_Line(part))
    head.append(_Line(f"{letter.addressee_name}　{letter.addressee_suffix}", size=13, leading=22))
    head.append(_Line(letter.issuer, size=12, align="right", seal=True, leading=SEAL_BOX + 8))
    head.append(gap)
    head.append(_Line(letter.title, font=GOTHIC, size=TITLE_SIZE, align="centre", leading=28))
    head.append(gap)
    lines = head + _body_lines(letter.body, width)

    pages = _paginate(lines)
    buffer = io.BytesIO()
    pdf = canvas.Canvas(
        buffer,
        pagesize=A4,
        invariant=1,
        pageCompression=1,
        initialFontName=MINCHO,
        initialFontSize=BODY_SIZE,
        lang="ja",
    )
    pdf.setTitle(f"{letter.title}（{letter.document_number}）")
    pdf.setSubject(letter.title)
    if letter.author:
        pdf.setAuthor(letter.author)
    if letter.keywords:
        pdf.setKeywords(list(letter.keywords))
    pdf.setCreator("mamoru")
    for number, page in enumerate(pages, start=1):
        if letter.sample_label:
            _draw_sample_mark(pdf, letter.sample_label)
        _draw_page(pdf, page, letter.seal_label)
        if len(pages) > 1:
            pdf.setFont(MINCHO, 9)
            pdf.setFillGray(0)
            pdf.drawCentredString(PAGE_WIDTH / 2, MARGIN / 2, f"- {number} -")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _paginate(lines: list[_Line]) -> list[list[tuple[float, _Line]]]:
    """Place each line on a page: a list of (baseline y, line) per page."""
    pages: list[list[tuple[float, _Line]]] = [[]]
    top = PAGE_HEIGHT - MARGIN
    y = top
    for line in lines:
        if line.page_break:
            if pages[-1]:
                pages.append([])
                y = top
            continue
        if y - line.leading < MARGIN:
            pages.append([])
            y = top
            if line.text == "":
                continue  # no blank line at the top of a page
        baseline = y - line.size if not line.seal else y - (line.leading + line.size) / 2
        pages[-1].append((baseline, line))
        y -= line.leading
    return pages


def _draw_page(pdf: canvas.Canvas, page: list[tuple[float, _Line]], seal_label: str) -> None:
    left, right = MARGIN, PAGE_WIDTH - MARGIN
    pdf.setFillGray(0)
    pdf.setStrokeGray(0)
    for baseline, line in page:
        if not line.text:
            continue
        pdf.setFont(line.font, line.size)
        if line.seal:
            box_left = right - SEAL_BOX
            box_bottom = baseline + line.size * 0.35 - SEAL_BOX / 2
            pdf.setLineWidth(0.6)
            pdf.rect(box_left, box_bottom, SEAL_BOX, SEAL_BOX, stroke=1, fill=0)
            pdf.setFont(MINCHO, 9)
            pdf.setFillGray(0.45)
            pdf.drawCentredString(box_left + SEAL_BOX / 2, box_bottom + SEAL_BOX / 2 - 3, seal_label)
            pdf.setFillGray(0)
            pdf.setFont(line.font, line.size)
            pdf.drawRightString(box_left - 4 * mm, baseline, line.text)
        elif line.align == "right":
            pdf.drawRightString(right, baseline, line.text)
        elif line.align == "centre":
            pdf.drawCentredString(PAGE_WIDTH / 2, baseline, line.text)
        else:
            pdf.drawString(left + line.indent, baseline, line.text)


def _draw_sample_mark(pdf: canvas.Canvas, label: str) -> None:
    """A large grey 見本 across the page and a boxed one in the top-left corner."""
    pdf.saveState()
    pdf.setFillGray(0.88)
    pdf.setFont(GOTHIC, 120)
    pdf.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    pdf.rotate(35)
    pdf.drawCentredString(0, -40, label)
    pdf.restoreState()
    pdf.saveState()
    pdf.setFont(GOTHIC, 12)
    label_width = text_width(label, GOTHIC, 12)
    pdf.setStrokeGray(0)
    pdf.rect(MARGIN - 2, PAGE_HEIGHT - MARGIN + 4, label_width + 8, 18, stroke=1, fill=0)
    pdf.drawString(MARGIN + 2, PAGE_HEIGHT - MARGIN + 9, label)
    pdf.restoreState()
