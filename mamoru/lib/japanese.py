"""Normalising Japanese text for search and matching.

NFKC folds full-width alphanumerics and half-width katakana; katakana is
folded to hiragana for kana comparison; runs of white space (including the
ideographic space) collapse.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_PHONE_DIGITS = re.compile(r"\d")


def normalize(text: str | None) -> str:
    """NFKC, lower case, single spaces, trimmed."""
    if not text:
        return ""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def normalize_compact(text: str | None) -> str:
    """``normalize`` with every space removed: for names typed with or without one."""
    return normalize(text).replace(" ", "")


def to_hiragana(text: str | None) -> str:
    return normalize_compact(text).translate(_KATAKANA_TO_HIRAGANA)


def phone_digits(text: str | None) -> str:
    """Digits of a phone number; +81 becomes the domestic leading 0."""
    digits = "".join(_PHONE_DIGITS.findall(unicodedata.normalize("NFKC", text or "")))
    if (text or "").strip().startswith(("+81", "＋８１")) and digits.startswith("81"):
        digits = "0" + digits[2:]
    return digits


# --- Matching helpers (名寄せ): readings, loose kana, addresses --------------------

_HIRAGANA = re.compile(r"^[ぁ-ゖー]+$")
_SMALL_KANA = str.maketrans("ぁぃぅぇぉっゃゅょゎゕゖ", "あいうえおつやゆよわかけ")
_KANA_ONLY_SPACES = re.compile(r"[\s・･=＝]+")
_DAKUTEN = {"\u3099", "\u309a"}
_VOWEL_ROWS = {
    "a": "あかさたなはまやらわがざだばぱ",
    "i": "いきしちにひみりぎじぢびぴ",
    "u": "うくすつぬふむゆるぐずづぶぷゔ",
    "e": "えけせてねへめれげぜでべぺ",
    "o": "おこそとのほもよろをごぞどぼぽ",
}
_VOWEL_OF = {kana: vowel for vowel, row in _VOWEL_ROWS.items() for kana in row}


def is_kana(text: str) -> bool:
    """True when ``text`` (already hiragana, no spaces) is kana only."""
    return bool(text) and bool(_HIRAGANA.match(text))


def kana_compact(text: str | None) -> str:
    """Hiragana with spaces and middle dots removed; ゐ/ゑ/を read as い/え/お."""
    text = to_hiragana(_KANA_ONLY_SPACES.sub("", unicodedata.normalize("NFKC", text or "")))
    return text.replace("ゐ", "い").replace("ゑ", "え").replace("を", "お").replace("ゔ", "ぶ")


def kana_loose(text: str | None) -> str:
    """A reading with the differences people make when writing it folded away:
    voiced marks (なかた/なかだ), small kana (しよう/しょう), the long vowel mark
    and long vowels written out (さとう/さと/さとー, おおの/おの)."""
    plain = unicodedata.normalize("NFD", kana_compact(text))
    plain = "".join(char for char in plain if char not in _DAKUTEN)
    plain = unicodedata.normalize("NFC", plain).translate(_SMALL_KANA)
    out: list[str] = []
    for char in plain:
        if char == "ー":
            continue
        previous = _VOWEL_OF.get(out[-1]) if out else None
        if previous and ((char == "う" and previous in "ou") or (char == "お" and previous == "o")):
            continue
        if previous and ((char == "い" and previous in "ie") or (char == "あ" and previous == "a")):
            continue
        out.append(char)
    return "".join(out)


_KAKASI = None


def _kakasi():
    global _KAKASI
    if _KAKASI is None:
        import pykakasi

        _KAKASI = pykakasi.kakasi()
    return _KAKASI


def reading_guess(text: str | None) -> str:
    """A hiragana reading of a name or word computed by pykakasi, or "" when it
    cannot read all of it.

    pykakasi drops characters it does not know (it reads 髙橋 as "" and 山﨑 as
    やまやま), so fold variant kanji first (``mamoru.lib.variants``) and pass the
    folded text here; a reading is returned only when every character was
    read into kana. A reading from kanji is a guess: 中田 is なかた or なかだ."""
    text = normalize_compact(text)
    if not text:
        return ""
    parts = _kakasi().convert(text)
    if "".join(part["orig"] for part in parts) != text:
        return ""
    reading = "".join(part["hira"] for part in parts)
    reading = kana_compact(reading)
    return reading if is_kana(reading) else ""


_KANJI_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_KANJI_UNITS = {"十": 10, "百": 100, "千": 1000}
_KANJI_NUMBER = re.compile(r"[〇零一二三四五六七八九十百千]+")


def _kanji_number(text: str) -> str:
    if all(char in _KANJI_DIGITS for char in text):
        return "".join(str(_KANJI_DIGITS[char]) for char in text)
    total, digit = 0, 0
    for char in text:
        if char in _KANJI_DIGITS:
            digit = _KANJI_DIGITS[char]
        else:
            total += (digit or 1) * _KANJI_UNITS[char]
            digit = 0
    return str(total + digit)


def kanji_numerals_to_digits(text: str) -> str:
    """一丁目 → 1丁目, 二十三番 → 23番, 一〇五 → 105."""
    return _KANJI_NUMBER.sub(lambda match: _kanji_number(match.group()), text)


_PREFECTURE = re.compile(r"^(東京都|北海道|京都府|大阪府|[^\d\-]{2,3}県)")
_ADDRESS_DASHES = re.compile(r"-+")
_ADDRESS_PUNCTUATION = re.compile(r"[\s、,，.。()（）「」『』]+")


def address_compact(text: str | None) -> str:
    """An address written one way: NFKC, no spaces, kanji numerals as digits,
    丁目/番地/番/号/の and every dash as "-", no prefecture, no 大字.

    大田原市本町1丁目4番1号, 大田原市本町一丁目4-1 and 栃木県大田原市本町１－４－１
    all become 大田原市本町1-4-1. Variant kanji are not folded here (see
    ``mamoru.lib.variants``)."""
    text = _ADDRESS_PUNCTUATION.sub("", unicodedata.normalize("NFKC", text or ""))
    if not text:
        return ""
    text = _PREFECTURE.sub("", text)
    text = text.replace("大字", "")
    text = kanji_numerals_to_digits(text)
    # A dash written as the long vowel mark between digits (1ー4) is a dash; in
    # building names (コーポ) it is not, so only digits around it count.
    text = re.sub(r"(?<=\d)[ー－―‐−~〜～](?=\d)", "-", text)
    text = re.sub(r"(?<=\d)(丁目|番地の|番地|番の|番|号室|号|の)", "-", text)
    text = _ADDRESS_DASHES.sub("-", text)
    return text.strip("-").lower()


# Readings of name parts that pykakasi gets wrong or that have more than one
# common reading (名前の読みは複数ある). Used with its guess, never instead of a
# reading the person gave.
NAME_READINGS: dict[str, tuple[str, ...]] = {
    # surnames
    "中田": ("なかた", "なかだ"),
    "山崎": ("やまざき", "やまさき"),
    "角田": ("つのだ", "かくた", "かどた", "すみだ"),
    "河野": ("こうの", "かわの"),
    "菅野": ("かんの", "すがの"),
    "上野": ("うえの", "かみの"),
    "東海林": ("しょうじ", "とうかいりん"),
    "大金": ("おおがね", "おおかね"),
    "君島": ("きみしま", "きみじま"),
    "大豆生田": ("おおまみゅうだ", "おおまめうだ"),
    "新田": ("にった", "しんでん", "あらた"),
    "吉川": ("よしかわ", "きっかわ"),
    "小野寺": ("おのでら",),
    "菊地": ("きくち",),
    "羽田": ("はた", "はねだ"),
    "梶原": ("かじわら",),
    "中島": ("なかじま", "なかしま"),
    "長谷": ("はせ", "ながたに"),
    "神田": ("かんだ", "こうだ"),
    "前田": ("まえだ",),
    "市川": ("いちかわ",),
    "三宅": ("みやけ",),
    "日下部": ("くさかべ",),
    "渡部": ("わたなべ", "わたべ"),
    "八木沢": ("やぎさわ", "やぎざわ"),
    "宮崎": ("みやざき", "みやさき"),
    "高木": ("たかぎ", "たかき"),
    "辺見": ("へんみ",),
    "印南": ("いんなみ", "いなみ"),
    "郡司": ("ぐんじ",),
    "人見": ("ひとみ",),
    "益子": ("ましこ", "ますこ"),
    # given names
    "幸子": ("さちこ", "ゆきこ"),
    "千尋": ("ちひろ",),
    "蓮": ("れん",),
    "陽菜": ("ひな", "はるな"),
    "大翔": ("ひろと", "はると", "やまと"),
    "翔": ("しょう", "かける", "しょうた"),
    "結衣": ("ゆい",),
    "恵美": ("えみ", "めぐみ"),
    "智子": ("ともこ", "さとこ"),
    "陽子": ("ようこ",),
    "洋子": ("ようこ", "ひろこ"),
    "裕子": ("ゆうこ", "ひろこ"),
    "和子": ("かずこ",),
    "幸恵": ("さちえ", "ゆきえ"),
    "直子": ("なおこ",),
    "明美": ("あけみ",),
    "早苗": ("さなえ",),
    "香織": ("かおり",),
    "舞": ("まい",),
    "愛": ("あい", "めぐみ"),
    "彩香": ("あやか", "さやか"),
    "美咲": ("みさき",),
    "京子": ("きょうこ",),
    "久美子": ("くみこ",),
    "真由美": ("まゆみ",),
    "誠": ("まこと",),
    "誠一": ("せいいち",),
    "隆": ("たかし",),
    "隆之": ("たかゆき",),
    "浩": ("ひろし", "ゆたか"),
    "弘": ("ひろし",),
    "茂": ("しげる",),
    "勝": ("まさる", "かつ"),
    "修": ("おさむ",),
    "昭": ("あきら",),
    "清": ("きよし",),
    "悟": ("さとる",),
    "亮": ("りょう", "あきら"),
    "剛": ("つよし", "ごう"),
    "功": ("いさお",),
    "実": ("みのる",),
    "進": ("すすむ",),
    "博": ("ひろし",),
    "健一": ("けんいち",),
    "健二": ("けんじ",),
    "一郎": ("いちろう",),
    "二郎": ("じろう",),
    "和夫": ("かずお",),
    "正男": ("まさお",),
    "正夫": ("まさお",),
    "大輔": ("だいすけ",),
    "大介": ("だいすけ",),
    "翔太": ("しょうた",),
    "拓也": ("たくや",),
    "健太": ("けんた",),
    "直樹": ("なおき",),
    "秀樹": ("ひでき",),
    "光男": ("みつお",),
    "義雄": ("よしお",),
    "真一": ("しんいち",),
    "徳治": ("とくじ",),
    "優子": ("ゆうこ",),
    "美咲子": ("みさこ",),
    "花子": ("はなこ",),
    "恵子": ("けいこ",),
    "節子": ("せつこ",),
    "美智子": ("みちこ",),
    "由美子": ("ゆみこ",),
    "龍之介": ("りゅうのすけ",),
    "陽翔": ("はると", "ひなた"),
    "悠真": ("ゆうま",),
    "湊": ("みなと",),
    "結菜": ("ゆな",),
    "葵": ("あおい",),
    "凛": ("りん",),
    "芽依": ("めい",),
    "さくら": ("さくら",),
}


def reading_guesses(text: str | None, *, limit: int = 8) -> list[str]:
    """Possible hiragana readings of a name written in kanji: the readings of
    ``NAME_READINGS`` for its parts (surname and given name, split at a space
    or at a known surname) and pykakasi's guess. Empty when nothing can be
    read in full. Fold variant kanji before calling."""
    parts = normalize(text).split(" ")
    if len(parts) == 1 and parts[0]:
        whole = parts[0]
        for size in (4, 3, 2, 1):
            if len(whole) > size and whole[:size] in NAME_READINGS:
                parts = [whole[:size], whole[size:]]
                break
            if len(whole) > size and whole[-size:] in NAME_READINGS:
                parts = [whole[:-size], whole[-size:]]
                break
    options: list[list[str]] = []
    for part in parts:
        if not part:
            continue
        found = list(NAME_READINGS.get(part, ()))
        guess = reading_guess(part)
        if guess and guess not in found:
            found.append(guess)
        if not found:
            return []
        options.append(found)
    readings = [""]
    for found in options:
        readings = [reading + item for reading in readings for item in found][:limit]
    whole_guess = reading_guess(text)
    if whole_guess and whole_guess not in readings:
        readings.append(whole_guess)
    return [reading for reading in readings if reading]
