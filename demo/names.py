"""Invented people and places of 大田原市: names, addresses, phone numbers.

Names are (kanji, hiragana) pairs. Some surnames come in the variant kanji
people really write on forms (髙橋, 山﨑, 齋藤, 渡邊) so that search has to cope.
"""

from __future__ import annotations

import random

SURNAMES = [
    ("佐藤", "さとう"),
    ("鈴木", "すずき"),
    ("高橋", "たかはし"),
    ("田中", "たなか"),
    ("渡辺", "わたなべ"),
    ("伊藤", "いとう"),
    ("山本", "やまもと"),
    ("中村", "なかむら"),
    ("小林", "こばやし"),
    ("加藤", "かとう"),
    ("吉田", "よしだ"),
    ("山田", "やまだ"),
    ("佐々木", "ささき"),
    ("松本", "まつもと"),
    ("井上", "いのうえ"),
    ("木村", "きむら"),
    ("斎藤", "さいとう"),
    ("清水", "しみず"),
    ("山崎", "やまざき"),
    ("阿部", "あべ"),
    ("池田", "いけだ"),
    ("橋本", "はしもと"),
    ("石川", "いしかわ"),
    ("小川", "おがわ"),
    ("長谷川", "はせがわ"),
    ("後藤", "ごとう"),
    ("岡田", "おかだ"),
    ("藤田", "ふじた"),
    ("青木", "あおき"),
    ("村上", "むらかみ"),
    ("福田", "ふくだ"),
    ("大森", "おおもり"),
    ("阿久津", "あくつ"),
    ("君島", "きみしま"),
    ("人見", "ひとみ"),
    ("益子", "ましこ"),
    ("薄井", "うすい"),
    ("室井", "むろい"),
    ("菊地", "きくち"),
    ("磯", "いそ"),
    ("大金", "おおがね"),
    ("印南", "いんなみ"),
    ("星", "ほし"),
    ("相馬", "そうま"),
    ("大豆生田", "おおまみゅうだ"),
    ("手塚", "てづか"),
    ("郡司", "ぐんじ"),
    ("板橋", "いたばし"),
    ("荒井", "あらい"),
    ("八木沢", "やぎさわ"),
]
# Variant kanji (異体字) as written on some residents' forms.
VARIANT_SURNAMES = [
    ("髙橋", "たかはし"),
    ("山﨑", "やまざき"),
    ("齋藤", "さいとう"),
    ("渡邊", "わたなべ"),
    ("渡邉", "わたなべ"),
]

MALE_NAMES = [
    ("一郎", "いちろう"),
    ("健一", "けんいち"),
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
    ("弘", "ひろし"),
    ("秀樹", "ひでき"),
    ("光男", "みつお"),
    ("義雄", "よしお"),
    ("悟", "さとる"),
    ("亮", "りょう"),
    ("剛", "つよし"),
    ("功", "いさお"),
]
FEMALE_NAMES = [
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
    ("ミツ", "みつ"),
    ("キヨ", "きよ"),
    ("早苗", "さなえ"),
    ("香織", "かおり"),
    ("舞", "まい"),
]

# Town names of 大田原市 used in invented addresses.
TOWNS = [
    "本町",
    "中央",
    "紫塚",
    "美原",
    "若草",
    "山の手",
    "住吉町",
    "元町",
    "浅香",
    "富士見",
    "末広",
    "城山",
    "新富町",
    "野崎",
    "実取",
    "佐久山",
    "黒羽向町",
    "黒羽田町",
    "湯津上",
    "親園",
    "荒井",
    "市野沢",
    "薄葉",
    "北金丸",
    "南金丸",
    "中田原",
    "蛭田",
    "練貫",
    "花園",
    "宇田川",
]
BLOCK_TOWNS = TOWNS[:12]  # towns with 丁目
KANJI_NUMBERS = "一二三四五"
BUILDINGS = ["コーポ若草", "メゾン紫塚", "ハイツ美原", "市営住宅住吉団地", "グリーンハイツ中央", "アーバン本町"]

# How staff describe a resident who gave no name: in person, on the phone, by mail or letter.
UNKNOWN_RESIDENTS = {
    "in_person": (
        "60代男性、作業着",
        "70代男性、杖を使用",
        "40代女性、子ども連れ",
        "50代男性、スーツ姿",
        "30代男性、帽子とマスク",
        "80代女性、家族の付き添いあり",
        "20代女性",
        "50代女性、眼鏡",
        "60代男性、氏名を名乗らず",
        "40代男性、作業着に長靴",
        "70代くらいの男性、自転車で来庁",
    ),
    "phone": (
        "電話の声から60代くらいの男性",
        "電話の声から40代くらいの女性",
        "匿名希望の男性（電話）",
        "非通知の電話、50代くらいの男性",
        "氏名を名乗らない女性（電話）",
    ),
    "mail": ("差出人の氏名の記載なし", "メールアドレスのみ（氏名不明）"),
    "letter": ("差出人の氏名の記載なし", "無記名の文書"),
}

RESIDENT_NOTES = [
    "聴覚に障害があり、筆談を希望。",
    "補聴器を使用。ゆっくり、はっきり話すと伝わる。",
    "日中は仕事のため、連絡は18時以降を希望。",
    "長女が代理で来庁することがある（委任状あり）。",
    "外国籍（ベトナム）。やさしい日本語で対応すると伝わりやすい。",
    "車いすを使用。来庁時は1階の相談室を使う。",
    "郵便物は勤務先ではなく自宅へ送付を希望。",
]
REPEATER_NOTES = [
    "複数の課で長時間の対応が続いている。来庁・架電時は上司へ報告し、複数職員で対応すること（総務課と共有済み）。",
    "同一内容の申出が繰り返されている。過去の回答内容は対応記録を参照し、回答を統一すること。",
    "職員の撮影をしたことがある。撮影・録音は許可していない旨を最初に伝えること。",
]


def to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def _name_parts(rng: random.Random, variant_share: float) -> tuple[str, str, str, str]:
    surname, surname_kana = rng.choice(VARIANT_SURNAMES if rng.random() < variant_share else SURNAMES)
    given, given_kana = rng.choice(rng.choice((MALE_NAMES, FEMALE_NAMES)))
    return surname, given, surname_kana, given_kana


def staff_name(rng: random.Random) -> tuple[str, str]:
    """(氏名, ふりがな) of a member of staff, as the personnel system writes them."""
    surname, given, surname_kana, given_kana = _name_parts(rng, 0.0)
    return f"{surname} {given}", f"{surname_kana} {given_kana}"


def resident_name(rng: random.Random, *, variant_share: float) -> tuple[str, str]:
    """(name, kana) of a resident as written on a form: a space between surname
    and given name or the ideographic space or none; kana in katakana or hiragana."""
    surname, given, surname_kana, given_kana = _name_parts(rng, variant_share)
    space = rng.choices([" ", "\u3000", ""], weights=[6, 3, 1])[0]
    kana = f"{surname_kana}{space}{given_kana}"
    return f"{surname}{space}{given}", to_katakana(kana) if rng.random() < 0.7 else kana


def address(rng: random.Random) -> str:
    style = rng.randrange(5)
    if style == 0:
        town = rng.choice(BLOCK_TOWNS)
        return f"大田原市{town}{rng.randint(1, 4)}丁目{rng.randint(1, 20)}番{rng.randint(1, 30)}号"
    if style == 1:
        town = rng.choice(BLOCK_TOWNS)
        return f"大田原市{town}{rng.choice(KANJI_NUMBERS[:3])}丁目{rng.randint(1, 20)}-{rng.randint(1, 30)}"
    if style == 2:
        town = rng.choice(BLOCK_TOWNS)
        room = f" {rng.choice(BUILDINGS)}{rng.randint(1, 3)}0{rng.randint(1, 6)}号室"
        return f"大田原市{town}{rng.randint(1, 3)}-{rng.randint(1, 20)}-{rng.randint(1, 30)}{room}"
    if style == 3:
        return f"栃木県大田原市{rng.choice(TOWNS[12:])}{rng.randint(100, 3999)}番地"
    return f"大田原市{rng.choice(TOWNS[12:])}{rng.randint(100, 2999)}-{rng.randint(1, 9)}"


_FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")


def phone(rng: random.Random) -> str:
    """A phone number as people write it: landline or mobile, hyphens or not,
    now and then in full-width digits or with brackets."""
    if rng.random() < 0.45:
        local = f"{rng.choice(['22', '23', '24', '28', '29', '54', '59', '98'])}-{rng.randint(0, 9999):04d}"
        number = f"0287-{local}"
        if rng.random() < 0.15:
            return "0287({})".format(local.replace("-", ")"))
    else:
        number = f"{rng.choice(['090', '080', '070'])}-{rng.randint(1000, 9999)}-{rng.randint(0, 9999):04d}"
    shape = rng.random()
    if shape < 0.15:
        return number.translate(_FULL_WIDTH)
    if shape < 0.3:
        return number.replace("-", "")
    return number
