"""``python -m mamoru import-contacts``: bringing a city's 記録 sheet in."""

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from accounts.services import user_create
from audit.models import AuditEntry
from mamoru.policy.loader import reset_cache
from people.models import Resident
from records.imports import RowError, parse_date, parse_minutes, parse_time
from records.models import Contact

from .factories import make_resident

HEADER = [
    "対応日",
    "開始時刻",
    "終了時刻",
    "対応時間（分）",
    "担当課",
    "対応者",
    "方法",
    "氏名",
    "フリガナ",
    "電話番号",
    "住所",
    "内容",
    "言動",
    "カスハラ該当",
    "類型",
]
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "import" / "sample-kiroku.csv"
MINATO = Path(__file__).parent / "packs" / "minato.toml"


def row(**values):
    """A row in HEADER's order; unnamed columns are empty."""
    defaults = {
        "対応日": "2025/4/1",
        "開始時刻": "9:05",
        "終了時刻": "9:35",
        "担当課": "市民課",
        "対応者": "市民 一郎",
        "方法": "窓口",
        "カスハラ該当": "非該当",
    }
    defaults.update(values)
    return [defaults.get(name, "") for name in HEADER]


def write_csv(path, rows, *, encoding="utf-8-sig", header=HEADER):
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(path, user="specialist1", *args):
    """Run the command; (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("import_contacts", str(path), "--user", user, *args, stdout=out, stderr=err)
    except SystemExit as exit:
        code = exit.code
    return code, out.getvalue(), err.getvalue()


def local(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


# ---------------------------------------------------------------- values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025/4/1", dt.date(2025, 4, 1)),
        ("2025-04-01", dt.date(2025, 4, 1)),
        ("R7.4.1", dt.date(2025, 4, 1)),
        ("r7.4.1", dt.date(2025, 4, 1)),
        ("令和7年4月1日", dt.date(2025, 4, 1)),
        ("令和元年5月7日", dt.date(2019, 5, 7)),
        ("H31.4.30", dt.date(2019, 4, 30)),
        ("２０２５／４／１", dt.date(2025, 4, 1)),
        ("2025年4月1日（火）", dt.date(2025, 4, 1)),
        ("20250401", dt.date(2025, 4, 1)),
        (dt.datetime(2025, 4, 1), dt.date(2025, 4, 1)),
        (dt.date(2025, 4, 1), dt.date(2025, 4, 1)),
        (45748, dt.date(2025, 4, 1)),  # an Excel serial number
    ],
)
def test_dates_in_the_forms_a_city_sheet_has(text, expected):
    assert parse_date(text)[0] == expected


def test_a_date_cell_with_a_time_carries_it():
    assert parse_date("2025/4/1 9:05") == (dt.date(2025, 4, 1), dt.time(9, 5))
    assert parse_date(dt.datetime(2025, 4, 1, 14, 30)) == (dt.date(2025, 4, 1), dt.time(14, 30))


@pytest.mark.parametrize("text", ["2025/13/01", "2025/2/30", "令和7年13月1日", "きのう", "R7.4"])
def test_impossible_dates_are_not_read(text):
    with pytest.raises(RowError) as caught:
        parse_date(text)
    assert f"日付「{text}」を読めません" == str(caught.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9:05", dt.time(9, 5)),
        ("09:05:30", dt.time(9, 5, 30)),
        ("９：０５", dt.time(9, 5)),
        ("9時5分", dt.time(9, 5)),
        ("14時", dt.time(14, 0)),
        ("午後1時30分", dt.time(13, 30)),
        (dt.time(9, 5), dt.time(9, 5)),
        (0.375, dt.time(9, 0)),  # an Excel time as a fraction of a day
    ],
)
def test_times(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["25:00", "9:75", "朝"])
def test_impossible_times_are_not_read(text):
    with pytest.raises(RowError):
        parse_time(text)


@pytest.mark.parametrize(
    ("value", "minutes"),
    [("45", 45), (30, 30), ("30分", 30), ("1時間30分", 90), ("1:15", 75), (dt.time(0, 40), 40)],
)
def test_durations_in_minutes(value, minutes):
    assert parse_minutes(value) == minutes


# ---------------------------------------------------------------- CSV


def test_csv_utf8_imports_rows_with_their_values(city, tmp_path):
    path = write_csv(
        tmp_path / "kiroku.csv",
        [
            row(
                氏名="山田 太郎",
                電話番号="0287-23-1234",
                内容="住民票の手数料",
                言動="「税金泥棒」と大声",
                カスハラ該当="該当",
                類型="暴言、長時間拘束",
            ),
            row(対応日="R7.4.2", 開始時刻="14時10分", 終了時刻="", **{"対応時間（分）": "20"}, 方法="電話"),
            row(対応日="令和7年4月3日", 担当課="税務課", 対応者="税務 花子", カスハラ該当="検討中"),
        ],
    )
    code, out, err = run(path)

    assert code == 0, err
    assert "取り込み: 3件、既に取り込み済み: 0件、読めなかった行: 0件" in out
    contacts = list(Contact.objects.order_by("started_at"))
    assert len(contacts) == 3
    first, second, third = contacts
    assert local(first.started_at) == dt.datetime(2025, 4, 1, 9, 5)
    assert local(first.ended_at) == dt.datetime(2025, 4, 1, 9, 35)
    assert first.duration_seconds == 30 * 60
    assert (first.department, first.staff, first.channel) == (city.shimin, city.staff, "counter")
    assert first.harassment == "yes"
    assert sorted(first.categories.values_list("code", flat=True)) == ["long_detention", "verbal_abuse"]
    assert first.request_content == "住民票の手数料"
    assert first.words_and_behaviour == "「税金泥棒」と大声"
    assert first.resident.name == "山田 太郎"
    assert first.import_key and len(first.import_key) == 64
    assert first.revisions.count() == 1
    assert local(second.ended_at) == dt.datetime(2025, 4, 2, 14, 30)
    assert second.channel == "phone"
    assert second.resident is None
    assert (third.department, third.staff, third.harassment) == (city.zeimu, city.zeimu_staff, "unsure")


def test_csv_shift_jis_is_detected(city, tmp_path):
    path = write_csv(
        tmp_path / "sjis.csv",
        [row(氏名="髙橋 一郎", フリガナ="タカハシ イチロウ", 住所="大田原市本町１丁目", 内容="①の書類について")],
        encoding="cp932",
    )
    code, out, err = run(path)

    assert code == 0, err
    contact = Contact.objects.get()
    assert contact.resident.name == "髙橋 一郎"
    assert contact.resident.name_kana == "タカハシ イチロウ"
    assert contact.request_content == "①の書類について"


def test_a_forced_encoding_that_does_not_fit_is_a_clear_error(city, tmp_path):
    path = write_csv(tmp_path / "sjis.csv", [row(氏名="高橋 一郎")], encoding="cp932")
    with pytest.raises(CommandError, match="文字コード「utf-8」として読めません"):
        run(path, "specialist1", "--encoding", "utf-8")
    assert not Contact.objects.exists()
    assert run(path, "specialist1", "--encoding", "Shift_JIS")[0] == 0
    assert Contact.objects.get().resident.name == "高橋 一郎"


def test_a_file_in_neither_encoding_is_refused(city, tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(",".join(HEADER).encode("utf-8") + b"\r\n\x85\x40,\x81")
    with pytest.raises(CommandError, match="UTF-8 でも Shift_JIS でもありません"):
        run(path)


# ---------------------------------------------------------------- xlsx


def test_xlsx_with_excel_date_and_time_cells(city, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "概要"
    data = workbook.create_sheet("記録")
    data.append(["令和7年度 カスハラ記録"])  # a title row above the header
    data.append([])
    data.append(["日付", "開始時刻", "対応時間（分）", "部署", "担当者", "手段", "相手方", "電話番号", "判断", "類型"])
    data.append(
        [
            dt.date(2025, 5, 1),
            dt.time(9, 5),
            45,
            "市民課",
            "staff1",
            "訪問",
            "佐藤 花子",
            287231234,
            "該当",
            "暴力・脅迫",
        ]
    )
    data.append(
        [dt.datetime(2025, 5, 2, 13, 0), None, dt.time(0, 30), "市民課", "市民 一郎", "文書", "", "", "非該当", ""]
    )
    for cells in data.iter_rows(min_row=4):
        cells[0].number_format = "yyyy/m/d"
    data["B4"].number_format = "h:mm"
    path = tmp_path / "kiroku.xlsx"
    workbook.save(path)

    code, out, err = run(path, "specialist1", "--sheet", "記録", "--header-row", "3")

    assert code == 0, err
    first, second = Contact.objects.order_by("started_at")
    assert local(first.started_at) == dt.datetime(2025, 5, 1, 9, 5)
    assert local(first.ended_at) == dt.datetime(2025, 5, 1, 9, 50)
    assert first.channel == "visit"
    assert sorted(first.categories.values_list("code", flat=True)) == ["threat", "violence"]
    assert list(first.resident.phones.values_list("digits", flat=True)) == ["0287231234"]
    assert local(second.started_at) == dt.datetime(2025, 5, 2, 13, 0)
    assert second.duration_seconds == 30 * 60
    assert second.channel == "letter"


def test_xlsx_title_row_is_skipped_by_the_default_header(city, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([None])
    sheet.append(HEADER)
    sheet.append(row())
    path = tmp_path / "kiroku.xlsx"
    workbook.save(path)
    code, out, err = run(path)
    assert code == 0, err
    assert Contact.objects.count() == 1


def test_unknown_sheet_is_named(city, tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "記録"
    path = tmp_path / "kiroku.xlsx"
    workbook.save(path)
    with pytest.raises(CommandError, match="シート「令和6年度」がありません。あるシート: 記録"):
        run(path, "specialist1", "--sheet", "令和6年度")


# ---------------------------------------------------------------- residents


def test_name_variants_of_one_person_land_on_one_resident(city, tmp_path):
    path = write_csv(
        tmp_path / "kiroku.csv",
        [
            row(対応日="2025/4/1", 氏名="髙橋 一郎", 電話番号="0287-23-8702"),
            row(対応日="2025/4/2", 氏名="高橋一郎", 電話番号="０２８７（２３）８７０２"),
            row(対応日="2025/4/3", 氏名="高橋 一郎", 電話番号="+81 287 23 8702"),
            row(対応日="2025/4/4", 氏名="山田 花子", 電話番号="090-1111-2222"),
        ],
    )
    code, out, err = run(path, "specialist1", "--verbosity", "2")

    assert code == 0, err
    assert Resident.objects.count() == 2
    takahashi = Resident.objects.get(contacts__started_at__date=dt.date(2025, 4, 1))
    assert takahashi.contacts.count() == 3
    assert "新しく登録した住民等: 2人、既存の住民等と統合: 2件" in out
    assert "3行目: 取り込みました" in out
    line = next(line for line in out.splitlines() if line.startswith("3行目"))
    assert "既存の住民等「髙橋 一郎」と統合" in line
    assert "電話番号" in line  # the matcher's reasons are shown


def test_an_existing_resident_is_reused(city, tmp_path):
    existing = make_resident(city.staff, name="鈴木 一郎", kana="すずき いちろう", phones=("0287-11-2233",))
    path = write_csv(tmp_path / "kiroku.csv", [row(氏名="鈴木　一郎", 電話番号="0287112233")])
    code, out, err = run(path)
    assert code == 0, err
    assert Contact.objects.get().resident == existing
    assert Resident.objects.count() == 1
    assert "新しく登録した住民等: 0人、既存の住民等と統合: 1件" in out


def test_same_common_name_with_other_phone_is_not_merged(city, tmp_path):
    make_resident(city.staff, name="佐藤 誠", kana="さとう まこと", phones=("0287-11-1111",), address="大田原市本町1-1")
    path = write_csv(tmp_path / "kiroku.csv", [row(氏名="佐藤 誠", 電話番号="090-9999-8888", 住所="那須塩原市黒磯5-6")])
    code, out, err = run(path)
    assert code == 0, err
    assert Resident.objects.filter(name="佐藤 誠").count() == 2


# ---------------------------------------------------------------- errors


def test_unreadable_rows_are_reported_by_row_number_and_the_rest_imported(city, tmp_path):
    path = write_csv(
        tmp_path / "kiroku.csv",
        [
            row(対応日="2025/4/1"),
            row(対応日="2025/13/01"),
            [""] * len(HEADER),  # an empty row is skipped, not an error
            row(対応日="2025/4/2", 開始時刻="25:00"),
            row(対応日="2025/4/3"),
        ],
    )
    code, out, err = run(path)

    assert code == 1
    assert "3行目: 日付「2025/13/01」を読めません" in err
    assert "5行目: 時刻「25:00」を読めません" in err
    assert "4行目" not in err
    assert "取り込み: 2件、既に取り込み済み: 0件、読めなかった行: 2件" in out
    assert sorted(local(c.started_at).day for c in Contact.objects.all()) == [1, 3]


def test_unknown_staff_category_department_and_channel_are_reported(city, tmp_path):
    path = write_csv(
        tmp_path / "kiroku.csv",
        [
            row(対応者="存在 しない"),
            row(カスハラ該当="該当", 類型="暴言、怒鳴り声"),
            row(担当課="観光課"),
            row(方法="FAX"),
            row(カスハラ該当="たぶん"),
            row(終了時刻="8:00"),
            row(終了時刻=""),
        ],
    )
    code, out, err = run(path)

    assert code == 1
    assert "2行目: 対応者「存在 しない」が職員の中に見つかりません" in err
    assert "3行目: 類型「怒鳴り声」はポリシーパックにありません" in err
    assert "4行目: 担当課「観光課」が見つかりません" in err
    assert "5行目: 対応方法「FAX」はわかりません" in err
    assert "6行目: カスハラ該当「たぶん」を読めません" in err
    assert "7行目: 終了時刻「8:00」が開始時刻「09:05」より前です" in err
    assert "8行目: 終了時刻も対応時間（分）もありません" in err
    assert not Contact.objects.exists()
    assert "読めなかった行: 7件" in out


def test_a_row_refused_by_the_service_leaves_nothing_behind(city, tmp_path):
    # 該当 without a category passes the reader but not contact_create, after the
    # resident was registered: the row's transaction takes the resident back.
    path = write_csv(tmp_path / "kiroku.csv", [row(氏名="新規 太郎", カスハラ該当="該当"), row(氏名="別人 花子")])
    residents_before = Resident.objects.count()
    code, out, err = run(path)

    assert code == 1
    assert "2行目: 類型: カスタマーハラスメントに該当する場合は、類型を1つ以上選んでください。" in err
    assert not Resident.objects.filter(name="新規 太郎").exists()
    assert Resident.objects.count() == residents_before + 1
    assert Contact.objects.count() == 1


def test_staff_may_import_only_their_own_department(city, tmp_path):
    path = write_csv(
        tmp_path / "kiroku.csv",
        [row(), row(対応日="2025/4/2", 担当課="税務課", 対応者="税務 花子")],
    )
    code, out, err = run(path, "staff1")
    assert code == 1
    assert "3行目: 担当課「税務課」の記録は、このユーザーでは取り込めません" in err
    assert list(Contact.objects.values_list("department__code", flat=True)) == ["shimin"]
    assert Contact.objects.get().created_by == city.staff


def test_the_administrator_and_unknown_users_cannot_import(city, tmp_path):
    path = write_csv(tmp_path / "kiroku.csv", [row()])
    with pytest.raises(CommandError, match="取り込みできません"):
        run(path, "admin")
    with pytest.raises(CommandError, match="ユーザー「nobody」が見つかりません"):
        run(path, "nobody")
    assert not Contact.objects.exists()


def test_a_missing_required_column_stops_before_any_row(city, tmp_path):
    header = [name for name in HEADER if name != "対応者"]
    path = write_csv(tmp_path / "kiroku.csv", [["2025/4/1", "9:05", "9:35"]], header=header)
    with pytest.raises(CommandError, match="必要な列が見つかりません: 対応者"):
        run(path)


def test_other_headers_through_map_options_and_a_mapping_file(city, tmp_path):
    header = ["受付年月日", "時間", "終わり", "課名", "応対者", "種別", "相談者"]
    path = write_csv(
        tmp_path / "kiroku.csv", [["R7.6.1", "10:00", "10:20", "市民課", "staff1", "電話", "川村 三郎"]], header=header
    )
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(
        '[columns]\n"受付年月日" = "date"\n"時間" = "start_time"\n"終わり" = "end_time"\n"課名" = "department"\n',
        encoding="utf-8",
    )
    code, out, err = run(
        path,
        "specialist1",
        "--mapping",
        str(mapping),
        "--map",
        "応対者=staff",
        "--map",
        "種別=channel",
        "--map",
        "相談者=name",
    )
    assert code == 0, err
    contact = Contact.objects.get()
    assert (contact.channel, contact.staff, contact.resident.name) == ("phone", city.staff, "川村 三郎")

    with pytest.raises(CommandError, match="対応先「who」はありません"):
        run(path, "specialist1", "--map", "応対者=who")


# ---------------------------------------------------------------- idempotency and dry run


def test_a_second_run_imports_nothing_twice(city, tmp_path):
    rows = [row(対応日=f"2025/4/{day}", 氏名="髙橋 一郎", 電話番号="0287-23-8702") for day in (1, 2, 3)]
    path = write_csv(tmp_path / "kiroku.csv", rows)
    assert run(path)[0] == 0
    contacts, residents, entries = Contact.objects.count(), Resident.objects.count(), AuditEntry.objects.count()

    code, out, err = run(path)

    assert code == 0
    assert "取り込み: 0件、既に取り込み済み: 3件、読めなかった行: 0件" in out
    assert (Contact.objects.count(), Resident.objects.count()) == (contacts, residents)
    assert AuditEntry.objects.count() == entries + 1  # only the run itself is recorded


def test_the_same_record_in_a_reexported_file_is_recognised(city, tmp_path):
    write_csv(
        tmp_path / "first.csv",
        [
            row(
                対応日="2025/4/1",
                開始時刻="9:05",
                終了時刻="9:35",
                氏名="山田 太郎",
                電話番号="0287-23-1234",
                内容="手数料",
            )
        ],
    )
    assert run(tmp_path / "first.csv")[0] == 0
    # Another export: other column order, era date, kanji time, minutes instead of an end time, Shift_JIS.
    header = ["氏名", "内容", "電話番号", "方法", "対応者", "担当課", "対応時間（分）", "開始時刻", "日付"]
    write_csv(
        tmp_path / "again.csv",
        [["山田　太郎", "手数料", "(0287)23-1234", "窓口", "staff1", "市民課", "30", "9時5分", "令和7年4月1日"]],
        header=header,
        encoding="cp932",
    )
    code, out, err = run(tmp_path / "again.csv")
    assert code == 0, err
    assert "取り込み: 0件、既に取り込み済み: 1件" in out
    assert Contact.objects.count() == 1


def test_a_duplicated_row_within_one_file_is_imported_once(city, tmp_path):
    path = write_csv(tmp_path / "kiroku.csv", [row(), row()])
    code, out, err = run(path)
    assert code == 0
    assert "取り込み: 1件、既に取り込み済み: 1件" in out
    assert Contact.objects.count() == 1


def test_dry_run_validates_everything_and_writes_nothing(city, tmp_path):
    path = write_csv(
        tmp_path / "kiroku.csv",
        [
            row(氏名="髙橋 一郎", 電話番号="0287-23-8702", カスハラ該当="該当", 類型="暴言"),
            row(対応日="2025/4/2", 氏名="高橋一郎", 電話番号="0287238702"),
            row(対応日="2025/13/01"),
        ],
    )
    counts = (Contact.objects.count(), Resident.objects.count(), AuditEntry.objects.count())

    code, out, err = run(path, "specialist1", "--dry-run")

    assert code == 1
    assert "3行目" not in err and "4行目: 日付「2025/13/01」を読めません" in err
    assert "確認のみ" in out
    assert (
        "取り込み: 2件、既に取り込み済み: 0件、読めなかった行: 1件、新しく登録した住民等: 1人、既存の住民等と統合: 1件"
        in out
    )
    assert (Contact.objects.count(), Resident.objects.count(), AuditEntry.objects.count()) == counts
    # and the real run afterwards does what the dry run said
    code, out, err = run(path)
    assert (
        "取り込み: 2件、既に取り込み済み: 0件、読めなかった行: 1件、新しく登録した住民等: 1人、既存の住民等と統合: 1件"
        in out
    )


# ---------------------------------------------------------------- judgement, categories, audit, packs


@pytest.mark.parametrize(
    ("written", "judgement"),
    [
        ("該当", "yes"),
        ("○", "yes"),
        ("非該当", "no"),
        ("", "undecided"),  # a blank cell was never judged
        ("未判断", "undecided"),
        ("該当しない", "no"),
        ("検討中", "unsure"),
        ("判断に迷う", "unsure"),
    ],
)
def test_judgement_words_are_mapped(city, tmp_path, written, judgement):
    path = write_csv(tmp_path / "kiroku.csv", [row(カスハラ該当=written, 類型="暴言" if judgement == "yes" else "")])
    assert run(path)[0] == 0
    assert Contact.objects.get().harassment == judgement


def test_category_names_with_separators_and_a_name_holding_a_middle_dot(city, tmp_path):
    path = write_csv(
        tmp_path / "kiroku.csv",
        [row(カスハラ該当="該当", 類型="暴言・脅迫, セクシュアル・ハラスメント／SNS投稿")],
    )
    code, out, err = run(path)
    assert code == 0, err
    codes = sorted(Contact.objects.get().categories.values_list("code", flat=True))
    assert codes == ["sexual_harassment", "sns_post", "threat", "verbal_abuse"]


def test_audit_entries_are_created(city, tmp_path):
    path = write_csv(tmp_path / "kiroku.csv", [row(氏名="山田 太郎", 電話番号="0287-23-1234")])
    run(path)
    contact = Contact.objects.get()
    actions = set(AuditEntry.objects.filter(actor=city.specialist).values_list("action", flat=True))
    assert {
        "records.contact.created",
        "records.contact.imported",
        "people.resident.created",
        "records.contact.import_ran",
    } <= actions
    imported = AuditEntry.objects.get(action="records.contact.imported")
    assert imported.object_id == str(contact.pk)
    assert imported.after["file"] == "kiroku.csv" and imported.after["row"] == 2
    assert imported.after["import_key"] == contact.import_key
    ran = AuditEntry.objects.get(action="records.contact.import_ran")
    assert ran.after["imported"] == 1


def test_a_harassment_row_opens_a_case_like_the_ui(city, tmp_path):
    from cases.models import Case

    path = write_csv(tmp_path / "kiroku.csv", [row(氏名="山田 太郎", カスハラ該当="該当", 類型="暴言")])
    assert run(path)[0] == 0
    assert Case.objects.filter(contacts=Contact.objects.get()).exists()


def test_channels_and_categories_come_from_the_pack(city, tmp_path, settings):
    settings.MAMORU_POLICY_PACK = str(MINATO)
    reset_cache()
    path = write_csv(
        tmp_path / "kiroku.csv",
        [row(方法="チャット", カスハラ該当="該当", 類型="大声"), row(対応日="2025/4/2", 方法="訪問")],
    )
    code, out, err = run(path)
    assert code == 1
    assert "3行目: 対応方法「訪問」はわかりません" in err
    contact = Contact.objects.get()
    assert contact.channel == "chat"
    assert list(contact.categories.values_list("code", flat=True)) == ["shouting"]


def test_the_sample_file_in_the_repository(city, tmp_path):
    """data/import/sample-kiroku.csv, against the demo's staff names."""
    user_create(
        actor=None, username="demo1", password="x" * 12, role="staff", department=city.shimin, full_name="佐藤 美咲"
    )
    user_create(
        actor=None, username="demo2", password="x" * 12, role="staff", department=city.zeimu, full_name="鈴木 健太"
    )
    code, out, err = run(SAMPLE)

    assert code == 1
    assert err.strip().startswith("6行目: 日付「2025/13/01」を読めません")
    assert (
        "取り込み: 4件、既に取り込み済み: 0件、読めなかった行: 1件、新しく登録した住民等: 2人、既存の住民等と統合: 1件"
        in out
    )
    takahashi = Resident.objects.get(name="髙橋 一郎")
    assert takahashi.contacts.count() == 2


def _cell(text):
    """A sample CSV value as an Excel cell would hold it: dates and times as such."""
    for parse in (parse_date, parse_time):
        try:
            value = parse(text)
        except RowError:
            continue
        return value[0] if isinstance(value, tuple) else value
    return text


def test_the_sample_file_as_xlsx_gives_the_same_result(city, tmp_path):
    """The .xlsx twin of the sample, built here (no binary in the repository),
    with real Excel date and time cells where the CSV has readable ones."""
    user_create(
        actor=None, username="demo1", password="x" * 12, role="staff", department=city.shimin, full_name="佐藤 美咲"
    )
    user_create(
        actor=None, username="demo2", password="x" * 12, role="staff", department=city.zeimu, full_name="鈴木 健太"
    )
    with SAMPLE.open(encoding="utf-8-sig", newline="") as source:
        rows = list(csv.reader(source))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(rows[0])
    for values in rows[1:]:
        sheet.append([_cell(values[0]), _cell(values[1]), _cell(values[2]) if values[2] else None, *values[3:]])
    assert isinstance(sheet["A2"].value, dt.date) and isinstance(sheet["B2"].value, dt.time)
    path = tmp_path / "sample-kiroku.xlsx"
    workbook.save(path)

    code, out, err = run(path)

    assert code == 1
    assert "6行目: 日付「2025/13/01」を読めません" in err
    assert (
        "取り込み: 4件、既に取り込み済み: 0件、読めなかった行: 1件、新しく登録した住民等: 2人、既存の住民等と統合: 1件"
        in out
    )
    # the CSV holds the same records: nothing is imported twice
    code, out, err = run(SAMPLE)
    assert "取り込み: 0件、既に取り込み済み: 4件" in out


def test_the_example_mapping_file(city, tmp_path):
    header = [
        "受付年月日",
        "受付時刻",
        "所要分",
        "所管課",
        "応対職員",
        "受付方法",
        "相談者氏名",
        "カスハラ判定",
        "行為類型",
    ]
    path = write_csv(
        tmp_path / "kiroku.csv",
        [["令和7年6月2日", "午後2時", "15", "市民課", "市民 一郎", "メール", "森 一", "該当", "SNS投稿"]],
        header=header,
    )
    example = Path(__file__).resolve().parent.parent / "data" / "import" / "mapping-example.toml"
    code, out, err = run(path, "specialist1", "--mapping", str(example))
    assert code == 0, err
    contact = Contact.objects.get()
    assert local(contact.started_at) == dt.datetime(2025, 6, 2, 14, 0)
    assert (contact.channel, contact.harassment, contact.resident.name) == ("mail", "yes", "森 一")
    assert list(contact.categories.values_list("code", flat=True)) == ["sns_post"]


def test_staff_are_found_by_name_variants_and_retired_staff_are_named(city, tmp_path):
    takahashi = user_create(
        actor=None, username="takahashi", password="x" * 12, role="staff", department=city.shimin, full_name="髙橋 誠"
    )
    retired = user_create(
        actor=None, username="retired", password="x" * 12, role="staff", department=city.shimin, full_name="退職 太郎"
    )
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    path = write_csv(tmp_path / "kiroku.csv", [row(対応者="高橋誠"), row(対応日="2025/4/2", 対応者="退職 太郎")])

    code, out, err = run(path)

    assert code == 1
    assert Contact.objects.get().staff == takahashi
    assert "3行目: 対応者「退職 太郎」は無効になっている利用者のため、記録に指定できません" in err


def test_a_cell_with_two_phone_numbers_gives_the_resident_both(city, tmp_path):
    path = write_csv(tmp_path / "kiroku.csv", [row(氏名="川田 二郎", 電話番号="0287-11-2233／090-1234-5678")])
    code, out, err = run(path)
    assert code == 0, err
    resident = Contact.objects.get().resident
    assert list(resident.phones.values_list("digits", flat=True)) == ["0287112233", "09012345678"]


# --- The definition check: its columns are imported and held to the form's rules (issue 12) ---------

DEFINITION_HEADER = [*HEADER, "(a)要求の内容", "(a)の理由", "(b)手段・態様", "(b)の理由", "(c)生じた被害", "(c)の理由"]


def definition_row(**values):
    defaults = dict(zip(HEADER, row(), strict=True))
    defaults.update(values)
    return [defaults.get(name, "") for name in DEFINITION_HEADER]


def test_definition_answers_are_imported_and_held_to_the_forms_rules(city, tmp_path):
    path = write_csv(
        tmp_path / "kiroku.csv",
        [
            definition_row(カスハラ該当="該当", 類型="暴言", **{"(a)要求の内容": "はい"}),
            definition_row(
                対応日="2025/4/2", カスハラ該当="該当", 類型="暴言", **{"(a)要求の内容": "いいえ", "(b)手段・態様": "×"}
            ),
            definition_row(対応日="2025/4/3", **{"(c)生じた被害": "業務への支障"}),
            definition_row(
                対応日="2025/4/4",
                カスハラ該当="該当",
                類型="暴言",
                **{
                    "(a)要求の内容": "いいえ",
                    "(a)の理由": "証明書の交付自体は正当な要求",
                    "(b)手段・態様": "はい",
                    "(b)の理由": "大声で30分怒鳴り続けた",
                    "(c)生じた被害": "職員の人格や尊厳の侵害、業務への支障",
                    "(c)の理由": "窓口を30分閉じた",
                },
            ),
            definition_row(対応日="2025/4/5", **{"(b)手段・態様": "たぶん"}),
        ],
        header=DEFINITION_HEADER,
    )
    code, out, err = run(path)

    assert code == 1
    assert "2行目: 内容についての理由: 「はい」とした理由を記入してください。" in err
    assert (
        "3行目: カスハラ該当: (a)・(b)がともに「いいえ」の場合、基本方針のカスタマーハラスメントには該当しません。"
        in err
    )
    assert "4行目: 被害についての理由: 被害の内容を記入してください。" in err
    assert "6行目: 手段・態様「たぶん」を読めません（はい・いいえ・わからない のいずれか）" in err
    contact = Contact.objects.get()
    assert (contact.content_unreasonable, contact.content_reason) == ("no", "証明書の交付自体は正当な要求")
    assert (contact.manner_inappropriate, contact.manner_reason) == ("yes", "大声で30分怒鳴り続けた")
    assert contact.harms == ["dignity", "obstruction"] and contact.harm_reason == "窓口を30分閉じた"


def test_an_old_sheet_without_definition_columns_still_imports_judged_rows(city, tmp_path):
    # Historical sheets carry a judgement and categories but no (a)-(c) answers: nothing to refuse there.
    path = write_csv(tmp_path / "kiroku.csv", [row(カスハラ該当="該当", 類型="暴言")])
    code, out, err = run(path)
    assert code == 0, err
    contact = Contact.objects.get()
    assert contact.harassment == "yes" and contact.content_unreasonable == "" and contact.harms == []
