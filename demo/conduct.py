"""What residents said and did, for each kind of contact.

Ordinary inquiries, angry but legitimate complaints (judged not harassment),
borderline cases (判断に迷う), and one ``Conduct`` per policy category with
the words, the behaviour, the definition answers and what staff did. Words
are quoted as said; behaviour is written in the third person, as on a
contact record (対応記録票).

Slots: ``{subject}`` (the topic), ``{minutes}`` (the contact's length),
``{times}`` (a count of repeats), ``{left}`` (how the resident left: 退庁した,
電話を切った; texts with it are not used for mail and letters).
"""

from __future__ import annotations

from dataclasses import dataclass

IN_PERSON, PHONE, WRITTEN = "in_person", "phone", "written"
CHANNEL_MODES = {
    "counter": IN_PERSON,
    "visit": IN_PERSON,
    "other": IN_PERSON,
    "phone": PHONE,
    "mail": WRITTEN,
    "letter": WRITTEN,
}


@dataclass(frozen=True)
class Manner:
    """Behaviour sentences by how the contact happened."""

    in_person: tuple[str, ...] = ()
    phone: tuple[str, ...] = ()
    written: tuple[str, ...] = ()

    def for_mode(self, mode: str) -> tuple[str, ...]:
        return getattr(self, mode)


@dataclass(frozen=True)
class Conduct:
    code: str
    summaries: tuple[str, ...]
    quotes: tuple[str, ...]
    behaviour: Manner
    content: tuple[tuple[str, str], ...]  # (answer, reason)
    manner_reasons: tuple[str, ...]
    harms: tuple[str, ...]
    harm_reasons: tuple[str, ...]
    responses: tuple[str, ...]
    outcomes: tuple[str, ...]
    channels: dict[str, int]
    minutes: tuple[int, int]
    companions: tuple[str, ...] = ()
    weight: int = 10  # how often this category is the main one
    loud: bool = True  # said shouting, or in an ordinary voice


def conduct(
    code,
    *,
    summaries,
    quotes,
    behaviour,
    content,
    manner,
    harms,
    harm_reasons,
    responses,
    outcomes,
    channels,
    minutes,
    companions=(),
    weight=10,
    loud=True,
) -> Conduct:
    return Conduct(
        code,
        tuple(summaries),
        tuple(quotes),
        behaviour,
        tuple(content),
        tuple(manner),
        tuple(harms),
        tuple(harm_reasons),
        tuple(responses),
        tuple(outcomes),
        channels,
        minutes,
        tuple(companions),
        weight,
        loud,
    )


# How the words-and-behaviour text of a difficult contact begins, by channel.
OPENINGS = {
    "counter": (
        "窓口で{subject}の件を説明したところ、",
        "来庁直後から苛立った様子で、",
        "説明の途中で突然、",
        "順番を待つ間から不満を口にし、",
    ),
    "visit": ("訪問先で{subject}の件を説明したところ、", "現地で説明を始めると、"),
    "other": ("庁舎内で職員を呼び止め、", "通りかかった職員を呼び止め、"),
    "phone": ("電話で{subject}の件を説明したところ、", "電話がつながるなり、", "折り返しの電話で、"),
    "mail": ("市の問い合わせ用メールアドレスに届いたメールに、", "同じ差出人から届いたメールに、"),
    "letter": ("郵送で届いた文書に、", "庁舎の受付に置かれていた手紙に、"),
}
QUOTE_FRAMES = Manner(
    in_person=("「{q}」と発言。", "「{q}」と大声で発言。", "「{q}」と繰り返した。", "「{q}」と言った。"),
    phone=("「{q}」と発言。", "「{q}」と怒鳴った。", "「{q}」と繰り返した。"),
    written=("「{q}」との記載があった。", "「{q}」と書かれていた。"),
)

QUIET_FRAMES = Manner(
    in_person=("「{q}」と発言。", "「{q}」と言った。", "「{q}」と繰り返した。"),
    phone=("「{q}」と発言。", "「{q}」と繰り返した。"),
    written=QUOTE_FRAMES.written,
)

ORDINARY_BEHAVIOUR = Manner(
    in_person=(
        "落ち着いた様子で説明を聞いていた。",
        "メモを取りながら説明を聞いていた。",
        "終始穏やかな様子だった。",
        "家族に電話で確認しながら手続を進めた。",
        "急いでいる様子だったが、説明には納得された。",
        "説明の後、礼を述べて帰られた。",
    ),
    phone=(
        "落ち着いた口調だった。",
        "説明を復唱して確認された。",
        "礼を述べて電話を切られた。",
        "途中で家族に代わり、家族にも説明した。",
    ),
    written=("丁寧な文面だった。", "返信先として電話番号の記載があった。"),
)

ANGRY = Conduct(
    "angry",
    summaries=(),
    quotes=(
        "前にも同じことを聞いたのに、説明が違うじゃないか",
        "こんなに待たされるなら先に言ってほしい",
        "通知の書き方がわかりにくすぎる",
        "何回も役所に来る時間はないんだよ",
        "たらい回しにされている気分だ",
        "最初からそう言ってくれれば済んだ話だ",
    ),
    behaviour=Manner(
        in_person=(
            "声が大きくなる場面があったが、説明を聞いて落ち着かれた。",
            "不満そうな様子だったが、最後は理解を示された。",
            "強い口調だったが、暴言はなかった。",
        ),
        phone=(
            "強い口調だったが、説明の後は落ち着いて話された。",
            "不満を述べられたが、最後は礼を述べて電話を切られた。",
        ),
        written=("強い表現はあるが、改善を求める趣旨の文面だった。",),
    ),
    content=(
        ("no", "市の説明不足や待ち時間に対する苦情で、内容は妥当。"),
        ("no", "{subject}の件の手続についての正当な苦情。"),
    ),
    manner_reasons=("口調は強かったが、社会通念の範囲内。", "不満の表明にとどまり、不相当な言動はなかった。"),
    harms=(),
    harm_reasons=(),
    responses=(
        "説明が不十分だった点をお詫びし、あらためて手順を説明した。",
        "待ち時間が長くなったことをお詫びした。",
        "通知の表現について担当内で改善を検討すると伝えた。",
    ),
    outcomes=("理解を示され、手続を済ませて帰られた。", "ご意見を課内で共有し、案内の改善を検討することとした。"),
    channels={},
    minutes=(12, 35),
)

UNSURE = Conduct(
    "unsure",
    summaries=("{subject}の件での強い要求", "{subject}の件の対応についての苦情（上司相談）"),
    quotes=(
        "こんな対応なら、市長への手紙に書くしかない",
        "あなたの名前を教えてください。しっかり覚えておきますから",
        "今日中に何とかしてほしい。できないなら理由を紙に書いて",
        "もういい、上の人と話す",
        "録音させてもらいますよ",
    ),
    behaviour=Manner(
        in_person=(
            "{minutes}分近く同じ説明を求めた。",
            "強い口調で、職員の名前を繰り返し確認した。",
            "ため息をつき、机を指で何度も叩いていた。",
        ),
        phone=("{minutes}分近く同じ説明を求めた。", "強い口調で、職員の名前を繰り返し確認した。"),
        written=("同じ趣旨の連絡が短い間隔で{times}回あった。",),
    ),
    content=(
        ("unknown", "要望には市の説明不足による部分もあり、判断に迷う。"),
        ("no", "{subject}の件の要望は業務に関係する。"),
    ),
    manner_reasons=(
        "強い口調だったが、暴言や脅迫とまでは言えないか。",
        "長時間化しているが、住民等にも急ぐ事情がある。",
    ),
    harms=("obstruction",),
    harm_reasons=("職員は精神的な負担を感じたと話している。", "対応が長引き、窓口の待ち時間が延びた。"),
    responses=("上司に相談し、判断を仰いだ。", "要件を整理し、対応できることとできないことを分けて説明した。"),
    outcomes=(
        "上司と相談のうえ、今後の対応を検討することとした。",
        "経過を記録し、同様の申出があれば上司に報告することとした。",
    ),
    channels={},
    minutes=(20, 45),
    companions=("long_detention", "nitpicking", "obstruction", "verbal_abuse", "repetition"),
    loud=False,
)

# Words that only fit a contact in person, at the counter or in the building:
# a text with one of them is not used for the channels named.
IN_PERSON_MARKERS = (
    "その場",
    "持ち帰",
    "取りに戻",
    "帰られ",
    "手渡",
    "を渡し",
    "交付した",
    "貸し出した",
    "退出",
    "退去",
    "掲示",
)
AT_THE_COUNTER = ("窓口", "カウンター", "記載台", "待合", "順番")
IN_THE_BUILDING = (*AT_THE_COUNTER, "来庁", "庁舎", "執務室", "退庁", "帰られ")
NOT_FOR = {
    "counter": (),
    "other": AT_THE_COUNTER,
    "visit": (*IN_THE_BUILDING, "掲示"),
    "phone": IN_PERSON_MARKERS,
    "mail": (*IN_PERSON_MARKERS, "{left}"),
    "letter": (*IN_PERSON_MARKERS, "{left}"),
}
# What staff did or how it ended, when none of the topic's own fits the channel.
FALLBACK_OUTCOMES = {
    "counter": ("対応を終えた。",),
    "other": ("対応を終えた。",),
    "visit": ("上司に報告し、次回は複数職員で訪問することとした。", "説明を終えて帰庁した。"),
    "phone": ("必要な手続と持ち物を案内した。", "回答を伝え、了解を得た。"),
    "mail": ("回答をメールで送付した。", "必要な手続を記載して返信した。"),
    "letter": ("回答を文書で送付した。", "必要な手続を記載して返送した。"),
}
# How the resident got in touch, and how they left, for the slots above.
CAME = {
    "counter": "来庁",
    "visit": "相談",
    "other": "申出",
    "phone": "電話",
    "mail": "メール",
    "letter": "文書での問い合わせ",
}
LEFT = {
    "counter": "退庁した",
    "other": "退庁した",
    "visit": "話を打ち切った",
    "phone": "電話を切った",
    "mail": "",
    "letter": "",
}

# Said by staff on any harassment contact, alongside the category's own responses.
POLICY_RESPONSES = (
    "市の方針により、対応内容を記録していることを伝えた。",
    "複数職員での対応に切り替えた。",
    "対応後、上司に報告した。",
    "対応時間は原則30分であることを伝えた。",
)
