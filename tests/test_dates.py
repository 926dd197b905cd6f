"""mamoru.lib.dates and mamoru.lib.spreadsheet: reading what cities write in
spreadsheets, without a database (the import's own tests cover the rows)."""

import datetime as dt

import pytest

from mamoru.lib.dates import DateParseError, parse_date, parse_minutes, parse_time
from mamoru.lib.spreadsheet import DecodeError, cell_raw, cell_text, decode_text, is_blank


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和7年4月1日", dt.date(2025, 4, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("R7.4.1", dt.date(2025, 4, 1)),
        ("h31/4/30", dt.date(2019, 4, 30)),
        ("Ｓ６４．１．７", dt.date(1989, 1, 7)),
        ("2025/4/1（火）", dt.date(2025, 4, 1)),
        ("20250401", dt.date(2025, 4, 1)),
        (45748, dt.date(2025, 4, 1)),  # Excel's serial number
    ],
)
def test_dates_in_every_usual_form(text, expected):
    assert parse_date(text)[0] == expected


def test_a_date_with_a_time_keeps_the_time():
    assert parse_date("令和7年4月1日 午後1時5分") == (dt.date(2025, 4, 1), dt.time(13, 5))
    assert parse_date(dt.datetime(2025, 4, 1)) == (dt.date(2025, 4, 1), None)


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "日付が空です"), ("令和7年2月30日", "日付「令和7年2月30日」を読めません"), (0, "日付「0」を読めません")],
)
def test_unreadable_dates_say_so_in_japanese(value, message):
    with pytest.raises(DateParseError, match=message):
        parse_date(value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9:05", dt.time(9, 5)), ("9時5分", dt.time(9, 5)), ("午後1時", dt.time(13, 0)), ("12:30am", dt.time(0, 30))],
)
def test_times(text, expected):
    assert parse_time(text) == expected


def test_times_and_durations_that_cannot_be_read():
    with pytest.raises(DateParseError, match="時刻「25:00」を読めません"):
        parse_time("25:00")
    with pytest.raises(DateParseError, match="範囲外"):
        parse_minutes(24 * 60 + 1)


@pytest.mark.parametrize(("value", "minutes"), [("30", 30), ("30分", 30), ("1時間30分", 90), ("1:30", 90)])
def test_durations_in_minutes(value, minutes):
    assert parse_minutes(value) == minutes


def test_decoding_utf8_with_bom_and_shift_jis():
    assert decode_text("\ufeff対応日".encode()) == "対応日"
    assert decode_text("対応日".encode("cp932")) == "対応日"
    assert decode_text("髙橋".encode("cp932"), "Shift_JIS") == "髙橋"
    with pytest.raises(DecodeError, match="文字コード「latin-9x」はわかりません"):
        decode_text(b"x", "latin-9x")
    with pytest.raises(DecodeError, match="3バイト目"):
        decode_text(b"ab\xff", "utf-8")


def test_cells():
    assert cell_raw(12.0) == "12" and cell_raw(None) == ""
    assert cell_text(" １２：３０ ") == "12:30"
    assert is_blank("  ") and is_blank(None) and not is_blank(0)
