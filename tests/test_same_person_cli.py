"""``python -m mamoru same-person``: pairs in, decisions out, bad lines named."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

LINES = [
    {
        "id": "1",
        "a": {"name": "髙橋 誠", "phone": "０２８７－２３－８７０２"},
        "b": {"name": "高橋誠", "phone": "+81 287 23 8702"},
    },
    {"id": "2", "a": {"name": "佐藤 健一", "phone": "0287-22-1111"}, "b": {"name": "佐藤 健二", "phone": "0287221111"}},
    {"id": "3", "a": {"name": "山﨑 花子"}, "b": {"name": "", "kana": "", "phone": None}},
    {"id": 4, "a": {}, "b": {"address": "本町1-4-1"}},
]


def write(path, lines):
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line, ensure_ascii=False) for line in lines) + "\n",
        encoding="utf-8",
    )


def read(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_end_to_end_through_python_m_mamoru(tmp_path):
    source, target = tmp_path / "pairs.jsonl", tmp_path / "out.jsonl"
    write(source, LINES)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mamoru.settings"}
    done = subprocess.run(
        [sys.executable, "-m", "mamoru", "same-person", "--input", str(source), "--output", str(target)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = read(target)
    assert [line["id"] for line in out] == ["1", "2", "3", 4]
    assert out[0]["same"] is True and out[0]["score"] >= 0.8
    assert "氏名が一致（異体字「髙」を「高」として比較）" in out[0]["reasons"] and "電話番号が一致" in out[0]["reasons"]
    assert out[1]["same"] is False and "氏名が異なる" in out[1]["reasons"]
    for line in out:
        assert set(line) == {"id", "same", "score", "reasons"}
        assert 0.0 <= line["score"] <= 1.0 and isinstance(line["reasons"], list)
    assert out[2]["same"] is False and out[3]["same"] is False


def test_malformed_lines_are_named_and_the_rest_still_decided(tmp_path, capsys):
    source, target = tmp_path / "pairs.jsonl", tmp_path / "out.jsonl"
    write(
        source,
        [
            LINES[0],
            "{not json",
            json.dumps({"a": {}, "b": {}}),
            "",
            json.dumps([1, 2]),
            json.dumps({"id": "x", "a": {"name": 3.5}, "b": {}}),
            json.dumps({"id": "y", "a": {}}),
            LINES[1],
        ],
    )
    with pytest.raises(CommandError) as error:
        call_command("same_person", "--input", str(source), "--output", str(target))
    assert "5行を処理できませんでした" in str(error.value)
    stderr = capsys.readouterr().err
    assert "2行目: JSON として読み取れません" in stderr
    assert "3行目: 「id」がありません" in stderr
    assert "5行目: 1行に1つの JSON オブジェクト" in stderr
    assert "6行目: 「a.name」は文字列で書いてください" in stderr
    assert "7行目: 比較する2人（「a」と「b」）がそろっていません" in stderr
    assert [line["id"] for line in read(target)] == ["1", "2"]


def test_missing_input_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="入力ファイルを開けません"):
        call_command("same_person", "--input", str(tmp_path / "nothing.jsonl"), "--output", str(tmp_path / "o.jsonl"))


def test_writes_to_stdout_without_output(tmp_path, capsys):
    source = tmp_path / "pairs.jsonl"
    write(source, LINES[:1])
    call_command("same_person", "--input", str(source))
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and json.loads(out[0])["same"] is True


def test_evaluate_matching_prints_precision_and_recall(capsys):
    call_command("evaluate_matching", "--split", "test", "--show", "0")
    out = capsys.readouterr().out
    assert "[test]" in out and "適合率(precision)" in out and "再現率(recall)" in out
