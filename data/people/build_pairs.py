"""Write data/people/pairs.jsonl: the labelled pairs for the resident matcher.

    .venv/bin/python data/people/build_pairs.py

Each pair is built from one invented person and a second record that is, by
construction, the same person written another way or a different person who
looks alike. The label comes from how the pair was made, never from the
matcher. A seeded random generator keeps the file the same on every run; the
hand-written pairs at the end are kept as they are. ``split`` is "dev" (used
to set the thresholds) or "test" (held out: figures reported on it only).
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

OUT = Path(__file__).resolve().parent / "pairs.jsonl"

# (common form, reading, variant forms as written on registers)
SURNAMES = [
    ("高橋", "たかはし", ["髙橋"]),
    ("山崎", "やまざき", ["山﨑", "山嵜", "山碕"]),
    ("渡辺", "わたなべ", ["渡邊", "渡邉"]),
    ("斎藤", "さいとう", ["齋藤"]),
    ("斉藤", "さいとう", ["齊藤"]),
    ("浜田", "はまだ", ["濱田", "濵田"]),
    ("沢田", "さわだ", ["澤田"]),
    ("桜井", "さくらい", ["櫻井"]),
    ("広瀬", "ひろせ", ["廣瀬", "廣瀨"]),
    ("国分", "こくぶん", ["國分"]),
    ("富田", "とみた", ["冨田"]),
    ("島田", "しまだ", ["嶋田"]),
    ("曽根", "そね", ["曾根"]),
    ("徳永", "とくなが", ["德永"]),
    ("滝沢", "たきざわ", ["瀧澤", "瀧沢"]),
    ("長谷川", "はせがわ", []),
    ("佐藤", "さとう", []),
    ("鈴木", "すずき", []),
    ("田中", "たなか", []),
    ("伊藤", "いとう", []),
    ("山本", "やまもと", []),
    ("中村", "なかむら", []),
    ("小林", "こばやし", []),
    ("加藤", "かとう", []),
    ("吉田", "よしだ", []),
    ("山田", "やまだ", []),
    ("佐々木", "ささき", []),
    ("松本", "まつもと", []),
    ("井上", "いのうえ", []),
    ("木村", "きむら", []),
    ("清水", "しみず", []),
    ("阿部", "あべ", []),
    ("池田", "いけだ", []),
    ("橋本", "はしもと", []),
    ("石川", "いしかわ", []),
    ("小川", "おがわ", []),
    ("後藤", "ごとう", []),
    ("岡田", "おかだ", []),
    ("藤田", "ふじた", []),
    ("青木", "あおき", []),
    ("村上", "むらかみ", []),
    ("福田", "ふくだ", []),
    ("大森", "おおもり", []),
    ("阿久津", "あくつ", []),
    ("君島", "きみしま", []),
    ("人見", "ひとみ", []),
    ("益子", "ましこ", []),
    ("薄井", "うすい", []),
    ("室井", "むろい", []),
    ("菊地", "きくち", []),
    ("大金", "おおがね", []),
    ("印南", "いんなみ", []),
    ("相馬", "そうま", []),
    ("手塚", "てづか", []),
    ("郡司", "ぐんじ", []),
    ("八木沢", "やぎさわ", []),
    ("大野", "おおの", []),
    ("太田", "おおた", []),
    ("工藤", "くどう", []),
    ("中田", "なかた", []),
    ("角田", "つのだ", []),
    ("河野", "こうの", []),
    ("菅野", "かんの", []),
    ("東海林", "しょうじ", []),
    ("上野", "うえの", []),
    ("新井", "あらい", []),
    ("荒井", "あらい", []),
    ("伊東", "いとう", []),
    ("須藤", "すどう", []),
    ("首藤", "しゅどう", []),
    ("大島", "おおしま", ["大嶋"]),
    ("辺見", "へんみ", ["邊見"]),
    ("真鍋", "まなべ", ["眞鍋"]),
    ("恵藤", "えとう", ["惠藤"]),
    ("竜崎", "りゅうざき", ["龍崎", "龍﨑"]),
    ("槙野", "まきの", ["槇野"]),
    ("蔵本", "くらもと", ["藏本"]),
    ("実川", "じつかわ", ["實川"]),
    ("瀬戸", "せと", ["瀨戸"]),
    ("桑原", "くわばら", ["桒原"]),
    ("吉川", "よしかわ", ["𠮷川"]),
    ("高木", "たかぎ", ["髙木"]),
    ("宮崎", "みやざき", ["宮﨑"]),
]
GIVEN = [
    ("一郎", "いちろう"),
    ("健一", "けんいち"),
    ("健二", "けんじ"),
    ("誠", "まこと"),
    ("隆", "たかし"),
    ("浩", "ひろし"),
    ("茂", "しげる"),
    ("勝", "まさる"),
    ("修", "おさむ"),
    ("和夫", "かずお"),
    ("正男", "まさお"),
    ("大輔", "だいすけ"),
    ("翔太", "しょうた"),
    ("拓也", "たくや"),
    ("健太", "けんた"),
    ("直樹", "なおき"),
    ("昭", "あきら"),
    ("清", "きよし"),
    ("秀樹", "ひでき"),
    ("義雄", "よしお"),
    ("悟", "さとる"),
    ("亮", "りょう"),
    ("剛", "つよし"),
    ("花子", "はなこ"),
    ("恵子", "けいこ"),
    ("幸子", "さちこ"),
    ("和子", "かずこ"),
    ("洋子", "ようこ"),
    ("節子", "せつこ"),
    ("美智子", "みちこ"),
    ("真由美", "まゆみ"),
    ("由美子", "ゆみこ"),
    ("智子", "ともこ"),
    ("陽子", "ようこ"),
    ("裕子", "ゆうこ"),
    ("愛", "あい"),
    ("彩香", "あやか"),
    ("美咲", "みさき"),
    ("千尋", "ちひろ"),
    ("京子", "きょうこ"),
    ("久美子", "くみこ"),
    ("明美", "あけみ"),
    ("直子", "なおこ"),
    ("早苗", "さなえ"),
    ("香織", "かおり"),
    ("翔", "しょう"),
    ("陽菜", "ひな"),
    ("大翔", "ひろと"),
    ("蓮", "れん"),
    ("結衣", "ゆい"),
    ("恵美", "えみ"),
    ("真一", "しんいち"),
    ("実", "みのる"),
    ("龍之介", "りゅうのすけ"),
    ("徳治", "とくじ"),
]
# Given names that families share a stem of (siblings, a parent and a child).
FAMILY_PAIRS = [
    (("健一", "けんいち"), ("健二", "けんじ")),
    (("和夫", "かずお"), ("和子", "かずこ")),
    (("一郎", "いちろう"), ("二郎", "じろう")),
    (("誠", "まこと"), ("誠一", "せいいち")),
    (("陽子", "ようこ"), ("洋子", "ようこ")),
    (("裕子", "ゆうこ"), ("優子", "ゆうこ")),
    (("正男", "まさお"), ("正夫", "まさお")),
    (("隆", "たかし"), ("隆之", "たかゆき")),
    (("美咲", "みさき"), ("美咲子", "みさこ")),
    (("大輔", "だいすけ"), ("大介", "だいすけ")),
    (("幸子", "さちこ"), ("幸恵", "さちえ")),
    (("翔太", "しょうた"), ("翔", "しょう")),
]
TOWNS_BLOCK = ["本町", "中央", "紫塚", "美原", "若草", "山の手", "住吉町", "元町", "浅香", "富士見", "末広", "城山"]
TOWNS_PLAIN = [
    "新富町",
    "野崎",
    "実取",
    "佐久山",
    "黒羽向町",
    "湯津上",
    "親園",
    "荒井",
    "市野沢",
    "薄葉",
    "北金丸",
    "蛭田",
]
BUILDINGS = ["コーポ若草", "メゾン紫塚", "ハイツ美原", "市営住宅住吉団地", "グリーンハイツ中央"]
KANJI = "〇一二三四五六七八九"
FULL = str.maketrans("0123456789-", "０１２３４５６７８９－")


def kanji_number(n: int) -> str:
    if n < 10:
        return KANJI[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else KANJI[tens]) + "十" + (KANJI[ones] if ones else "")


def katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def half_katakana(text: str) -> str:
    import unicodedata

    table = {}
    for code in range(0xFF61, 0xFFA0):
        table[unicodedata.normalize("NFKC", chr(code))] = chr(code)
    out = []
    for char in katakana(text):
        decomposed = unicodedata.normalize("NFD", char)
        base, marks = decomposed[0], decomposed[1:]
        out.append(table.get(base, base))
        for mark in marks:
            out.append("ﾞ" if mark == "\u3099" else "ﾟ")
    return "".join(out)


class Person:
    def __init__(self, rng: random.Random, surname=None, given=None):
        self.surname = surname or rng.choice(SURNAMES)
        self.given = given or rng.choice(GIVEN)
        self.mobile = f"0{rng.choice('789')}0-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
        self.landline = (
            f"0287-{rng.choice(['22', '23', '24', '28', '29', '54', '59', '98'])}-{rng.randint(0, 9999):04d}"
        )
        self.town = rng.choice(TOWNS_BLOCK)
        self.block = (rng.randint(1, 4), rng.randint(1, 25), rng.randint(1, 30))
        self.plain = (rng.choice(TOWNS_PLAIN), rng.randint(100, 3999))
        self.block_style = rng.random() < 0.7
        self.primary = self.mobile if rng.random() < 0.6 else self.landline
        self.building = (
            f"{rng.choice(BUILDINGS)}{rng.randint(1, 3)}0{rng.randint(1, 6)}号室" if rng.random() < 0.25 else ""
        )

    def name(self, variant=False, space=" ", rng=None):
        surname = self.surname[0]
        if variant and self.surname[2]:
            surname = (rng or random).choice(self.surname[2])
        return f"{surname}{space}{self.given[0]}"

    def kana(self, space=" ", kata=False):
        text = f"{self.surname[1]}{space}{self.given[1]}"
        return katakana(text) if kata else text

    def phone(self):
        return self.primary

    def address(self, style=0):
        if self.block_style:
            c, b, g = self.block
            forms = [
                f"大田原市{self.town}{c}丁目{b}番{g}号",
                f"大田原市{self.town}{kanji_number(c)}丁目{b}-{g}",
                f"{self.town}{c}-{b}-{g}",
                f"栃木県大田原市{self.town}{c}－{b}－{g}".translate(FULL),
                f"大田原市{self.town}{kanji_number(c)}丁目{kanji_number(b)}番{kanji_number(g)}号",
                f"栃木県 大田原市 {self.town} {c}丁目{b}番地{g}",
            ]
        else:
            town, n = self.plain
            forms = [
                f"大田原市{town}{n}番地",
                f"栃木県大田原市大字{town}{n}",
                f"大田原市{town}{n}",
                f"大田原市{town}{str(n).translate(FULL)}番地",
                f"{town}{n}",
                f"栃木県大田原市{town}{n}番地",
            ]
        text = forms[style % len(forms)]
        if self.building and style % 3 != 2:
            text += f" {self.building}"
        return text


def phone_forms(number: str) -> list[str]:
    digits = number.replace("-", "")
    parts = number.split("-")
    return [
        number,
        digits,
        number.translate(FULL),
        "+81 " + " ".join([parts[0][1:], *parts[1:]]),
        "+81-" + "-".join([parts[0][1:], *parts[1:]]),
        f"({parts[0]}){parts[1]}-{parts[2]}",
        " ".join(parts),
        f"{parts[0]}－{parts[1]}－{parts[2]}",
    ]


def rec(name="", kana="", phone="", address=""):
    return {"name": name, "kana": kana, "phone": phone, "address": address}


def build(rng: random.Random) -> list[dict]:
    pairs: list[dict] = []

    def add(case, same, a, b, note=""):
        pairs.append({"case": case, "same": same, "a": a, "b": b, **({"note": note} if note else {})})

    variant_surnames = [s for s in SURNAMES if s[2]]
    # --- same person -------------------------------------------------------------
    for i in range(60):  # variant kanji, with a phone or an address behind it
        p = Person(rng, surname=variant_surnames[i % len(variant_surnames)])
        a = rec(p.name(variant=True, rng=rng), p.kana(kata=rng.random() < 0.5) if rng.random() < 0.5 else "")
        b = rec(p.name(space=rng.choice([" ", "　", ""])), "")
        if i % 3 == 0:
            a["phone"], b["phone"] = rng.sample(phone_forms(p.phone()), 2)
        elif i % 3 == 1:
            a["address"], b["address"] = p.address(rng.randrange(6)), p.address(rng.randrange(6))
        else:
            a["phone"], b["phone"] = p.phone(), rng.choice(phone_forms(p.phone()))
            a["address"], b["address"] = p.address(0), p.address(rng.randrange(6))
        add("variant_kanji", True, a, b)
    for _ in range(30):  # phone written in another format
        p = Person(rng)
        number = p.mobile if rng.random() < 0.5 else p.landline
        x, y = rng.sample(phone_forms(number), 2)
        add("phone_format", True, rec(p.name(), phone=x), rec(p.name(space=""), p.kana(kata=True), phone=y))
    for _ in range(30):  # address written another way
        p = Person(rng)
        x, y = rng.sample(range(6), 2)
        add("address_form", True, rec(p.name(), p.kana(), address=p.address(x)), rec(p.name(), address=p.address(y)))
    for _ in range(25):  # name in kana on one side, kanji on the other
        p = Person(rng)
        kana_name = rng.choice([p.kana(), p.kana(kata=True), p.kana(space=""), half_katakana(p.kana(space=" "))])
        a = rec(p.name(variant=rng.random() < 0.3, rng=rng), phone=p.phone())
        if rng.random() < 0.4:
            a["kana"] = p.kana(kata=True)
        b = rec(kana_name, phone=rng.choice(phone_forms(p.phone())))
        if rng.random() < 0.4:
            b["address"] = p.address(2)
            a["address"] = p.address(0)
        add("kana_vs_kanji", True, a, b)
    for _ in range(15):  # width and spaces only
        p = Person(rng)
        name_a = p.name(space="　")
        kana_b = half_katakana(p.kana(space=" "))
        add(
            "width_space",
            True,
            rec(name_a, p.kana(), phone=p.phone()),
            rec(p.name(space=""), kana_b, phone=p.phone().translate(FULL)),
        )
    for _ in range(20):  # moved: same name and phone, new address
        p = Person(rng)
        q = Person(rng)
        add("moved", True, rec(p.name(), p.kana(), p.mobile, p.address(0)), rec(p.name(), "", p.mobile, q.address(1)))
    for _ in range(12):  # changed phone, same address
        p = Person(rng)
        q = Person(rng)
        add(
            "phone_changed",
            True,
            rec(p.name(), phone=p.landline, address=p.address(0)),
            rec(p.name(), phone=q.mobile, address=p.address(3)),
        )
    for _ in range(15):  # one record leaves fields out
        p = Person(rng)
        a = rec(p.name(), p.kana(kata=True), p.phone(), p.address(0))
        b = rec(p.name(variant=True, rng=rng), "", rng.choice(["", p.phone()]), "")
        if not b["phone"]:
            b["address"] = p.address(4)
        add("missing_fields", True, a, b)
    for _ in range(12):  # kana written with a long vowel mark, voiced mark or small kana differences
        p = Person(rng)
        kana = p.kana(kata=True)
        changed = (
            kana.replace("ウ", "ー", 1)
            if "ウ" in kana
            else kana.replace("ダ", "タ", 1)
            if "ダ" in kana
            else kana + "ー"
        )
        add("kana_variation", True, rec(p.name(), kana, p.phone()), rec(changed, "", p.phone()))
    for _ in range(6):  # honorific left on the name by an import
        p = Person(rng)
        add("honorific", True, rec(p.name() + " 様", phone=p.phone()), rec(p.name(), phone=p.phone()))
    # --- different people --------------------------------------------------------
    common = [
        ("佐藤", "さとう", []),
        ("鈴木", "すずき", []),
        ("高橋", "たかはし", ["髙橋"]),
        ("田中", "たなか", []),
        ("渡辺", "わたなべ", ["渡邊"]),
    ]
    common_given = [
        ("誠", "まこと"),
        ("一郎", "いちろう"),
        ("洋子", "ようこ"),
        ("和子", "かずこ"),
        ("隆", "たかし"),
        ("浩", "ひろし"),
    ]
    for i in range(40):  # same common name, different phone and address
        surname, given = common[i % len(common)], common_given[i % len(common_given)]
        p, q = Person(rng, surname, given), Person(rng, surname, given)
        a = rec(p.name(), p.kana(), p.phone(), p.address(0))
        b = rec(
            q.name(variant=rng.random() < 0.3, rng=rng),
            q.kana(kata=True) if rng.random() < 0.5 else "",
            q.phone(),
            q.address(1),
        )
        if i % 4 == 1:
            b["phone"] = ""
        if i % 4 == 2:
            b["address"] = ""
        add("same_name_different_person", False, a, b)
    for i in range(15):  # same common name and nothing else to tell
        surname, given = common[i % len(common)], common_given[(i + 2) % len(common_given)]
        p = Person(rng, surname, given)
        add("same_name_only", False, rec(p.name()), rec(p.name(space=""), p.kana()))
    for i in range(40):  # household: shared phone and address, different given name
        fam = FAMILY_PAIRS[i % len(FAMILY_PAIRS)] if i % 2 == 0 else (rng.choice(GIVEN), rng.choice(GIVEN))
        if fam[0] == fam[1]:
            continue
        p = Person(rng, given=fam[0])
        q_name = f"{p.surname[0]} {fam[1][0]}"
        q_kana = f"{p.surname[1]} {fam[1][1]}"
        a = rec(p.name(), p.kana() if i % 3 else "", p.landline, p.address(0))
        # Two members of one household with one reading (陽子 and 洋子) are only
        # told apart by the kanji: the second keeps its kanji then.
        in_kana = i % 5 == 0 and fam[0][1] != fam[1][1]
        b = rec(katakana(q_kana) if in_kana else q_name, q_kana if i % 3 == 0 else "", p.landline, p.address(2))
        add("household", False, a, b)
    same_reading = [
        ("伊藤", "伊東", "いとう"),
        ("斉藤", "斎藤", "さいとう"),
        ("新井", "荒井", "あらい"),
        ("須藤", "首藤", None),
        ("菅野", "管野", "かんの"),
        ("河野", "川野", "かわの"),
    ]
    for i in range(18):  # surnames that sound alike, different people
        x, y, reading = same_reading[i % len(same_reading)]
        given = rng.choice(GIVEN)
        p, q = Person(rng, given=given), Person(rng, given=given)
        ka = f"{reading} {given[1]}" if reading else ""
        add(
            "similar_name_different_person",
            False,
            rec(f"{x} {given[0]}", ka, p.phone(), p.address(0)),
            rec(f"{y} {given[0]}", ka, q.phone(), q.address(0)),
        )
    for _ in range(20):  # shared phone (a care home, an office) with different names
        p, q = Person(rng), Person(rng)
        add(
            "shared_phone_different_name",
            False,
            rec(p.name(), p.kana(), p.landline),
            rec(q.name(), q.kana(kata=True), p.landline, q.address(1)),
        )
    for _ in range(15):  # neighbours in one building
        p, q = Person(rng), Person(rng)
        p.block_style = True
        p.building = "コーポ若草101号室"
        address_b = p.address(0).replace("101号室", "203号室")
        add(
            "neighbours",
            False,
            rec(p.name(), phone=p.phone(), address=p.address(0)),
            rec(q.name(), phone=q.phone(), address=address_b),
        )
    for _ in range(20):  # same surname, different given name, nothing shared
        p = Person(rng)
        q = Person(rng, surname=p.surname)
        if q.given == p.given:
            continue
        add(
            "same_surname",
            False,
            rec(p.name(), p.kana(kata=True), p.phone()),
            rec(q.name(), q.kana(), q.phone(), q.address(0)),
        )
    for _ in range(20):  # same given name, different surname
        p = Person(rng)
        q = Person(rng, given=p.given)
        if q.surname == p.surname:
            continue
        add("same_given_name", False, rec(p.name(), phone=p.phone()), rec(q.name(), phone=q.phone()))
    for _ in range(20):  # unrelated people
        p, q = Person(rng), Person(rng)
        if p.surname == q.surname:
            continue
        add(
            "unrelated",
            False,
            rec(p.name(), p.kana(), p.phone(), p.address(0)),
            rec(q.name(), q.kana(), q.phone(), q.address(1)),
        )
    for _ in range(10):  # kana-only records of different people sharing a surname
        p = Person(rng)
        q = Person(rng, surname=p.surname)
        if q.given[1] == p.given[1]:
            continue
        add(
            "kana_different_given",
            False,
            rec(p.kana(kata=True), phone=p.mobile),
            rec(q.kana(), phone=q.mobile, address=q.address(0)),
        )
    return pairs


# Pairs written by hand: traps named in the issue and ones a generator would not make.
HAND = [
    ("trap_pykakasi", True, rec("髙橋 誠", phone="０２８７－２３－８７０２"), rec("高橋 誠", phone="0287-23-8702")),
    (
        "trap_pykakasi",
        True,
        rec("山﨑 花子", address="大田原市本町1丁目4番1号"),
        rec("山崎 花子", address="大田原市本町一丁目4-1"),
    ),
    ("trap_pykakasi", False, rec("髙橋 誠", phone="0287-23-8702"), rec("山﨑 誠", phone="0287-23-8702")),
    ("trap_pykakasi", False, rec("髙橋"), rec("山﨑")),
    (
        "phone_format",
        True,
        rec("大金 正男", phone="+81 287 23 8702"),
        rec("大金 正男", phone="０２８７－２３－８７０２"),
    ),
    ("phone_format", True, rec("人見 和子", phone="+81-90-1234-5678"), rec("人見 和子", phone="090(1234)5678")),
    (
        "phone_format",
        True,
        rec("郡司 清", phone="23-8702", address="大田原市紫塚3-5-8"),
        rec("郡司 清", phone="0287-23-8702"),
    ),
    ("address_form", True, rec("益子 幸子", address="大田原市本町1丁目4番1号"), rec("益子 幸子", address="本町1-4-1")),
    (
        "address_form",
        True,
        rec("薄井 茂", address="栃木県大田原市大字湯津上123番地"),
        rec("薄井 茂", address="大田原市湯津上123"),
    ),
    (
        "address_form",
        True,
        rec("室井 隆", address="大田原市中央二丁目3番15号 コーポ本町201号室"),
        rec("室井 隆", address="大田原市中央2-3-15"),
    ),
    ("kana_vs_kanji", True, rec("中田 誠", phone="090-2222-3333"), rec("ナカダ マコト", phone="09022223333")),
    (
        "kana_vs_kanji",
        True,
        rec("中田 誠", "なかた まこと", phone="090-2222-3333"),
        rec("ナカダ マコト", phone="09022223333"),
    ),
    ("kana_vs_kanji", True, rec("東海林 恵子", phone="0287-98-1111"), rec("しょうじ けいこ", phone="0287981111")),
    (
        "reading_guess_wrong",
        True,
        rec("角田 直子", "つのだ なおこ", phone="080-5555-6666"),
        rec("カクタ ナオコ", phone="080-5555-6666"),
    ),
    (
        "married_name",
        True,
        rec("佐藤 花子", "さとう はなこ", "090-1111-0001", "大田原市本町2-3-4"),
        rec("鈴木 花子", "すずき はなこ", "090-1111-0001", "大田原市本町2-3-4"),
    ),
    (
        "married_name",
        True,
        rec("阿部 智子", phone="080-4321-0002"),
        rec("石川 智子", phone="080-4321-0002", address="大田原市美原1-2-3"),
    ),
    (
        "household",
        False,
        rec("佐藤 健一", phone="0287-22-1111", address="大田原市城山1-1-1"),
        rec("佐藤 健二", phone="0287-22-1111", address="大田原市城山1-1-1"),
    ),
    ("household", False, rec("髙橋 翔", phone="0287-22-2222"), rec("タカハシ ユイ", phone="0287222222")),
    (
        "same_name_different_person",
        False,
        rec("佐藤 誠", "さとう まこと", "0287-22-3333", "大田原市中央1-1-1"),
        rec("佐藤 誠", "サトウ マコト", "090-9999-0000", "大田原市山の手2-3-4"),
    ),
    (
        "same_name_different_person",
        False,
        rec("中田 誠", "なかた まこと", "0287-22-4444"),
        rec("中田 誠", "なかだ まこと", "0287-54-4444"),
    ),
    (
        "similar_name_different_person",
        False,
        rec("伊藤 誠", phone="0287-23-0001"),
        rec("伊東 誠", phone="0287-23-0002"),
    ),
    ("width_space", True, rec("ﾀｶﾊｼ ﾏｺﾄ", phone="0287-23-8702"), rec("タカハシ　マコト", phone="0287238702")),
    (
        "kanji_typo",
        True,
        rec("高橋 誠", "たかはし まこと", "090-3333-1111", "大田原市本町3-2-1"),
        rec("高橋 誡", "", "090-3333-1111", "大田原市本町3丁目2番1号"),
    ),
    (
        "kanji_typo",
        True,
        rec("斎藤 一郎", "さいとう いちろう", "0287-22-5151"),
        rec("斉藤 一郎", "サイトウ イチロウ", "0287-22-5151", "大田原市中央2-2-2"),
    ),
    (
        "kanji_typo",
        True,
        rec("長谷川 陽子", "はせがわ ようこ", "080-1212-3434"),
        rec("長谷川 洋子", "はせがわ ようこ", "080-1212-3434"),
    ),
    ("phone_format", True, rec("君島 勝", phone="090ー1234ー5678（携帯）"), rec("君島 勝", phone="09012345678")),
    (
        "address_form",
        True,
        rec("手塚 昭", address="大田原市本町1丁目4の1"),
        rec("手塚 昭", address="大田原市本町1丁目4番地1"),
    ),
    (
        "address_form",
        True,
        rec("相馬 剛", address="大田原市美原２丁目１０番３号　メゾン紫塚２０３"),
        rec("相馬 剛", address="美原2-10-3-203"),
    ),
    ("kana_vs_kanji", True, rec("渡邊 陽菜", phone="080-8888-1111"), rec("わたなべ ひな", phone="080-8888-1111")),
    ("kana_vs_kanji", True, rec("龍崎 蓮", phone="070-1111-2222"), rec("リュウザキ レン", phone="070-1111-2222")),
    (
        "household",
        False,
        rec("渡邊 陽菜", phone="0287-22-8888", address="大田原市城山2-2-2"),
        rec("わたなべ ゆい", phone="0287-22-8888", address="大田原市城山2-2-2"),
    ),
    (
        "neighbours",
        False,
        rec("大野 清", address="大田原市中央1-2-3 グリーンハイツ中央101"),
        rec("大野 清", address="大田原市中央1-2-3 グリーンハイツ中央305"),
    ),
    ("latin_name", True, rec("NGUYEN VAN AN", phone="080-7777-1234"), rec("Nguyen Van An", phone="08077771234")),
    ("latin_name", False, rec("NGUYEN VAN AN", phone="080-7777-1234"), rec("NGUYEN THI HOA", phone="080-7777-1234")),
]


def main() -> None:
    rng = random.Random(20261125)
    pairs = build(rng)
    pairs += [{"case": case, "same": same, "a": a, "b": b} for case, same, a, b in HAND]
    lines = []
    for number, pair in enumerate(pairs, start=1):
        pair_id = f"p{number:04d}"
        digest = int(hashlib.sha256(pair_id.encode()).hexdigest(), 16)
        split = "test" if digest % 10 < 3 else "dev"
        lines.append(json.dumps({"id": pair_id, "split": split, **pair}, ensure_ascii=False))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    same = sum(1 for pair in pairs if pair["same"])
    print(f"{len(pairs)} pairs ({same} same, {len(pairs) - same} different) → {OUT}")


if __name__ == "__main__":
    main()
