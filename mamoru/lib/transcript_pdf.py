"""Lay out a transcript (反訳書) as A4 PDF bytes.

Pure layout with ReportLab and the fonts of ``mamoru.lib.pdf`` (IPAex Mincho and Gothic,
from Debian's packages): no models. The caller passes the header's facts (the record's
number, the recording's name, SHA-256, length, who transcribed it, when) and the rows
(time, speaker, words). Every page repeats the column heads and the recording's short
SHA-256, and is numbered 「n / N」 at its foot. A long utterance wraps in its column with
禁則処理 and may continue on the next page."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from .pdf import GOTHIC, MINCHO, register_fonts, wrap

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
SIZE = 10
LEADING = 15
TIME_WIDTH = 34 * mm
SPEAKER_WIDTH = 26 * mm


@dataclass(frozen=True)
class TranscriptRow:
    time: str  # 「00:01:23」 or 「00:01:23〜00:01:30」
    speaker: str
    text: str


@dataclass
class TranscriptDocument:
    title: str  # 反訳書
    facts: Sequence[tuple[str, str]]  # (label, value) in the order the header shows them
    rows: Sequence[TranscriptRow]
    footer: str = ""  # on every page, e.g. 「証拠 No.000012　SHA-256 1a2b3c4d…」
    author: str = ""
    closing: str = "以上"
    notes: Sequence[str] = field(default_factory=tuple)  # lines under the header, e.g. how to read the rows


def render_transcript(document: TranscriptDocument, *, font_dirs: Iterable[str | Path]) -> bytes:
    register_fonts(font_dirs)
    left, right = MARGIN, PAGE_WIDTH - MARGIN
    text_left = left + TIME_WIDTH + SPEAKER_WIDTH
    text_width_available = right - text_left - 2 * mm
    bottom = MARGIN + 8 * mm

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1, initialFontName=MINCHO, lang="ja")
    pdf.setTitle(document.title)
    pdf.setCreator("mamoru")
    if document.author:
        pdf.setAuthor(document.author)

    # Lay everything out first (pages of draw calls), so that the foot can say 「n / N」.
    pages: list[list[tuple]] = [[]]
    y = PAGE_HEIGHT - MARGIN

    def new_page():
        nonlocal y
        pages.append([])
        y = PAGE_HEIGHT - MARGIN
        column_heads()

    def column_heads():
        nonlocal y
        y -= LEADING
        page = pages[-1]
        page.append(("text", GOTHIC, SIZE, left, y, "時刻"))
        page.append(("text", GOTHIC, SIZE, left + TIME_WIDTH, y, "話者"))
        page.append(("text", GOTHIC, SIZE, text_left, y, "発言"))
        page.append(("line", left, y - 4, right, y - 4))
        y -= LEADING * 0.6

    y -= 16
    pages[-1].append(("centre", GOTHIC, 16, PAGE_WIDTH / 2, y, document.title))
    y -= 12
    label_width = 30 * mm
    for label, value in document.facts:
        font_size = 8 if label == "SHA-256" else SIZE
        lines = wrap(value or "—", right - left - label_width, font=MINCHO, size=font_size)
        for index, part in enumerate(lines):
            y -= LEADING
            if index == 0:
                pages[-1].append(("text", GOTHIC, SIZE, left, y, label))
            pages[-1].append(("text", MINCHO, font_size, left + label_width, y, part))
    for note in document.notes:
        for part in wrap(note, right - left, font=MINCHO, size=8):
            y -= LEADING * 0.8
            pages[-1].append(("text", MINCHO, 8, left, y, part))
    y -= LEADING * 0.5
    column_heads()

    for row in document.rows:
        text_lines = wrap(row.text, text_width_available, font=MINCHO, size=SIZE) or [""]
        speaker_lines = wrap(row.speaker, SPEAKER_WIDTH - 3 * mm, font=MINCHO, size=SIZE) if row.speaker else [""]
        time_lines = row.time.split("\n")
        height = max(len(text_lines), len(speaker_lines), len(time_lines))
        if y - LEADING * min(height, 3) < bottom:  # keep at least three lines of a row together
            new_page()
        for index in range(height):
            if y - LEADING < bottom:
                new_page()
            y -= LEADING
            page = pages[-1]
            if index < len(time_lines):
                page.append(("text", MINCHO, 9, left, y, time_lines[index]))
            if index < len(speaker_lines):
                page.append(("text", GOTHIC, SIZE, left + TIME_WIDTH, y, speaker_lines[index]))
            if index < len(text_lines):
                page.append(("text", MINCHO, SIZE, text_left, y, text_lines[index]))
        y -= 3
        pages[-1].append(("thin", left, y, right, y))
    if document.closing:
        if y - LEADING * 2 < bottom:
            new_page()
        y -= LEADING * 1.5
        pages[-1].append(("right", MINCHO, SIZE, right, y, document.closing))

    total = len(pages)
    for number, page in enumerate(pages, start=1):
        pdf.setFillGray(0)
        for item in page:
            kind = item[0]
            if kind in ("line", "thin"):
                pdf.setLineWidth(0.8 if kind == "line" else 0.2)
                pdf.setStrokeGray(0 if kind == "line" else 0.6)
                pdf.line(*item[1:])
                continue
            _kind, font, size, x, baseline, text = item
            pdf.setFont(font, size)
            if kind == "centre":
                pdf.drawCentredString(x, baseline, text)
            elif kind == "right":
                pdf.drawRightString(x, baseline, text)
            else:
                pdf.drawString(x, baseline, text)
        pdf.setFont(MINCHO, 8)
        if document.footer:
            pdf.drawString(left, MARGIN / 2, document.footer)
        pdf.drawRightString(right, MARGIN / 2, f"{number} / {total}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()
