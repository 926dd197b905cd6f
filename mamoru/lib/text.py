"""Control characters in text people type or paste (and in old spreadsheets).

A control character is invisible, breaks Excel files (openpyxl refuses them)
and PostgreSQL (NUL), and never means anything in a record. ``clean_text``
removes them; long text keeps its line breaks and tabs, one-line text turns
them into spaces. Pure: no models."""

from __future__ import annotations

import re

# C0 controls but tab, line feed and carriage return; DEL; C1 controls; lone
# surrogates (not text; UTF-8 cannot hold them); the two Unicode non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_BREAKS = re.compile(r"\r\n?")
_ONE_LINE_BREAKS = re.compile(r"[\t\n\r\u2028\u2029]")


def has_control_characters(text: str | None) -> bool:
    return bool(text) and bool(_CONTROL.search(text))


def clean_text(text: str | None, *, multiline: bool = True) -> str:
    """``text`` without control characters; CRLF and CR become LF. With
    ``multiline=False`` tabs and line breaks become spaces too."""
    if not text:
        return ""
    text = _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))
    if not multiline:
        text = _ONE_LINE_BREAKS.sub(" ", text)
    return text
