"""The text classifier and its command line (issue 6, parts 3 and 4)."""

import json

import pytest
from django.core.management import call_command

from assessment.keywords import KeywordClassifier
from assessment.services import classifier

# Written for this test, not taken from the corpus: legitimate complaints that
# use the words a careless classifier would take for harassment.
LEGITIMATE = [
    "水道料金の請求額が先月の3倍になっていると強い口調で抗議された。検針の誤りが判明したためお詫びし、差額を返金する手続きを案内した。",
    "「この件は弁護士にも相談しています。回答は文書でお願いします」との申出。担当課から文書で回答する旨を伝えた。",
    "「説明を録音してもよろしいですか」と確認があり、了承して説明を続けた。",
    "書類の記載ミスについて3回目の問い合わせ。当課の誤りであり、課長から電話で謝罪し訂正版を送付した。",
    "道路の陥没を写真に撮ってSNSで注意喚起した、早く直してほしいとの電話。現地確認の日程を伝えた。",
    "母が亡くなって手続きが分からないと来庁。おくやみ窓口で1時間かけて一つずつ手続きを案内した。",
]


@pytest.fixture(scope="module")
def model():
    return classifier()


def test_legitimate_complaints_are_not_flagged(model):
    flagged = [text for text in LEGITIMATE if model.predict(text).is_harassment]
    assert flagged == []


def test_clear_harassment_is_flagged_with_categories_and_evidence(model):
    text = "「税金泥棒！お前なんか辞めちまえ」と窓口で大声で怒鳴り続けた。"
    prediction = model.predict(text)
    assert prediction.is_harassment
    assert "verbal_abuse" in prediction.categories
    assert prediction.evidence["verbal_abuse"]


@pytest.mark.parametrize(
    "text",
    [
        "「税金泥棒！お前なんか辞めちまえ」と窓口で大声で怒鳴り続けた。",
        "ｵﾏｴﾉｶｵﾄﾅﾏｴﾊ ﾈｯﾄﾆｻﾗｽｶﾗﾅ。家も調べてある",  # half-width kana
        "<b>土下座しろ</b><script>alert('x')</script> 😡😡 ＡＢＣ　誠意を見せろ",
        "窓口で2時間居座り「誠意を見せろ、土下座しろ」と要求。",
    ],
)
def test_evidence_is_cut_from_the_input(model, text):
    prediction = model.predict(text)
    for phrases in prediction.evidence.values():
        for phrase in phrases:
            assert phrase and phrase in text


@pytest.mark.parametrize("text", ["", "   ", "😀" * 10, "あ" * 100_000, None, 12345])
def test_odd_input_does_not_crash(model, text):
    prediction = model.predict(text)
    assert set(prediction.scores) == set(model.codes)
    assert all(0.0 <= score <= 1.0 for score in prediction.scores.values())


def test_keyword_baseline_reports_evidence_from_the_text():
    text = "ﾊﾞｶ野郎、税金泥棒"
    prediction = KeywordClassifier().predict(text)
    assert prediction.categories == ["verbal_abuse"]
    assert all(phrase in text for phrase in prediction.evidence["verbal_abuse"])


def test_classify_command_reports_bad_lines_and_processes_the_rest(model, tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    target = tmp_path / "out.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps({"id": "a", "text": "「税金泥棒」と怒鳴った"}, ensure_ascii=False),
                "{not json",
                json.dumps({"id": "b", "text": ""}),
                json.dumps(["no", "object"]),
                json.dumps({"id": "c", "text": "<script>x</script>ﾃｽﾄ😀" + "長" * 100_000}, ensure_ascii=False),
            ]
        ),
        encoding="utf-8",
    )
    call_command("classify", input=str(source), output=str(target))
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    for line in lines:
        assert set(line) >= {"id", "is_harassment", "categories", "scores", "evidence"}
        assert isinstance(line["is_harassment"], bool)
    assert lines[0]["is_harassment"] and "verbal_abuse" in lines[0]["categories"]
    assert lines[0]["evidence"]["verbal_abuse"]
    errors = capsys.readouterr().err
    assert "2行目" in errors and "4行目" in errors
    assert "3件を判定しました" in errors


def test_python_dash_m_mamoru_classify_uses_stdin_and_stdout(model, tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mamoru", "classify", "--input", "-", "--output", "-"],
        input='{"id": "x", "text": "丁寧な説明をありがとうございました。"}\nbroken\n'.encode(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    out = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert out[0]["id"] == "x" and out[0]["is_harassment"] is False
    assert "2行目" in result.stderr.decode()
