"""Learning from the city's own decisions: export and retrain (issue 6, part 5)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from assessment.model import MODEL_PATH, TextClassifier
from assessment.services import suggestion_decide
from tests.factories import make_contact

ABUSE = [
    "「税金泥棒」と怒鳴った",
    "「役立たず、辞めろ」と罵倒した",
    "「バカか」と大声で叫んだ",
    "「無能な職員だ」と罵った",
]
CALM = ["書類の書き方を質問された", "窓口の場所を案内した", "手続きの期限を確認された", "証明書を交付した"]


def _corpus(path):
    lines = []
    for i, text in enumerate(ABUSE + CALM):
        categories = ["verbal_abuse"] if text in ABUSE else []
        lines.append(
            {"id": f"t{i}", "text": text, "categories": categories, "split": "test" if i % 4 == 3 else "train"}
        )
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")


def test_export_writes_only_staff_confirmed_labels(city, tmp_path):
    judged = make_contact(
        city.staff,
        words_and_behaviour="「ふざけるな」と怒鳴り、机を叩いた。",
        harassment="yes",
        categories=["verbal_abuse", "violence", "long_detention"],
        content_unreasonable="",
        manner_inappropriate="yes",
        manner_reason="怒鳴った",
        minutes=40,
    )
    suggestion_decide(
        actor=city.staff,
        contact=judged,
        code="verbal_abuse",
        decision="accepted",
        score=0.9,
        source="text",
        evidence=["ふざけるな"],
        text=judged.words_and_behaviour,
    )
    suggestion_decide(
        actor=city.staff,
        contact=judged,
        code="long_detention",
        decision="accepted",
        score=1.0,
        source="data",
        evidence=["対応時間 40分"],
        text=judged.words_and_behaviour,
    )
    legitimate = make_contact(city.staff, words_and_behaviour="誤りの訂正を求められ、お詫びした。", harassment="no")
    suggestion_decide(
        actor=city.staff,
        contact=legitimate,
        code="verbal_abuse",
        decision="rejected",
        score=0.6,
        source="text",
        evidence=[],
        text=legitimate.words_and_behaviour,
    )
    unsure = make_contact(city.staff, words_and_behaviour="強い口調だった。", harassment="unsure")
    suggestion_decide(
        actor=city.staff,
        contact=unsure,
        code="threat",
        decision="rejected",
        score=0.6,
        source="text",
        evidence=[],
        text=unsure.words_and_behaviour,
    )
    make_contact(city.staff, words_and_behaviour="誰も判断していない記録", harassment="no")
    out = tmp_path / "labels.jsonl"
    call_command("export_labels", output=str(out))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_text = {line["text"]: line for line in lines}
    assert set(by_text) == {judged.words_and_behaviour, legitimate.words_and_behaviour}
    # long_detention came from the duration, not the words: it is not a text label.
    assert by_text[judged.words_and_behaviour]["categories"] == ["violence", "verbal_abuse"]
    assert by_text[legitimate.words_and_behaviour]["categories"] == []


def test_retrain_reports_the_evaluation_then_replaces_the_model(db, tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus)
    labels = tmp_path / "labels.jsonl"
    labels.write_text(
        json.dumps({"text": "「給料泥棒」と怒鳴った", "categories": ["verbal_abuse"]}, ensure_ascii=False)
        + "\nbroken line\n"
        + json.dumps({"text": "x", "categories": ["no_such_code"]})
        + "\n",
        encoding="utf-8",
    )
    target = tmp_path / "model.joblib"
    call_command("retrain", corpus=str(corpus), labels=[str(labels)], output=str(target), folds=2)
    out = capsys.readouterr()
    assert "学習 7件" in out.out and "macro-F1" in out.out and "モデルを保存しました" in out.out
    assert "2行目" in out.err and "3行目" in out.err
    model = TextClassifier.load(target)
    assert model.info["trained_on"] == 7
    assert (
        model.predict("「給料泥棒」と怒鳴った").scores["verbal_abuse"]
        > model.predict("証明書を交付した").scores["verbal_abuse"]
    )
    assert MODEL_PATH.exists()  # the shipped model was not touched


def test_retrain_dry_run_keeps_the_old_model(db, tmp_path, capsys):
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus)
    target = tmp_path / "model.joblib"
    call_command("retrain", corpus=str(corpus), output=str(target), folds=2, dry_run=True)
    assert not target.exists()
    assert "置き換えていません" in capsys.readouterr().out


def test_retrain_refuses_a_worse_model_without_force(db, tmp_path):
    corpus = tmp_path / "corpus.jsonl"
    _corpus(corpus)
    target = tmp_path / "model.joblib"
    call_command("retrain", corpus=str(corpus), output=str(target), folds=2)
    # Labels that contradict the corpus make the new model worse on the test items.
    labels = tmp_path / "bad.jsonl"
    labels.write_text(
        "\n".join(json.dumps({"text": t, "categories": []}, ensure_ascii=False) for t in ABUSE * 3)
        + "\n"
        + "\n".join(json.dumps({"text": t, "categories": ["verbal_abuse"]}, ensure_ascii=False) for t in CALM * 3),
        encoding="utf-8",
    )
    before = target.read_bytes()
    with pytest.raises(CommandError, match="置き換えません"):
        call_command("retrain", corpus=str(corpus), labels=[str(labels)], output=str(target), folds=2)
    assert target.read_bytes() == before
