"""The keyword baseline: a fixed list of phrases per category.

It is what a city could write by hand in an afternoon, and the number the
model has to beat in ``make eval``. It also reports evidence (the phrase)."""

from __future__ import annotations

from .features import clean_input, normalize_with_map
from .model import Prediction

KEYWORDS: dict[str, tuple[str, ...]] = {
    "long_detention": ("帰らない", "居座", "座り込", "納得するまで", "時間以上", "不退去", "閉庁後も"),
    "repetition": ("毎日電話", "何度も電話", "連日", "繰り返し電話", "何回も来", "毎日来"),
    "violence": ("殴", "蹴", "叩きつけ", "投げつけ", "胸ぐら", "突き飛ば", "壊し", "机を叩"),
    "verbal_abuse": ("バカ", "馬鹿", "税金泥棒", "無能", "クズ", "死ね", "ふざけるな", "給料泥棒", "役立たず"),
    "nitpicking": ("揚げ足", "言ったよね", "さっきと違う", "同じ質問", "言質"),
    "threat": ("殺す", "覚えておけ", "ただじゃ済まない", "夜道", "ネットに晒", "マスコミに言う", "燃やす"),
    "authority": ("議員", "市長を知", "俺を誰だと", "税金を払って", "元部長", "給料を払って"),
    "sns_post": ("投稿", "ネットに書", "口コミ", "ビラ", "ブログ", "拡散"),
    "sexual_harassment": ("彼氏", "デート", "連絡先を教え", "体を触", "待ち伏せ", "かわいいね", "盗撮"),
    "obstruction": ("無断で撮影", "勝手に撮影", "録音して", "執務室に入", "カウンターの中", "時間外"),
    "excessive_demand": ("土下座", "謝罪文", "慰謝料", "特別扱い", "今すぐ", "誠意を見せ"),
}


class KeywordClassifier:
    """Predicts a category when one of its phrases appears in the text."""

    codes = list(KEYWORDS)

    def predict(self, text, *, evidence: bool = True) -> Prediction:
        text, warnings = clean_input(text)
        normalized, origin = normalize_with_map(text)
        scores, found, spans = {}, {}, {}
        for code, words in KEYWORDS.items():
            hits = []
            for word in words:
                start = normalized.find(normalize_with_map(word)[0])
                if start >= 0:
                    end = start + len(normalize_with_map(word)[0])
                    hits.append((origin[start], origin[end - 1] + 1))
            scores[code] = 1.0 if hits else 0.0
            if hits:
                spans[code] = hits[:2]
                found[code] = [text[a:b] for a, b in hits[:2]]
        categories = [code for code in self.codes if scores[code]]
        return Prediction(
            is_harassment=bool(categories),
            harassment_score=1.0 if categories else 0.0,
            categories=categories,
            scores=scores,
            evidence=found if evidence else {},
            spans=spans,
            warnings=warnings,
        )

    def predict_many(self, texts, *, evidence: bool = True) -> list[Prediction]:
        return [self.predict(text, evidence=evidence) for text in texts]
