"""Finding the same person (名寄せ): normalising, scoring, keys stored by the
services, candidates through the indexed keys, and the figures on the
labelled pairs."""

import pytest

from mamoru.lib.japanese import address_compact, kana_loose, reading_guess, reading_guesses
from mamoru.lib.variants import VARIANTS, fold_variants
from people.evaluate_matching import evaluate, load_pairs
from people.matching import (
    POSSIBLE_THRESHOLD,
    SAME_THRESHOLD,
    PersonFields,
    resident_candidates,
    resident_match_keys,
    same_person,
)
from people.models import Resident
from people.services import resident_update

from .factories import make_resident

P = PersonFields


@pytest.mark.parametrize(
    ("variant", "common"),
    [
        ("髙橋", "高橋"),
        ("山﨑", "山崎"),
        ("山嵜", "山崎"),
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("齋藤", "斎藤"),
        ("齊藤", "斉藤"),
        ("濱田", "浜田"),
        ("澤田", "沢田"),
        ("櫻井", "桜井"),
        ("廣瀬", "広瀬"),
        ("國分", "国分"),
        ("實", "実"),
        ("眞鍋", "真鍋"),
        ("德永", "徳永"),
        ("曾根", "曽根"),
        ("藏本", "蔵本"),
        ("龍崎", "竜崎"),
        ("惠子", "恵子"),
        ("瀨戸", "瀬戸"),
        ("冨田", "富田"),
        ("嶋田", "島田"),
        ("槇野", "槙野"),
        ("𠮷田", "吉田"),
    ],
)
def test_each_variant_matches_its_common_form(variant, common):
    assert fold_variants(variant) == fold_variants(common)
    decision = same_person(P(name=f"{variant} 誠", phone="090-1234-5678"), P(name=f"{common}　誠", phone="09012345678"))
    assert decision.same
    assert any("異体字" in reason for reason in decision.reasons)


def test_variant_table_has_no_chains_and_keeps_distinct_characters_apart():
    assert len(VARIANTS) >= 300
    assert all(target not in VARIANTS for target in VARIANTS.values())
    # Different characters that people confuse are not variants of each other.
    assert fold_variants("斉藤") != fold_variants("斎藤")
    assert fold_variants("埼玉") == "埼玉"


def test_pykakasi_traps_never_give_an_empty_or_partial_reading():
    # pykakasi alone reads 髙橋 as "" and 山﨑 as やまやま: such readings are dropped.
    assert reading_guess("髙橋") == ""
    assert reading_guess("山﨑") == ""
    assert reading_guess(fold_variants("髙橋")) == "たかはし"
    assert reading_guess(fold_variants("山﨑")) == "やまざき"
    assert resident_match_keys(name="髙橋", kana="", address="")["reading_key"] == kana_loose("たかはし")
    # Two names that cannot be read never match on an empty reading.
    decision = same_person(P(name="髙橋 誠", phone="0287-23-8702"), P(name="山﨑 誠", phone="0287-23-8702"))
    assert not decision.same
    assert "氏名が異なる" in decision.reasons


@pytest.mark.parametrize(
    "number",
    ["０２８７－２３－８７０２", "0287-23-8702", "+81 287 23 8702", "(0287)23-8702", "0287238702", "+81-287-23-8702"],
)
def test_phone_formats(number):
    decision = same_person(P(name="大金 正男", phone="0287-23-8702"), P(name="大金 正男", phone=number))
    assert decision.same and "電話番号が一致" in decision.reasons


def test_phone_without_area_code_is_weaker_but_counts():
    decision = same_person(P(name="郡司 清", phone="23-8702"), P(name="郡司 清", phone="0287-23-8702"))
    assert decision.same and "電話番号が一致（市外局番の有無を除く）" in decision.reasons
    other = same_person(P(name="郡司 清", phone="0287-23-8702"), P(name="郡司 清", phone="0287-23-8703"))
    assert "電話番号が異なる" in other.reasons


@pytest.mark.parametrize(
    "address",
    [
        "大田原市本町1丁目4番1号",
        "大田原市本町一丁目4-1",
        "本町1-4-1",
        "栃木県大田原市本町１－４－１",
        "大田原市本町1丁目4番地1",
        "大田原市本町一丁目四番一号",
    ],
)
def test_address_forms(address):
    decision = same_person(P(name="益子 幸子", address="大田原市本町1丁目4番1号"), P(name="益子 幸子", address=address))
    assert decision.same
    assert any(reason.startswith("住所が一致") for reason in decision.reasons)


def test_address_normalisation():
    assert address_compact("大田原市本町1丁目4番1号") == "大田原市本町1-4-1"
    assert address_compact("栃木県大田原市大字湯津上123番地") == "大田原市湯津上123"
    assert address_compact("大田原市中央二十三丁目") == "大田原市中央23"


def test_neighbours_in_one_building_are_not_one_address():
    a = P(name="大野 清", address="大田原市中央1-2-3 グリーンハイツ中央101")
    b = P(name="大野 清", address="大田原市中央1-2-3 グリーンハイツ中央305")
    decision = same_person(a, b)
    assert not decision.same
    assert "住所の番地は一致するが、建物名・部屋番号が異なる" in decision.reasons


def test_kana_name_against_kanji_with_known_reading():
    decision = same_person(P(name="髙橋 誠", phone="0287-23-8702"), P(name="タカハシ マコト", phone="0287238702"))
    assert decision.same
    assert any("推定" in reason for reason in decision.reasons)
    # A reading the person gave is stronger than one guessed from the kanji.
    given = same_person(
        P(name="髙橋 誠", kana="たかはし まこと", phone="0287-23-8702"), P(name="ﾀｶﾊｼ ﾏｺﾄ", phone="0287238702")
    )
    assert given.same and given.score > decision.score
    assert "読みが一致（かな書きの氏名とふりがな）" in given.reasons


def test_a_name_with_several_readings_is_not_ruled_out():
    assert {"なかた", "なかだ"} <= set(reading_guesses("中田"))
    decision = same_person(P(name="中田 誠", phone="090-2222-3333"), P(name="ナカダ マコト", phone="09022223333"))
    assert decision.same


def test_same_common_name_with_different_phone_and_address_is_not_the_same_person():
    a = P(name="佐藤 誠", kana="さとう まこと", phone="0287-22-1111", address="大田原市中央1-1-1")
    b = P(name="佐藤 誠", kana="サトウ マコト", phone="090-9999-0000", address="大田原市山の手2-3-4")
    decision = same_person(a, b)
    assert not decision.same and decision.score < POSSIBLE_THRESHOLD


def test_same_common_name_alone_is_only_possible():
    decision = same_person(P(name="佐藤 誠"), P(name="佐藤誠", kana="さとう まこと"))
    assert not decision.same
    assert POSSIBLE_THRESHOLD <= decision.score < SAME_THRESHOLD
    assert any("同姓同名" in reason for reason in decision.reasons)


def test_household_sharing_phone_and_address_is_told_apart_by_given_name():
    a = P(name="佐藤 健一", phone="0287-22-1111", address="大田原市城山1-1-1")
    b = P(name="佐藤 健二", phone="0287-22-1111", address="大田原市城山1丁目1番1号")
    assert not same_person(a, b).same
    assert not same_person(P(name="髙橋 翔", phone="0287-22-2222"), P(name="タカハシ ユイ", phone="0287222222")).same


def test_moved_and_changed_phone_are_still_the_same_person():
    moved = same_person(
        P(name="君島 勝", phone="090-1234-5678", address="大田原市本町1-1-1"),
        P(name="君島 勝", phone="09012345678", address="大田原市美原3-2-1"),
    )
    assert moved.same and "住所が異なる（転居の可能性あり）" in moved.reasons
    new_phone = same_person(
        P(name="君島 勝", phone="090-1234-5678", address="大田原市本町1-1-1"),
        P(name="君島 勝", phone="080-0000-1111", address="本町1丁目1番1号"),
    )
    assert new_phone.same


def test_missing_fields_never_crash_and_never_match_on_nothing():
    assert not same_person(P(), P()).same
    assert not same_person(
        P(phone="0287-23-8702", address="本町1-4-1"), P(phone="0287238702", address="本町1-4-1")
    ).same
    decision = same_person(P(name="山田 太郎"), P(name="山田 太郎", phone="0287-23-8702"))
    assert not decision.same and 0.0 <= decision.score <= 1.0


def test_score_is_symmetric():
    a = P(name="渡邊 花子", kana="わたなべ はなこ", phone="0287-23-1111", address="大田原市本町1-2-3")
    b = P(name="ワタナベ ハナコ", phone="+81 287 23 1111", address="本町一丁目2番3号")
    assert same_person(a, b) == same_person(b, a)


# --- keys stored by the services -------------------------------------------------


def test_keys_are_computed_on_create_and_update(city):
    resident = make_resident(city.staff, name="髙橋 一郎", kana="タカハシ イチロウ", address="大田原市本町一丁目4番1号")
    resident.refresh_from_db()
    assert resident.name_key == "高橋一郎"
    assert resident.reading_key == kana_loose("たかはしいちろう")
    assert resident.address_key == "大田原市本町1-4-1"
    resident_update(actor=city.staff, resident=resident, name="山﨑 花子", name_kana="", address="")
    resident.refresh_from_db()
    assert resident.name_key == "山崎花子"
    assert resident.reading_key == kana_loose("やまざきはなこ")
    assert resident.address_key == ""


def test_resident_keys_command_fills_missing_keys(city):
    from django.core.management import call_command

    resident = make_resident(city.staff, name="渡邊 健一", kana="")
    Resident.objects.filter(pk=resident.pk).update(name_key="", reading_key="", address_key="")
    call_command("resident_keys", "--only-missing")
    resident.refresh_from_db()
    assert resident.name_key == "渡辺健一" and resident.reading_key


# --- candidates ----------------------------------------------------------------


@pytest.fixture
def residents(city):
    made = {
        "takahashi": make_resident(
            city.staff, name="髙橋 誠", kana="", phones=["0287-23-8702"], address="大田原市本町1-4-1"
        ),
        "sato_a": make_resident(city.staff, name="佐藤 誠", kana="さとう まこと", phones=["0287-22-1111"]),
        "sato_b": make_resident(city.staff, name="佐藤 誠", kana="さとう まこと", phones=["090-9999-0000"]),
        "kana_only": make_resident(city.staff, name="ナカダ マコト", kana="", phones=["090-2222-3333"]),
        "other": make_resident(city.staff, name="鈴木 花子", kana="すずき はなこ", phones=["0287-23-8702"]),
    }
    for n in range(30):
        make_resident(city.staff, name=f"山田 {n}郎", kana="", phones=[f"0287-55-{n:04d}"])
    return made


def test_candidates_by_name_reading_and_phone(residents, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        found = resident_candidates(P(name="高橋誠", phone="+81 287 23 8702"))
    assert found[0].resident == residents["takahashi"] and found[0].decision.same
    # 鈴木 花子 shares the phone but not the name: not offered.
    assert residents["other"] not in [candidate.resident for candidate in found]

    found = resident_candidates(P(name="中田 誠", phone="09022223333"))
    assert [candidate.resident for candidate in found] == [residents["kana_only"]]


def test_candidates_include_possible_only_when_asked(residents):
    probe = P(name="佐藤 誠", kana="サトウ マコト")
    possible = resident_candidates(probe)
    assert {c.resident for c in possible} == {residents["sato_a"], residents["sato_b"]}
    assert all(not c.decision.same for c in possible)
    assert resident_candidates(probe, include_possible=False) == []
    sure = resident_candidates(P(name="佐藤 誠", phone="0287221111"))
    assert sure[0].resident == residents["sato_a"] and sure[0].decision.same
    assert (
        resident_candidates(P(name="佐藤 誠", phone="0287221111"), exclude_ids=[residents["sato_a"].pk])[0].resident
        == residents["sato_b"]
    )


def test_candidates_skip_merged_residents(residents):
    Resident.objects.filter(pk=residents["takahashi"].pk).update(merged_into=residents["other"])
    assert residents["takahashi"] not in [c.resident for c in resident_candidates(P(name="高橋 誠"))]


def test_candidates_use_the_indexes_not_a_scan(residents):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        resident_candidates(P(name="高橋 誠", kana="たかはし まこと", phone="0287-23-8702"))
    assert 1 <= len(queries) <= 5
    for query in queries.captured_queries:
        sql = query["sql"]
        assert "WHERE" in sql  # every statement is narrowed by an indexed key or primary keys


# --- the labelled pairs ----------------------------------------------------------


def test_labelled_set_is_large_and_balanced():
    pairs = load_pairs()
    same = sum(pair["same"] for pair in pairs)
    assert len(pairs) >= 400 and 0.4 <= same / len(pairs) <= 0.6
    cases = {pair["case"] for pair in pairs}
    assert {
        "variant_kanji",
        "phone_format",
        "address_form",
        "kana_vs_kanji",
        "household",
        "same_name_different_person",
        "moved",
    } <= cases
    assert {pair["split"] for pair in pairs} == {"dev", "test"}


def test_held_out_pairs_meet_the_thresholds():
    result = evaluate(load_pairs(split="test"))
    assert result.total >= 100
    assert result.precision >= 0.95, result.errors
    assert result.recall >= 0.90, result.errors
    whole = evaluate(load_pairs())
    assert whole.precision >= 0.95 and whole.recall >= 0.90
