"""Reading and writing the rows of a transcript (反訳書): WebVTT, SRT and CSV files from
phone recorders and transcription services, the JSON of a speech-to-text engine, and the
times as staff type them.

WebVTT is read with ``webvtt-py``, SRT with ``srt`` (both from PyPI); CSV with the standard
library. A file that does not parse raises ``TranscriptFormatError`` with a Japanese message
naming the line; nothing is returned half-read."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import dataclass

import srt
import webvtt
from django.utils.translation import gettext as _

from mamoru.lib.text import clean_text

# What one transcript may hold, at most (a long recording's verbatim transcript stays well under).
MAX_SEGMENTS = 5000
MAX_TEXT = 5000
MAX_SPEAKER = 50
# Twenty-four hours: no recording is longer; a larger time is a typing mistake.
MAX_SECONDS = 24 * 3600


class TranscriptFormatError(ValueError):
    """A transcript file or a typed row that cannot be read: ``str(error)`` is the message for staff."""

    def __init__(self, message: str, *, line: int | None = None):
        self.line = line
        self.message = _("{line}行目: {message}").format(line=line, message=message) if line else message
        super().__init__(self.message)


@dataclass(frozen=True)
class Segment:
    """One utterance: from ``start`` to ``end`` seconds (``end`` may be unknown), who spoke, the words."""

    start: float
    end: float | None
    speaker: str
    text: str

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "speaker": self.speaker, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict) -> Segment:
        """A stored row; anything odd in it reads as empty rather than failing a page."""

        def number(value):
            try:
                return max(0.0, float(value)) if value is not None else None
            except (TypeError, ValueError):
                return None

        return cls(
            start=number(data.get("start")) or 0.0,
            end=number(data.get("end")),
            speaker=str(data.get("speaker") or ""),
            text=str(data.get("text") or ""),
        )


# --- times -------------------------------------------------------------------------------

_TIME = re.compile(r"^(?:(?:(\d+):)?(\d{1,2}):)?(\d{1,2}(?:[.,]\d{1,3})?)$")
_SECONDS = re.compile(r"^\d+(?:\.\d+)?$")


def parse_time(value: str) -> float:
    """``01:02:03``, ``1:02:03.500``, ``02:03``, ``00:00:01,250`` (SRT) or plain seconds ``83.5``.
    Full-width digits and colons are read too (NFKC). Raises ``ValueError``."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if _SECONDS.match(text) and ":" not in text:
        seconds = float(text)
    else:
        match = _TIME.match(text)
        if match is None:
            raise ValueError(text)
        hours, minutes, rest = match.groups()
        if hours is None and minutes is None:
            raise ValueError(text)
        seconds = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(rest.replace(",", "."))
        if int(minutes or 0) >= 60 or float(rest.replace(",", ".")) >= 60:
            raise ValueError(text)
    if seconds > MAX_SECONDS:
        raise ValueError(text)
    return round(seconds, 3)


def format_time(seconds: float | None) -> str:
    """``HH:MM:SS`` as a 反訳書 shows a time (fractions dropped); empty for an unknown time."""
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"


def format_time_exact(seconds: float | None) -> str:
    """``HH:MM:SS.mmm`` (the editor and WebVTT): nothing lost when saved again."""
    if seconds is None:
        return ""
    millis = round(seconds * 1000)
    whole, millis = divmod(millis, 1000)
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return f"{text}.{millis:03d}" if millis else text


# --- rows ----------------------------------------------------------------------------------

_SPEAKER_PREFIX = re.compile(r"^\s*([^:：\s]{1,20})\s*[:：]\s*(.+)$", re.S)


def split_speaker(text: str) -> tuple[str, str]:
    """「職員：こんにちは」 → (職員, こんにちは): a cue whose words start with a short name and a colon."""
    match = _SPEAKER_PREFIX.match(text)
    if match is None or match.group(1).startswith(("http", "https")):
        return "", text.strip()
    return match.group(1), match.group(2).strip()


def clean_segment(*, start: float, end: float | None, speaker: str, text: str, line: int | None = None) -> Segment:
    """A row checked as every source's rows are: times in order, words present, lengths bounded."""
    speaker = clean_text(speaker or "", multiline=False).strip()
    text = clean_text(text or "").strip()
    if not text:
        raise TranscriptFormatError(_("発言の内容が空です。"), line=line)
    if end is not None and end < start:
        raise TranscriptFormatError(
            _("終了時刻（{end}）が開始時刻（{start}）より前です。").format(
                end=format_time_exact(end), start=format_time_exact(start)
            ),
            line=line,
        )
    if len(speaker) > MAX_SPEAKER:
        raise TranscriptFormatError(
            _("話者の名前が長すぎます（{limit}文字まで）。").format(limit=MAX_SPEAKER), line=line
        )
    if len(text) > MAX_TEXT:
        raise TranscriptFormatError(_("発言が長すぎます（{limit}文字まで）。").format(limit=MAX_TEXT), line=line)
    return Segment(start=start, end=end, speaker=speaker, text=text)


def ordered(segments: list[Segment]) -> list[Segment]:
    if not segments:
        raise TranscriptFormatError(_("発言が1つもありません。"))
    if len(segments) > MAX_SEGMENTS:
        raise TranscriptFormatError(_("発言が多すぎます（{limit}行まで）。").format(limit=MAX_SEGMENTS))
    return sorted(segments, key=lambda segment: segment.start)  # stable: rows at one time keep their order


# --- files -----------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Shift_JIS (cp932, as Excel saves CSV in Japan)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text.replace("\r\n", "\n").replace("\r", "\n")
    raise TranscriptFormatError(
        _("文字コードを読み取れません。UTF-8 または Shift_JIS で保存したファイルを選んでください。")
    )


def parse_file(data: bytes, name: str = "") -> list[Segment]:
    """A transcript file's rows, the format told from the content (the name only breaks a tie)."""
    if not data.strip():
        raise TranscriptFormatError(_("ファイルが空です。"))
    text = decode(data)
    head = text.lstrip("\ufeff").lstrip()
    lowered = name.lower()
    if head.startswith("WEBVTT"):
        return parse_webvtt(text)
    if head.startswith(("{", "[")):
        return parse_json(text)
    if "-->" in head[:2000] and not lowered.endswith((".csv", ".tsv", ".txt")):
        if lowered.endswith(".vtt"):
            raise TranscriptFormatError(_("1行目が「WEBVTT」ではありません（WebVTT の形式ではありません）。"), line=1)
        return parse_srt(text)
    return parse_csv(text)


_CUE_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)(?:\s+.*)?$")
_ALMOST_TIMING = re.compile(r"^\s*[\d:.,]{5,}\s*(?:-+>|=+>|→|～|~)")
_VTT_TIME = re.compile(r"^(?:\d+:)?\d{2}:\d{2}\.\d{3}$")
_VOICE = re.compile(r"<v(?:\.[^\s>]+)*\s+([^>]+)>")
_TAG = re.compile(r"</?[^>]+>")


def parse_webvtt(text: str) -> list[Segment]:
    """WebVTT (``webvtt-py``). The library skips a cue it cannot read; every timing line is
    checked here first, so that a broken one is named instead of silently lost."""
    lines = text.split("\n")
    timings = []
    for number, line in enumerate(lines, start=1):
        if "-->" not in line:
            if _ALMOST_TIMING.match(line):
                raise TranscriptFormatError(
                    _("時刻の行の矢印は「-->」です（例: 00:01:23.000 --> 00:01:25.500）: {line}").format(
                        line=line.strip()[:60]
                    ),
                    line=number,
                )
            continue
        match = _CUE_TIMING.match(line)
        if match is None or not (_VTT_TIME.match(match.group(1)) and _VTT_TIME.match(match.group(2))):
            raise TranscriptFormatError(
                _("時刻の行を読めません（例: 00:01:23.000 --> 00:01:25.500）: {line}").format(line=line.strip()[:60]),
                line=number,
            )
        timings.append(number)
    try:
        captions = list(webvtt.from_string(text))
    except Exception as error:  # webvtt-py raises its own MalformedFileError / MalformedCaptionError
        raise TranscriptFormatError(
            _("WebVTT の形式として読めません（{error}）。").format(error=str(error) or type(error).__name__)
        ) from error
    if len(captions) != len(timings):
        raise TranscriptFormatError(_("WebVTT の発言の区切りを読めません（空行で区切ってください）。"))
    segments = []
    for caption, line in zip(captions, timings, strict=True):
        raw = caption.raw_text if hasattr(caption, "raw_text") else caption.text
        voice = _VOICE.search(raw)
        words = _TAG.sub("", raw).strip()
        speaker = voice.group(1).strip() if voice else ""
        if not speaker:
            speaker, words = split_speaker(words)
        segments.append(
            clean_segment(
                start=parse_time(caption.start), end=parse_time(caption.end), speaker=speaker, text=words, line=line
            )
        )
    return ordered(segments)


def parse_srt(text: str) -> list[Segment]:
    """SubRip (``srt``). Its parse error tells where in the text it stopped: that line is named."""
    segments = []
    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as error:
        lines = text.split("\n")
        line = text[: error.expected_start].count("\n") + 1
        while line < len(lines) and not lines[line - 1].strip():
            line += 1
        if line < len(lines) and lines[line - 1].strip().isdigit():
            line += 1  # the cue's number read; its timing line did not
        raise TranscriptFormatError(
            _(
                "SRT の形式として読めません（番号・「00:00:01,000 --> 00:00:02,500」の時刻・発言の順に書いてください）。"
            ),
            line=line,
        ) from error
    except ValueError as error:
        raise TranscriptFormatError(_("SRT の時刻を読めません。")) from error
    for subtitle in subtitles:
        line = _line_of(text, f"{subtitle.index}\n") if subtitle.index is not None else None
        speaker, words = split_speaker(_TAG.sub("", subtitle.content))
        segments.append(
            clean_segment(
                start=round(subtitle.start.total_seconds(), 3),
                end=round(subtitle.end.total_seconds(), 3),
                speaker=speaker,
                text=words,
                line=line,
            )
        )
    return ordered(segments)


def _line_of(text: str, needle: str) -> int | None:
    index = text.find(needle)
    return text[:index].count("\n") + 1 if index >= 0 else None


def _column_key(name: str) -> str:
    return re.sub(r"[\s_\-()（）\[\]「」.・/]", "", unicodedata.normalize("NFKC", name).lower())


# The columns' names as phone recorders, transcription services and spreadsheets spell them.
COLUMNS = {
    "start": {
        "start",
        "starttime",
        "begin",
        "from",
        "in",
        "開始",
        "開始時刻",
        "開始時間",
        "開始秒",
        "始",
        "時刻",
        "時間",
    },
    "end": {"end", "endtime", "stop", "to", "out", "終了", "終了時刻", "終了時間", "終了秒", "終"},
    "speaker": {"speaker", "speakername", "name", "who", "voice", "話者", "発言者", "話者名", "発話者", "名前"},
    "text": {
        "text",
        "transcript",
        "content",
        "words",
        "utterance",
        "caption",
        "発言",
        "発言内容",
        "内容",
        "テキスト",
        "本文",
        "発話",
        "発話内容",
    },  # noqa: E501
}


def parse_csv(text: str) -> list[Segment]:
    """CSV or tab-separated, with a header row naming at least the start time and the words."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as error:
        raise TranscriptFormatError(_("CSV の見出し行を読めません。"), line=1) from error
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _column_key(name)
        for field, names in COLUMNS.items():
            if key in names and field not in columns:
                columns[field] = index
    missing = [label for field, label in (("start", "開始時刻"), ("text", "発言")) if field not in columns]
    if missing:
        raise TranscriptFormatError(
            _(
                "見出し行に「{missing}」の列がありません（start,end,speaker,text または 開始,終了,話者,発言 のように書いてください）。"
            ).format(missing="」「".join(missing)),
            line=1,
        )
    segments = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue

            def cell(field, row=row):
                index = columns.get(field)
                return row[index].strip() if index is not None and index < len(row) else ""

            start_text, end_text = cell("start"), cell("end")
            if not cell("text") and not cell("speaker"):
                continue  # a silence the service marked with its time only
            segments.append(
                clean_segment(
                    start=_csv_time(start_text, line=line, label=_("開始時刻"), required=True),
                    end=_csv_time(end_text, line=line, label=_("終了時刻"), required=False),
                    speaker=cell("speaker"),
                    text=cell("text"),
                    line=line,
                )
            )
    except csv.Error as error:
        raise TranscriptFormatError(
            _("CSV の形式として読めません（{error}）。").format(error=error), line=reader.line_num
        ) from error
    return ordered(segments)


def _csv_time(value: str, *, line: int, label: str, required: bool) -> float | None:
    if not value:
        if required:
            raise TranscriptFormatError(_("{label}が空です。").format(label=label), line=line)
        return None
    try:
        return parse_time(value)
    except ValueError:
        raise TranscriptFormatError(
            _("{label}「{value}」を読めません（例: 00:01:23、00:01:23.500、83.5）。").format(
                label=label, value=value[:30]
            ),
            line=line,
        ) from None


def parse_json(text: str) -> list[Segment]:
    """A speech-to-text engine's JSON: ``{"segments": [{"start", "end", "speaker", "text"}]}`` or the list itself."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise TranscriptFormatError(_("JSON として読めません。"), line=error.lineno) from error
    items = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise TranscriptFormatError(_("JSON に発言の一覧（segments）がありません。"))
    segments = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise TranscriptFormatError(_("{number}番目の発言を読めません。").format(number=number))
        try:
            start = parse_time(str(item.get("start", "")))
            end = parse_time(str(item["end"])) if item.get("end") not in (None, "") else None
        except ValueError:
            raise TranscriptFormatError(_("{number}番目の発言の時刻を読めません。").format(number=number)) from None
        try:
            segments.append(
                clean_segment(
                    start=start, end=end, speaker=str(item.get("speaker") or ""), text=str(item.get("text") or "")
                )
            )
        except TranscriptFormatError as error:
            raise TranscriptFormatError(
                _("{number}番目の発言: {message}").format(number=number, message=error.message)
            ) from error
    return ordered(segments)


def to_webvtt(segments: list[Segment]) -> str:
    """The rows as WebVTT (speakers as ``<v>`` voices), e.g. for a player's captions."""
    out = ["WEBVTT", ""]
    for segment in segments:
        end = segment.end if segment.end is not None else segment.start + 1
        out.append(f"{_vtt_time(segment.start)} --> {_vtt_time(end)}")
        words = segment.text.replace("-->", "->")
        out.append(f"<v {segment.speaker}>{words}" if segment.speaker else words)
        out.append("")
    return "\n".join(out)


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    whole, millis = divmod(millis, 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}.{millis:03d}"
